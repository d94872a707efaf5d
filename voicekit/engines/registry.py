"""One place that turns an engine choice into an engine object, and owns that object's lifetime.

A choice is a name (`ENGINE_NAMES`: "auto", a provider, or "local") or an engine object the caller built. "auto" is
Groq when GROQ_API_KEY is set, else the engines on this machine. A provider is one `Provider` entry: adding one is
one module and one line in `PROVIDERS`. `open_speech_engine` / `open_transcription_engine` are async context
managers: an engine opened from a name is closed at the end (with the client it created, which got the job's
concurrency); an engine object the caller gave is left open, as is a client the caller gave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from voicekit import errors
from voicekit.config import Settings
from voicekit.engines import openai
from voicekit.engines.base import SpeechEngine, TranscriptionEngine
from voicekit.engines.catalog import LOCAL_SPEECH_MODELS, OPENAI_SPEECH_MODELS, SPEECH_MODELS
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.groq_engines import GroqSpeechEngine, GroqTranscriptionEngine

SpeechFactory = Callable[[str | None, str | None, int | None, AsyncGroqClient | None], SpeechEngine]
TranscriptionFactory = Callable[[str | None, bool, int | None, AsyncGroqClient | None], TranscriptionEngine]


@dataclass(frozen=True)
class Provider:
    """How to open one provider's engines, and whether it is set up on this machine."""

    name: str
    configured: Callable[[], bool]
    """Whether the provider can be used now (its key is set)."""
    missing: str
    """What to do when it is not configured (the error message)."""
    speech: SpeechFactory
    """(model, voice, concurrency, client) -> a speech engine."""
    transcription: TranscriptionFactory
    """(model, translate, concurrency, client) -> a transcription engine."""
    voices: Callable[[], dict[str, list[str]]]
    """The voices of each speech model."""


def _groq_speech(model: str | None, voice: str | None, concurrency: int | None,
                 client: AsyncGroqClient | None) -> SpeechEngine:
    return GroqSpeechEngine(client, model=model, voice=voice, concurrency=concurrency)


def _groq_transcription(model: str | None, translate: bool, concurrency: int | None,
                        client: AsyncGroqClient | None) -> TranscriptionEngine:
    return GroqTranscriptionEngine(client, model=model, translate=translate, concurrency=concurrency)


def _local_speech(model: str | None, voice: str | None, concurrency: int | None,
                  client: AsyncGroqClient | None) -> SpeechEngine:
    from voicekit.engines.local import PiperSynthesizer

    if model is not None and model not in LOCAL_SPEECH_MODELS:
        raise errors.UnsupportedError(f"the local engine has no speech model {model!r}: it speaks with "
                                      f"{', '.join(LOCAL_SPEECH_MODELS)} (leave --model out)")
    return PiperSynthesizer(voice=voice or LOCAL_SPEECH_MODELS["piper"].default_voice)


def _local_transcription(model: str | None, translate: bool, concurrency: int | None,
                         client: AsyncGroqClient | None) -> TranscriptionEngine:
    from voicekit.engines.local import WhisperTranscriber

    if translate:
        raise errors.UnsupportedError("the local engine cannot translate; use --engine groq with GROQ_API_KEY set")
    return WhisperTranscriber(model=model)


def _local_voices() -> dict[str, list[str]]:
    return {f"{name} (local)": list(spec.voices) for name, spec in LOCAL_SPEECH_MODELS.items()}


PROVIDERS: dict[str, Provider] = {
    "groq": Provider("groq", lambda: Settings().groq_api_key is not None,
                     "the groq engine needs GROQ_API_KEY; set it or use --engine local",
                     _groq_speech, _groq_transcription,
                     lambda: {name: list(spec.voices) for name, spec in SPEECH_MODELS.items()}),
    "local": Provider("local", lambda: True, "", _local_speech, _local_transcription, _local_voices),
    "openai": Provider("openai", openai.configured,
                       "the openai engine needs OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than "
                       "OpenAI's); set it or use --engine local",
                       lambda model, voice, concurrency, client: openai.OpenAISpeechEngine(
                           client, model=model, voice=voice, concurrency=concurrency),
                       lambda model, translate, concurrency, client: openai.OpenAITranscriptionEngine(
                           client, model=model, translate=translate, concurrency=concurrency),
                       lambda: {name: list(spec.voices) for name, spec in OPENAI_SPEECH_MODELS.items()}),
}
"""Every provider, by the name users choose it with."""

AUTO_ORDER = ("groq", "local")
"""`auto` picks the first of these that is configured."""
ENGINE_NAMES = ("auto", *PROVIDERS)
"""Every name an engine can be chosen by (the CLI's choices)."""

EngineName = str
"""One of `ENGINE_NAMES`."""


def check_engine_name(name: str) -> str:
    """`name` if it names an engine, else `InputError` listing the names."""
    if name not in ENGINE_NAMES:
        raise errors.InputError(f"unknown engine {name!r}: use {', '.join(ENGINE_NAMES[:-1])} or {ENGINE_NAMES[-1]}")
    return name


def provider(name: str, client: AsyncGroqClient | None = None) -> Provider:
    """The provider a name chooses: a client given means Groq (unless `local` was asked for); `auto` is the first
    configured one in `AUTO_ORDER`; a provider asked for by name must be configured."""
    check_engine_name(name)
    if client is not None and name == "auto":
        return PROVIDERS["groq"]
    if client is not None and name != "local":
        return PROVIDERS[name]
    if name == "auto":
        return next(PROVIDERS[n] for n in AUTO_ORDER if PROVIDERS[n].configured())
    chosen = PROVIDERS[name]
    if not chosen.configured():
        raise errors.ConfigurationError(chosen.missing)
    return chosen


def speech_engine(engine: EngineName | SpeechEngine = "auto", *, model: str | None = None, voice: str | None = None,
                  concurrency: int | None = None, client: AsyncGroqClient | None = None) -> SpeechEngine:
    """The speech engine for these choices (an engine object is returned as it is). The caller closes it."""
    if not isinstance(engine, str):
        return engine
    return provider(engine, client).speech(model, voice, concurrency, client)


def transcription_engine(engine: EngineName | TranscriptionEngine = "auto", *, model: str | None = None,
                         translate: bool = False, concurrency: int | None = None,
                         client: AsyncGroqClient | None = None) -> TranscriptionEngine:
    """The transcription engine for these choices (an engine object is returned as it is). The caller closes it."""
    if not isinstance(engine, str):
        return engine
    return provider(engine, client).transcription(model, translate, concurrency, client)


@asynccontextmanager
async def open_speech_engine(engine: EngineName | SpeechEngine = "auto", *, model: str | None = None,
                             voice: str | None = None, concurrency: int | None = None,
                             client: AsyncGroqClient | None = None) -> AsyncIterator[SpeechEngine]:
    """The speech engine for the block; one opened from a name is closed after it, one given is left open."""
    opened = speech_engine(engine, model=model, voice=voice, concurrency=concurrency, client=client)
    try:
        yield opened
    finally:
        if isinstance(engine, str):
            await opened.aclose()


@asynccontextmanager
async def open_transcription_engine(engine: EngineName | TranscriptionEngine = "auto", *, model: str | None = None,
                                    translate: bool = False, concurrency: int | None = None,
                                    client: AsyncGroqClient | None = None) -> AsyncIterator[TranscriptionEngine]:
    """The transcription engine for the block; one opened from a name is closed after it, one given is left
    open."""
    opened = transcription_engine(engine, model=model, translate=translate, concurrency=concurrency, client=client)
    try:
        yield opened
    finally:
        if isinstance(engine, str):
            await opened.aclose()


def voices(engine: EngineName = "auto") -> dict[str, list[str]]:
    """The voices of every speech model of one provider, or of all of them for `auto`."""
    check_engine_name(engine)
    names = list(PROVIDERS) if engine == "auto" else [engine]
    listing: dict[str, list[str]] = {}
    for name in names:
        try:
            listing.update(PROVIDERS[name].voices())
        except errors.MissingDependencyError:
            continue
    return listing


_Engine = TypeVar("_Engine", SpeechEngine, TranscriptionEngine)

PLAN_ONLY_KEY = "plan-only: nothing is sent"
"""The key of the client a plan opens for a provider whose key is not set; a plan never sends a request."""


def _plan_client(engine: EngineName | SpeechEngine | TranscriptionEngine) -> AsyncGroqClient | None:
    """A client for planning with a provider named but not set up (prices and limits are public: a plan needs no
    key), else None (an engine object, auto, local, or a provider whose key is set)."""
    if not isinstance(engine, str) or engine not in PROVIDERS or PROVIDERS[engine].configured():
        return None
    if engine == "local":
        return None
    return AsyncGroqClient(api_key=PLAN_ONLY_KEY)


@asynccontextmanager
async def _planning(engine: EngineName | SpeechEngine | TranscriptionEngine,
                    opener: Callable[[AsyncGroqClient | None], AbstractAsyncContextManager[_Engine]],
                    ) -> AsyncIterator[_Engine]:
    """What `opener` opens with a plan's client (see `_plan_client`), which is closed after it."""
    client = _plan_client(engine)
    try:
        async with opener(client) as opened:
            yield opened
    finally:
        if client is not None:
            await client.aclose()


def open_planning_speech_engine(engine: EngineName | SpeechEngine = "auto", *, model: str | None = None,
                                voice: str | None = None) -> AbstractAsyncContextManager[SpeechEngine]:
    """The speech engine a plan reads its limits and prices from: as `open_speech_engine`, but a provider named
    without its key set still opens (its requests would fail; a plan sends none)."""
    return _planning(engine, lambda client: open_speech_engine(engine, model=model, voice=voice, client=client))


def open_planning_transcription_engine(engine: EngineName | TranscriptionEngine = "auto", *,
                                       model: str | None = None,
                                       translate: bool = False) -> AbstractAsyncContextManager[TranscriptionEngine]:
    """The transcription engine a plan reads its limits and prices from (see `open_planning_speech_engine`)."""
    return _planning(engine, lambda client: open_transcription_engine(engine, model=model, translate=translate,
                                                                      client=client))
