"""Result models: `Audio` (samples in memory), and the transcript models `Word`, `Segment`, `Transcript`.

Times are seconds from the start of the recording, as floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

FloatArray = npt.NDArray[np.float32]


@dataclass(eq=False)
class Audio:
    """Audio held in memory: float32 samples in [-1, 1] and their rate.

    `samples` has shape `(frames,)` for mono or `(frames, channels)`.
    """

    samples: FloatArray
    sample_rate: int
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, not {self.sample_rate}")
        self.samples = np.asarray(self.samples, dtype=np.float32)
        if self.samples.ndim not in (1, 2):
            raise ValueError(f"samples must be 1-D or 2-D, not {self.samples.ndim}-D")

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    def __repr__(self) -> str:
        return f"Audio(duration={self.duration:.3f}s, sample_rate={self.sample_rate}, channels={self.channels})"


class Word(BaseModel):
    """One word with its time span."""

    model_config = ConfigDict(extra="ignore")

    word: str
    """The word as the model wrote it, usually with its leading space."""
    start: float
    """Seconds from the start of the recording."""
    end: float
    """Seconds from the start of the recording."""
    probability: float | None = None
    """The model's confidence, where the engine gives one."""


class Segment(BaseModel):
    """A stretch of speech as Whisper returns it (`verbose_json`), with its quality figures."""

    model_config = ConfigDict(extra="ignore")

    id: int = 0
    seek: int = 0
    start: float
    end: float
    text: str
    tokens: list[int] = []
    temperature: float = 0.0
    avg_logprob: float = 0.0
    """Mean token log-probability: closer to 0 is better; -0.5 or lower suggests trouble."""
    compression_ratio: float = 1.0
    """Text compression ratio: above about 2.4 suggests a repetition loop."""
    no_speech_prob: float = 0.0
    """Near 1 means the model thinks this stretch is silence."""
    words: list[Word] = []
    """Words inside this segment, when word timestamps were asked for."""


class Transcript(BaseModel):
    """What was said in a recording.

    From the API, `segments` and `words` are empty unless `verbose_json` was asked for; `language` is a full name
    ("English") from Groq or a code from a local engine.
    """

    model_config = ConfigDict(extra="ignore")

    text: str
    language: str | None = None
    duration: float | None = None
    segments: list[Segment] = []
    words: list[Word] = []
    request_id: str | None = None
    """Groq's request id (`x_groq.id`), for support questions."""

    def to_text(self, paragraph_gap: float | None = 2.0) -> str:
        """Plain text, a blank line between paragraphs (pauses of at least `paragraph_gap` seconds)."""
        from voicekit.transcript import formats

        return formats.to_text(self, paragraph_gap)

    def to_srt(self, *, max_line_length: int = 42, max_lines: int = 2) -> str:
        """SubRip subtitles (at most `max_lines` lines of `max_line_length` characters a cue, never overlapping)."""
        from voicekit.transcript import formats

        return formats.to_srt(self, max_line_length=max_line_length, max_lines=max_lines)

    def to_vtt(self, *, max_line_length: int = 42, max_lines: int = 2) -> str:
        """WebVTT subtitles, cut like `to_srt`."""
        from voicekit.transcript import formats

        return formats.to_vtt(self, max_line_length=max_line_length, max_lines=max_lines)

    def to_json(self) -> str:
        """Everything as JSON; `Transcript.from_json` gives back an equal transcript."""
        from voicekit.transcript import formats

        return formats.to_json(self)

    def to_tsv(self) -> str:
        """Segments as tab-separated start and end (milliseconds) and text, as Whisper writes them."""
        from voicekit.transcript import formats

        return formats.to_tsv(self)

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write to `path` in `format` ("txt", "srt", "vtt", "json", "tsv"), by default the one its extension
        names; an unknown one raises `InputError`."""
        from voicekit.transcript import formats

        return formats.save(self, path, format)

    @classmethod
    def from_json(cls, data: str | bytes) -> Transcript:
        """A transcript from `to_json`'s output."""
        return cls.model_validate_json(data)

    @classmethod
    def load(cls, path: str | Path) -> Transcript:
        """Read a transcript saved as .json."""
        from voicekit.transcript import formats

        return formats.load(path)
