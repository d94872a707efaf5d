"""Each chunk carries the written text it speaks (`voicekit.text.written`): money, numbers, dates, abbreviations and
directions, through the real front end."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicekit.text.chunk import ChunkOptions
from voicekit.text.document import Block
from voicekit.text.frontend import FrontendOptions, prepare
from voicekit.text.written import align, spoken_text, spoken_weights, written_texts

RECEIPT = ("[cheerful] Dr. Smith paid $3.50 on Jan. 5, 2024 for 1,234 apples at 10:30 a.m. [sigh] It cost 15% more "
           "than the 3rd time, e.g. in St. Louis, and the receipt said €4.75.")
WRITTEN = ("Dr. Smith paid $3.50 on Jan. 5, 2024 for 1,234 apples at 10:30 a.m. It cost 15% more than the 3rd time, "
           "e.g. in St. Louis, and the receipt said €4.75.")


def chunks_of(text: str, max_chars: int, **options: bool) -> list[tuple[str, str | None]]:
    result = prepare([Block(kind="paragraph", text=text)],
                     FrontendOptions(chunk=ChunkOptions(max_chars=max_chars, min_chars=10), **options))
    return [(chunk.text, chunk.written) for chunk in result.chunks]


@pytest.mark.parametrize("max_chars", [30, 45, 60, 100, 200])
def test_the_written_texts_of_the_chunks_are_the_document_without_directions(max_chars: int) -> None:
    chunks = chunks_of(RECEIPT, max_chars)
    assert " ".join(written for _, written in chunks if written) == WRITTEN
    for text, written in chunks:
        assert "[" not in (written or "") and "$" not in text


def test_a_written_word_goes_whole_to_the_chunk_that_speaks_most_of_it() -> None:
    chunks = chunks_of(RECEIPT, 45)
    words = [word for _, written in chunks for word in (written or "").split()]
    assert "$3.50" in words and "1,234" in words and "10:30" in words and "15%" in words and "€4.75." in words
    reading = "threedollarsandfiftycents"
    for text, written in chunks:  # the chunk showing "$3.50" says most of "three dollars and fifty cents"
        if written and "$3.50" in written:
            said = [word for word in text.split() if word.rstrip(",") in ("three", "dollars", "and", "fifty", "cents")]
            assert len("".join(said)) * 2 > len(reading)


def test_unchanged_words_map_word_for_word() -> None:
    text = "The keeper climbed the stairs at dusk, and the lamp was lit before the ships came in from the sea."
    chunks = chunks_of(text, 40)
    assert all(spoken_text(spoken) == written for spoken, written in chunks)


def test_dates_and_abbreviations_in_a_sentence_cut_across_chunks() -> None:
    text = "On Jan. 5, 2024, Mr. Jones met Prof. Li at 221B Baker St. and paid £1,000,000.00 for the 2nd edition."
    for max_chars in (20, 30, 50):
        chunks = chunks_of(text, max_chars)
        assert " ".join(written for _, written in chunks if written) == text


def test_directions_removed_when_the_model_takes_none() -> None:
    chunks = chunks_of(RECEIPT, 60, directions=False)
    assert " ".join(written for _, written in chunks if written) == WRITTEN


def test_a_token_cut_inside_is_cut_in_the_written_text_at_the_same_share() -> None:
    url = "https://example.org/" + "a" * 80
    written = written_texts([url], [url], [url[:50], url[50:]])
    assert written == [url[:50], url[50:]]


def test_chunks_that_do_not_add_up_give_no_written_text() -> None:
    assert written_texts(["$3"], ["three dollars"], ["three"]) is None


def test_a_changed_stretch_is_split_at_the_nearest_written_word_boundary() -> None:
    # "twelve fifteen" (13 characters) becomes "12 15": a cut after "twelve" (6 of 13) falls after "12"
    assert written_texts(["12 15 ok"], ["twelve fifteen ok"], ["twelve", "fifteen ok"]) == ["12", "15 ok"]


def test_a_long_piece_is_aligned_a_window_at_a_time_and_finds_every_unchanged_word() -> None:
    written = [f"w{i % 97}" if i % 10 else f"{i}" for i in range(3000)]
    spoken = [part for i, word in enumerate(written) for part in ((word,) if i % 10 else ("num", f"n{i}"))]
    codes = align(spoken, written)
    s, w = 0, 0
    for _, s1, s2, w1, w2 in codes:  # contiguous, covering both lists
        assert (s1, w1) == (s, w)
        s, w = s2, w2
    assert (s, w) == (len(spoken), len(written))
    assert sum(s2 - s1 for tag, s1, s2, _, _ in codes if tag == "equal") == 2700


def test_written_words_are_timed_by_the_spoken_characters_they_stand_for() -> None:
    weights = spoken_weights("Dr. Smith paid $3.50 today.", "Doctor Smith paid three dollars and fifty cents today.")
    assert weights == [6.0, 5.0, 4.0, len("threedollarsandfiftycents"), 6.0]
    # a changed stretch of several written words shares its spoken characters by their length
    assert spoken_weights("on 5/6 at 10:30", "on five six at ten thirty") == [2.0, 7.0, 2.0, 9.0]


def test_captions_of_a_chunk_give_a_number_the_time_it_is_spoken() -> None:
    from voicekit.transcript.cues import text_tokens

    written, said = "It cost $1,234.", "It cost one thousand two hundred thirty-four dollars."
    tokens = text_tokens(written, 0.0, 10.0, weights=spoken_weights(written, said))
    assert [t.text for t in tokens] == ["It", "cost", "$1,234."]
    assert tokens[2].end - tokens[2].start > 8.0  # by written characters it would get 7 of 13 characters: 5.4 s


PARTS = ["the", "keeper", "Dr.", "Smith", "paid", "$3.50", "on", "Jan.", "5,", "2024.", "1,234", "apples", "at",
         "10:30", "a.m.", "15%", "e.g.", "St.", "Louis,", "3rd", "[cheerful]", "[sigh]", "€4.75.", "—", "(see",
         "p. 12)", "https://example.org/" + "a" * 40, "Mr.", "O'Neil's", "1990s", "#5", "x2", "and", "so", "on."]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PARTS), min_size=1, max_size=60), min_size=1, max_size=4),
       st.sampled_from([30, 60, 200]), st.booleans())
def test_the_written_texts_always_add_up_to_the_document(paragraphs: list[list[str]], max_chars: int,
                                                         join: bool) -> None:
    blocks = [Block(kind="paragraph", text=" ".join(words)) for words in paragraphs]
    options = FrontendOptions(chunk=ChunkOptions(max_chars=max_chars, min_chars=10, join_blocks=join))
    chunks = prepare(blocks, options).chunks
    written = [chunk.written for chunk in chunks]
    assert all(text is not None for text in written)
    expected = " ".join(re.sub(r"\[\w+\]", " ", block.text) for block in blocks).split()
    assert "".join("".join((text or "").split()) for text in written) == "".join(expected)
    if not any(chunk.oversize_split for chunk in chunks):  # only a token cut inside is cut in the written text
        assert " ".join(text or "" for text in written).split() == expected
