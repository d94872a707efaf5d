"""Finding speech a window's transcript skipped, and splicing its own transcript in (rules in gaps.py)."""

from __future__ import annotations

import numpy as np
import pytest

from voicekit import Segment, Transcript, Word
from voicekit.transcript.gaps import first_covered_start, leading_speech, speech_gaps, splice, trailing_speech
from voicekit.transcript.words import join_words

RATE = 16000


def babble(seconds: float, quiet: list[tuple[float, float]] = ()) -> np.ndarray:  # type: ignore[assignment]
    """Speech-loud noise, silent in the `quiet` stretches."""
    samples = np.random.default_rng(3).normal(0, 0.1, int(seconds * RATE)).astype(np.float32)
    for start, end in quiet:
        samples[int(start * RATE):int(end * RATE)] = 0
    return samples


def transcript_of(words: list[tuple[str, float, float]]) -> Transcript:
    ws = [Word(word=w, start=s, end=e) for w, s, e in words]
    text = " " + join_words(w for w, _, _ in words)
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
    first = transcript_of([("Commander", 0.0, 0.5), ("McCool,", 0.5, 1.0), ("Dr.", 9.99, 9.99)])
    fill = transcript_of([("Dr.", 0.1, 0.4), ("Chawla.", 0.4, 1.0)])
    spliced = splice(first, fill, 1.0, 10.0)
    assert [w.word for w in spliced.words] == ["Commander", "McCool,", "Dr.", "Chawla."]
    assert [w.start for w in spliced.words] == pytest.approx([0.0, 0.5, 1.1, 1.4])
    assert spliced.text == "Commander McCool, Dr. Chawla."
    assert [s.id for s in spliced.segments] == [0, 1]
    assert all(a.end <= b.start for a, b in zip(spliced.segments, spliced.segments[1:], strict=False))


def _positive_and_in_order(transcript: Transcript) -> None:
    words = [w for s in transcript.segments for w in s.words]
    assert words == transcript.words
    assert all(w.end > w.start for w in words)
    assert all(s.end > s.start for s in transcript.segments)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:], strict=False))
    assert all(a.start <= b.start for a, b in zip(transcript.segments, transcript.segments[1:], strict=False))


def test_recovered_words_land_inside_the_phrase_they_were_said_in() -> None:
    # One segment whose word " the" was stretched over 2.3 s of skipped speech: the recovered words go between
    # "see" and "and", not after the segment.
    first = transcript_of([("to", 7.0, 7.4), ("see", 7.4, 8.0), ("the", 8.0, 10.3), ("and", 10.3, 10.6),
                           ("walk.", 10.6, 11.0)])
    fill = transcript_of([("the", 0.0, 0.3), ("lens", 0.3, 0.9), ("simpler", 1.0, 1.6), ("round", 1.6, 2.3)])
    spliced = splice(first, fill, 8.0, 10.3)
    assert [w.word for w in spliced.words] == ["to", "see", "the", "lens", "simpler", "round", "and", "walk."]
    assert spliced.text == "to see the lens simpler round and walk."
    _positive_and_in_order(spliced)


def test_words_stamped_with_no_length_at_the_gap_end_get_room() -> None:
    # Whisper stamps trailing words at (or past) the end of a short piece: " simpler round" at 177.56-177.56.
    first = transcript_of([("It", 0.0, 0.5), ("was", 0.5, 1.0), ("1465.", 9.99, 9.99)])
    fill = Transcript(text=" a simpler round 1465.", segments=[
        Segment(start=0.0, end=1.5, text=" a simpler", words=[Word(word="a", start=0.0, end=0.4),
                                                               Word(word="simpler", start=0.4, end=1.5)]),
        Segment(start=9.0, end=9.0, text=" round 1465.", words=[Word(word="round", start=9.0, end=9.0),
                                                                 Word(word="1465.", start=9.0, end=9.0)])])
    spliced = splice(first, fill, 1.0, 10.0)
    assert [w.word for w in spliced.words] == ["It", "was", "a", "simpler", "round", "1465."]
    assert all(1.0 <= w.start < w.end <= 10.0 for w in spliced.words[2:])
    _positive_and_in_order(spliced)


def test_speech_after_the_last_word_is_measured_past_a_pause() -> None:
    # A decode that stopped after the first clip: 6 s of speech follow a 4 s pause with no word.
    samples = np.concatenate([babble(5.0), np.zeros(4 * RATE, dtype=np.float32), babble(6.0)])
    stopped = transcript_of(steady(0.0, 5.0))
    assert trailing_speech(samples, RATE, stopped) == pytest.approx(6.0, abs=0.1)
    whole = transcript_of(steady(0.0, 5.0) + steady(9.0, 15.0))
    assert trailing_speech(samples, RATE, whole) == 0.0
    assert trailing_speech(samples, RATE, Transcript(text="")) == 0.0


def test_speech_before_the_first_word_is_measured_past_a_pause() -> None:
    # A decode that began late: 6 s of speech and a 4 s pause with no word, then the words.
    samples = np.concatenate([babble(6.0), np.zeros(4 * RATE, dtype=np.float32), babble(5.0)])
    late = transcript_of(steady(10.0, 15.0))
    assert first_covered_start(late) == pytest.approx(10.0)
    assert leading_speech(samples, RATE, late) == pytest.approx(6.0, abs=0.1)
    whole = transcript_of(steady(0.2, 6.0) + steady(10.0, 15.0))
    assert leading_speech(samples, RATE, whole) == 0.0
    assert leading_speech(samples, RATE, Transcript(text="")) == 0.0
    # A first word a breath into the window is not a late start.
    assert leading_speech(samples, RATE, transcript_of(steady(1.0, 6.0))) == 0.0
