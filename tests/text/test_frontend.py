"""The front end as one function: blocks -> directions -> normalization -> sentences -> chunks."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_data import shared_data

from voicekit.errors import InputError
from voicekit.text.chunk import ChunkOptions
from voicekit.text.document import Block, load_document
from voicekit.text.frontend import FrontendOptions, normalize_piece, prepare, prepare_chunks

PLAIN = FrontendOptions(normalize=False)
DIRECTION = re.compile(r"\[[^\[\]]*\]")


def paragraph(text: str) -> Block:
    return Block(kind="paragraph", text=text)


def test_blocks_become_chunks_in_order_with_their_block_index() -> None:
    blocks = [Block(kind="heading", text="Chapter 1", level=2), paragraph("[cheerful] Hello there. [12] Bye.")]
    chunks = prepare_chunks(blocks, PLAIN)
    assert [(chunk.text, chunk.block, chunk.ends_block) for chunk in chunks] == [
        ("Chapter 1", 0, True),
        ("[cheerful] Hello there. Bye.", 1, True),
    ]


def test_citations_can_be_kept() -> None:
    options = FrontendOptions(normalize=False, keep_citations=True)
    assert prepare_chunks([paragraph("It grew [12] fast.")], options)[0].text == "It grew (12) fast."


def test_directions_off_removes_them_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    options = FrontendOptions(normalize=False, directions=False)
    result = prepare([paragraph("[cheerful] Hello [laugh] there."), paragraph("[sigh] Well.")], options)
    assert [chunk.text for chunk in result.chunks] == ["Hello there.", "Well."]
    assert result.removed_directions == ["[cheerful]", "[laugh]", "[sigh]"]
    assert any("removed 3 vocal directions" in warning for warning in result.warnings)
    with caplog.at_level(logging.WARNING, logger="voicekit.text.frontend"):
        prepare_chunks([paragraph("[cheerful] Hi.")], options)
    assert "removed 1 vocal directions" in caplog.text


def test_arabic_without_directions_with_the_real_normalizer() -> None:
    normalize = pytest.importorskip("voicekit.text.normalize").normalize_text
    text = "[cheerful] مرحبا بكم، لدينا 25 كتابا. [sad] وداعا؟"
    result = prepare([paragraph(text)], FrontendOptions(language="ar", directions=False))
    assert result.removed_directions == ["[cheerful]", "[sad]"]
    assert [chunk.text for chunk in result.chunks] == [normalize("مرحبا بكم، لدينا 25 كتابا. وداعا؟", "ar")]
    assert "[" not in result.chunks[0].text


def test_a_block_of_only_directions_is_skipped_with_a_warning() -> None:
    result = prepare([paragraph("[laugh]"), paragraph("Text.")], PLAIN)
    assert [chunk.text for chunk in result.chunks] == ["Text."]
    assert result.warnings == ["block 0 holds only directions and no text; it is skipped"]


def test_an_unclosed_direction_names_the_block_and_position() -> None:
    with pytest.raises(InputError, match=r"block 1 .*position 6"):
        prepare([paragraph("Fine."), paragraph("Hello [cheerful there.")], PLAIN)


def test_normalize_piece_keeps_edges_and_never_emits_brackets() -> None:
    def shout(text: str, language: str) -> str:
        return f" {text.upper()} [{language}] "

    assert normalize_piece("  hi there ", "en", shout) == "  HI THERE (en) "
    assert normalize_piece("   ", "en", shout) == "   "


def test_every_piece_is_normalized_and_directions_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def record(text: str, language: str) -> str:
        seen.append(text)
        return text

    from voicekit.text import frontend

    monkeypatch.setattr(frontend, "load_normalizer", lambda: record)
    pieces = ["[cheerful] One two. ", "[sad] Three."]
    chunks = prepare_chunks([paragraph(" ".join(pieces))], FrontendOptions(language="en"))
    assert seen == ["One two.", "Three."]
    assert [chunk.text for chunk in chunks] == ["[cheerful] One two. [sad] Three."]


def test_chunks_are_counted_after_real_normalization() -> None:
    normalize = pytest.importorskip("voicekit.text.normalize").normalize_text
    text = "[cheerful] In 1990 they paid $12,345.67 for 3.5 kg, then 1,234,567 more on 12/25/2001 at 10:30."
    expected = "[cheerful] " + normalize(text.removeprefix("[cheerful] "), "en").strip()
    options = FrontendOptions(chunk=ChunkOptions(max_chars=80))
    chunks = prepare_chunks([paragraph(text)], options)
    assert len(text) <= 100 < len(expected)
    assert all(chunk.chars <= 80 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks).split() == expected.split()
    assert chunks[0].text.startswith("[cheerful] ")


def pride_and_prejudice() -> list[Block]:
    path = shared_data("text", "gutenberg_1342_pride_and_prejudice.txt")
    return load_document(path)


def test_pride_and_prejudice_without_normalization_loses_nothing() -> None:
    blocks = pride_and_prejudice()
    chunks = prepare_chunks(blocks, PLAIN)
    assert max(chunk.chars for chunk in chunks) <= 200
    assert [word for chunk in chunks for word in chunk.text.split()] == [
        word for block in blocks for word in block.text.split()
    ]
    assert sum(chunk.ends_block for chunk in chunks) == len(blocks)
    assert not [chunk for chunk in chunks if chunk.chars < 20 and not chunk.ends_block]


def test_pride_and_prejudice_chunks_end_at_punctuation() -> None:
    blocks = pride_and_prejudice()
    try:
        import voicekit.text.normalize  # noqa: F401

        options = FrontendOptions()
    except ImportError:
        options = PLAIN
    chunks = prepare_chunks(blocks, options)
    characters = sum(chunk.chars for chunk in chunks)
    punctuated = [chunk for chunk in chunks if re.search(r"[.!?…;:,—–-][\"'”’)]*$", chunk.text)]
    assert max(chunk.chars for chunk in chunks) <= 200
    # a chunk that ends no sentence or clause is rare (headings and lines without final punctuation aside)
    assert len(punctuated) / len(chunks) >= 0.95
    # blocks are not joined, so the count is bound by the paragraphs, short dialogue lines included
    assert len(chunks) <= 1.5 * math.ceil(characters / 200)
    assert not any("[" in DIRECTION.sub("", chunk.text) for chunk in chunks)


def test_pride_and_prejudice_with_joined_paragraphs() -> None:
    blocks = pride_and_prejudice()
    options = FrontendOptions(normalize=False, chunk=ChunkOptions(join_blocks=True))
    chunks = prepare_chunks(blocks, options)
    characters = sum(chunk.chars for chunk in chunks)
    assert max(chunk.chars for chunk in chunks) <= 200
    assert len(chunks) <= 1.3 * math.ceil(characters / 200)
    assert [word for chunk in chunks for word in chunk.text.split()] == [
        word for block in blocks for word in block.text.split()
    ]
    headings = {index for index, block in enumerate(blocks) if block.kind == "heading"}
    heading_chunks = [chunk for chunk in chunks if chunk.block in headings]
    assert [chunk.text for chunk in heading_chunks] == [blocks[index].text for index in sorted(headings)]
    assert not [chunk for chunk in chunks if chunk.chars < 20 and not chunk.ends_block]


NUMBERISH = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(str),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"${n:,}.{n % 100:02d}"),
    st.integers(min_value=1000, max_value=2100).map(str),
    st.integers(min_value=1, max_value=31).map(lambda n: f"{n}th"),
    st.sampled_from(["3.5", "10:30", "5%", "1990s", "Dr.", "Mr.", "etc.", "e.g.", "U.S.", "No. 5", "12-14", "1/2"]),
)
PLAIN_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
FRONT_TOKENS = st.one_of(PLAIN_WORDS, PLAIN_WORDS, NUMBERISH, st.sampled_from([",", ".", "!", "?", ";"]),
                         st.sampled_from(["[cheerful]", "[gravelly whisper]", "[12]", "[citation needed]", "[a]"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(FRONT_TOKENS, min_size=1, max_size=80).map(" ".join), min_size=1, max_size=3),
       st.integers(min_value=60, max_value=200))
def test_normalized_chunks_stay_within_the_limit(paragraphs: list[str], limit: int) -> None:
    pytest.importorskip("voicekit.text.normalize")
    blocks = [paragraph(text + " end.") for text in paragraphs]
    chunks = prepare_chunks(blocks, FrontendOptions(chunk=ChunkOptions(max_chars=limit)))
    assert all(chunk.chars == len(chunk.text) <= limit for chunk in chunks)
    sent = Counter(match for chunk in chunks for match in DIRECTION.findall(chunk.text))
    assert sent == Counter(match for text in paragraphs for match in re.findall(r"\[cheerful\]|\[gravelly whisper\]",
                                                                                   text))
    assert not any("[" in DIRECTION.sub("", chunk.text) for chunk in chunks)


def test_joined_paragraphs_never_carry_a_direction_into_the_next_one() -> None:
    blocks = [Block(kind="paragraph", text="The first short paragraph."),
              Block(kind="paragraph", text="A second one, joined to the first."),
              Block(kind="paragraph", text="[whisper] A quiet third paragraph."),
              Block(kind="paragraph", text="A fourth, spoken normally again.")]
    options = FrontendOptions(chunk=ChunkOptions(join_blocks=True))
    texts = [chunk.text for chunk in prepare(blocks, options).chunks]
    assert texts == ["The first short paragraph. A second one, joined to the first.",
                     "[whisper] A quiet third paragraph.", "A fourth, spoken normally again."]
