"""The chunker: greedy sentence packing under the limit, clause and word cuts, atomic directions, oversize tokens."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from voicekit.errors import InputError
from voicekit.text.chunk import Chunk, ChunkOptions, chunk_block, chunk_blocks, chunk_pieces, split_oversize
from voicekit.text.directions import Direction, Piece, directions_in, split_directions

DIRECTION = re.compile(r"\[[^\[\]]*\]")
PUNCTUATION_END = re.compile(r"[.!?…;:,—–][\"'”’)\]]*$")


def texts(chunks: list[Chunk]) -> list[str]:
    return [chunk.text for chunk in chunks]


def sentence(words: int, word: str = "word", end: str = ".") -> str:
    return " ".join([word.capitalize()] + [word] * (words - 1)) + end


def test_sentences_are_packed_greedily() -> None:
    text = " ".join(sentence(8) for _ in range(10))  # 10 sentences of 40 characters
    chunks = chunk_block(text, ChunkOptions(max_chars=100))
    assert texts(chunks)[0] == " ".join([sentence(8)] * 2)
    assert all(chunk.chars <= 100 and chunk.ends_sentence for chunk in chunks)
    assert len(chunks) == 5
    assert [chunk.ends_block for chunk in chunks] == [False] * 4 + [True]


def test_a_long_sentence_is_cut_at_clause_punctuation() -> None:
    text = "One two three four five six, seven eight nine ten eleven; twelve thirteen fourteen fifteen sixteen."
    chunks = chunk_block(text, ChunkOptions(max_chars=60, min_chars=10))
    assert texts(chunks) == [
        "One two three four five six, seven eight nine ten eleven;",
        "twelve thirteen fourteen fifteen sixteen.",
    ]
    assert [chunk.ends_sentence for chunk in chunks] == [False, True]


def test_arabic_clause_punctuation_is_a_cut_point() -> None:
    text = " ".join(["كلمة"] * 8) + "، " + " ".join(["كلمة"] * 8) + "."
    chunks = chunk_block(text, ChunkOptions(max_chars=60, min_chars=10))
    assert texts(chunks)[0].endswith("،")
    assert " ".join(texts(chunks)).split() == text.split()


def test_without_clause_punctuation_the_cut_falls_between_words() -> None:
    text = " ".join(["alpha", "beta", "gamma", "delta"] * 10) + "."
    chunks = chunk_block(text, ChunkOptions(max_chars=50, min_chars=10))
    assert all(chunk.chars <= 50 for chunk in chunks)
    assert " ".join(texts(chunks)).split() == text.split()
    assert not any(chunk.oversize_split for chunk in chunks)


def test_no_chunk_under_min_chars_before_a_long_sentence() -> None:
    text = "Yes. " + " ".join(["so"] * 10) + ", " + " ".join(["and"] * 30) + "."
    chunks = chunk_block(text, ChunkOptions(max_chars=80, min_chars=20))
    assert all(chunk.chars >= 20 for chunk in chunks[:-1])
    assert texts(chunks)[0].startswith("Yes. so so")


def test_a_url_longer_than_the_limit_is_cut_at_safe_characters() -> None:
    url = "https://example.com/" + "/".join(f"segment{n:03d}" for n in range(40))
    chunks = chunk_block(f"See {url} for details.", ChunkOptions(max_chars=100))
    assert all(chunk.chars <= 100 for chunk in chunks)
    assert "".join(texts(chunks)).replace(" ", "") == f"See{url}fordetails."
    assert [chunk.oversize_split for chunk in chunks][:-1] == [True] * (len(chunks) - 1)
    assert all(chunk.text.endswith("/") for chunk in chunks[:-2])
    assert chunks[0].text.startswith("See https://")


def test_a_token_without_safe_characters_is_cut_hard_at_the_limit() -> None:
    head, rest = split_oversize("x" * 250, 100)
    assert (len(head), len(rest)) == (100, 150)
    assert split_oversize("abc/defghijklmnop", 10) == ("abc/defghi", "jklmnop")
    assert split_oversize("abcdef/ghijklmnop", 10) == ("abcdef/", "ghijklmnop")


def test_a_cut_never_falls_before_a_combining_mark() -> None:
    head, rest = split_oversize("e\u0301" * 60, 11)
    assert not rest.startswith("\u0301") and len(head) == 10


def test_a_direction_at_the_end_of_a_chunk_moves_to_the_next() -> None:
    text = sentence(9) + " [gravelly whisper] " + sentence(9)
    chunks = chunk_block(text, ChunkOptions(max_chars=70))
    assert texts(chunks) == [sentence(9), "[gravelly whisper] " + sentence(9)]


def test_a_direction_ending_a_block_stays_with_its_last_word() -> None:
    chunks = chunk_block(sentence(9) + " " + sentence(9) + " [laugh]", ChunkOptions(max_chars=70))
    assert texts(chunks) == [sentence(9), sentence(9) + " [laugh]"]


def test_directions_are_counted_in_the_length() -> None:
    text = " ".join(f"[cheerful] {sentence(5)}" for _ in range(6))
    chunks = chunk_block(text, ChunkOptions(max_chars=80))
    assert max(chunk.chars for chunk in chunks) <= 80
    assert sum(chunk.text.count("[cheerful]") for chunk in chunks) == 6


def test_reapplied_direction_starts_each_continuation_chunk() -> None:
    text = "[cheerful] " + " ".join(sentence(9) for _ in range(4))
    plain = chunk_block(text, ChunkOptions(max_chars=70))
    again = chunk_block(text, ChunkOptions(max_chars=70, reapply_direction=True))
    assert [chunk.text.startswith("[cheerful]") for chunk in plain] == [True] + [False] * (len(plain) - 1)
    assert all(chunk.text.startswith("[cheerful] ") and chunk.chars <= 70 for chunk in again)


def test_reapply_follows_the_latest_direction() -> None:
    text = f"[cheerful] {sentence(9)} [sad] {sentence(9)} {sentence(9)}"
    chunks = chunk_block(text, ChunkOptions(max_chars=70, reapply_direction=True))
    assert texts(chunks) == [f"[cheerful] {sentence(9)}", f"[sad] {sentence(9)}", f"[sad] {sentence(9)}"]


def test_sentence_fill_prefers_a_far_clause_end_over_a_near_sentence_end() -> None:
    clause = "a rather long clause that goes on "
    text = "The first sentence is short. A" + clause[1:] + f"and then, {clause}" * 3 + "to the end."
    strict = chunk_block(text, ChunkOptions(max_chars=100, sentence_fill=0.0))
    filled = chunk_block(text, ChunkOptions(max_chars=100, sentence_fill=0.6))
    assert strict[0].text == "The first sentence is short."
    assert filled[0].text.startswith("The first sentence is short. A rather") and filled[0].text.endswith(",")
    assert filled[0].chars > strict[0].chars
    assert " ".join(texts(filled)).split() == " ".join(texts(strict)).split() == text.split()


def test_chunk_blocks_run_on_across_block_ends() -> None:
    blocks = [(3, ["Yes."]), (4, ["No, said she."]), (5, [sentence(12)]), (6, [sentence(12)])]
    chunks = chunk_blocks(blocks, ChunkOptions(max_chars=80))
    assert [(chunk.text, chunk.block, chunk.ends_block) for chunk in chunks] == [
        ("Yes. No, said she. " + sentence(12), 3, True),
        (sentence(12), 6, True),
    ]


def test_directions_are_not_reapplied_across_blocks() -> None:
    blocks = [(0, ["[cheerful] " + sentence(12)]), (1, [sentence(12) + " " + sentence(12)])]
    chunks = chunk_blocks(blocks, ChunkOptions(max_chars=75, reapply_direction=True))
    assert texts(chunks) == ["[cheerful] " + sentence(12), sentence(12), sentence(12)]


def test_citations_never_reach_a_chunk() -> None:
    chunks = chunk_block("Paris is large.[12] It is old [citation needed].", ChunkOptions())
    assert texts(chunks) == ["Paris is large. It is old."]


def test_a_block_of_only_directions_gives_no_chunk() -> None:
    assert chunk_block("[laugh] [sigh]") == []
    assert chunk_block("   ") == []


def test_too_many_directions_in_a_row_is_an_input_error() -> None:
    with pytest.raises(InputError, match="directions"):
        chunk_block(" ".join(["[gravelly whisper]"] * 4) + " hello", ChunkOptions(max_chars=60))


def test_chunk_pieces_take_normalized_text_and_directions() -> None:
    pieces = ["Hello ", Direction("[cheerful]"), " world."]
    chunks = chunk_pieces(pieces, ChunkOptions(), block=7)
    assert chunks == [
        Chunk(text="Hello [cheerful] world.", chars=23, block=7, ends_block=True, ends_sentence=True)
    ]


def test_option_and_model_validation() -> None:
    with pytest.raises(ValidationError):
        ChunkOptions(max_chars=30, min_chars=20)
    with pytest.raises(ValidationError):
        Chunk(text="abc", chars=4, block=0, ends_block=True, ends_sentence=True)
    assert Chunk(text="abc", block=0, ends_block=True, ends_sentence=True).chars == 3  # type: ignore[call-arg]


# ---------------------------------------------------------------------------------------------- properties

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=12)
NUMBERS = st.integers(min_value=0, max_value=10**7).map(str)
PUNCTUATED = st.tuples(WORDS, st.sampled_from([",", ".", "!", "?", ";", ":", "...", "—", ".”", ",’", ")"])).map(
    "".join
)
ABBREVIATIONS = st.sampled_from(["Mr.", "Dr.", "e.g.", "U.S.", "J.", "p.", "No.", "a.m."])
LONG_TOKENS = st.text(alphabet="abcdef/.-_?&xyz0123", min_size=30, max_size=450)
DIRECTIONS = st.sampled_from(
    ["[cheerful]", "[gravelly whisper]", "[dramatic gasp]", "[laugh]", "[sad]", "[whisper]", "[slowly]"]
)
TOKENS = st.one_of(WORDS, WORDS, WORDS, NUMBERS, PUNCTUATED, PUNCTUATED, ABBREVIATIONS, LONG_TOKENS, DIRECTIONS)
OPTIONS = st.builds(
    ChunkOptions,
    max_chars=st.integers(min_value=80, max_value=220),
    min_chars=st.integers(min_value=0, max_value=30),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A block of words, numbers, abbreviations, long tokens and directions; never more than three directions in a
    row (more can leave no room for a word, which the chunker refuses: see the test of that error)."""
    tokens = draw(st.lists(TOKENS, min_size=1, max_size=150))
    tokens += draw(st.lists(TOKENS, min_size=20, max_size=40))
    tokens.append(draw(WORDS))
    tokens = [token for index, token in enumerate(tokens)
              if not (token.startswith("[") and all(t.startswith("[") for t in tokens[max(0, index - 3):index])
                      and index >= 3)]
    separators = draw(st.lists(st.sampled_from([" ", " ", " ", "  ", "\n", ""]), min_size=len(tokens),
                               max_size=len(tokens)))
    parts: list[str] = []
    for token, separator in zip(tokens, separators, strict=True):
        parts.append(token)
        parts.append(separator if separator or token.startswith("[") else " ")
    return "".join(parts).strip()


def spoken(text: str) -> str:
    """The text without directions, as the characters that carry words (whitespace removed)."""
    return "".join(DIRECTION.sub(" ", text).split())


def atoms_too_long(pieces: list[Piece], limit: int) -> set[str]:
    """Words that cannot travel whole: with the directions glued to them (before, or after the block's last word)
    they are longer than the limit."""
    tokens = DIRECTION.sub(lambda match: f" {match.group()} ", "".join(
        p if isinstance(p, str) else f" {p.text} " for p in pieces)).split()
    tokens = [t for t in re.split(r"(\[[^\]]*\])|\s+", " ".join(tokens)) if t]
    result: set[str] = set()
    lead: list[str] = []
    words = [index for index, token in enumerate(tokens) if not token.startswith("[")]
    for index, token in enumerate(tokens):
        if token.startswith("["):
            lead.append(token)
            continue
        trail = tokens[index + 1 :] if index == words[-1] else []
        if len(" ".join(lead + [token] + trail)) > limit:
            result.add(token)
        lead = []
    return result


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(), OPTIONS)
def test_chunks_keep_every_rule(text: str, options: ChunkOptions) -> None:
    pieces = split_directions(text)
    chunks = chunk_pieces(pieces, options)
    source_words = DIRECTION.sub(" ", "".join(p if isinstance(p, str) else f" {p.text} " for p in pieces)).split()

    # never over the limit, and `chars` is the length of exactly what is sent
    assert all(chunk.chars == len(chunk.text) <= options.max_chars for chunk in chunks)
    # every direction arrives intact, once; no other bracket is sent
    sent = Counter(match for chunk in chunks for match in DIRECTION.findall(chunk.text))
    assert sent == Counter(direction.text for direction in directions_in(pieces))
    assert all("[" not in DIRECTION.sub("", chunk.text) and "]" not in DIRECTION.sub("", chunk.text)
               for chunk in chunks)
    # no word lost or reordered
    assert "".join(spoken(chunk.text) for chunk in chunks) == "".join(source_words)
    if not any(chunk.oversize_split for chunk in chunks):
        assert [word for chunk in chunks for word in DIRECTION.sub(" ", chunk.text).split()] == source_words
    # a word is cut only in chunks flagged oversize_split, and only a word too long for any chunk
    whole = set(source_words)
    for chunk in chunks:
        for word in DIRECTION.sub(" ", chunk.text).split():
            if word not in whole:
                assert chunk.oversize_split
    arrived = {word for chunk in chunks for word in DIRECTION.sub(" ", chunk.text).split()}
    too_long = atoms_too_long(pieces, options.max_chars)
    assert all(word in too_long for word in source_words if word not in arrived)
    # a direction is never left at the end of a chunk that does not end its block, nor alone
    assert all(chunk.ends_block or not chunk.text.endswith("]") for chunk in chunks)
    assert all(DIRECTION.sub("", chunk.text).strip() for chunk in chunks)
    # one block: exactly the last chunk ends it
    assert [chunk.ends_block for chunk in chunks] == [False] * (len(chunks) - 1) + [True]
    # short chunks only at the block's end, or before a token too long to join
    for chunk, following in zip(chunks, chunks[1:], strict=False):
        if chunk.chars < options.min_chars:
            first_atom = re.match(r"(?:\[[^\]]*\]\s*)*\S+", following.text)
            assert first_atom is not None
            assert chunk.chars + 1 + len(first_atom.group()) > options.max_chars


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(), OPTIONS)
def test_reapplied_directions_stay_within_the_limit(text: str, options: ChunkOptions) -> None:
    options = options.model_copy(update={"reapply_direction": True})
    pieces = split_directions(text)
    chunks = chunk_pieces(pieces, options)
    assert all(chunk.chars == len(chunk.text) <= options.max_chars for chunk in chunks)
    assert "".join(spoken(chunk.text) for chunk in chunks) == "".join(
        DIRECTION.sub(" ", "".join(p if isinstance(p, str) else f" {p.text} " for p in pieces)).split()
    )
    seen = {direction.text for direction in directions_in(pieces)}
    assert {match for chunk in chunks for match in DIRECTION.findall(chunk.text)} == seen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(documents(), min_size=1, max_size=4), OPTIONS, st.booleans())
def test_joined_blocks_keep_every_rule(texts_: list[str], options: ChunkOptions, reapply: bool) -> None:
    options = options.model_copy(update={"reapply_direction": reapply})
    blocks = [(index, split_directions(text)) for index, text in enumerate(texts_)]
    chunks = chunk_blocks(blocks, options)
    assert all(chunk.chars == len(chunk.text) <= options.max_chars for chunk in chunks)
    expected = "".join(spoken(" ".join(p if isinstance(p, str) else p.text for p in pieces)) for _, pieces in blocks)
    assert "".join(spoken(chunk.text) for chunk in chunks) == expected
    sent = Counter(match for chunk in chunks for match in DIRECTION.findall(chunk.text))
    given_directions = Counter(d.text for _, pieces in blocks for d in directions_in(pieces))
    if reapply:
        assert set(sent) == set(given_directions)
    else:
        assert sent == given_directions
    assert [chunk.block for chunk in chunks] == sorted(chunk.block for chunk in chunks)
    assert chunks[-1].ends_block


def test_each_chunk_carries_the_direction_in_force_over_all_its_words() -> None:
    text = ("Plain words open the block. [whisper] This secret must be whispered only to you, "
            "and the whisper goes on here. [cheerful] Now loud again! Then plain.")
    chunks = chunk_block(text, ChunkOptions(max_chars=60, min_chars=10))
    assert [(chunk.text.split()[0], chunk.direction) for chunk in chunks] == [
        ("Plain", None), ("[whisper]", "[whisper]"), ("and", None), ("Then", "[cheerful]"),
    ]  # the third chunk changes direction inside; the fourth goes on in the direction set before it
    mixed = chunk_block("Plain words, then [whisper] a secret.", ChunkOptions(max_chars=60, min_chars=10))
    assert [chunk.direction for chunk in mixed] == [None]
    # A new block starts without a direction: the one in force does not carry into it.
    joined = chunk_blocks([(0, ["", Direction("[whisper]", 0), " A secret."]), (1, ["Plain again."])],
                          ChunkOptions(max_chars=60, min_chars=5, join_blocks=True))
    assert [chunk.direction for chunk in joined] == [None]
