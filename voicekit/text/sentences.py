"""English sentence boundaries that survive abbreviations, decimals, initials, ellipses, quotes and brackets.

The text is read as whitespace-separated tokens; a boundary can only fall between two tokens, so a sentence is
always a run of whole tokens and joining the sentences with spaces gives back every word in order. Whether a token
ends a sentence is decided from the token and the next one, by small rules (`_ends_sentence` and its helpers):

- it must end in `.`, `!`, `?` (or Arabic `؟`) or an ellipsis, optionally followed by closing quotes or brackets;
- the next token must not start with a lower-case letter (`"This is great." she said`, `Yahoo! in`);
- a title before a name never ends a sentence (`Mr.`, `Dr.`, `Mt.`, `St.`, `vs.`);
- an abbreviation before a number does not (`p. 55`, `No. 5`), nor does a lone lower-case letter (`e.`);
- a multi-period abbreviation (`U.S.`, `a.m.`) or a capital initial (`J. R. R. Tolkien`, `Albert I. Jones`) ends a
  sentence only before a common sentence opener (`I live in the U.S. How about you?`);
- list markers (`1.`, `2.)`, `b.`, `•`) start a new sentence when they continue a list begun earlier in the text.

Checked against pySBD's English golden rules (see tests/text/test_sentences.py for the count).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_CLOSERS = "\"'”’)]}»›"
_OPENERS = "\"'“‘([{«‹"
_TERMINALS = ".!?…؟"

TITLES: frozenset[str] = frozenset(
    "mr mrs ms mx dr prof st mt ft rev fr sr jr gen col capt cpt lt sgt maj cmdr adm gov pres sen rep hon messrs "
    "mme mlle mssrs vs v esq supt insp cdr brig cpl pvt lieut".split()
)
"""Abbreviations (lower-case, without the period) that introduce a name: a sentence never ends after them.
`jr`/`sr` are here too: `Jr. Smith` is rarer than `John Smith Jr. said`, but both read fine as one sentence."""

NUMBER_ABBREVIATIONS: frozenset[str] = frozenset(
    "p pp no nos n° nr vol vols ch chap fig figs sec sect art para par eq eqs op ed ex approx ca c cf tel ph "
    "ref refs pt pts vs ver v jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
"""Abbreviations (lower-case) that stand before a number: `p. 55`, `No. 5` and `Jan. 5` are not sentence ends."""

SENTENCE_OPENERS: frozenset[str] = frozenset(
    "A Being Did For He How However I In It Millions More She That The There They We What When Where Who Why "
    "This These Those You Our My His Her Its Their But And So Then Yet If As At On After Before Although Though "
    "Meanwhile Still Now Here Today".split()
)
"""Words that commonly open a sentence; after `U.S.` or an initial, only these make a boundary (from pySBD's
`SENTENCE_STARTERS`, extended)."""

_MULTI_PERIOD = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]\.?", re.UNICODE)
_LIST_MARKER = re.compile(r"[•⁃▪‣◦·*-]?(\d{1,3}|[a-z])(\.\)|\)|\.)|[•⁃▪‣◦·]")
_BULLETS = frozenset("•⁃▪‣◦·")
_ENDERS = frozenset(_TERMINALS + _CLOSERS)
_ANY_BULLET = re.compile("[" + "".join(sorted(_BULLETS)) + "]")
_ELLIPSIS_ONLY = re.compile(r"[.…]+")
_BRACKETED_OMISSION = re.compile(r"\[(?:\.\.\.|…)\][\"'”’)]*")


def _core(token: str) -> str:
    """The token without closing quotes or brackets at its end."""
    return token.rstrip(_CLOSERS)


def _first_letter(token: str) -> str:
    """The first character after opening quotes or brackets ("" if none)."""
    stripped = token.lstrip(_OPENERS)
    return stripped[:1]


def _opener_word(token: str) -> str:
    """The next token as a word to look up in `SENTENCE_OPENERS` (openers and trailing punctuation removed)."""
    return token.lstrip(_OPENERS).rstrip(_CLOSERS + ",;:.!?")


def _period_rule(core: str, next_token: str) -> bool:
    """A token ending in one period: abbreviation rules decide (titles, numbers, U.S., initials)."""
    word = core[:-1].lstrip(_OPENERS)
    lower = word.lower()
    if lower in TITLES:
        return False
    if next_token[:1].isdigit() and (lower in NUMBER_ABBREVIATIONS or len(word) == 1):
        return False
    if len(word) == 1 and word.isalpha():
        if word.islower():
            return False
        return _opener_word(next_token) in SENTENCE_OPENERS
    if "." in word and _MULTI_PERIOD.fullmatch(core):
        return _opener_word(next_token) in SENTENCE_OPENERS
    return True


def _ends_sentence(token: str, next_token: str) -> bool:
    """Whether a sentence ends after `token` when `next_token` follows it."""
    core = _core(token)
    if not core or core[-1] not in _TERMINALS or _ELLIPSIS_ONLY.fullmatch(_core(next_token)):
        return False
    first = _first_letter(next_token)
    if first.islower():
        return False
    if core[-1] in "!?…؟" or core.endswith(("..", ". .")):
        return _ellipsis_rule(core, token, next_token)
    return _period_rule(core, next_token)


def _ellipsis_rule(core: str, token: str, next_token: str) -> bool:
    """`!`, `?` and ellipses end a sentence before a capital, except a bracketed omission (`[...]`), a lone
    ellipsis that opens a sentence, and a three-dot ellipsis before `I` (always a capital: `is . . . I didn't`)."""
    if _BRACKETED_OMISSION.fullmatch(token) or _ELLIPSIS_ONLY.fullmatch(core.replace(" ", "")):
        return False
    dots = core.replace(" ", "")
    if _opener_word(next_token) == "I" and (dots.endswith("…") or dots.endswith("...") and not dots.endswith("....")):
        return False
    return True


def _list_kind(token: str) -> tuple[str, int] | None:
    """A list marker's style and value: `2.)` -> ("1.)", 2), `b.` -> ("a.", 2), `•` -> ("•", 0)."""
    match = _LIST_MARKER.fullmatch(token)
    if match is None:
        return None
    if match.group(1) is None:
        return ("•", 0)
    value, style = match.group(1), match.group(2)
    if value.isdigit():
        return (token[0] + "1" + style if token[0] in _BULLETS else "1" + style, int(value))
    return ("a" + style, ord(value) - ord("a") + 1)


def _list_starts(tokens: Sequence[str]) -> set[int]:
    """Indexes of tokens that start a list item continuing a list seen earlier: `1. ... 2. ...` splits before
    `2.`; a bullet starts an item wherever it stands (but not right after another bullet)."""
    starts: set[int] = set()
    last_value: dict[str, int] = {}
    for index, token in enumerate(tokens):
        kind = _list_kind(token)
        if kind is None:
            continue
        style, value = kind
        after_bullet = index > 0 and tokens[index - 1] in _BULLETS
        if index > 0 and not after_bullet and (style == "•" or last_value.get(style) == value - 1):
            starts.add(index)
        if style == "•" or index == 0 or after_bullet or index in starts or last_value.get(style) == value - 1:
            last_value[style] = value
    return starts


def _glue_ellipsis_tokens(tokens: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Spans with spaced ellipses (`. . .`) joined to the token before them, so `weakened . . . was` stays whole.
    A word ending in a period followed by a spaced ellipsis and a capital (`compounds. . . . The`) keeps its period
    and hands the ellipsis to the next sentence, as style guides for omissions do."""
    glued: list[tuple[int, int]] = []
    for start, end in tokens:
        if glued and _ELLIPSIS_ONLY.fullmatch(text[start:end].rstrip(_CLOSERS)) and text[start] in ".…":
            glued[-1] = (glued[-1][0], end)
        else:
            glued.append((start, end))
    return glued


def sentence_ends(tokens: Sequence[str]) -> list[bool]:
    """For each whitespace-free token, whether a sentence ends right after it (the last token always ends one)."""
    ends = [False] * len(tokens)
    if not tokens:
        return ends
    maybe_list = False
    for index in range(len(tokens) - 1):
        token = tokens[index]
        if token[-1] in _ENDERS:
            ends[index] = _ends_sentence(token, tokens[index + 1])
            maybe_list = maybe_list or (len(token) <= 5 and _list_kind(token) is not None)
    if maybe_list or _ANY_BULLET.search("".join(tokens)) or _list_kind(tokens[-1]) is not None:
        _mark_list_items(tokens, ends)
    ends[-1] = True
    return ends


def _mark_list_items(tokens: Sequence[str], ends: list[bool]) -> None:
    """A sentence ends before each list item that continues a list, and never right after a list marker."""
    if not any(_list_kind(token) is not None for token in tokens if len(token) <= 5):
        return
    for index in _list_starts(tokens):
        ends[index - 1] = True
    for index, token in enumerate(tokens):
        if _list_kind(token) is not None and (index == 0 or ends[index - 1] or tokens[index - 1] in _BULLETS):
            ends[index] = False


def _split_spaced_ellipsis(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split `compounds. . . .` back into `compounds.` and `. . .` when a capitalised word follows (see
    `_glue_ellipsis_tokens`)."""
    result: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(spans):
        piece = text[start:end]
        match = re.fullmatch(r"(\S*[^\s.]\.)((?:\s+\.){3})", piece)
        nxt = text[spans[index + 1][0] : spans[index + 1][1]] if index + 1 < len(spans) else ""
        if match and _first_letter(nxt).isupper():
            cut = start + len(match.group(1))
            result.append((start, cut))
            result.append((cut + len(match.group(2)) - len(match.group(2).lstrip()), end))
        else:
            result.append((start, end))
    return result


def token_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each token as `split_sentences` reads them: whitespace-separated, with spaced ellipses
    joined to the word before them."""
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    if ". ." in text:
        spans = _split_spaced_ellipsis(text, _glue_ellipsis_tokens(spans, text))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, each stripped of surrounding whitespace, inner whitespace kept as it was."""
    spans = token_spans(text)
    ends = sentence_ends([text[start:end] for start, end in spans])
    sentences: list[str] = []
    first = 0
    for index, end_here in enumerate(ends):
        if end_here:
            sentences.append(text[spans[first][0] : spans[index][1]])
            first = index + 1
    return sentences
