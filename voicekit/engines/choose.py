"""Picking an engine: `auto` means Groq when GROQ_API_KEY is set, otherwise the local engines.

Also the Groq engines: the client's speech and transcription behind the same `Synthesizer` / `Transcriber`
protocols as the local ones, so the jobs never know which they talk to.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from voicekit import errors
from voicekit.audio.io import encode_flac
from voicekit.config import Settings
from voicekit.engines.base import Synthesizer, Transcriber
from voicekit.engines.catalog import ORPHEUS_ENGLISH, SPEECH_MODELS, WHISPER, WHISPER_TURBO
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.languages import language_code
from voicekit.models import Audio, Transcript

EngineName = Literal["auto", "groq", "local"]


class GroqSynthesizer:
    """Orpheus speech through an `AsyncGroqClient`."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient, *, model: str = ORPHEUS_ENGLISH, voice: str | None = None) -> None:
        spec = SPEECH_MODELS.get(model)
        self.client = client
        self.model = model
        self.voice = voice or (spec.default_voice if spec else None)
        self.max_chars: int | None = spec.max_chars if spec else None

    async def synthesize(self, text: str) -> Audio:
        return await self.client.speech(text, voice=self.voice, model=self.model)


class GroqTranscriber:
    """Whisper through an `AsyncGroqClient`: each window is uploaded as 16-bit FLAC with verbose_json."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient, *, model: str | None = None, translate: bool = False) -> None:
        self.client = client
        self.translate = translate
        self.model = model or (WHISPER if translate else WHISPER_TURBO)

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript:
        # Encoding takes milliseconds of CPU per window: in a worker thread, it overlaps the other windows' requests.
        upload = ("window.flac", await asyncio.to_thread(encode_flac, audio.samples, audio.sample_rate))
        if self.translate:
            result = await self.client.translate(upload, model=self.model, prompt=prompt, audio_seconds=audio.duration)
        else:
            result = await self.client.transcribe(upload, model=self.model, language=language, prompt=prompt,
                                                  audio_seconds=audio.duration)
        # Groq names the language ("English"); the local engine gives its code: every engine gives the code.
        return result.model_copy(update={"language": language_code(result.language) or result.language})


def resolve_engine(engine: EngineName, client: AsyncGroqClient | None = None) -> Literal["groq", "local"]:
    """The engine that will run: `local` is always local; a client given means Groq through it (with its own key);
    otherwise `auto` is Groq when GROQ_API_KEY is set, and `groq` without a key is a clear error."""
    if engine not in ("auto", "groq", "local"):
        raise errors.InputError(f"unknown engine {engine!r}: use auto, groq or local")
    if engine == "local":
        return "local"
    if client is not None:
        return "groq"
    has_key = Settings().groq_api_key is not None
    if engine == "groq" and not has_key:
        raise errors.ConfigurationError("the groq engine needs GROQ_API_KEY; set it or use --engine local")
    return "groq" if has_key else "local"


def make_synthesizer(engine: EngineName = "auto", *, model: str | None = None, voice: str | None = None,
                     client: AsyncGroqClient | None = None) -> Synthesizer:
    """The speech engine for these choices (see `resolve_engine`)."""
    if resolve_engine(engine, client) == "groq":
        return GroqSynthesizer(client or AsyncGroqClient(), model=model or ORPHEUS_ENGLISH, voice=voice)
    from voicekit.engines.local import PiperSynthesizer

    return PiperSynthesizer(voice=voice or "joe")


def make_transcriber(engine: EngineName = "auto", *, model: str | None = None, translate: bool = False,
                     client: AsyncGroqClient | None = None) -> Transcriber:
    """The transcription engine for these choices (the local model is English-only and cannot translate)."""
    if resolve_engine(engine, client) == "groq":
        return GroqTranscriber(client or AsyncGroqClient(), model=model, translate=translate)
    if translate:
        raise errors.UnsupportedError("the local engine cannot translate; use --engine groq with GROQ_API_KEY set")
    from voicekit.engines.local import WhisperTranscriber

    return WhisperTranscriber(model=model)


def voices(engine: EngineName = "auto") -> dict[str, list[str]]:
    """The voices per speech model: Groq's models and the packaged local voices."""
    listing = {name: list(spec.voices) for name, spec in SPEECH_MODELS.items()}
    try:
        from voicekit.engines.local import PiperSynthesizer

        listing["piper (local)"] = PiperSynthesizer.voices()
    except errors.MissingDependencyError:
        pass
    if engine == "local":
        return {k: v for k, v in listing.items() if k.endswith("(local)")}
    if engine == "groq":
        return {k: v for k, v in listing.items() if not k.endswith("(local)")}
    return listing
