"""What every engine is: a `SpeechEngine` turns text into audio, a `TranscriptionEngine` audio into a transcript.

An engine object knows everything a job needs about it, so that no job compares engine names: its limits, its
price and the cost of a given job, its identity for the cache (everything that changes its output), its voices and
models, and how to close what it opened. Engines are async; local engines run their blocking model calls in a
worker thread. `voicekit.engines.registry` opens engines by name and owns their lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from voicekit.audio.model import Audio
from voicekit.engines.catalog import RequestPace, SpeechModel, TranscriptionModel
from voicekit.transcript.model import Transcript

CacheIdentity = dict[str, str | float | int | bool | None]
"""Everything about an engine that changes its output (provider, server, model, voice, speed...), for cache keys."""


@dataclass(frozen=True)
class SpeechLimits:
    """What one speech request may carry, and how the provider's limits count."""

    max_chars: int | None
    """The longest text one request takes, or None for no limit."""
    chunk_chars: int
    """The longest chunk narration makes (`max_chars`, or a chunk size of the engine's choosing)."""
    takes_directions: bool
    """Whether bracketed vocal directions such as `[cheerful]` are understood (else they are removed)."""
    language: str
    """The language the model speaks (ISO 639-1), for text normalization."""
    paced_by_requests: bool
    """Whether the provider's limits count requests: narration then lets chunks run across paragraphs."""
    pace: RequestPace = field(default_factory=RequestPace)

    @classmethod
    def of(cls, spec: SpeechModel) -> SpeechLimits:
        """The limits a catalog entry states."""
        return cls(max_chars=spec.max_chars, chunk_chars=spec.chunk_limit, takes_directions=spec.takes_directions,
                   language=spec.language, paced_by_requests=spec.paced_by_requests, pace=spec.pace)


@dataclass(frozen=True)
class TranscriptionLimits:
    """What one transcription request may carry, and how it is billed."""

    max_upload_bytes: int | None
    """The largest upload one request takes, or None for no limit."""
    max_seconds: float | None
    """The longest audio one request takes, or None for no limit."""
    billing_minimum_seconds: float
    """Every request is billed as at least this much audio (0 for engines that are not billed)."""
    translates: bool
    """Whether the engine can translate speech into English."""
    timestamps: bool = True
    """Whether the engine gives segment and word times (else the merge gets one segment a window)."""
    language: str | None = None
    """The one language the model knows (an English-only model), or None for a model that detects it."""
    batch_size: int = 1
    """Windows the engine decodes together: a job keeps at least this many in flight unless told otherwise."""

    @classmethod
    def of(cls, spec: TranscriptionModel, max_seconds: float | None = None) -> TranscriptionLimits:
        """The limits a catalog entry states."""
        return cls(max_upload_bytes=spec.max_upload_bytes, max_seconds=max_seconds,
                   billing_minimum_seconds=spec.billing_minimum_seconds, translates=spec.translates,
                   timestamps=spec.timestamps, language=spec.language)


@runtime_checkable
class SpeechEngine(Protocol):
    """Speaks one chunk of text (already within `limits.max_chars`)."""

    name: str
    """The provider, for messages and plans ("groq", "piper", "openai")."""
    model: str
    voice: str
    limits: SpeechLimits

    def voices(self) -> list[str]:
        """The voices of this engine's model."""
        ...

    def models(self) -> list[str]:
        """The speech models this engine's provider offers."""
        ...

    def cost_usd(self, characters: int) -> float:
        """What speaking this many characters costs (0 for engines on this machine)."""
        ...

    def cache_identity(self) -> CacheIdentity:
        """Everything that changes this engine's audio for a given text."""
        ...

    async def synthesize(self, text: str) -> Audio: ...

    async def aclose(self) -> None:
        """Close what the engine opened (a client it created); a client the caller gave stays open."""
        ...


@runtime_checkable
class TranscriptionEngine(Protocol):
    """Transcribes one window of 16 kHz mono audio into segments and words, with times from its start."""

    name: str
    model: str
    translate: bool
    limits: TranscriptionLimits

    def models(self) -> list[str]:
        """The transcription models this engine's provider offers."""
        ...

    def billed_seconds(self, duration: float) -> float:
        """The seconds billed for one request of `duration` seconds of audio."""
        ...

    def cost_usd(self, billed_seconds: float) -> float:
        """What this many billed seconds cost (0 for engines on this machine)."""
        ...

    def cache_identity(self) -> CacheIdentity:
        """Everything that changes this engine's transcript of a given window."""
        ...

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript: ...

    def windows_started(self) -> None:
        """A job begins cutting windows: an engine that batches windows waits for more while any job is cutting."""
        ...

    def windows_ended(self) -> None:
        """No more windows will come from one job that started (`windows_started`): an engine that batches windows
        stops waiting for that job's."""
        ...

    async def aclose(self) -> None:
        """Close what the engine opened (a client it created); a client the caller gave stays open."""
        ...


Synthesizer = SpeechEngine
"""The former name of `SpeechEngine`."""
Transcriber = TranscriptionEngine
"""The former name of `TranscriptionEngine`."""



def public_root(base_url: str) -> str:
    """An API root without any user name or password in it (part of a cache identity)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
