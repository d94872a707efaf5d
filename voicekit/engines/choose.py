"""The former home of engine choice and the Groq engines: kept so that older imports work.

Engines are chosen in `voicekit.engines.registry`; the Groq engines live in `voicekit.engines.groq_engines`.
"""

from __future__ import annotations

from voicekit.engines.base import SpeechEngine, TranscriptionEngine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.groq_engines import GroqSynthesizer, GroqTranscriber
from voicekit.engines.registry import EngineName, provider, speech_engine, transcription_engine, voices

__all__ = ["EngineName", "GroqSynthesizer", "GroqTranscriber", "make_synthesizer", "make_transcriber", "resolve_engine",
           "voices"]


def make_synthesizer(engine: EngineName = "auto", *, model: str | None = None, voice: str | None = None,
                     client: AsyncGroqClient | None = None) -> SpeechEngine:
    """The speech engine for these choices (see `voicekit.engines.registry.speech_engine`)."""
    return speech_engine(engine, model=model, voice=voice, client=client)


def make_transcriber(engine: EngineName = "auto", *, model: str | None = None, translate: bool = False,
                     client: AsyncGroqClient | None = None) -> TranscriptionEngine:
    """The transcription engine for these choices (see `voicekit.engines.registry.transcription_engine`)."""
    return transcription_engine(engine, model=model, translate=translate, client=client)


def resolve_engine(engine: EngineName, client: AsyncGroqClient | None = None) -> str:
    """The name of the provider that will run (see `voicekit.engines.registry.provider`)."""
    return provider(engine, client).name
