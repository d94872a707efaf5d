"""What every engine provides: `Synthesizer` turns text into audio, `Transcriber` turns audio into a transcript.

Engines are async; the local engines run their blocking model calls in a worker thread.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from voicekit.audio.model import Audio
from voicekit.transcript.model import Transcript


@runtime_checkable
class Synthesizer(Protocol):
    """Speaks one chunk of text (already within `max_chars`)."""

    name: str
    max_chars: int | None
    """The longest text one call takes, or None for no limit."""

    async def synthesize(self, text: str) -> Audio: ...


@runtime_checkable
class Transcriber(Protocol):
    """Transcribes one window of 16 kHz mono audio into segments and words, with times from its start."""

    name: str

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript: ...
