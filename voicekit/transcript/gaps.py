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

from voicekit.transcript.model import Segment, Transcript, Word

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


def speech_gaps(samples: npt.NDArray[np.float32], sample_rate: int, transcript: Transcript,
                options: GapOptions | None = None) -> list[tuple[float, float]]:
    """Voiced stretches (seconds from the window's start) that the transcript has no words for.

    A transcript with no words at all is not judged: there is nothing to tell a skip from a wrong window.
    """
    options = options or GapOptions()
    spans = _covered_spans(transcript)
    if not spans or len(samples) == 0:
        return []
    frame = max(1, int(options.frame_seconds * sample_rate))
    levels = _frame_levels(samples, frame)
    if levels.size == 0:
        return []
    loud = levels >= np.percentile(levels, 90) - options.below_speech_db
    gaps = []
    for start, end in _uncovered(spans, len(samples) / sample_rate):
        if end - start < options.min_seconds:
            continue
        first, last = int(start * sample_rate) // frame, int(np.ceil(end * sample_rate / frame))
        window = loud[first:last]
        if window.size and window.mean() >= options.voiced_share:
            gaps.append((start, end))
    return gaps


def _shift(word: Word, offset: float) -> Word:
    return word.model_copy(update={"start": word.start + offset, "end": word.end + offset})


def _outside(words: list[Word], start: float, end: float) -> list[Word]:
    return [w for w in words if not start <= (w.start + w.end) / 2 <= end]


def splice(transcript: Transcript, fill: Transcript, start: float, end: float) -> Transcript:
    """`transcript` with the gap `[start, end]` replaced by `fill` (whose times count from `start`)."""
    kept: list[Segment] = []
    for segment in transcript.segments:
        words = _outside(segment.words, start, end)
        if segment.words and not words:
            continue
        if len(words) != len(segment.words):
            segment = segment.model_copy(update={
                "words": words, "text": "".join(w.word for w in words), "end": min(segment.end, max(
                    words[-1].end, segment.start))})
        kept.append(segment)
    added = [s.model_copy(update={"start": s.start + start, "end": min(s.end + start, end),
                                  "words": [_shift(w, start) for w in s.words]}) for s in fill.segments]
    segments = sorted(kept + added, key=lambda s: s.start)
    segments = [s.model_copy(update={"id": i}) for i, s in enumerate(segments)]
    words = sorted(_outside(transcript.words, start, end) + [_shift(w, start) for w in fill.words],
                   key=lambda w: w.start)
    return transcript.model_copy(update={"segments": segments, "words": words,
                                         "text": "".join(s.text for s in segments)})
