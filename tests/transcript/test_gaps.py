"""Finding speech a window's transcript skipped, and splicing its own transcript in (rules in gaps.py)."""

from __future__ import annotations

import numpy as np
import pytest

from voicekit.models import Segment, Transcript, Word
from voicekit.transcript.gaps import speech_gaps, splice

RATE = 16000


def babble(seconds: float, quiet: list[tuple[float, float]] = ()) -> np.ndarray:  # type: ignore[assignment]
    """Speech-loud noise, silent in the `quiet` stretches."""
    samples = np.random.default_rng(3).normal(0, 0.1, int(seconds * RATE)).astype(np.float32)
    for start, end in quiet:
        samples[int(start * RATE):int(end * RATE)] = 0
    return samples


def transcript_of(words: list[tuple[str, float, float]]) -> Transcript:
    ws = [Word(word=w, start=s, end=e) for w, s, e in words]
    text = "".join(w for w, _, _ in words)
    return Transcript(text=text, segments=[Segment(start=ws[0].start, end=ws[-1].end, text=text, words=ws)],
                      words=ws)


def steady(start: float, end: float, step: float = 0.4) -> list[tuple[str, float, float]]:
    return [(" word", t, t + step) for t in np.arange(start, end - 1e-9, step)]


def test_a_window_ended_early_leaves_a_gap_up_to_its_end() -> None:
    # Speech all through 20 s, words only to 11 s, then a placeholder word stamped at the very end.
    words = steady(0.0, 11.0) + [(" Dr.", 19.99, 19.99)]
    assert speech_gaps(babble(20.0), RATE, transcript_of(words)) == [pytest.approx((11.2, 20.0), abs=0.01)]


def test_a_word_stretched_over_skipped_speech_is_no_cover() -> None:
    words = steady(0.0, 8.0) + [(" the", 8.0, 10.3)] + steady(10.3, 12.0)
    gaps = speech_gaps(babble(12.0), RATE, transcript_of(words))
    assert gaps == [pytest.approx((8.0, 10.3), abs=0.01)]


def test_silence_without_words_is_not_a_gap() -> None:
    words = steady(0.0, 5.0) + steady(9.0, 12.0)
    assert speech_gaps(babble(12.0, quiet=[(5.0, 9.0)]), RATE, transcript_of(words)) == []


def test_short_holes_and_slow_long_words_are_left_alone() -> None:
    words = steady(0.0, 5.0) + [(" extraordinarily", 5.0, 6.6)] + steady(7.6, 10.0)
    assert speech_gaps(babble(10.0), RATE, transcript_of(words)) == []


def test_a_transcript_without_words_is_not_judged() -> None:
    assert speech_gaps(babble(10.0), RATE, Transcript(text=" hello")) == []


def test_splice_replaces_what_lay_in_the_gap_and_keeps_the_rest() -> None:
    first = transcript_of([(" Commander", 0.0, 0.5), (" McCool,", 0.5, 1.0), (" Dr.", 9.99, 9.99)])
    fill = transcript_of([(" Dr.", 0.1, 0.4), (" Chawla.", 0.4, 1.0)])
    spliced = splice(first, fill, 1.0, 10.0)
    assert [w.word for w in spliced.words] == [" Commander", " McCool,", " Dr.", " Chawla."]
    assert [w.start for w in spliced.words] == pytest.approx([0.0, 0.5, 1.1, 1.4])
    assert spliced.text == " Commander McCool, Dr. Chawla."
    assert [s.id for s in spliced.segments] == [0, 1]
    assert all(a.end <= b.start for a, b in zip(spliced.segments, spliced.segments[1:], strict=False))
