"""What the narrate flow gives back: the `Plan` of a narration (before any request) and the finished `Narration`.

Notebook display is looked up in `voicekit.display`, so these models import no display code.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from voicekit import display
from voicekit.audio.model import Audio


class PlannedChunk(BaseModel):
    text: str
    chars: int
    written: str | None = None
    """The document's own text this chunk speaks, directions removed (what its captions show)."""


class Plan(BaseModel):
    """What a narration will send and cost, computed without any request."""

    engine: str
    model: str | None
    voice: str | None
    chunks: list[PlannedChunk]
    requests: int
    characters: int
    """Characters billed: the sum over the chunks, directions included."""
    cost_usd: float
    estimated_seconds: float
    """Wall time at the free plan's per-minute limits (Groq) or at Piper's speed (local)."""
    oversize_splits: int
    """Tokens longer than a chunk (URLs...) that had to be split inside."""
    warnings: list[str] = []

    def _repr_html_(self) -> str | None:
        """A notebook table of the chunks with the request count, characters, cost and time."""
        return display.html(self)


class Narration(BaseModel):
    """A finished narration."""

    path: Path
    duration: float
    sample_rate: int
    chunks: int
    requests: int
    """Chunks synthesized by the engine in this run (the rest came from the cache)."""
    cached: int
    characters: int
    cost_usd: float
    """What this run's requests cost (cached chunks cost nothing again)."""
    captions: Path | None = None
    warnings: list[str] = []

    def audio(self, *, sample_rate: int | None = None) -> Audio:
        """The narrated file decoded into memory (see `Audio.load`)."""
        return Audio.load(self.path, sample_rate=sample_rate)

    def _repr_html_(self) -> str | None:
        """What was made, and a player of the file (long narrations: a preview of the start)."""
        return display.html(self)
