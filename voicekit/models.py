"""Result models: `Audio` (samples in memory), and the transcript models `Word`, `Segment`, `Transcript`.

Times are seconds from the start of the recording, as floats.
"""

from __future__ import annotations

import importlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import pydub

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

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, sample_rate: int | None = None,
             channel: Literal["mix"] | int = "mix") -> Audio:
        """Decode a whole recording (any format `transcribe` reads) as mono: channels mixed, or the one `channel`
        names; at its own rate, or resampled to `sample_rate`. `meta["path"]` keeps the path. For recordings
        of hours use `voicekit.audio.io.stream_audio`, which reads in blocks."""
        from voicekit.audio.io import DecodeOptions, read_audio

        audio = read_audio(path, DecodeOptions(sample_rate=sample_rate, channel=channel))
        audio.meta["path"] = os.fspath(path)
        return audio

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write 16-bit WAV or FLAC, OGG Vorbis or MP3, as `format` or else the extension says (written in
        blocks). Returns the path."""
        import soundfile as sf

        from voicekit.audio.stitch import WRITE_BLOCK_FRAMES, resolve_format
        from voicekit.errors import AudioError

        name = resolve_format(path, format)
        subtype = {"wav": "PCM_16", "flac": "PCM_16", "ogg": "VORBIS", "mp3": "MPEG_LAYER_III"}[name]
        target = Path(path)
        samples = np.clip(self.samples, -1.0, 1.0)
        try:  # in blocks: libsndfile's Vorbis and MP3 encoders overflow on one long write
            with sf.SoundFile(target, "w", self.sample_rate, self.channels, format=name.upper(),
                              subtype=subtype) as out:
                for begin in range(0, self.frames, WRITE_BLOCK_FRAMES):
                    out.write(samples[begin:begin + WRITE_BLOCK_FRAMES])
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(f"could not write {target}: {exc}") from exc
        return target

    def to_pydub(self) -> pydub.AudioSegment:
        """A `pydub.AudioSegment` of the same audio as 16-bit PCM (samples clipped to [-1, 1])."""
        from voicekit.audio.wav import _to_int16

        segment_class = _pydub_segment_class()
        pcm = _to_int16(self.samples).tobytes()
        return segment_class(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=self.channels)

    @classmethod
    def from_pydub(cls, segment: pydub.AudioSegment) -> Audio:
        """An `Audio` from a `pydub.AudioSegment` of any sample width; 8-, 16- and 32-bit PCM scale by their
        full range, so 16-bit audio comes back sample for sample."""
        width = int(segment.sample_width)
        kinds = {1: np.int8, 2: np.int16, 4: np.int32}
        if width not in kinds:
            raise ValueError(f"unsupported pydub sample width {width} bytes: use 1, 2 or 4")
        ints = np.frombuffer(segment.raw_data, dtype=np.dtype(kinds[width]).newbyteorder("<"))
        samples = ints.astype(np.float32) / float(2 ** (8 * width - 1))
        channels = int(segment.channels)
        if channels > 1:
            samples = samples.reshape(-1, channels)
        return cls(samples=samples, sample_rate=int(segment.frame_rate))

    def _repr_html_(self) -> str:
        """A player with duration and rate (long audio: a preview of its start, with a note)."""
        from voicekit import notebook

        return notebook.audio_html(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from voicekit import notebook

        return notebook.mimebundle(notebook.audio_html(self), repr(self))


def _pydub_segment_class() -> type[pydub.AudioSegment]:
    """pydub's `AudioSegment`, imported without its warning about a missing ffmpeg (not needed for PCM)."""
    from voicekit.errors import MissingDependencyError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            from pydub import AudioSegment
    except ImportError as exc:
        raise MissingDependencyError("pydub is missing: pip install pydub") from exc
    return AudioSegment  # type: ignore[no-any-return]


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
    request_id: str | None = None
    """Groq's request id (`x_groq.id`), for support questions."""
    source: str | None = None
    """The recording this transcript is of (a path), when known: notebooks show its player, `voicekit.plot` its
    waveform."""

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

    def to_dataframe(self) -> Any:
        """The segments as a pandas DataFrame: start, end, text and the quality figures (needs pandas). A
        transcript without segments gives one row of its whole text."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as exc:
            from voicekit.errors import MissingDependencyError

            raise MissingDependencyError('to_dataframe needs pandas, which is missing: pip install pandas '
                                         '(or "voicekit[notebook]")') from exc
        from voicekit.notebook import _segment_rows

        segments, _ = _segment_rows(self)
        columns = ["start", "end", "text", "avg_logprob", "compression_ratio", "no_speech_prob"]
        rows = [(s.start, s.end, s.text.strip(), s.avg_logprob, s.compression_ratio, s.no_speech_prob)
                for s in segments]
        return pandas.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        """A table of the segments, with a player when `source` is known."""
        from voicekit import notebook

        return notebook.transcript_html(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from voicekit import notebook

        plain = self.to_text() if len(self.text) < 2000 else self.text[:2000] + " …"
        return notebook.mimebundle(notebook.transcript_html(self), plain)
