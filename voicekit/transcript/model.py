"""The transcript models `Word`, `Segment`, `Transcript`, with their formats (`voicekit.transcript.formats`).

Times are seconds from the start of the recording, as floats. Notebook display is looked up in `voicekit.display`
(registered by `voicekit.notebook`); the formats module uses these models for types only, so nothing imports back.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from voicekit import display
from voicekit.errors import InputError, MissingDependencyError
from voicekit.transcript import formats


class Word(BaseModel):
    """One word with its time span."""

    model_config = ConfigDict(extra="ignore")

    word: str
    """One spoken word. Transcripts from `transcribe` hold it in the one normal form (`voicekit.transcript.words`):
    bare, no surrounding whitespace, its punctuation attached ("Columbia,"); an engine's raw answer may differ."""
    start: float
    """Seconds from the start of the recording."""
    end: float
    """Seconds from the start of the recording."""
    probability: float | None = None
    """The model's confidence, where the engine gives one."""
    speaker: str | None = None
    """Who said it, when speakers were asked for (a channel's name, or a label from diarization)."""


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
    speaker: str | None = None
    """Who said this segment, when speakers were asked for."""


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
    model: str | None = None
    """The model that made the transcript ("whisper-large-v3-turbo", "tiny.en"), when a job recorded it."""
    request_id: str | None = None
    """Groq's request id (`x_groq.id`), for support questions."""
    source: str | None = None
    """The recording this transcript is of (a path), when known: notebooks show its player, `voicekit.plot` its
    waveform."""

    def to_text(self, paragraph_gap: float | None = 2.0) -> str:
        """Plain text, a blank line between paragraphs (pauses of at least `paragraph_gap` seconds)."""
        return formats.to_text(self, paragraph_gap)

    def to_srt(self, *, max_line_length: int = 42, max_lines: int = 2, name_speakers: bool = True) -> str:
        """SubRip subtitles (at most `max_lines` lines of `max_line_length` characters a cue, never overlapping). When
        speakers are known, a cue where the speaker changes begins with `Name:`, unless `name_speakers` is False."""
        return formats.to_srt(self, max_line_length=max_line_length, max_lines=max_lines,
                              name_speakers=name_speakers)

    def to_vtt(self, *, max_line_length: int = 42, max_lines: int = 2) -> str:
        """WebVTT subtitles, cut like `to_srt`."""
        return formats.to_vtt(self, max_line_length=max_line_length, max_lines=max_lines)

    def to_json(self) -> str:
        """Everything as JSON; `Transcript.from_json` gives back an equal transcript."""
        return formats.to_json(self)

    def to_tsv(self) -> str:
        """Segments as tab-separated start and end (milliseconds) and text, as Whisper writes them."""
        return formats.to_tsv(self)

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write to `path` in `format` ("txt", "srt", "vtt", "json", "tsv"), by default the one its extension
        names; an unknown one raises `InputError`."""
        return formats.save(self, path, format)

    @classmethod
    def from_json(cls, data: str | bytes) -> Transcript:
        """A transcript from `to_json`'s output (or Whisper's verbose_json)."""
        return cls.model_validate_json(data)

    @classmethod
    def load(cls, path: str | Path) -> Transcript:
        """Read a transcript saved as .json (the only format that keeps everything)."""
        source = Path(path)
        if source.suffix.lower() != ".json":
            raise InputError(f"only .json transcripts can be read back exactly, not {source.name}")
        return cls.from_json(source.read_bytes())

    def to_dataframe(self) -> Any:
        """The segments as a pandas DataFrame: start, end, text and the quality figures (needs pandas), and a
        `speaker` column when speakers are known. A transcript without segments gives one row of its whole text."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as exc:
            raise MissingDependencyError('to_dataframe needs pandas, which is missing: pip install pandas '
                                         '(or "voicekit[notebook]")') from exc
        segments, _ = segment_rows(self)
        columns = ["start", "end", "text", "avg_logprob", "compression_ratio", "no_speech_prob"]
        rows = [(s.start, s.end, s.text.strip(), s.avg_logprob, s.compression_ratio, s.no_speech_prob)
                for s in segments]
        frame = pandas.DataFrame(rows, columns=columns)
        if formats.has_speakers(self):
            frame.insert(3, "speaker", [s.speaker for s in segments])
        return frame

    def _repr_html_(self) -> str | None:
        """A table of the segments, with a player when `source` is known."""
        return display.html(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        plain = self.to_text() if len(self.text) < 2000 else self.text[:2000] + " …"
        return display.mimebundle(self, plain)


def segment_rows(transcript: Transcript) -> tuple[list[Segment], int]:
    """The segments to show or tabulate: a transcript without segments shows its text as one row."""
    if transcript.segments:
        return transcript.segments, len(transcript.segments)
    if transcript.text.strip():
        return [Segment(start=0.0, end=transcript.duration or 0.0, text=transcript.text)], 1
    return [], 0
