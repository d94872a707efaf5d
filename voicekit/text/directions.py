"""Vocal directions: `[cheerful]`, `[gravelly whisper]` as tokens, told apart from citations and footnotes.

Orpheus reads one or two words of letters in square brackets as a direction for the voice. In documents, square
brackets mostly mean something else: numeric citations (`[12]`, `[3, 4]`, `[12-14]`), editorial marks
(`[citation needed]`, `[sic]`), footnote letters (`[a]`), an omission (`[...]`). `split_directions` parses the text
once into pieces, text or `Direction`, before anything can cut, normalize or miscount a direction:

- a **direction** is one or two words of letters (a word may hold inner hyphens or apostrophes) in brackets, at
  most `MAX_DIRECTION_CHARS` long, whose words are not a known editorial mark; it becomes a `Direction`;
- a **citation or editorial mark** is dropped from speech (or, with `keep_citations=True`, kept as text in
  parentheses: `(12)`), so no square bracket reaches the model except in a direction;
- any **other bracketed text** (`[Editor's note: ...]`, `[EBook #1342]`) is kept as text in parentheses, and an
  omission `[...]` is kept as `...`;
- an **unclosed** `[` right before a letter (`[cheerful ...`) raises `InputError` naming its position; any other
  lone bracket (`[‘which ...`, a stray `]`) is kept as a parenthesis.

`strip_directions` removes the directions for models that take none (the Arabic model) and returns what it removed,
so the caller can warn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias, Union

from voicekit.errors import InputError

MAX_DIRECTION_CHARS = 40
"""Longest bracketed text (brackets included) taken as a direction; longer is not a direction but text."""

_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_DIRECTION_BODY = re.compile(rf"\s*({_WORD})(?:\s+({_WORD}))?\s*")
_CITATION_BODY = re.compile(r"\s*\d+[a-z]?(?:\s*[-–,;]\s*\d+[a-z]?)*\s*")
_FOOTNOTE_BODY = re.compile(r"\s*(?:[A-Za-z]|[ivx]{1,4}|note\s+\d+|fn\s*\d+|\*+|†|‡|\^[\w-]+)\s*")
_OMISSION_BODY = re.compile(r"\s*(?:\.\s*){2,}\s*|\s*…\s*")

EDITORIAL_MARKS: frozenset[str] = frozenset(
    {
        "sic",
        "citation needed",
        "clarification needed",
        "verification needed",
        "better source",
        "page needed",
        "who",
        "when",
        "where",
        "which",
        "why",
        "dubious",
        "disputed",
        "discuss",
        "update",
        "original research",
        "failed verification",
        "dead link",
        "citation",
        "cite",
        "ibid",
        "note",
        "nb",
        "illustration",
        "ebook",
        "edit",
        "needs update",
        "according to",
        "by whom",
        "not verified",
        "unreliable source",
        "vague",
        "when defined",
        "further explanation",
    }
)
"""Bracketed words that are editorial marks, not directions (compared lower-case, spaces collapsed)."""


@dataclass(frozen=True)
class Direction:
    """A vocal direction as it will be sent: `text` is the bracketed form, e.g. `[gravelly whisper]`.

    `position` is where it started in the text it was parsed from (not part of equality).
    """

    text: str
    position: int = -1

    @property
    def words(self) -> str:
        """The words inside the brackets: `gravelly whisper`."""
        return self.text[1:-1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Direction) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text


Piece: TypeAlias = Union[str, Direction]  # noqa: UP007 (a runtime alias)
"""One piece of a parsed text: plain text (`str`) or a `Direction`."""


@dataclass(frozen=True)
class _Bracket:
    """One bracketed span `[body]` found in the text, from `start` to `end` (exclusive)."""

    start: int
    end: int
    body: str


def _find_brackets(text: str) -> tuple[list[_Bracket], list[int]]:
    """Every `[...]` span, in order, and the positions of lone brackets (a `[` never closed, a `]` never opened).
    Brackets do not nest: a `[` before the `]` that closes an open one leaves the first one lone. A lone `[`
    right before a letter is an unclosed direction: `InputError` naming its position."""
    spans: list[_Bracket] = []
    lone: list[int] = []
    open_at = -1
    for match in re.finditer(r"[\[\]]", text):
        at = match.start()
        if match.group() == "[":
            if open_at >= 0:
                lone.append(open_at)
            open_at = at
        elif open_at < 0:
            lone.append(at)
        else:
            spans.append(_Bracket(open_at, at + 1, text[open_at + 1 : at]))
            open_at = -1
    if open_at >= 0:
        lone.append(open_at)
    for at in lone:
        if text[at] == "[" and text[at + 1 : at + 2].isalpha():
            raise InputError(_unclosed_message(text, at))
    return spans, lone


def _context(text: str, at: int) -> str:
    """A few characters around `at`, for error messages."""
    return text[max(0, at - 15) : at + 25]


def _unclosed_message(text: str, at: int) -> str:
    return (
        f"unclosed '[' at position {at} ({_context(text, at)!r}): close the direction with ']' "
        f"(directions look like [cheerful] or [gravelly whisper])"
    )


def direction_of(body: str) -> str | None:
    """The direction's canonical text (`[gravelly whisper]`, single-spaced) when `body` is one or two words of
    letters that are not an editorial mark and fit in `MAX_DIRECTION_CHARS`; otherwise None."""
    match = _DIRECTION_BODY.fullmatch(body)
    if match is None:
        return None
    words = " ".join(word for word in match.groups() if word)
    if words.lower() in EDITORIAL_MARKS or _FOOTNOTE_BODY.fullmatch(words):
        return None
    text = f"[{words}]"
    return text if len(text) <= MAX_DIRECTION_CHARS else None


SOFT_WORDS: frozenset[str] = frozenset(
    "whisper whispers whispered whispering whispery softly soft quietly quiet murmur murmurs murmured murmuring "
    "hushed breathy".split()
)
"""Words of a direction that asks for speech quieter than the voice's plain speech (`[whisper]`,
`[gravelly whisper]`, `[softly]`)."""


def is_soft(direction: str | None) -> bool:
    """True for a direction that asks for quiet speech: one of its words is in `SOFT_WORDS`."""
    return direction is not None and any(word in SOFT_WORDS for word in direction.strip("[]").lower().split())


def is_citation(body: str) -> bool:
    """True for what a reader skips: numeric citations (`12`, `3, 4`, `12-14`), editorial marks (`sic`,
    `citation needed`) and footnote marks (`a`, `iv`, `*`, Markdown's `^3`)."""
    if _CITATION_BODY.fullmatch(body) or _FOOTNOTE_BODY.fullmatch(body):
        return True
    return " ".join(body.split()).lower() in EDITORIAL_MARKS


def _other_bracket_text(body: str) -> str:
    """Bracketed text that is neither a direction nor a citation, as plain text: an omission `[...]` becomes `...`,
    anything else is kept in parentheses so that no square bracket reaches the model."""
    if _OMISSION_BODY.fullmatch(body):
        return "..."
    return f"({body.strip()})" if body.strip() else ""


def _bracket_piece(bracket: _Bracket, keep_citations: bool) -> Piece:
    """What one bracketed span becomes: a `Direction`, dropped text (`""`), or plain text."""
    direction = direction_of(bracket.body)
    if direction is not None:
        return Direction(direction, bracket.start)
    if is_citation(bracket.body):
        return f"({bracket.body.strip()})" if keep_citations else ""
    return _other_bracket_text(bracket.body)


def merge_text(pieces: Iterable[Piece]) -> list[Piece]:
    """Adjacent text pieces joined into one, and empty text dropped: `"word" + "."` reads `"word."`."""
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str):
            if not piece:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + piece
                continue
        merged.append(piece)
    return merged


def split_directions(text: str, *, keep_citations: bool = False) -> list[Piece]:
    """Parse `text` into text pieces and `Direction` tokens, in order.

    Adjacent text is merged (a dropped citation leaves no seam) and empty text is left out. Citations and editorial
    marks are dropped unless `keep_citations`, then they are kept as text in parentheses. Raises `InputError` naming
    the position of an unclosed direction (`[` right before a letter, never closed).
    """
    if "[" not in text and "]" not in text:
        return [text] if text else []
    spans, lone = _find_brackets(text)
    if lone:
        text = _parenthesize(text, lone)
    pieces: list[Piece] = []
    cursor = 0
    for bracket in spans:
        _append_text(pieces, text[cursor : bracket.start])
        piece = _bracket_piece(bracket, keep_citations)
        if isinstance(piece, Direction):
            pieces.append(piece)
        elif piece:
            _append_text(pieces, piece)
        else:
            pieces.append(_DROPPED)
        cursor = bracket.end
    _append_text(pieces, text[cursor:])
    return merge_text(p for p in pieces if p is not _DROPPED)


def _parenthesize(text: str, positions: list[int]) -> str:
    """Lone brackets kept as the parentheses a reader would take them for (same length, so positions hold)."""
    chars = list(text)
    for at in positions:
        chars[at] = "(" if chars[at] == "[" else ")"
    return "".join(chars)


_DROPPED = Direction("")
"""Marks where a citation was dropped, so the text on both sides is joined without a doubled space."""


def _append_text(pieces: list[Piece], text: str) -> None:
    """Append `text`; right after a dropped citation, join it to the text before the citation with the seam
    closed (the text before a bracket is always appended, if empty, so it is there)."""
    if pieces and pieces[-1] is _DROPPED:
        pieces.pop()
        left = pieces.pop()
        assert isinstance(left, str)
        pieces.append(_close_seam(left, text))
    else:
        pieces.append(text)


def directions_in(pieces: Iterable[Piece]) -> list[Direction]:
    """The directions among `pieces`, in order."""
    return [piece for piece in pieces if isinstance(piece, Direction)]


def _close_seam(left: str, right: str) -> str:
    """`left + right` where a direction was removed between them: one space at most is left at the seam, and none
    before punctuation or at the start of the text."""
    if right[:1].isspace() or right[:1] in _CLOSING_PUNCTUATION or not left.strip():
        left = left.rstrip()
    if left[-1:].isspace() or not left:
        right = right.lstrip()
    return left + right


_CLOSING_PUNCTUATION = frozenset(",.;:!?…)”’\"'")


def strip_directions(pieces: Sequence[Piece]) -> tuple[list[Piece], list[Direction]]:
    """The pieces without their directions (text merged back, the seam closed up so that no double space or space
    before punctuation is left), and the directions removed, in order, so the caller can warn that the model takes
    none."""
    removed = directions_in(pieces)
    if not removed:
        return list(pieces), []
    text = ""
    after_direction = False
    for piece in pieces:
        if isinstance(piece, Direction):
            after_direction = True
        elif after_direction:
            text, after_direction = _close_seam(text, piece), False
        else:
            text += piece
    text = text.rstrip() if after_direction else text
    return ([text] if text.strip() else []), removed


def strip_directions_from_text(text: str, *, keep_citations: bool = False) -> tuple[str, list[Direction]]:
    """`text` with its directions removed (citations handled as in `split_directions`), and what was removed."""
    pieces, removed = strip_directions(split_directions(text, keep_citations=keep_citations))
    return "".join(p for p in pieces if isinstance(p, str)), removed
