"""Directions are parsed into tokens; citations, editorial marks and footnotes are not directions."""

from __future__ import annotations

import pytest

from voicekit.errors import InputError
from voicekit.text.directions import (
    MAX_DIRECTION_CHARS,
    Direction,
    direction_of,
    directions_in,
    is_citation,
    is_soft,
    split_directions,
    strip_directions,
    strip_directions_from_text,
)


def texts(pieces: list[object]) -> list[str]:
    return [piece.text if isinstance(piece, Direction) else f"<{piece}>" for piece in pieces]


@pytest.mark.parametrize("body", ["cheerful", "gravelly whisper", "Cheerful", "half-whisper", "dramatic  gasp"])
def test_one_or_two_words_of_letters_are_directions(body: str) -> None:
    assert direction_of(body) == "[" + " ".join(body.split()) + "]"


@pytest.mark.parametrize(
    "body",
    ["12", "3, 4", "12-14", "12–14", "citation needed", "sic", "a", "B", "iv", "three little words", "x1",
     "", " ", "who?", "note 3", "Citation Needed"],
)
def test_not_directions(body: str) -> None:
    assert direction_of(body) is None


@pytest.mark.parametrize("body", ["12", "3, 4", "12-14", "citation needed", "sic", "a", "iv"])
def test_citations_and_marks_are_recognised(body: str) -> None:
    assert is_citation(body)


def test_long_bracketed_words_are_not_directions() -> None:
    word = "a" * MAX_DIRECTION_CHARS
    assert direction_of(word) is None
    assert split_directions(f"x [{word}] y") == [f"x ({word}) y"]


def test_split_keeps_text_and_directions_in_order() -> None:
    pieces = split_directions("[cheerful] Hello there, [gravelly whisper] my friend.")
    assert texts(pieces) == ["[cheerful]", "< Hello there, >", "[gravelly whisper]", "< my friend.>"]
    assert [d.position for d in directions_in(pieces)] == [0, 24]


def test_citations_are_dropped_without_leaving_a_seam() -> None:
    assert split_directions("Paris is large.[12][13] It is old [3, 4] and busy [citation needed].") == [
        "Paris is large. It is old and busy."
    ]
    assert split_directions("[12] Start [a] here [sic].") == ["Start here."]


def test_citations_can_be_kept_as_text_in_parentheses() -> None:
    assert split_directions("It rose [12] sharply [sic].", keep_citations=True) == ["It rose (12) sharply (sic)."]


def test_other_brackets_become_parentheses_or_omissions() -> None:
    assert split_directions('"Bohr [...] used stairways" [Editor\'s note: 1913].') == [
        '"Bohr ... used stairways" (Editor\'s note: 1913).'
    ]


def test_no_square_bracket_is_left_in_text() -> None:
    source = "a [1] b [x y z] c [...] d [ ] e [sic] f [‘lone g ] h [cheerful] i"
    for keep in (False, True):
        for piece in split_directions(source, keep_citations=keep):
            if isinstance(piece, str):
                assert "[" not in piece and "]" not in piece


def test_unclosed_direction_names_its_position() -> None:
    with pytest.raises(InputError, match="position 6"):
        split_directions("Hello [cheerful there.")
    with pytest.raises(InputError, match="position 0"):
        split_directions("[whisper [laugh] hi")


def test_lone_brackets_before_non_letters_are_kept_as_parentheses() -> None:
    assert split_directions("a bottle, [‘which was not here,’ said Alice") == [
        "a bottle, (‘which was not here,’ said Alice"
    ]
    assert split_directions("x ] y") == ["x ) y"]


def test_strip_directions_returns_what_it_removed() -> None:
    pieces = split_directions("[cheerful] Hello there [laugh]. How are [gravelly whisper] you?")
    kept, removed = strip_directions(pieces)
    assert kept == ["Hello there. How are you?"]
    assert [d.text for d in removed] == ["[cheerful]", "[laugh]", "[gravelly whisper]"]


def test_strip_directions_from_text() -> None:
    text, removed = strip_directions_from_text("مرحبا [cheerful] بك [12].")
    assert text == "مرحبا بك."
    assert removed == [Direction("[cheerful]")]
    assert strip_directions_from_text("No directions here.") == ("No directions here.", [])


def test_only_directions_leaves_no_text() -> None:
    kept, removed = strip_directions(split_directions("[laugh] [sigh]"))
    assert kept == []
    assert len(removed) == 2


@pytest.mark.parametrize(("direction", "soft"), [
    ("[whisper]", True), ("[gravelly whisper]", True), ("[softly]", True), ("[Whispering]", True),
    ("[cheerful]", False), ("[sigh]", False), (None, False),
])
def test_soft_directions_ask_for_quiet_speech(direction: str | None, soft: bool) -> None:
    assert is_soft(direction) is soft
