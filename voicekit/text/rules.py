"""The small machinery every normalization rule shares: a named regex with a function that speaks a match.

A rule's ``speak`` returns the words for one match, or ``None`` when the match turns out not to be what the
rule reads (an invalid date, a decreasing "range"); the written text is then left for the rules after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from voicekit.text.needs import needs_pattern

Speaker = Callable[[re.Match[str]], "str | None"]

_SENTENCE_END_AFTER = re.compile(r"\s*$|\s+[\"'“‘(\[]?[A-Z]")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class Rule:
    """One rule: what it reads (``pattern``) and how it is spoken (``speak``)."""

    name: str
    pattern: re.Pattern[str]
    speak: Speaker
    # A cheap test: the rule is skipped on text where the trigger is absent (most prose holds no digit).
    trigger: re.Pattern[str] | None = None
    # Characters one of which is in every match (``voicekit.text.needs``): a scan in C that skips the rule.
    needs: re.Pattern[str] | None = None

    def apply(self, text: str) -> str:
        """Replace every match with its spoken words, a space apart from any letter it touches."""
        if self.needs is not None and self.needs.search(text) is None:
            return text
        if self.trigger is not None and self.trigger.search(text) is None:
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        words = self.speak(match)
        if words is None:
            return match.group(0)
        return pad_between_letters(match, words)


def apply_rules(rules: Sequence[Rule], text: str) -> str:
    """Apply ``rules`` in order; each sees the text the previous ones left.

    A rule is skipped when its trigger or the characters it needs are absent. Rules write words, never digits, so
    once the text holds no digit, no later rule needs to look for one: that answer is kept instead of searched
    again."""
    digits_absent = False
    for rule in rules:
        if rule.trigger is DIGIT:
            digits_absent = digits_absent or DIGIT.search(text) is None
            if digits_absent:
                continue
        if _skipped(rule, text):
            continue
        text = rule.pattern.sub(rule._replace, text)
    return text


def _skipped(rule: Rule, text: str) -> bool:
    """Whether `rule` cannot match `text`: the characters it needs, or its trigger (other than a digit, which
    `apply_rules` checks) are absent."""
    if rule.needs is not None and rule.needs.search(text) is None:
        return True
    trigger = rule.trigger
    return trigger is not None and trigger is not DIGIT and trigger.search(text) is None


DIGIT = re.compile(r"[0-9]")
_DIGIT_RUN = re.compile(r"[0-9]+")
# How far from a digit any digit rule looks or reaches (a month name before a day, "p.m. e.s.t." after a time,
# "the" before "5th of May"); windows are cut this far from the nearest digit, at whitespace.
CONTEXT = 48


def digit_windows(text: str, margin: int = CONTEXT) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold every digit with ``margin`` characters around it, widened to whitespace,
    merged where they meet; in order and disjoint.

    Linear in the text's length, even with no whitespace at all ("1,1,1,..." on one 5 MB line): a digit inside
    the window before it widens nothing, and the look back for whitespace stops at the previous window's end."""
    windows: list[tuple[int, int]] = []
    run = _DIGIT_RUN.search(text)
    while run is not None:
        floor = windows[-1][1] if windows else 0
        start = _whitespace_before(text, run.start() - margin, floor)
        end = _whitespace_after(text, max(run.end() + margin, floor))
        if windows and start <= floor:
            windows[-1] = (windows[-1][0], max(end, floor))
        else:
            windows.append((start, end))
        # A run ending `margin` or more before the window's end widens nothing: look on from there. A run found
        # from the middle has the same end, and its start is inside the window either way.
        run = _DIGIT_RUN.search(text, max(run.end(), windows[-1][1] - margin))
    return windows


def _whitespace_before(text: str, position: int, floor: int = 0) -> int:
    """The start of the word at ``position``, looking back no further than ``floor`` (0: the start of the text)."""
    if position <= floor:
        return max(0, position)
    while position > floor and not text[position - 1].isspace():
        position -= 1
    return position


_SPACE = re.compile(r"\s")


def _whitespace_after(text: str, position: int) -> int:
    """The end of the word at ``position`` (the end of the text at most)."""
    found = _SPACE.search(text, position) if position < len(text) else None
    return found.start() if found is not None else len(text)


def apply_near_digits(rules: Sequence[Rule], text: str) -> str:
    """Apply digit rules only to the windows around digits: the same result as on the whole text (no rule
    looks further than ``CONTEXT`` from a digit) at a cost that grows with the digits, not with the prose."""
    pieces = []
    position = 0
    for start, end in digit_windows(text):
        pieces.append(text[position:start])
        pieces.append(_apply_to_window(rules, text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


RESCAN = 4096
"""A window longer than this is cut into windows again after the first rule that changes it."""


def _apply_to_window(rules: Sequence[Rule], window: str) -> str:
    """`apply_rules` on one window. A long window (digits all along a line without whitespace, a column of
    dates) is windowed again after the first rule that changes it: once "1/2/2020" has become words, the rules
    after need to look only where digits are left, not at every character of the line again."""
    if len(window) <= RESCAN:
        return apply_rules(rules, window)
    for index, rule in enumerate(rules):
        changed = apply_rules((rule,), window)
        if changed != window:
            return apply_near_digits(rules[index + 1 :], changed)
    return window


def compile_rule(name: str, pattern: str, speak: Speaker, trigger: str | None = r"[0-9]") -> Rule:
    """A Rule from a pattern string, by default tried only on text that holds a digit. Digits are ASCII only
    (``re.ASCII``): other scripts' digits are not read by these rules."""
    compiled_trigger = None if trigger is None else (DIGIT if trigger == r"[0-9]" else re.compile(trigger))
    compiled = re.compile(pattern, re.ASCII)
    return Rule(name, compiled, speak, compiled_trigger, needs_pattern(compiled))


def unnamed(pattern: str) -> str:
    """The same pattern without group names, so it can appear twice in one regex (both sides of a range)."""
    return _NAMED_GROUP.sub("(?:", pattern)


def range_pattern(token: str, dash: str = r"\s*[-–—]\s*") -> str:
    """Two tokens joined by a dash: groups ``a`` and ``b`` hold the two sides."""
    side = unnamed(token)
    return f"(?P<a>{side}){dash}(?P<b>{side})"


def sentence_end_follows(match: re.Match[str]) -> bool:
    """True when the match is followed by the end of the text or by a capitalised word: an abbreviation's
    period there also ends the sentence, so the spoken form keeps it."""
    return _SENTENCE_END_AFTER.match(match.string, match.end()) is not None


def pad_between_letters(match: re.Match[str], words: str) -> str:
    """Put a space between spoken words and a letter they would otherwise be glued to ("1th" -> "one th")."""
    text = match.string
    if words and match.start() > 0 and text[match.start() - 1].isalpha() and words[0].isalpha():
        words = " " + words
    if words and match.end() < len(text) and text[match.end()].isalpha() and words[-1].isalpha():
        words = words + " "
    return words
