"""The one normal form of words (voicekit/transcript/words.py), and the merge keeping every window's words once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicekit import Segment, Transcript, Word
from voicekit.transcript.merge import WindowSpan, merge_windows
from voicekit.transcript.words import join_words, normalize_transcript, normalize_words

RATE = 16000


def words(*pieces: tuple[str, float, float]) -> list[Word]:
    return [Word(word=w, start=s, end=e) for w, s, e in pieces]


def texts(ws: list[Word]) -> list[str]:
    return [w.word for w in ws]


def test_bare_words_stay_as_they_are() -> None:
    given_words = words(("Galileo", 0.1, 0.6), ("said", 0.6, 0.9), ("so.", 0.9, 1.2))
    assert normalize_words(given_words) == given_words


def test_space_led_words_lose_their_space() -> None:
    out = normalize_words(words((" Galileo", 0.1, 0.6), (" said", 0.6, 0.9), (" so.", 0.9, 1.2)))
    assert texts(out) == ["Galileo", "said", "so."]
    assert [(w.start, w.end) for w in out] == [(0.1, 0.6), (0.6, 0.9), (0.9, 1.2)]


def test_punctuation_alone_joins_the_word_before_it() -> None:
    out = normalize_words(words(("Columbia", 1.0, 1.5), (",", 1.5, 1.5), ("lost", 1.6, 2.0), ("...", 2.0, 2.1)))
    assert texts(out) == ["Columbia,", "lost..."]
    assert (out[1].start, out[1].end) == (1.6, 2.1)


def test_opening_punctuation_joins_the_word_after_it() -> None:
    out = normalize_words(words(("he", 0.0, 0.2), ("(", 0.2, 0.2), ("applause", 0.3, 0.9), (")", 0.9, 0.9)))
    assert texts(out) == ["he", "(applause)"]
    assert join_words(texts(out)) == "he (applause)"


def test_hyphenated_words_are_one_word() -> None:
    assert texts(normalize_words(words((" well-known", 0.0, 0.5), (" man", 0.5, 0.8)))) == ["well-known", "man"]
    # A provider that splits at the hyphen without a space: the piece continues the word, bare or space-led.
    assert texts(normalize_words(words((" well", 0.0, 0.3), ("-known", 0.3, 0.5)))) == ["well-known"]
    assert texts(normalize_words(words(("Mi", 0.0, 0.3), ("-Kabitam", 0.3, 0.5), ("don", 0.5, 0.6),
                                       ("'t", 0.6, 0.7)))) == ["Mi-Kabitam", "don't"]
    # A dash said between words stays attached to the word before it, never glued to the next.
    assert texts(normalize_words(words(("yes", 0.0, 0.3), ("-", 0.3, 0.3), ("no", 0.4, 0.5)))) == ["yes-", "no"]


def test_numbers_with_separators_are_one_word() -> None:
    out = normalize_words(words((" in", 0.0, 0.2), (" 1", 0.2, 0.4), (",465", 0.4, 0.9), (" and", 0.9, 1.0),
                                (" 3", 1.0, 1.1), (".14", 1.1, 1.4)))
    assert texts(out) == ["in", "1,465", "and", "3.14"]
    assert (out[1].start, out[1].end) == (0.2, 0.9)
    # Bare providers write the number whole; nothing is glued to its neighbour.
    assert texts(normalize_words(words(("in", 0, 0.2), ("1,465", 0.2, 0.9), ("and", 0.9, 1.0)))) == [
        "in", "1,465", "and"]


def test_empty_pieces_are_dropped() -> None:
    assert texts(normalize_words(words(("", 0, 0), (" ", 0, 0), ("yes", 0, 0.3)))) == ["yes"]


@pytest.mark.parametrize(("pieces", "text"), [
    (["Michael", "Anderson,", "Commander", "Laurel", "Clark,"], "Michael Anderson, Commander Laurel Clark,"),
    ([" In", " Subiaco", " near", " Rome."], "In Subiaco near Rome."),
    (["Dr", ".", "Chawla", "!"], "Dr. Chawla!"),
    (["\u00bf", "Qu\u00e9", "pasa", "?"], "\u00bfQu\u00e9 pasa?"),
    (["\u4f60\u597d", "\u4e16\u754c"], "\u4f60\u597d\u4e16\u754c"),
    (["50", "%", "of", "(", "them", ")"], "50% of (them)"),
])
def test_text_is_rebuilt_with_one_space_between_words(pieces: list[str], text: str) -> None:
    assert join_words(pieces) == text


def test_a_transcript_is_normalized_in_segments_and_at_the_top_level() -> None:
    seg_words = words((" Hello", 0.0, 0.4), (" world", 0.4, 0.8), (".", 0.8, 0.8))
    transcript = Transcript(text=" Hello world.", segments=[Segment(start=0, end=0.8, text=" Hello world.",
                                                                    words=seg_words)], words=seg_words)
    out = normalize_transcript(transcript)
    assert texts(out.segments[0].words) == ["Hello", "world."]
    assert out.words == out.segments[0].words
    assert out.text == " Hello world."


# ---------------------------------------------------------------------------------------------------------------
# Property: for any windows and overlaps, the merge keeps time order and every word once

WORD_STEP, WORD_LENGTH = 0.5, 0.3
"""Word k is said over [k * 0.5, k * 0.5 + 0.3]; pauses of 0.2 s lie between words."""


@st.composite
def windowed(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    """A number of words and windows over them: (start_sample, end_sample, overlap_before). Every window ends in
    a pause (after word j, at j * 0.5 + 0.4 s) or at the end; the next one starts there, or up to 2 s earlier."""
    count = draw(st.integers(min_value=1, max_value=60))
    total = round(count * WORD_STEP * RATE)
    cuts = sorted(draw(st.sets(st.integers(min_value=0, max_value=max(0, count - 2)), max_size=12))) \
        if count > 1 else []
    spans: list[tuple[int, int, int]] = []
    start = overlap = 0
    for end in [round((j * WORD_STEP + 0.4) * RATE) for j in cuts] + [total]:
        if end <= start:
            continue
        spans.append((start, end, overlap))
        wanted = draw(st.sampled_from([0.0, 0.0, 0.5, 0.8, 1.2, 2.0]))
        overlap = min(round(wanted * RATE), end - start)
        start = end - overlap
    return count, spans


def window_transcript(count: int, start: int, end: int) -> Transcript:
    """What a window hears: the words said wholly inside it, with times from its start, as one segment."""
    offset, stop = start / RATE, end / RATE
    inside = [Word(word=f"w{k}", start=k * WORD_STEP - offset, end=k * WORD_STEP + WORD_LENGTH - offset)
              for k in range(count) if k * WORD_STEP >= offset - 1e-9 and k * WORD_STEP + WORD_LENGTH <= stop + 1e-9]
    if not inside:
        return Transcript(text="")
    text = " " + join_words(w.word for w in inside)
    return Transcript(text=text, segments=[Segment(start=inside[0].start, end=inside[-1].end, text=text,
                                                   words=inside)], words=inside)


@settings(max_examples=150, deadline=None)
@given(windowed())
def test_merged_times_never_go_backwards_and_every_word_is_kept_once(case: tuple[int, list[tuple[int, int, int]]]
                                                                     ) -> None:
    count, spans = case
    parts = [(WindowSpan(start, end, RATE, overlap), window_transcript(count, start, end))
             for start, end, overlap in spans]
    merged = merge_windows(parts)
    merged_words = [w for s in merged.segments for w in s.words]
    assert [w.word for w in merged_words] == [f"w{k}" for k in range(count)]
    assert merged.text.split() == [f"w{k}" for k in range(count)]
    assert all(w.end >= w.start for w in merged_words)
    assert all(a.end <= b.start for a, b in zip(merged_words, merged_words[1:], strict=False))
    assert all(a.start <= b.start and a.end <= b.start + 1e-9
               for a, b in zip(merged.segments, merged.segments[1:], strict=False))
