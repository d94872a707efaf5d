"""Stitch narrated chunks, in order, into one audio file, streamed to disk.

A long document is spoken as thousands of short chunks. `Stitcher` takes them one at a time and writes each to the
output file at once, so memory stays about one chunk however long the narration is. Every chunk goes through the
same small stages, each a function below:

```
Audio --to_mono--> --resample (soxr)--> --speech_bounds (trim edges)--> --loudness_gain--> --apply_fades-->
      write, then the pause's silence before the next chunk's speech
```

Rules the stitcher keeps:

- **No clicks at joins.** Each chunk's written stretch starts and ends with a short raised-cosine fade, so a chunk
  that starts or ends mid-waveform meets the silence around it at zero. `join_clicks` measures this.
- **Even loudness.** Each chunk is brought to one target level measured on its voiced frames only (a speech-gated
  RMS in dBFS), with the gain capped so no peak passes `peak_limit_db`. Pauses never count towards the level.
  A chunk spoken under a soft direction (`add(..., soft=True)`: a `[whisper]`) is brought to a lower target,
  `soft_offset_db` below the others, so levelling keeps a deliberate whisper quieter than its neighbours.
- **Pauses are speech-to-speech gaps.** `pause_after` is the time from the end of one chunk's speech to the start of
  the next chunk's speech; the natural silence kept at the chunk edges (`keep_edge_ms`) is part of it, not added
  to it. The pause after the last chunk is not written: the file ends shortly after the last speech.
- **Nothing is lost silently.** A chunk that is all silence is kept as `silent_chunk_s` of silence and recorded in
  the result (`ChunkSpan.silent`, `StitchResult.silent_chunks`).
- **No partial output looks finished.** A path output is written to its own `<name>.<random>.partial` (two
  writers never share one) and renamed to `<name>` only on a successful `close()`; an exception inside the `with`
  block, `KeyboardInterrupt` included, removes the `.partial` file. An output path that
  cannot be written raises `InputError` when the `Stitcher` is made, before any chunk is taken.
- **Exact timing.** Times in the result come from the frames actually written, so captions do not drift.

A `Stitcher` is used from one thread at a time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr
from pydantic import BaseModel, ConfigDict, Field

from voicekit.errors import AudioError, InputError, UnsupportedError
from voicekit.outputs import create_temporary

if TYPE_CHECKING:
    from voicekit.audio.model import Audio

FloatArray = npt.NDArray[np.float32]

__all__ = [
    "PAUSE_KINDS",
    "ChunkSpan",
    "StitchOptions",
    "StitchResult",
    "Stitcher",
    "apply_fades",
    "file_join_clicks",
    "join_clicks",
    "loudness_gain",
    "resolve_format",
    "speech_bounds",
    "speech_loudness_db",
    "to_mono",
]

_LOG = logging.getLogger(__name__)

PAUSE_KINDS = ("none", "chunk", "sentence", "paragraph", "heading")
"""The names `Stitcher.add(pause_after=...)` accepts; "none" is no pause at all."""

_FORMATS: dict[str, tuple[str, str]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
"""Output format name -> (libsndfile format, subtype)."""
AUDIO_FORMATS = tuple(_FORMATS)
"""The audio formats voicekit writes (`Audio.save`, narration, `speak`): adding one here adds it everywhere."""

_EXTENSIONS = {".wav": "wav", ".wave": "wav", ".flac": "flac", ".ogg": "ogg", ".oga": "ogg", ".mp3": "mp3"}

WRITE_BLOCK_FRAMES = 16_384
"""Frames handed to libsndfile per write call. libvorbis allocates its work buffer on the stack in proportion to
one call's frames and overflows on long calls (libsndfile #1095, python-soundfile #396), so writes are blocked."""

_ENVELOPE_MS = 1.0
"""Resolution of edge trimming: the peak level is taken over blocks of this length."""
_LOUDNESS_FRAME_MS = 20.0
"""Frame length for the speech-gated loudness."""
_LOUDNESS_FLOOR_DB = -40.0
"""Frames more than this far below the chunk's loudest frame are pauses, not speech."""
_LOUDNESS_RELATIVE_GATE_DB = -10.0
"""Of the remaining frames, those this far below their mean power are left out too (as in ITU-R BS.1770)."""


class StitchOptions(BaseModel):
    """How chunks are joined. Levels are in dBFS (0 dB is full scale) unless said otherwise; times in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sample_rate: int | None = Field(default=None, gt=0)
    """Default None: the output rate is the first chunk's rate; chunks at another rate are resampled with soxr."""
    trim_db: float = Field(default=-40.0, lt=0)
    """Default -40: leading and trailing audio quieter than this, **relative to the chunk's own peak**, is trimmed.
    Relative, so a quiet chunk is trimmed the same way as a loud one."""
    silence_db: float = Field(default=-60.0, lt=0)
    """Default -60: a chunk whose peak is below this absolute level is all silence (kept as `silent_chunk_s`)."""
    keep_edge_ms: float = Field(default=30.0, ge=0)
    """Default 30: natural silence kept before and after each chunk's speech (where the chunk has it)."""
    pause_chunk: float = Field(default=0.08, ge=0)
    """Default 0.08: the speech-to-speech gap between chunks inside one sentence."""
    pause_sentence: float = Field(default=0.25, ge=0)
    """Default 0.25: the gap after a chunk that ends a sentence."""
    pause_paragraph: float = Field(default=0.7, ge=0)
    """Default 0.7: the gap after a chunk that ends a paragraph."""
    pause_heading: float = Field(default=1.0, ge=0)
    """Default 1.0: the gap after a heading."""
    silent_chunk_s: float = Field(default=0.25, ge=0)
    """Default 0.25: the silence written for a chunk that is all silence (before its own pause)."""
    fade_ms: float = Field(default=5.0, ge=0)
    """Default 5: length of the raised-cosine fade-in and fade-out at each chunk's edges (0 disables fades)."""
    loudness_target_db: float | None = Field(default=-20.0, lt=0)
    """Default -20: each chunk's speech-gated RMS level is brought to this; None leaves levels as they are (only the
    peak limit then applies, and only ever lowers a chunk)."""
    soft_offset_db: float = Field(default=-10.0, le=0)
    """Default -10: a chunk spoken under a soft direction (a whisper) is levelled this many dB below
    `loudness_target_db`, so it stays quieter than plain speech around it."""
    max_gain_db: float = Field(default=30.0, ge=0)
    """Default 30: the most a chunk is ever amplified, so near-silent noise is not blown up to speech level."""
    peak_limit_db: float = Field(default=-1.0, le=0)
    """Default -1: no sample of the output exceeds this; a chunk's gain is lowered until its peak fits."""

    def pause_seconds(self, pause: str | float) -> float:
        """A pause given by kind name (see `PAUSE_KINDS`) or as seconds, in seconds."""
        if isinstance(pause, str):
            if pause not in PAUSE_KINDS:
                raise InputError(f"unknown pause kind {pause!r}: use one of {', '.join(PAUSE_KINDS)} or seconds")
            return 0.0 if pause == "none" else float(getattr(self, f"pause_{pause}"))
        seconds = float(pause)
        if not np.isfinite(seconds) or seconds < 0:
            raise InputError(f"a pause must be a finite number of seconds >= 0, not {pause!r}")
        return seconds


@dataclass(frozen=True, slots=True)
class ChunkSpan:
    """Where one chunk lies in the output, in seconds from its start.

    A plain slotted dataclass (about 200 bytes), since a long narration keeps one per chunk.
    """

    start: float
    """Where the chunk's speech starts (after trimming)."""
    end: float
    """Where the chunk's speech ends."""
    index: int
    """The chunk's position in the order of `add` calls, from 0."""
    audio_start: float
    """Where the chunk's written audio starts: `start` minus the kept edge silence."""
    audio_end: float
    """Where the chunk's written audio ends: `end` plus the kept edge silence."""
    silent: bool = False
    """True when the chunk was all silence; it then spans the `silent_chunk_s` of silence written for it."""


class StitchResult(BaseModel):
    """What `Stitcher.close()` wrote."""

    path: Path | None
    """The finished file, or None when writing to a file object."""
    format: str
    """"wav", "flac", "ogg" or "mp3"."""
    sample_rate: int
    frames: int
    """Frames written (for MP3 and OGG, the frames given to the encoder)."""
    duration: float
    """Seconds of audio written: `frames / sample_rate`."""
    spans: list[ChunkSpan]
    """One per chunk, in order."""

    @property
    def silent_chunks(self) -> list[int]:
        """Indexes of the chunks that were all silence."""
        return [span.index for span in self.spans if span.silent]

    def join_frames(self) -> list[int]:
        """Output frames where a chunk's written audio meets the silence around it (both edges of every chunk)."""
        joins: list[int] = []
        for span in self.spans:
            if not span.silent:
                joins.append(round(span.audio_start * self.sample_rate))
                joins.append(round(span.audio_end * self.sample_rate))
        return joins


# --- per-chunk stages -------------------------------------------------------------------------------------------


def to_mono(samples: FloatArray) -> FloatArray:
    """Float32 mono: a (frames, channels) array is averaged over its channels."""
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32) if data.shape[1] != 1 else data[:, 0]
    return np.ascontiguousarray(data)


def resample(samples: FloatArray, rate_in: int, rate_out: int) -> FloatArray:
    """Mono float32 at `rate_out` (soxr high quality); unchanged when the rates already agree."""
    if rate_in == rate_out or samples.size == 0:
        return samples
    return np.asarray(soxr.resample(samples, rate_in, rate_out, quality="HQ"), dtype=np.float32)


def _block_peaks(samples: FloatArray, block: int) -> FloatArray:
    """The absolute peak of each run of `block` samples (the last run may be shorter)."""
    count = -(-samples.size // block)
    padded = np.zeros(count * block, dtype=np.float32)
    padded[: samples.size] = np.abs(samples)
    return np.asarray(padded.reshape(count, block).max(axis=1), dtype=np.float32)


def speech_bounds(samples: FloatArray, sample_rate: int, trim_db: float, silence_db: float) -> tuple[int, int] | None:
    """`(start, end)` frames of the chunk's sound, or None when its peak is below `silence_db` (absolute).

    The edges are found at 1 ms resolution: the first and last millisecond whose peak reaches `trim_db` below the
    chunk's own peak.
    """
    if samples.size == 0:
        return None
    peak = float(np.max(np.abs(samples)))
    if peak <= 0 or 20 * np.log10(peak) < silence_db:
        return None
    block = max(1, round(sample_rate * _ENVELOPE_MS / 1000))
    loud = np.flatnonzero(_block_peaks(samples, block) >= peak * 10 ** (trim_db / 20))
    start = int(loud[0]) * block
    end = min(samples.size, (int(loud[-1]) + 1) * block)
    return start, end


def speech_loudness_db(samples: FloatArray, sample_rate: int) -> float:
    """Speech-gated RMS level in dBFS: the mean power of the 20 ms frames that carry speech.

    Frames more than 40 dB below the loudest frame are pauses; of the rest, frames more than 10 dB below their mean
    power are left out too. Both gates are relative, so scaling a chunk by k dB changes its loudness by exactly k dB.
    Returns -inf for digital silence.
    """
    frame = max(1, round(sample_rate * _LOUDNESS_FRAME_MS / 1000))
    count = samples.size // frame
    if count == 0:
        power = np.array([np.mean(np.square(samples, dtype=np.float64))]) if samples.size else np.zeros(1)
    else:
        power = np.mean(np.square(samples[: count * frame].reshape(count, frame), dtype=np.float64), axis=1)
    loudest = float(power.max())
    if loudest <= 0:
        return float("-inf")
    voiced = power[power >= loudest * 10 ** (_LOUDNESS_FLOOR_DB / 10)]
    gated = voiced[voiced >= voiced.mean() * 10 ** (_LOUDNESS_RELATIVE_GATE_DB / 10)]
    return float(10 * np.log10(gated.mean()))


def loudness_gain(samples: FloatArray, sample_rate: int, options: StitchOptions, soft: bool = False) -> float:
    """The linear gain for one chunk: to the loudness target (`soft_offset_db` lower for a soft chunk), at most
    `max_gain_db`, and never past the peak limit."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= 0:
        return 1.0
    gain_db = 0.0
    if options.loudness_target_db is not None:
        target = options.loudness_target_db + (options.soft_offset_db if soft else 0.0)
        loudness = speech_loudness_db(samples, sample_rate)
        gain_db = min(target - loudness, options.max_gain_db)
    gain_db = min(gain_db, options.peak_limit_db - 20 * float(np.log10(peak)))
    return float(10 ** (gain_db / 20))


def apply_fades(samples: FloatArray, fade_frames: int) -> FloatArray:
    """Raised-cosine fade-in over the first `fade_frames` and fade-out over the last, in place; both start at 0.

    The fade is at most half the chunk, so a very short chunk fades in and straight back out.
    """
    length = min(fade_frames, samples.size // 2)
    if length <= 0:
        return samples
    ramp = (0.5 - 0.5 * np.cos(np.pi * np.arange(length, dtype=np.float64) / length)).astype(np.float32)
    samples[:length] *= ramp
    samples[samples.size - length :] *= ramp[::-1]
    return samples


@dataclass(frozen=True)
class _Prepared:
    """One chunk ready to write: `samples` holds `lead` frames of kept edge, the speech, then `tail` frames."""

    samples: FloatArray
    lead: int
    tail: int

    @property
    def speech(self) -> int:
        return self.samples.size - self.lead - self.tail


def prepare_chunk(audio: Audio, sample_rate: int, options: StitchOptions, soft: bool = False) -> _Prepared | None:
    """Mono, resampled, trimmed (keeping `keep_edge_ms`), levelled (lower when `soft`) and faded; None for an
    all-silent chunk.

    Samples that are NaN or infinite raise `AudioError`: such a chunk is broken, not quiet.
    """
    samples = to_mono(audio.samples)
    if not np.isfinite(samples).all():
        raise AudioError("the chunk has NaN or infinite samples: synthesize it again")
    samples = resample(samples, audio.sample_rate, sample_rate)
    bounds = speech_bounds(samples, sample_rate, options.trim_db, options.silence_db)
    if bounds is None:
        return None
    start, end = bounds
    keep = round(sample_rate * options.keep_edge_ms / 1000)
    first, last = max(0, start - keep), min(samples.size, end + keep)
    gain = loudness_gain(samples[start:end], sample_rate, options, soft)
    kept = np.clip(samples[first:last] * np.float32(gain), -1.0, 1.0).astype(np.float32)
    apply_fades(kept, round(sample_rate * options.fade_ms / 1000))
    return _Prepared(kept, lead=start - first, tail=last - end)


# --- output ------------------------------------------------------------------------------------------------------


def libsndfile_format(name: str) -> tuple[str, str]:
    """The libsndfile format and subtype of an output format name (one of `AUDIO_FORMATS`)."""
    return _FORMATS[name]


def resolve_format(target: str | os.PathLike[str] | BinaryIO, format: str | None) -> str:
    """The output format name: `format` when given, else from the path's (or file object's name's) extension.

    Raises `UnsupportedError` for a format voicekit does not write, or MP3 when this libsndfile lacks it.
    """
    if format is None:
        name = target if isinstance(target, (str, os.PathLike)) else getattr(target, "name", None)
        if not isinstance(name, (str, os.PathLike)):
            raise InputError("cannot tell the output format of a file object without a name: say the format (--format)")
        suffix = Path(os.fspath(name)).suffix.lower()
        if suffix not in _EXTENSIONS:
            raise UnsupportedError(f"the extension {suffix or '(none)'} names no audio format voicekit writes: "
                                   "use .wav, .flac, .ogg or .mp3, or say the format with --format")
        format = _EXTENSIONS[suffix]
    name = format.lower().lstrip(".")
    if name not in _FORMATS:
        raise UnsupportedError(f"unknown output format {format!r}: use one of {', '.join(_FORMATS)}")
    if _FORMATS[name][0] not in sf.available_formats():
        raise UnsupportedError(
            f"this libsndfile ({sf.__libsndfile_version__}) cannot write {name.upper()}: "
            "libsndfile 1.1 or newer built with MPEG support is needed; write WAV or FLAC instead"
        )
    return name


def _claim_path(path: Path) -> Path:
    """Create (empty) a temporary file of this writer's own beside `path` (`<name>.<random>.partial`, see
    `voicekit.outputs`), proving the output can be written; return its path."""
    return create_temporary(path)


class Stitcher:
    """Writes chunks into one audio file as they arrive, holding about one chunk in memory.

    ```python
    with Stitcher("book.flac") as stitcher:
        for audio, pause in chunks:
            stitcher.add(audio, pause_after=pause)   # "chunk", "sentence", "paragraph", "heading" or seconds
    result = stitcher.close()                        # same result as the `with` block already produced
    ```

    `path_or_file` is a path (written to `<name>.<random>.partial`, renamed on success) or a writable binary file object
    (written directly; on an error, what was written stays in it). The format is `format` ("wav", "flac", "ogg" or
    "mp3") or else comes from the extension. Output is mono: WAV and FLAC as 16-bit PCM, OGG as Vorbis, MP3 as
    MPEG layer III. WAV headers cannot describe more than 4 GB (about 27 h at 22.05 kHz): use FLAC beyond that.
    """

    def __init__(
        self,
        path_or_file: str | os.PathLike[str] | BinaryIO,
        *,
        format: str | None = None,
        options: StitchOptions | None = None,
    ) -> None:
        self.options = options or StitchOptions()
        self.format = resolve_format(path_or_file, format)
        self._path: Path | None = None
        self._partial: Path | None = None
        self._target: Path | BinaryIO
        if isinstance(path_or_file, (str, os.PathLike)):
            self._path = Path(os.fspath(path_or_file))
            self._partial = _claim_path(self._path)
            self._target = self._partial
        else:
            self._target = path_or_file
        self._file: sf.SoundFile | None = None
        self._rate: int | None = None
        self._frames = 0
        self._owed_gap = 0  # frames of speech-to-speech gap still owed before the next chunk's speech
        self._tail = 0  # frames of kept edge silence already written after the last chunk's speech
        self._spans: list[ChunkSpan] = []
        self._result: StitchResult | None = None
        self._aborted = False
        if self.options.sample_rate is not None:
            self._open(self.options.sample_rate)

    def __enter__(self) -> Stitcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    @property
    def sample_rate(self) -> int | None:
        """The output rate, once known (from the options or the first chunk)."""
        return self._rate

    @property
    def duration(self) -> float:
        """Seconds written so far (for progress); the pause owed after the latest chunk is not yet counted."""
        return self._frames / self._rate if self._rate else 0.0

    def add(self, audio: Audio, pause_after: str | float = "chunk", *, soft: bool = False) -> ChunkSpan:
        """Write one chunk, then owe `pause_after` (a kind in `PAUSE_KINDS` or seconds) before the next chunk.
        `soft` marks a chunk spoken under a soft direction (a whisper): it is levelled `soft_offset_db` lower."""
        if self._result is not None or self._aborted:
            raise InputError("this Stitcher is closed: make a new one to write another file")
        pause = self.options.pause_seconds(pause_after)
        rate = self._rate if self._rate is not None else self._open(audio.sample_rate)
        prepared = prepare_chunk(audio, rate, self.options, soft)
        span = self._write_silent_chunk() if prepared is None else self._write_chunk(prepared)
        self._owed_gap = round(pause * rate)
        self._spans.append(span)
        return span

    def close(self) -> StitchResult:
        """Finish the file (rename `.partial` to the final name) and return what was written. Idempotent."""
        if self._result is not None:
            return self._result
        if self._aborted:
            raise InputError("this Stitcher was aborted after an error: its output was removed")
        if self._file is None or self._rate is None:
            self.abort()
            raise InputError("no chunks were added: there is nothing to write")
        try:
            self._file.close()
            if self._path is not None and self._partial is not None:
                os.replace(self._partial, self._path)
        except BaseException:
            self.abort()
            raise
        self._result = StitchResult(
            path=self._path, format=self.format, sample_rate=self._rate, frames=self._frames,
            duration=self._frames / self._rate, spans=self._spans,
        )
        return self._result

    def abort(self) -> None:
        """Stop without finishing: close the output and remove the `.partial` file (file objects are left as is)."""
        if self._result is not None or self._aborted:
            return
        self._aborted = True
        try:
            if self._file is not None:
                self._file.close()
        finally:
            if self._partial is not None:
                self._partial.unlink(missing_ok=True)

    def _open(self, rate: int) -> int:
        """Open the output at `rate` (once); libsndfile's refusals become `UnsupportedError`."""
        major, subtype = _FORMATS[self.format]
        try:
            self._file = sf.SoundFile(self._target, "w", samplerate=rate, channels=1, subtype=subtype, format=major)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            self.abort()
            raise UnsupportedError(f"cannot write {self.format.upper()} at {rate} Hz mono: {exc}") from exc
        self._rate = rate
        return rate

    def _write(self, samples: FloatArray) -> None:
        """Append samples to the output in blocks of `WRITE_BLOCK_FRAMES`."""
        assert self._file is not None
        for begin in range(0, samples.size, WRITE_BLOCK_FRAMES):
            self._file.write(samples[begin : begin + WRITE_BLOCK_FRAMES])
        self._frames += samples.size

    def _write_silence(self, frames: int) -> None:
        """Append `frames` of digital silence, a block at a time."""
        block = np.zeros(min(frames, WRITE_BLOCK_FRAMES), dtype=np.float32)
        remaining = frames
        while remaining > 0:
            self._write(block[: min(remaining, block.size)])
            remaining -= block.size

    def _seconds(self, frames: int) -> float:
        assert self._rate is not None
        return frames / self._rate

    def _write_chunk(self, chunk: _Prepared) -> ChunkSpan:
        """Pay the gap still owed (minus the edges kept on both sides), then write the chunk."""
        self._write_silence(max(0, self._owed_gap - self._tail - chunk.lead))
        audio_start = self._frames
        self._write(chunk.samples)
        self._tail = chunk.tail
        return ChunkSpan(
            index=len(self._spans),
            start=self._seconds(audio_start + chunk.lead),
            end=self._seconds(audio_start + chunk.lead + chunk.speech),
            audio_start=self._seconds(audio_start),
            audio_end=self._seconds(self._frames),
        )

    def _write_silent_chunk(self) -> ChunkSpan:
        """An all-silent chunk: pay the gap owed, then write `silent_chunk_s` of silence and record it."""
        assert self._rate is not None
        self._write_silence(max(0, self._owed_gap - self._tail))
        start = self._frames
        self._write_silence(round(self.options.silent_chunk_s * self._rate))
        self._tail = 0
        _LOG.info("chunk %d is all silence: kept as %.3f s of silence", len(self._spans), self.options.silent_chunk_s)
        begin, end = self._seconds(start), self._seconds(self._frames)
        return ChunkSpan(index=len(self._spans), start=begin, end=end, audio_start=begin, audio_end=end, silent=True)


# --- measuring joins ---------------------------------------------------------------------------------------------


def _join_mask(diff_count: int, diff_offset: int, joins: npt.NDArray[np.int64], window: int) -> npt.NDArray[np.bool_]:
    """True for each first difference (x[n] - x[n-1], indexed by n - 1) that lies within `window` frames of a join."""
    marks = np.zeros(diff_count + 1, dtype=np.int64)
    low = np.clip(joins - window - 1 - diff_offset, 0, diff_count)
    high = np.clip(joins + window - diff_offset, 0, diff_count)
    np.add.at(marks, low, 1)
    np.add.at(marks, high, -1)
    return np.cumsum(marks[:-1]) > 0


def _block_jumps(diffs: FloatArray, diff_offset: int, joins: npt.NDArray[np.int64], window: int) -> tuple[float, float]:
    """Largest |first difference| near a join and elsewhere, for one block of differences."""
    near = _join_mask(diffs.size, diff_offset, joins, window)
    at_join = float(diffs[near].max()) if near.any() else 0.0
    inner = float(diffs[~near].max()) if (~near).any() else 0.0
    return at_join, inner


def join_clicks(
    samples: FloatArray, joins: Iterable[int], sample_rate: int, window_ms: float = 2.0, *,
    inner_percentile: float = 100.0,
) -> tuple[float, float]:
    """`(largest jump near a join, largest jump elsewhere)`: jumps are |x[n] - x[n-1]|, joins are frame indexes.

    A join is seamless when its jump is no larger than the jumps inside the chunks around it. With
    `inner_percentile` below 100 the second figure is that percentile of the inner jumps instead of their maximum
    (99.9 is a stricter bar that one sharp consonant cannot set).
    """
    mono = to_mono(samples)
    diffs = np.abs(np.diff(mono)).astype(np.float32)
    window = max(1, round(sample_rate * window_ms / 1000))
    near = _join_mask(diffs.size, 0, np.asarray(sorted(joins), dtype=np.int64), window)
    at_join = float(diffs[near].max()) if near.any() else 0.0
    inner = float(np.percentile(diffs[~near], inner_percentile)) if (~near).any() else 0.0
    return at_join, inner


def file_join_clicks(
    path: str | os.PathLike[str], joins: Iterable[int], window_ms: float = 2.0, block_frames: int = 1 << 20
) -> tuple[float, float]:
    """`join_clicks` for a file of any length, read a block at a time."""
    points = np.asarray(sorted(joins), dtype=np.int64)
    at_join = inner = 0.0
    try:
        with sf.SoundFile(os.fspath(path)) as audio:
            window = max(1, round(audio.samplerate * window_ms / 1000))
            previous: FloatArray | None = None
            position = 0
            for block in audio.blocks(blocksize=block_frames, dtype="float32", always_2d=False):
                mono = to_mono(block)
                joined = mono if previous is None else np.concatenate([previous, mono])
                offset = position if previous is None else position - 1
                diffs = np.abs(np.diff(joined)).astype(np.float32)
                near, far = _block_jumps(diffs, offset, points, window)
                at_join, inner = max(at_join, near), max(inner, far)
                position += mono.size
                previous = mono[-1:]
    except sf.LibsndfileError as exc:
        raise AudioError(f"cannot read {os.fspath(path)!r} to measure its joins: {exc}") from exc
    return at_join, inner
