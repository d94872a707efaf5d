"""The small machinery every normalization rule shares: a named regex with a function that speaks a match.

A rule's ``speak`` returns the words for one match, or ``None`` when the match turns out not to be what the
rule reads (an invalid date, a decreasing "range"); the written text is then left for the rules after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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

    def apply(self, text: str) -> str:
        """Replace every match with its spoken words, a space apart from any letter it touches."""
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

    A rule is skipped when its trigger is absent. Rules write words, never digits, so once the text holds no
    digit, no later rule needs to look for one: that answer is kept instead of searched again."""
    digits_absent = False
    for rule in rules:
        trigger = rule.trigger
        if trigger is DIGIT:
            digits_absent = digits_absent or DIGIT.search(text) is None
            if digits_absent:
                continue
        elif trigger is not None and trigger.search(text) is None:
            continue
        text = rule.pattern.sub(rule._replace, text)
    return text


DIGIT = re.compile(r"[0-9]")


def compile_rule(name: str, pattern: str, speak: Speaker, trigger: str | None = r"[0-9]") -> Rule:
    """A Rule from a pattern string, by default tried only on text that holds a digit. Digits are ASCII only
    (``re.ASCII``): other scripts' digits are not read by these rules."""
    compiled_trigger = None if trigger is None else (DIGIT if trigger == r"[0-9]" else re.compile(trigger))
    return Rule(name, re.compile(pattern, re.ASCII), speak, compiled_trigger)


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
