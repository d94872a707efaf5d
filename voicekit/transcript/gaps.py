"""Stretches of speech that a window's transcript skipped, and splicing their own transcript back in.

Whisper sometimes ends a window early: the last segment stops mid-sentence and its final word is stamped, with no
length, at the window's end, while seconds of speech before it have no words at all (seen with tiny.en on the
Columbia address: "Commander William McCool, Dr." and then nine voiced seconds with nothing). One pass over the whole
file does not lose them, so a windowed transcript must not either.

The rules:
- A *gap* is a stretch of at least `min_seconds` that no word of real length covers (a word shorter than 20 ms is
  a placeholder, not coverage) and in which at least `voiced_share` of the frames are speech-loud (within
  `below_speech_db` of the window's loud frames).
- A word that lasts longer than a speaker could take to say it (`SECONDS_PER_CHAR` a character, plus `WORD_SLACK`)
  covers nothing either: Whisper also skips speech by stretching one short word over it (" the" over 2.3 s, with
  "summer to see the lens and to walk along" missing), and that word is replaced with the rest.
- The gap's audio is transcribed on its own, and `splice` puts its words in place of whatever the first pass put
  inside the gap, so nothing is doubled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicekit.transcript.formats import join_segment_texts
from voicekit.transcript.model import Segment, Transcript, Word
from voicekit.transcript.words import join_words

PLACEHOLDER_SECONDS = 0.02
SECONDS_PER_CHAR = 0.12
WORD_SLACK = 0.6


@dataclass(frozen=True)
class GapOptions:
    min_seconds: float = 1.5
    """Shortest uncovered stretch worth a second look."""
    voiced_share: float = 0.55
    """Share of the stretch's frames that must be speech-loud."""
    below_speech_db: float = 25.0
    """A frame is speech-loud within this many dB of the window's loud frames (their 90th percentile)."""
    frame_seconds: float = 0.03


def _frame_levels(samples: npt.NDArray[np.float32], frame: int) -> npt.NDArray[np.float64]:
    """RMS level of each whole frame, in dB."""
    count = len(samples) // frame
    if count == 0:
        return np.zeros(0)
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame)
    levels: npt.NDArray[np.float64] = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    return levels


def _covered_spans(transcript: Transcript) -> list[tuple[float, float]]:
    """The spans of the words whose length is plausible, in order."""
    words = [w for s in transcript.segments for w in s.words] or transcript.words
    return sorted((w.start, w.end) for w in words
                  if PLACEHOLDER_SECONDS <= w.end - w.start <= WORD_SLACK + SECONDS_PER_CHAR * len(w.word.strip()))


def _uncovered(spans: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """The stretches between covered spans, including before the first and after the last."""
    stretches, reached = [], 0.0
    for start, end in spans:
        if start > reached:
            stretches.append((reached, start))
        reached = max(reached, end)
    if duration > reached:
        stretches.append((reached, duration))
    return stretches


def _loud_frames(samples: npt.NDArray[np.float32], sample_rate: int,
                 options: GapOptions) -> tuple[npt.NDArray[np.bool_], int]:
    """Which frames are speech-loud (within `below_speech_db` of the window's loud frames), and the frame length."""
    frame = max(1, int(options.frame_seconds * sample_rate))
    levels = _frame_levels(samples, frame)
    if levels.size == 0:
        return np.zeros(0, dtype=bool), frame
    return levels >= np.percentile(levels, 90) - options.below_speech_db, frame


def speech_gaps(samples: npt.NDArray[np.float32], sample_rate: int, transcript: Transcript,
                options: GapOptions | None = None) -> list[tuple[float, float]]:
    """Voiced stretches (seconds from the window's start) that the transcript has no words for.

    A transcript with no words at all is not judged: there is nothing to tell a skip from a wrong window.
    """
    options = options or GapOptions()
    spans = _covered_spans(transcript)
    if not spans or len(samples) == 0:
        return []
    loud, frame = _loud_frames(samples, sample_rate, options)
    if loud.size == 0:
        return []
    gaps = []
    for start, end in _uncovered(spans, len(samples) / sample_rate):
        if end - start < options.min_seconds:
            continue
        first, last = int(start * sample_rate) // frame, int(np.ceil(end * sample_rate / frame))
        window = loud[first:last]
        if window.size and window.mean() >= options.voiced_share:
            gaps.append((start, end))
    return gaps


def trailing_speech(samples: npt.NDArray[np.float32], sample_rate: int, transcript: Transcript,
                    options: GapOptions | None = None) -> float:
    """Seconds of speech-loud frames after the transcript's last covering word, when that stretch lasts at least
    `min_seconds` (a whole clip of speech after a window's last word counts, however much silence surrounds it):
    the mark of a decode that stopped early. 0 for a transcript without words (nothing to judge)."""
    options = options or GapOptions()
    if not _covered_spans(transcript) or len(samples) == 0:
        return 0.0
    loud, frame = _loud_frames(samples, sample_rate, options)
    start, end = last_covered_end(transcript), len(samples) / sample_rate
    if end - start < options.min_seconds:
        return 0.0
    return int(loud[int(start * sample_rate) // frame:].sum()) * frame / sample_rate


def leading_speech(samples: npt.NDArray[np.float32], sample_rate: int, transcript: Transcript,
                   options: GapOptions | None = None) -> float:
    """Seconds of speech-loud frames before the transcript's first covering word, when that stretch lasts at least
    `min_seconds`: the mark of a decode that began late (a prompt can lead Whisper to skip the start of a window and
    write only its end). 0 for a transcript without words."""
    options = options or GapOptions()
    if not _covered_spans(transcript) or len(samples) == 0:
        return 0.0
    loud, frame = _loud_frames(samples, sample_rate, options)
    end = first_covered_start(transcript)
    if end < options.min_seconds:
        return 0.0
    return int(loud[: int(end * sample_rate) // frame].sum()) * frame / sample_rate


def first_covered_start(transcript: Transcript) -> float:
    """Where the transcript's first covering word starts; 0 when no word covers anything."""
    return min((start for start, _ in _covered_spans(transcript)), default=0.0)


def last_covered_end(transcript: Transcript) -> float:
    """Where the transcript's last covering word ends (a placeholder or stretched word covers nothing); 0 when
    no word covers anything."""
    return max((end for _, end in _covered_spans(transcript)), default=0.0)


MIN_SECONDS = 0.01
"""The shortest span a spliced segment or recovered word gets (an engine's zero-length stamp is stretched to it)."""


def _outside(words: list[Word], start: float, end: float) -> list[Word]:
    return [w for w in words if not start <= (w.start + w.end) / 2 <= end]


def _part(segment: Segment, words: list[Word], before: bool) -> Segment:
    """What is left of a segment on one side of a gap: its span shrunk to end (before) or start (after) at its
    words, its text rebuilt from them."""
    if before:
        low, high = segment.start, max(segment.start, min(segment.end, words[-1].end))
    else:
        low, high = min(segment.end, max(segment.start, words[0].start)), segment.end
    return segment.model_copy(update={"words": words, "text": " " + join_words(w.word for w in words),
                                      "start": low, "end": high, "tokens": []})


def _kept_parts(segment: Segment, start: float, end: float) -> list[Segment]:
    """A segment outside the gap, or its parts before and after the gap: none of its words inside it."""
    if not segment.words:
        return [] if start <= (segment.start + segment.end) / 2 <= end else [segment]
    before = [w for w in segment.words if (w.start + w.end) / 2 < start]
    after = [w for w in segment.words if (w.start + w.end) / 2 > end]
    if len(before) + len(after) == len(segment.words) and (not before or not after):
        return [segment]
    return [_part(segment, words, side) for words, side in ((before, True), (after, False)) if words]


def _placed_words(words: list[Word], start: float, end: float) -> list[Word]:
    """Recovered words in the recording's timeline, inside `[start, end]`, in order, each of positive length
    (a word stamped with no length takes `MIN_SECONDS`, or what is left of the gap)."""
    placed: list[Word] = []
    floor = start
    for word in words:
        low = min(max(word.start + start, floor), end)
        high = min(max(word.end + start, low + MIN_SECONDS), end)
        if high <= low:  # stamped at the gap's very end: share the room the word before left
            low = max(start, end - MIN_SECONDS) if not placed else (placed[-1].start + placed[-1].end) / 2
            if placed:
                placed[-1] = placed[-1].model_copy(update={"end": low})
            high = end
        placed.append(word.model_copy(update={"start": low, "end": high}))
        floor = high
    return placed


def _fill_segments(fill: Transcript, start: float, end: float) -> list[Segment]:
    """The fill's segments placed in the gap: in order, of positive length, their words inside them."""
    words = _placed_words([w for s in fill.segments for w in s.words], start, end)
    placed: list[Segment] = []
    floor = start
    for segment in fill.segments:
        mine, words = words[:len(segment.words)], words[len(segment.words):]
        low = min(max(segment.start + start, floor), end - MIN_SECONDS)
        high = min(max(segment.end + start, low + MIN_SECONDS), end)
        if mine:
            low, high = min(low, mine[0].start), max(high, mine[-1].end)
        if placed and low < placed[-1].end:
            low = placed[-1].end
        placed.append(segment.model_copy(update={"start": low, "end": max(high, low + MIN_SECONDS),
                                                 "words": mine}))
        floor = placed[-1].end
    return placed


def splice(transcript: Transcript, fill: Transcript, start: float, end: float) -> Transcript:
    """`transcript` with the gap `[start, end]` replaced by `fill` (whose times count from `start`).

    Words whose middle lies in the gap go; a segment with words on both sides of the gap is split in two around
    it, so the recovered words land between the words said before and after them. The fill's words and segments
    are placed inside the gap, in order, each of positive length.
    """
    kept = [part for segment in transcript.segments for part in _kept_parts(segment, start, end)]
    added = _fill_segments(fill, start, end)
    segments = sorted(kept + added, key=lambda s: (s.start, s.end))
    segments = [s.model_copy(update={"id": i}) for i, s in enumerate(segments)]
    if any(s.words for s in segments):
        words = [w for s in segments for w in s.words]
    else:
        words = sorted(_outside(transcript.words, start, end)
                       + _placed_words(list(fill.words), start, end), key=lambda w: w.start)
    return transcript.model_copy(update={"segments": segments, "words": words,
                                         "text": join_segment_texts(segments, None)})
