"""The characters a regular expression cannot match without: one of them is in every match.

A rule whose pattern needs a ``/`` is skipped on text with no ``/`` in it, found by one scan in C instead of a
regular-expression pass that tries a match at every digit. The set is derived from the parsed pattern, so it is a
necessary condition by construction: skipping on it never changes what a rule reads.

For a sequence, any one mandatory element's characters will do (the most selective set that holds no digit is
kept, since the texts the digit rules see always hold digits); an alternation needs the union of its branches';
a repeat needs its body's only when it repeats at least once. Lookarounds, back references, classes such as
``\\w`` or negated sets give no answer. Letters under IGNORECASE count in both cases (patterns are ASCII).
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

MAX_SET = 256
"""Larger character sets are not worth a scan (they hold nearly every character of ordinary text)."""

Chars = frozenset[str]


def needed_characters(pattern: re.Pattern[str]) -> Chars | None:
    """One of these characters is in every match of `pattern`; None when no small set can be said."""
    parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    return _sequence(list(parsed), bool(pattern.flags & re.IGNORECASE))


def needs_pattern(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A character class finding one of `pattern`'s needed characters, or None when the set is unknown or
    holds a digit (it would find a digit in any text the digit rules see)."""
    chars = needed_characters(pattern)
    if not chars or any(char.isdigit() for char in chars):
        return None
    return re.compile("[" + "".join(re.escape(char) for char in sorted(chars)) + "]")


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _sequence(items: list[Any], ignorecase: bool) -> Chars | None:
    """The best set among the mandatory elements of a sequence: no digit, then smallest."""
    best: Chars | None = None
    for op, value in items:
        chars = _element(_name(op), value, ignorecase)
        if chars is None:
            continue
        if best is None or _better(chars, best):
            best = chars
    return best


def _better(chars: Chars, best: Chars) -> bool:
    digits, best_digits = any(c.isdigit() for c in chars), any(c.isdigit() for c in best)
    if digits != best_digits:
        return not digits
    return len(chars) < len(best)


def _element(op: str, value: Any, ignorecase: bool) -> Chars | None:
    """The set one element of a parsed pattern needs, or None."""
    if op == "LITERAL":
        return _cased(frozenset(chr(value)), ignorecase)
    if op == "IN":
        return _in(value, ignorecase)
    if op == "BRANCH":
        union: set[str] = set()
        for branch in value[1]:
            chars = _sequence(list(branch), ignorecase)
            if chars is None:
                return None
            union |= chars
        return frozenset(union) if len(union) <= MAX_SET else None
    if op == "SUBPATTERN":
        _group, add_flags, del_flags, body = value
        cased = (ignorecase or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _sequence(list(body), cased)
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, body = value
        return _sequence(list(body), ignorecase) if low >= 1 else None
    if op == "ATOMIC_GROUP":
        return _sequence(list(value), ignorecase)
    return None


def _in(members: list[Any], ignorecase: bool) -> Chars | None:
    """The characters of a set `[...]`; None when it is negated or holds a class."""
    chars: set[str] = set()
    for op, value in members:
        name = _name(op)
        if name == "LITERAL":
            chars.add(chr(value))
        elif name == "RANGE" and value[1] - value[0] < MAX_SET:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:
            return None
    return _cased(frozenset(chars), ignorecase) if len(chars) <= MAX_SET else None


def _cased(chars: Chars, ignorecase: bool) -> Chars:
    """Both cases of ASCII letters when the pattern ignores case."""
    if not ignorecase:
        return chars
    return chars | {c.swapcase() for c in chars if c.isascii() and c.isalpha()}
