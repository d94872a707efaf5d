"""Merge the transcripts of consecutive windows into one `Transcript` of the whole recording.

Each window's transcript has times relative to the window's start. The merge keeps these rules:

- **Exact offsets.** A window's offset is `start_sample / sample_rate`, computed once, never rounded; every time in
  the window is shifted by it and clamped to the window's span.
- **Monotonic times.** Segment and word times never go backwards, inside a window or across a cut.
- **Overlaps kept once.** When two windows share audio (`overlap_before` samples), the words of the previous
  window's tail and of the next window's head are aligned by normalized text and time; each aligned word is kept
  from the window where it lies farther from the edge, so the shared stretch is neither doubled nor lost.
  Segments without word times take part through word positions estimated from their text.
- **Whisper's own quality rules.** A segment is silence when `no_speech_prob > 0.6` and `avg_logprob < -1.0`, and
  a repetition loop when `compression_ratio > 2.4`; such segments are dropped (and recorded) unless the options
  keep them.

`Merger` does this incrementally (windows arrive in order, one by one); `merge_windows` is the one-call form.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from voicekit.errors import InputError
from voicekit.transcript.formats import join_segment_texts
from voicekit.transcript.model import Segment, Transcript, Word
from voicekit.transcript.words import join_words

__all__ = ["DroppedSegment", "MergeOptions", "Merger", "WindowSpan", "merge_windows"]

logger = logging.getLogger(__name__)

DropReason = Literal["silence", "repetition"]

_TOKEN = re.compile(r"\s*\S+")
_PSEUDO_TOLERANCE_FACTOR = 3.0
"""Word times estimated from a segment's text are rough: they may differ this many times more between windows."""


class MergeOptions(BaseModel):
    """How windows are merged. The defaults follow Whisper's own thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drop_silence: bool = True
    """Drop segments Whisper itself judges silence: `no_speech_prob > no_speech_threshold` and
    `avg_logprob < logprob_threshold`."""
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    drop_repetition: bool = True
    """Drop segments that are repetition loops: `compression_ratio > compression_ratio_threshold`."""
    compression_ratio_threshold: float = 2.4
    paragraph_gap: float | None = Field(default=2.0, ge=0)
    """A pause at least this long (seconds) between segments starts a new paragraph in `text`; None: never."""
    align_tolerance: float = Field(default=1.0, gt=0)
    """How far apart (seconds) the two windows' copies of one word may be and still be recognised as one."""


@dataclass(frozen=True)
class WindowSpan:
    """Where a window lies in the recording, in samples: all the merge needs to know about a window.

    `overlap_before` is how many samples at the window's start it shares with the previous window (0 when the cut
    fell in a pause).
    """

    start_sample: int
    end_sample: int
    sample_rate: int = 16000
    overlap_before: int = 0

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise InputError(f"sample_rate must be positive, not {self.sample_rate}")
        if self.start_sample < 0 or self.end_sample <= self.start_sample:
            raise InputError(f"a window needs 0 <= start_sample < end_sample, not {self.start_sample}.."
                             f"{self.end_sample}")
        if not 0 <= self.overlap_before <= self.end_sample - self.start_sample:
            raise InputError(f"overlap_before must be between 0 and the window's length, not {self.overlap_before}")

    @classmethod
    def from_window(cls, window: Any) -> WindowSpan:
        """The span of any object with `start_sample`, `end_sample`, `sample_rate` and `overlap_before`."""
        return cls(start_sample=int(window.start_sample), end_sample=int(window.end_sample),
                   sample_rate=int(window.sample_rate), overlap_before=int(getattr(window, "overlap_before", 0)))

    @property
    def start(self) -> float:
        """The window's offset in seconds: `start_sample / sample_rate`, exactly as float division gives it."""
        return self.start_sample / self.sample_rate

    @property
    def end(self) -> float:
        return self.end_sample / self.sample_rate


@dataclass(frozen=True)
class DroppedSegment:
    """A segment the merge left out, with its times already in the recording's timeline."""

    window: int
    """The window's position in the order of `add` calls, from 0."""
    reason: DropReason
    segment: Segment


@dataclass
class _Piece:
    """One word of a segment: a real `Word`, or a token of the segment's text with an estimated time."""

    text: str
    start: float
    end: float
    word: Word | None

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    @property
    def key(self) -> str:
        """The word normalized for comparison: case-folded letters and digits only."""
        return "".join(ch for ch in self.text.casefold() if ch.isalnum())


@dataclass
class _Part:
    """A kept segment of a window with its pieces, and how many pieces the overlap resolution cut off each end."""

    segment: Segment
    pieces: list[_Piece]
    cut_head: int = 0
    cut_tail: int = 0

    @property
    def empty(self) -> bool:
        return self.cut_head + self.cut_tail >= len(self.pieces)


@dataclass
class _Window:
    index: int
    span: WindowSpan
    language: str | None
    parts: list[_Part] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# One window: absolute times, quality rules, pieces


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _shift_word(word: Word, offset: float, low: float, high: float) -> Word:
    """The word in the recording's timeline: shifted by the offset, clamped to [low, high], end >= start."""
    start = _clamp(word.start + offset, low, high)
    end = _clamp(word.end + offset, start, high)
    return word.model_copy(update={"start": start, "end": end})


def _shift_segment(segment: Segment, span: WindowSpan, words: list[Word]) -> Segment:
    """The segment in the recording's timeline, clamped to the window's span, with its (relative) words."""
    offset, low, high = span.start, span.start, span.end
    start = _clamp(segment.start + offset, low, high)
    end = _clamp(segment.end + offset, start, high)
    seek = segment.seek + span.start_sample * 100 // span.sample_rate
    shifted = [_shift_word(word, offset, low, high) for word in words]
    return segment.model_copy(update={"start": start, "end": end, "seek": seek, "words": shifted})


def file_words(segments: Sequence[Segment], words: Sequence[Word]) -> list[list[Word]]:
    """Each top-level word goes to the segment its midpoint falls in (segments are in time order)."""
    filed: list[list[Word]] = [[] for _ in segments]
    index = 0
    for word in words:
        middle = (word.start + word.end) / 2
        while index + 1 < len(segments) and middle >= segments[index + 1].start:
            index += 1
        filed[index].append(word)
    return filed


def _window_segments(transcript: Transcript, span: WindowSpan) -> list[Segment]:
    """The window's segments in the recording's timeline, each carrying its words.

    Words given only at the top level are filed under their segments; a transcript with text but no segments
    becomes one segment covering its words, or the whole window.
    """
    segments = list(transcript.segments)
    if not segments:
        text = transcript.text if transcript.text.strip() else join_words(w.word for w in transcript.words)
        if not text.strip():
            return []
        words = transcript.words
        start, end = (words[0].start, words[-1].end) if words else (0.0, span.end - span.start)
        return [_shift_segment(Segment(start=start, end=end, text=text), span, list(words))]
    if any(segment.words for segment in segments) or not transcript.words:
        filed = [list(segment.words) for segment in segments]
    else:
        filed = file_words(segments, transcript.words)
    return [_shift_segment(segment, span, words) for segment, words in zip(segments, filed, strict=True)]


def _drop_reason(segment: Segment, options: MergeOptions) -> DropReason | None:
    """Whisper's rules: silence when no_speech_prob is high and avg_logprob low; a loop when the text compresses
    too well. None when the segment stays."""
    if (options.drop_silence and segment.no_speech_prob > options.no_speech_threshold
            and segment.avg_logprob < options.logprob_threshold):
        return "silence"
    if options.drop_repetition and segment.compression_ratio > options.compression_ratio_threshold:
        return "repetition"
    return None


def _estimated_pieces(segment: Segment) -> list[_Piece]:
    """Tokens of the segment's text, with times spread over the segment in proportion to their length."""
    tokens = _TOKEN.findall(segment.text)
    weights = [len(token.strip()) for token in tokens]
    total = sum(weights)
    pieces: list[_Piece] = []
    done = 0
    length = segment.end - segment.start
    for token, weight in zip(tokens, weights, strict=True):
        start = segment.start + length * done / total
        done += weight
        end = segment.end if done == total else segment.start + length * done / total
        pieces.append(_Piece(token, start, max(start, end), None))
    return pieces


def _make_monotonic(parts: Sequence[_Part]) -> None:
    """Within a window, a piece never starts before the previous one ends (overlapping times are moved on)."""
    floor = float("-inf")
    for part in parts:
        for piece in part.pieces:
            piece.start = max(piece.start, floor)
            piece.end = max(piece.end, piece.start)
            floor = piece.end


def _pieces(segment: Segment) -> list[_Piece]:
    if segment.words:
        return [_Piece(word.word, word.start, word.end, word) for word in segment.words]
    return _estimated_pieces(segment)


# ---------------------------------------------------------------------------------------------------------------
# Overlap: align the previous window's tail with the next window's head, cut once


@dataclass
class _Column:
    """One aligned position: the previous window's piece, the next window's piece, or both."""

    prev: tuple[int, int] | None
    """(part index, piece index) in the previous window."""
    next: tuple[int, int] | None
    time: float


def _tolerance(a: _Piece, b: _Piece, tolerance: float) -> float:
    if a.word is None or b.word is None:
        return tolerance * _PSEUDO_TOLERANCE_FACTOR
    return tolerance


def _distance(a: _Piece, b: _Piece) -> float:
    """How far apart two copies of a word are: the closest of their starts, ends or middles (Whisper often
    stretches a word's start back into the pause before it, while its end stays put)."""
    return min(abs(a.start - b.start), abs(a.end - b.end), abs(a.middle - b.middle))


def _pair_score(a: _Piece, b: _Piece, tolerance: float) -> float | None:
    """How well two pieces stand for the same spoken word, or None when they cannot.

    Same text within the tolerance scores up to 1, falling fast with distance (a Gaussian of width tolerance/4),
    so that the true copies of repeated words ("words words words") beat a shifted alignment that pairs more of
    them; different text nearly at the same time (a misheard word) scores up to 0.3.
    """
    limit = _tolerance(a, b, tolerance)
    distance = _distance(a, b)
    closeness = math.exp(-((4 * distance / limit) ** 2))
    if a.key == b.key and distance <= limit:
        return closeness
    if distance <= limit / 2:
        return 0.3 * closeness
    return None


def _align(prev: Sequence[_Piece], nxt: Sequence[_Piece], tolerance: float) -> list[tuple[int | None, int | None]]:
    """A monotonic alignment of two word sequences maximising the pair scores (gaps score 0)."""
    rows, cols = len(prev), len(nxt)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            score = max(best[i + 1][j], best[i][j + 1])
            pair = _pair_score(prev[i], nxt[j], tolerance)
            if pair is not None:
                score = max(score, pair + best[i + 1][j + 1])
            best[i][j] = score
    steps: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < rows and j < cols:
        pair = _pair_score(prev[i], nxt[j], tolerance)
        if pair is not None and best[i][j] == pair + best[i + 1][j + 1]:
            steps.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            steps.append((i, None))
            i += 1
        else:
            steps.append((None, j))
            j += 1
    steps.extend((k, None) for k in range(i, rows))
    steps.extend((None, k) for k in range(j, cols))
    return steps


def _order_gaps(columns: list[_Column]) -> list[_Column]:
    """Unpaired pieces between two pairs are put in time order (each window's own order is kept, as its times
    never decrease), so that one cut separates them by time."""
    ordered: list[_Column] = []
    run: list[_Column] = []
    for column in columns:
        if column.prev is not None and column.next is not None:
            ordered.extend(sorted(run, key=lambda c: c.time))
            run = []
            ordered.append(column)
        else:
            run.append(column)
    ordered.extend(sorted(run, key=lambda c: c.time))
    return ordered


def _prefers_prev(column: _Column, prev_piece: _Piece | None, next_piece: _Piece | None,
                  low: float, high: float) -> bool:
    """The rule for one position: keep the copy farther from its window's edge (the previous window's edge is
    the overlap's end `high`, the next one's is its start `low`)."""
    prev_middle = prev_piece.middle if prev_piece is not None else column.time
    next_middle = next_piece.middle if next_piece is not None else column.time
    return high - prev_middle >= next_middle - low


def _best_cut(preferences: Sequence[bool]) -> int:
    """The column index k minimising the positions that go against their preference, when columns before k come
    from the previous window and the rest from the next one."""
    cost = sum(preferences)  # k = 0: every column that prefers the previous window is lost to it
    best, best_k = cost, 0
    for k, prefers_prev in enumerate(preferences, start=1):
        cost += -1 if prefers_prev else 1
        if cost < best:
            best, best_k = cost, k
    return best_k


def _tail(parts: Sequence[_Part], since: float) -> list[tuple[int, int]]:
    """Positions of the kept pieces ending after `since`, in order."""
    found: list[tuple[int, int]] = []
    for p in range(len(parts) - 1, -1, -1):
        part = parts[p]
        for q in range(len(part.pieces) - 1 - part.cut_tail, part.cut_head - 1, -1):
            if part.pieces[q].end <= since:
                return found[::-1]
            found.append((p, q))
    return found[::-1]


def _head(parts: Sequence[_Part], until: float) -> list[tuple[int, int]]:
    """Positions of the kept pieces starting before `until`, in order."""
    found: list[tuple[int, int]] = []
    for p, part in enumerate(parts):
        for q in range(part.cut_head, len(part.pieces) - part.cut_tail):
            if part.pieces[q].start >= until:
                return found
            found.append((p, q))
    return found


def _resolve_overlap(prev: _Window, nxt: _Window, tolerance: float) -> None:
    """Cut the previous window's tail and the next window's head so the shared stretch is kept once."""
    low, high = nxt.span.start, prev.span.end
    margin = tolerance * _PSEUDO_TOLERANCE_FACTOR  # words just outside the overlap anchor the alignment
    tail = _tail(prev.parts, low - margin)
    head = _head(nxt.parts, high + margin)
    if not tail and not head:
        return
    tail_pieces = [prev.parts[p].pieces[q] for p, q in tail]
    head_pieces = [nxt.parts[p].pieces[q] for p, q in head]
    columns: list[_Column] = []
    for i, j in _align(tail_pieces, head_pieces, tolerance):
        pieces = [piece for piece in (tail_pieces[i] if i is not None else None,
                                      head_pieces[j] if j is not None else None) if piece is not None]
        time = sum(piece.middle for piece in pieces) / len(pieces)
        columns.append(_Column(tail[i] if i is not None else None, head[j] if j is not None else None, time))
    columns = _order_gaps(columns)
    preferences = [
        _prefers_prev(c, prev.parts[c.prev[0]].pieces[c.prev[1]] if c.prev else None,
                      nxt.parts[c.next[0]].pieces[c.next[1]] if c.next else None, low, high)
        for c in columns
    ]
    cut = _best_cut(preferences)
    _cut_prev_tail(prev.parts, [c.prev for c in columns[cut:] if c.prev is not None])
    _cut_next_head(nxt.parts, [c.next for c in columns[:cut] if c.next is not None])


def _cut_prev_tail(parts: list[_Part], dropped: Sequence[tuple[int, int]]) -> None:
    """Drop a suffix of the previous window's pieces (the dropped positions are always a suffix)."""
    if not dropped:
        return
    first_part, first_piece = min(dropped)
    for p in range(first_part, len(parts)):
        part = parts[p]
        keep_until = first_piece if p == first_part else part.cut_head
        part.cut_tail = max(part.cut_tail, len(part.pieces) - keep_until)
    parts[:] = [part for part in parts if not part.empty]


def _cut_next_head(parts: list[_Part], dropped: Sequence[tuple[int, int]]) -> None:
    """Drop a prefix of the next window's pieces (the dropped positions are always a prefix)."""
    if not dropped:
        return
    last_part, last_piece = max(dropped)
    for p in range(last_part + 1):
        part = parts[p]
        keep_from = last_piece + 1 if p == last_part else len(part.pieces) - part.cut_tail
        part.cut_head = max(part.cut_head, keep_from)
    parts[:] = [part for part in parts if not part.empty]


# ---------------------------------------------------------------------------------------------------------------
# Finished segments


def _trimmed_text(part: _Part) -> str:
    """The text of what is left of a segment after its ends were cut.

    Estimated pieces are the text's own tokens. With real words: the text's tokens are cut by count when there are
    as many as words (the text keeps its own spelling), else the kept words are joined (`join_words`).
    """
    segment, pieces = part.segment, part.pieces
    kept = pieces[part.cut_head:len(pieces) - part.cut_tail]
    if not part.cut_head and not part.cut_tail:
        return segment.text
    if not segment.words:
        return "".join(p.text for p in kept)
    tokens = _TOKEN.findall(segment.text)
    if len(tokens) == len(pieces):
        return "".join(tokens[part.cut_head:len(tokens) - part.cut_tail])
    return join_words(p.text for p in kept)


class _Floor:
    """The latest time already given out: later segments and words never start before it."""

    def __init__(self) -> None:
        self.segment = 0.0
        self.word = 0.0

    def place_word(self, word: Word, low: float, high: float) -> Word:
        start = _clamp(max(word.start, self.word), low, high)
        end = _clamp(word.end, start, high)
        self.word = end
        if start == word.start and end == word.end:
            return word
        return word.model_copy(update={"start": start, "end": end})

    def place(self, part: _Part, high: float) -> Segment:
        """The finished segment: trimmed to its kept pieces, times moved forward past everything before it."""
        segment, pieces = part.segment, part.pieces
        kept = pieces[part.cut_head:len(pieces) - part.cut_tail]
        start = kept[0].start if part.cut_head else segment.start
        end = kept[-1].end if part.cut_tail else segment.end
        start = _clamp(max(start, self.segment), 0.0, high)
        end = _clamp(end, start, high)
        words = [self.place_word(p.word, start, max(end, p.word.end)) for p in kept if p.word is not None]
        if words:
            end = _clamp(max(end, words[-1].end), start, high)
        self.segment = end
        self.word = max(self.word, start)
        update: dict[str, Any] = {"start": start, "end": end, "words": words}
        if part.cut_head or part.cut_tail:
            update.update(text=_trimmed_text(part), tokens=[])
        return segment.model_copy(update=update)


# ---------------------------------------------------------------------------------------------------------------
# The merger


class Merger:
    """Merges window transcripts as they arrive, in order.

    Each `add` costs time in proportion to its own window only: a window's segments are finished once the next
    window has been seen (only the overlap between neighbours can change them). `result()` may be called at any
    time and does not change the state. Segments left out by the quality rules are in `dropped`.
    """

    def __init__(self, options: MergeOptions | None = None) -> None:
        self.options = options or MergeOptions()
        self.dropped: list[DroppedSegment] = []
        self._done: list[Segment] = []
        self._floor = _Floor()
        self._pending: _Window | None = None
        self._languages: Counter[str] = Counter()
        self._all_languages: Counter[str] = Counter()
        self._windows = 0

    @property
    def windows(self) -> int:
        """How many windows were added."""
        return self._windows

    def add(self, span: WindowSpan, transcript: Transcript) -> None:
        """Add the next window (spans must come in order) and its transcript, with times relative to its start."""
        self._check_order(span)
        window = _Window(self._windows, span, transcript.language)
        for segment in _window_segments(transcript, span):
            reason = _drop_reason(segment, self.options)
            if reason is not None:
                self.dropped.append(DroppedSegment(window.index, reason, segment))
                logger.debug("window %d: dropped a %s segment at %.2f s", window.index, reason, segment.start)
                continue
            pieces = _pieces(segment)
            if pieces:
                window.parts.append(_Part(segment, pieces))
        _make_monotonic(window.parts)
        if self._pending is not None:
            if span.overlap_before:
                _resolve_overlap(self._pending, window, self.options.align_tolerance)
            self._finish(self._pending)
        self._pending = window
        self._windows += 1

    def result(self, duration: float | None = None) -> Transcript:
        """The merged transcript so far; `duration` defaults to the end of the last window (None before any)."""
        segments = list(self._done)
        end: float | None = None
        if self._pending is not None:
            floor = _Floor()
            floor.segment, floor.word = self._floor.segment, self._floor.word
            segments.extend(floor.place(part, self._pending.span.end) for part in self._pending.parts)
            languages = self._languages + Counter(_pending_language(self._pending))
            end = self._pending.span.end
        else:
            languages = self._languages
        if duration is not None:
            segments = _limit(segments, duration)
            end = duration
        segments = [segment.model_copy(update={"id": i}) for i, segment in enumerate(segments)]
        language = _most_common(languages) or _most_common(self._all_languages) or (
            self._pending.language if self._pending is not None else None)
        return Transcript(
            text=join_segment_texts(segments, self.options.paragraph_gap),
            language=language,
            duration=end,
            segments=segments,
            words=[word for segment in segments for word in segment.words],
        )

    def _check_order(self, span: WindowSpan) -> None:
        """Windows come in order at one sample rate, and `overlap_before` is exactly what they share."""
        previous = self._pending.span if self._pending is not None else None
        if previous is None:
            return
        if span.sample_rate != previous.sample_rate:
            raise InputError(f"all windows must have one sample rate: {previous.sample_rate} then "
                             f"{span.sample_rate}")
        if span.start_sample < previous.start_sample or span.end_sample <= previous.end_sample:
            raise InputError(f"windows must be added in order: {previous.start_sample}..{previous.end_sample} "
                             f"then {span.start_sample}..{span.end_sample}")
        shared = max(0, previous.end_sample - span.start_sample)
        if shared != span.overlap_before:
            raise InputError(f"the window at sample {span.start_sample} says it shares {span.overlap_before} "
                             f"samples with the previous one, but their spans share {shared}")

    def _finish(self, window: _Window) -> None:
        self._done.extend(self._floor.place(part, window.span.end) for part in window.parts)
        if window.language is not None:
            self._all_languages[window.language] += 1
            if window.parts:
                self._languages[window.language] += 1


def _pending_language(window: _Window) -> dict[str, int]:
    return {window.language: 1} if window.language is not None and window.parts else {}


def _most_common(counts: Counter[str]) -> str | None:
    """The most frequent language; a tie goes to the one seen first."""
    return counts.most_common(1)[0][0] if counts else None


def _limit(segments: list[Segment], duration: float) -> list[Segment]:
    """Clamp every time to [0, duration]."""
    limited: list[Segment] = []
    for segment in segments:
        start = min(segment.start, duration)
        words = [w.model_copy(update={"start": min(w.start, duration), "end": min(w.end, duration)})
                 for w in segment.words]
        limited.append(segment.model_copy(update={"start": start, "end": min(segment.end, duration),
                                                  "words": words}))
    return limited


def merge_windows(parts: Iterable[tuple[WindowSpan, Transcript]], options: MergeOptions | None = None,
                  *, duration: float | None = None) -> Transcript:
    """Merge the transcripts of consecutive windows, given in order, into one transcript of the recording.

    To report what the quality rules left out, use `Merger` directly and read its `dropped` list.
    """
    merger = Merger(options)
    for span, transcript in parts:
        merger.add(span, transcript)
    return merger.result(duration)
