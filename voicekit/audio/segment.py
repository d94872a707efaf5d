"""Cut a stream of mono samples into windows of about 10 to 30 s, at quiet points, without long silences.

The rules, in the order they apply (all positions are exact sample indices in the stream; seconds are only
derived from them):

1. **Levels.** The stream is measured in frames of `frame_ms` (frame k covers samples `[k*F, (k+1)*F)`); a frame
   is *silent* when its RMS level is below the silence threshold (see `SegmentOptions.silence_db`).
2. **Long silences are dropped.** A window that is already `min_seconds` long closes `pad_seconds` after its
   last voiced frame as soon as `skip_silence_seconds` of silence follow; the next window opens `pad_seconds`
   before the next voiced frame. So no window starts or ends with a long silence, and pure silence gives no
   window at all.
3. **Short windows bridge silences.** A window still shorter than `min_seconds` when a long silence begins stays
   open across it (the silence stays inside it) so that it can reach `min_seconds` (Groq bills at least 10 s per
   request). If it reaches `max_seconds` before speech comes back, it closes after its last voiced frame.
4. **Cuts at quiet points.** A window that reaches `max_seconds` inside speech is cut in the last
   `search_seconds` before that: in the middle of the longest pause there (a run of at least 150 ms of silent
   frames, the latest on a tie; a pause still going on at `max_seconds` is cut there, at its latest point, so the
   window never ends just after a word), else at the quietest 150 ms if it is at least 10 dB below the window's median
   level. Both windows then meet at the cut with no overlap (`overlap_before == 0`).
5. **Cuts in speech.** With no quiet point in the search span (continuous speech, music, a tone), the window is
   cut at exactly `max_seconds` and the next window starts `overlap_seconds` earlier: it has
   `cut_in_speech=True` and `overlap_before` set to the shared samples, so the merge can drop duplicated words.
6. **Short tails join.** A window that closes shorter than `min_seconds` (the end of the recording, or speech
   cut off by silences too long to bridge) joins the window before it when the joined span is at most
   `max_seconds + min_seconds`; the audio between them stays inside. Only then can a window pass `max_seconds`.
   A short window remains only when the whole speech is short, or speech is isolated by silences longer than
   that span.

Streaming: decisions wait until `max_seconds` of input have been seen (so the level estimate has speech in it),
then follow the input. The segmenter holds the open window, at most one finished window waiting for a possible
tail and the silence after it (together at most `max_seconds + min_seconds`), and one input block.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from voicekit.audio.io import encode_flac
from voicekit.errors import AudioError, InputError

__all__ = ["MAX_UPLOAD_BYTES", "SegmentOptions", "Window", "segment_windows"]

FloatArray = npt.NDArray[np.float32]

MAX_UPLOAD_BYTES = 25_000_000
"""Groq's upload limit on the free tier (25 MB); every window's FLAC must stay well under it."""

_FLOOR_DB = -120.0
"""Levels are clipped here: digital silence reads -120 dBFS, not minus infinity."""
_SILENCE_FLOOR_DBFS = -70.0
"""Adaptive thresholds never go below this: a frame under -70 dBFS is silent in any recording."""
_NOISE_PERCENTILE = 10.0
_SPEECH_PERCENTILE = 95.0
_ABOVE_NOISE_DB = 6.0
_BELOW_SPEECH_DB = 20.0
_PAUSE_SECONDS = 0.15
"""A pause worth cutting at lasts at least this long (a stop consonant's closure is shorter)."""
_DIP_DB = 10.0
"""Without silent frames, a 150 ms stretch this far below the window's median level still counts as quiet."""


class SegmentOptions(BaseModel):
    """Where `segment_windows` cuts. The defaults suit Whisper on Groq (30 s windows, 10 s billing minimum)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_seconds: float = Field(default=30.0, gt=0.0)
    """Longest window, in seconds (Whisper's window is 30 s). Only a joined short tail may pass it (rule 6)."""
    min_seconds: float = Field(default=10.0, ge=0.0)
    """Shortest window, in seconds (Groq bills 10 s at least). Shorter only when speech itself is (rules 3, 6)."""
    search_seconds: float = Field(default=5.0, gt=0.0)
    """How far back from `max_seconds` to look for the quietest point to cut at."""
    frame_ms: float = Field(default=30.0, ge=5.0, le=100.0)
    """Length of the frames whose RMS level is measured, in milliseconds."""
    silence_db: float | None = Field(default=None, le=0.0)
    """Silence threshold. A number is an absolute level in dBFS (e.g. -45): quieter frames are silent.
    None adapts to the recording: the threshold is 6 dB above its noise floor (10th percentile of frame levels
    so far), but at least 20 dB below its speech level (95th percentile), and never under -70 dBFS."""
    skip_silence_seconds: float = Field(default=2.0, gt=0.0)
    """Silences at least this long are not sent: they close one window and the next opens after them."""
    overlap_seconds: float = Field(default=1.0, ge=0.0)
    """Audio repeated at the start of a window that follows a cut made inside speech (no quiet point found)."""
    pad_seconds: float = Field(default=0.2, ge=0.0)
    """Silence kept before the first and after the last voiced frame around a dropped silence, so soft word
    onsets and endings are not clipped."""

    @model_validator(mode="after")
    def _consistent(self) -> SegmentOptions:
        if self.min_seconds + self.search_seconds > self.max_seconds:
            raise ValueError("min_seconds + search_seconds must not exceed max_seconds")
        if self.overlap_seconds + self.search_seconds >= self.max_seconds:
            raise ValueError("overlap_seconds + search_seconds must be less than max_seconds")
        if 2 * self.pad_seconds > self.skip_silence_seconds:
            raise ValueError("pad_seconds must be at most half of skip_silence_seconds")
        return self


@dataclass(eq=False)
class Window:
    """One piece of the recording to transcribe: `samples` is exactly `stream[start_sample:end_sample]`."""

    index: int
    start_sample: int
    end_sample: int
    sample_rate: int
    samples: FloatArray
    overlap_before: int = 0
    """Samples at the start shared with the previous window (0 when the cut was at a quiet point)."""
    cut_in_speech: bool = False
    """True when the cut before this window fell inside speech (then `overlap_before` samples are repeated)."""

    @property
    def start(self) -> float:
        """Seconds from the start of the stream."""
        return self.start_sample / self.sample_rate

    @property
    def end(self) -> float:
        return self.end_sample / self.sample_rate

    @property
    def duration(self) -> float:
        return (self.end_sample - self.start_sample) / self.sample_rate

    def flac(self) -> bytes:
        """The window as 16-bit FLAC, checked against the upload limit."""
        data = encode_flac(self.samples, self.sample_rate)
        if len(data) > MAX_UPLOAD_BYTES:
            raise AudioError(f"Window {self.index} encodes to {len(data)} bytes, over the 25 MB upload limit.")
        return data

    def __repr__(self) -> str:
        return (
            f"Window({self.index}, {self.start:.3f}-{self.end:.3f}s, overlap_before={self.overlap_before}, "
            f"cut_in_speech={self.cut_in_speech})"
        )


# ---------------------------------------------------------------------------------------------------- storage


class _Tape:
    """A 1-D array that grows at the end and forgets its beginning; indices are absolute positions.

    Forgotten items are reclaimed when an append would not fit; the storage grows by half only when the items
    held do not fit, so it stays within 1.5 times the largest span held.
    """

    def __init__(self, dtype: type[np.float32] | type[np.float64]) -> None:
        self._data: npt.NDArray[np.floating[Any]] = np.zeros(1 << 16, dtype=dtype)
        self._head = 0
        self._length = 0
        self.start = 0
        """Absolute position of the first item held."""

    @property
    def end(self) -> int:
        return self.start + self._length

    def append(self, items: npt.NDArray[np.floating[Any]]) -> None:
        if self._head + self._length + len(items) > len(self._data):
            self._make_room(len(items))
        begin = self._head + self._length
        self._data[begin : begin + len(items)] = items
        self._length += len(items)

    def _make_room(self, extra: int) -> None:
        """Move the held items to the front, growing the storage if they still would not fit."""
        needed = self._length + extra
        capacity = len(self._data) if needed <= len(self._data) else needed * 3 // 2
        held = self._data[self._head : self._head + self._length]
        data = self._data if capacity == len(self._data) else np.zeros(capacity, dtype=self._data.dtype)
        data[: self._length] = held.copy() if data is self._data else held
        self._data, self._head = data, 0

    def view(self, begin: int, end: int) -> npt.NDArray[np.floating[Any]]:
        """Items `[begin, end)`, which must still be held; valid until the next append."""
        if begin < self.start or end > self.end or begin > end:
            raise AssertionError(f"tape holds [{self.start}, {self.end}), asked for [{begin}, {end})")
        offset = self._head - self.start
        return self._data[begin + offset : end + offset]

    def forget_before(self, position: int) -> None:
        """Drop the items before `position`."""
        drop = min(max(0, position - self.start), self._length)
        self._head += drop
        self._length -= drop
        self.start += drop


# ---------------------------------------------------------------------------------------------------- levels


class _LevelMeter:
    """Frame levels in dBFS as blocks arrive, and a histogram of every level seen for the adaptive threshold."""

    def __init__(self, frame: int, silence_db: float | None) -> None:
        self.frame = frame
        self.levels = _Tape(np.float64)
        self._rest = np.zeros(0, dtype=np.float32)
        self._silence_db = silence_db
        self._histogram = np.zeros(int(-_FLOOR_DB) + 1, dtype=np.int64)

    def add(self, block: FloatArray) -> None:
        """Measure every complete frame; keep the incomplete rest for the next block."""
        data = np.concatenate([self._rest, block]) if len(self._rest) else block
        complete = len(data) // self.frame * self.frame
        if complete:
            self._record(data[:complete].reshape(-1, self.frame))
        self._rest = data[complete:].copy()

    def finish(self) -> None:
        """Measure the last, partial frame."""
        if len(self._rest):
            self._record(self._rest.reshape(1, -1))
            self._rest = np.zeros(0, dtype=np.float32)

    def _record(self, frames: FloatArray) -> None:
        power = np.mean(np.square(frames, dtype=np.float64), axis=1)
        levels = np.maximum(10.0 * np.log10(power + 1e-12), _FLOOR_DB)
        self.levels.append(levels)
        bins = np.clip(np.round(levels - _FLOOR_DB).astype(np.int64), 0, len(self._histogram) - 1)
        self._histogram += np.bincount(bins, minlength=len(self._histogram))

    def threshold(self) -> float:
        """The silence threshold in dBFS: fixed, or adapted to the levels seen so far (see `silence_db`)."""
        if self._silence_db is not None:
            return self._silence_db
        noise = self._percentile(_NOISE_PERCENTILE)
        speech = self._percentile(_SPEECH_PERCENTILE)
        return max(_SILENCE_FLOOR_DBFS, min(noise + _ABOVE_NOISE_DB, speech - _BELOW_SPEECH_DB))

    def _percentile(self, percent: float) -> float:
        total = int(self._histogram.sum())
        if total == 0:
            return _FLOOR_DB
        rank = int(np.searchsorted(np.cumsum(self._histogram), math.ceil(total * percent / 100.0)))
        return _FLOOR_DB + rank


# ---------------------------------------------------------------------------------------------------- cutting


@dataclass
class _Span:
    """A window's place in the stream, before its samples are cut out."""

    start: int
    end: int
    overlap_before: int = 0
    cut_in_speech: bool = False


def _longest_run(mask: npt.NDArray[np.bool_], minimum: int) -> tuple[int, int] | None:
    """(start, length) of the longest run of True at least `minimum` long; the latest one on a tie."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts
    if len(lengths) == 0 or lengths.max() < minimum:
        return None
    best = len(lengths) - 1 - int(np.argmax(lengths[::-1]))
    return int(starts[best]), int(lengths[best])


def _quietest(levels: npt.NDArray[np.floating[Any]], width: int) -> tuple[int, float]:
    """(index, level in dB) of the `width`-frame stretch with the lowest mean power; the latest on a tie."""
    width = max(1, min(width, len(levels)))
    power = np.convolve(np.power(10.0, levels / 10.0), np.ones(width) / width, mode="valid")
    best = len(power) - 1 - int(np.argmin(power[::-1]))
    return best, float(10.0 * np.log10(power[best] + 1e-12))


class _Cutter:
    """Rules 2 to 5 of the module docstring, frame by frame. Spans come out in order; the tape is not touched."""

    def __init__(self, options: SegmentOptions, sample_rate: int, frame: int, levels: _Tape) -> None:
        def samples(seconds: float) -> int:
            return round(seconds * sample_rate)

        self.frame, self.levels = frame, levels
        self.max_len, self.min_len = samples(options.max_seconds), samples(options.min_seconds)
        self.search_len, self.skip_len = samples(options.search_seconds), samples(options.skip_silence_seconds)
        self.pad_len, self.overlap_len = samples(options.pad_seconds), samples(options.overlap_seconds)
        self.pause_frames = max(1, round(_PAUSE_SECONDS * sample_rate / frame))
        self.next_frame = 0
        self.total: int | None = None
        self.open = False
        self.window_start = self.speech_end = self.idle_from = 0
        self.open_overlap, self.open_in_speech = 0, False

    def advance(self, available: int, threshold: float) -> list[_Span]:
        """Decide for every measured frame up to `available` (exclusive); return the windows that closed."""
        spans: list[_Span] = []
        base = self.levels.start
        silent = self.levels.view(base, available) < threshold
        while self.next_frame < available:
            frame = self.next_frame
            self.next_frame += 1
            self._step(frame, bool(silent[frame - base]), threshold, spans)
        return spans

    def finish(self, total: int, available: int, threshold: float) -> list[_Span]:
        """The stream ended at sample `total`: decide the last frames and close the open window."""
        self.total = total
        spans = self.advance(available, threshold)
        if self.open:
            self._close(min(total, self.speech_end + self.pad_len), spans)
        return spans

    def keep_from(self) -> int:
        """The first sample a later window may still need."""
        if self.open:
            return self.window_start
        return max(self.idle_from, self.next_frame * self.frame - self.pad_len)

    def position(self) -> int:
        return self.next_frame * self.frame

    def _frame_end(self, frame: int) -> int:
        end = (frame + 1) * self.frame
        return end if self.total is None else min(end, self.total)

    def _step(self, frame: int, silent: bool, threshold: float, spans: list[_Span]) -> None:
        """Open on speech, close after a long silence (rules 2, 3), cut at max_seconds (rules 4, 5)."""
        frame_end = self._frame_end(frame)
        if not self.open:
            if not silent:
                self._open(max(frame * self.frame - self.pad_len, self.idle_from))
                self.speech_end = frame_end
            return
        if not silent:
            self.speech_end = frame_end
        length = frame_end - self.window_start
        if frame_end - self.speech_end >= self.skip_len and (
            self.speech_end - self.window_start >= self.min_len or length >= self.max_len
        ):
            self._close(self.speech_end + self.pad_len, spans)
        elif length >= self.max_len:
            self._cut(threshold, spans)

    def _open(self, start: int) -> None:
        self.open, self.window_start = True, start
        self.open_overlap, self.open_in_speech = 0, False

    def _close(self, end: int, spans: list[_Span]) -> None:
        spans.append(_Span(self.window_start, end, self.open_overlap, self.open_in_speech))
        self.open, self.idle_from = False, end

    def _cut(self, threshold: float, spans: list[_Span]) -> None:
        """Close at the quiet point and look for speech again from there, or cut in speech and overlap."""
        cut = self._quiet_point(threshold)
        if cut is not None:
            self._close(cut, spans)
            self.next_frame = cut // self.frame
            return
        cut = self.window_start + self.max_len
        spans.append(_Span(self.window_start, cut, self.open_overlap, self.open_in_speech))
        self.window_start = cut - self.overlap_len
        self.open_overlap, self.open_in_speech = self.overlap_len, True

    def _quiet_point(self, threshold: float) -> int | None:
        """A frame boundary in the search span at a pause, or at a deep enough dip; None in continuous sound."""
        first = -(-(self.window_start + self.max_len - self.search_len) // self.frame)
        last = (self.window_start + self.max_len) // self.frame
        levels = self.levels.view(first, last)
        if len(levels) == 0:  # a search span shorter than a frame
            return None
        run = _longest_run(levels < threshold, self.pause_frames)
        if run is not None:
            if run[0] + run[1] == len(levels):
                # The pause goes on past max_seconds: the middle of its visible part could fall 0.1 s after the
                # last word, and Whisper drops words that close a window so tightly. Keep all of it we may.
                return (first + len(levels)) * self.frame
            return (first + run[0] + run[1] // 2) * self.frame
        index, level = _quietest(levels, self.pause_frames)
        median = float(np.median(self.levels.view(self.window_start // self.frame, last)))
        if level <= median - _DIP_DB:
            return (first + index + self.pause_frames // 2) * self.frame
        return None


class _Joiner:
    """Rule 6: holds the last finished window while a short one may still come and join it."""

    def __init__(self, min_len: int, join_len: int) -> None:
        self.min_len, self.join_len = min_len, join_len
        self.pending: _Span | None = None

    def add(self, span: _Span) -> list[_Span]:
        held = self.pending
        if held is not None and span.end - span.start < self.min_len and span.end - held.start <= self.join_len:
            self.pending = _Span(held.start, span.end, held.overlap_before, held.cut_in_speech)
            return []
        self.pending = span
        return [held] if held is not None else []

    def release(self, position: int, open_start: int | None) -> list[_Span]:
        """Let the held window go once nothing can join it: the open window is long enough, or too far."""
        held = self.pending
        if held is None:
            return []
        long_enough = open_start is not None and position - open_start >= self.min_len
        if long_enough or position - held.start > self.join_len:
            self.pending = None
            return [held]
        return []

    def flush(self) -> list[_Span]:
        held, self.pending = self.pending, None
        return [held] if held is not None else []


# ---------------------------------------------------------------------------------------------------- public


class _Segmenter:
    """Glue: samples and levels in, windows out, memory trimmed after every block."""

    def __init__(self, sample_rate: int, options: SegmentOptions) -> None:
        self.sample_rate = sample_rate
        frame = max(1, round(options.frame_ms * sample_rate / 1000.0))
        self.samples = _Tape(np.float32)
        self.meter = _LevelMeter(frame, options.silence_db)
        self.cutter = _Cutter(options, sample_rate, frame, self.meter.levels)
        self.joiner = _Joiner(self.cutter.min_len, self.cutter.max_len + self.cutter.min_len)
        self.warmup = self.cutter.max_len
        self.index = 0

    def feed(self, block: FloatArray) -> list[Window]:
        self.samples.append(block)
        self.meter.add(block)
        if self.samples.end < self.warmup:
            return []
        spans = self.cutter.advance(self.meter.levels.end, self.meter.threshold())
        return self._release(spans, final=False)

    def finish(self) -> list[Window]:
        self.meter.finish()
        spans = self.cutter.finish(self.samples.end, self.meter.levels.end, self.meter.threshold())
        return self._release(spans, final=True)

    def _release(self, spans: list[_Span], final: bool) -> list[Window]:
        ready = [done for span in spans for done in self.joiner.add(span)]
        if final:
            ready += self.joiner.flush()
        else:
            open_start = self.cutter.window_start if self.cutter.open else None
            ready += self.joiner.release(self.cutter.position(), open_start)
        windows = [self._window(span) for span in ready]
        self._forget()
        return windows

    def _window(self, span: _Span) -> Window:
        samples = np.array(self.samples.view(span.start, span.end), dtype=np.float32)
        window = Window(
            self.index, span.start, span.end, self.sample_rate, samples, span.overlap_before, span.cut_in_speech
        )
        self.index += 1
        return window

    def _forget(self) -> None:
        keep = self.cutter.keep_from()
        if self.joiner.pending is not None:
            keep = min(keep, self.joiner.pending.start)
        self.samples.forget_before(keep)
        self.meter.levels.forget_before(keep // self.meter.frame)


def _check_upload_size(sample_rate: int, options: SegmentOptions) -> None:
    """The longest possible window (max + min seconds), as 16-bit PCM, must fit in half the upload limit."""
    worst = (options.max_seconds + options.min_seconds) * sample_rate * 2
    if worst > MAX_UPLOAD_BYTES / 2:
        raise InputError(
            f"Windows of up to {options.max_seconds + options.min_seconds:g} s at {sample_rate} Hz could come near "
            f"Groq's 25 MB upload limit; lower max_seconds or resample to 16000 Hz."
        )


def segment_windows(
    blocks: Iterable[npt.ArrayLike], sample_rate: int, options: SegmentOptions | None = None
) -> Iterator[Window]:
    """Cut a stream of mono float blocks into windows, following the rules in this module's docstring.

    Memory stays bounded whatever the stream's length: about one window, the tail-joining span and one block
    (a block longer than `max_seconds` is read in views of that length, never copied whole).
    """
    options = options or SegmentOptions()
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise InputError(f"sample_rate must be a positive integer, not {sample_rate!r}.")
    _check_upload_size(sample_rate, options)
    segmenter = _Segmenter(sample_rate, options)
    for block in blocks:
        data = np.asarray(block, dtype=np.float32)
        if data.ndim != 1:
            raise InputError(
                f"segment_windows needs mono 1-D blocks, not shape {data.shape}; decode with channel='mix'."
            )
        for begin in range(0, len(data), segmenter.warmup):  # a huge block (a whole array) is fed in views
            yield from segmenter.feed(data[begin : begin + segmenter.warmup])
    yield from segmenter.finish()
