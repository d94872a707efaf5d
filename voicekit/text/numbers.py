"""Spoken English words for numbers: the primitives the normalizer's rules are built from.

Every function takes digits (already found by a rule) and returns words only. num2words does the counting;
the helpers here fix the shape voicekit speaks:

- American cardinals without "and" or commas: 123 -> "one hundred twenty-three" (num2words says
  "one hundred and twenty-three"; a listener hears both as the same number, the shorter one reads better).
- Years in pairs: 1990 -> "nineteen ninety", 1905 -> "nineteen oh five", 2005 -> "two thousand five",
  2024 -> "twenty twenty-four", 1900 -> "nineteen hundred", 2000 -> "two thousand".
- Digits one by one where a number is an identifier (leading zeros, telephone groups).

num2words' currency mode is never used (its default is EUR and it reads integers as cents): money is composed
from cardinals by the money rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_CANONICAL = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

_FRACTION_SPECIAL = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _american(words: str) -> str:
    """Drop num2words' British "and" and its thousands commas: "one thousand, two hundred and five"
    -> "one thousand two hundred five"."""
    return words.replace(",", "").replace(" and ", " ")


@lru_cache(maxsize=4096)
def cardinal(number: int) -> str:
    """A whole number in words, "minus" before a negative one: -2 -> "minus two"."""
    return _american(num2words(number, lang="en"))


@lru_cache(maxsize=1024)
def ordinal(number: int) -> str:
    """A whole number as an ordinal: 22 -> "twenty-second", 103 -> "one hundred third"."""
    return _american(num2words(number, lang="en", to="ordinal"))


def digits(text: str) -> str:
    """Each digit of ``text`` as its own word: "004" -> "zero zero four" (non-digits are skipped)."""
    return " ".join(_DIGIT_WORDS[int(ch)] for ch in text if ch.isdigit())


def two_digit_pair(number: int) -> str:
    """The last part of a year or clock reading (0..99): 5 -> "oh five", 0 -> "hundred", 42 -> "forty-two"."""
    if number == 0:
        return "hundred"
    if number < 10:
        return f"oh {_DIGIT_WORDS[number]}"
    return cardinal(number)


def year(number: int) -> str:
    """A year as people say it.

    Rules: whole thousands and 2001..2009 as cardinals ("two thousand", "two thousand five"); under 1000 the
    hundreds then the pair ("three forty" for 340, "ninety-eight" for 98); otherwise two pairs, "oh" before a
    single digit and "hundred" for 00 ("nineteen oh five", "nineteen hundred", "twenty twenty-four").
    """
    if number < 0:
        return f"minus {year(-number)}"
    if number < 100:
        return cardinal(number)
    if number % 1000 == 0 or 2000 < number < 2010:
        return cardinal(number)
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return cardinal(number) if rest == 0 else f"{cardinal(hundreds)} {two_digit_pair(rest)}"
    if number >= 10000:
        return cardinal(number)
    high, low = divmod(number, 100)
    return f"{cardinal(high)} {two_digit_pair(low)}"


def plural(words: str) -> str:
    """The plural of a spoken number, for decades: "nineteen ninety" -> "nineteen nineties",
    "nineteen ten" -> "nineteen tens", "two thousand" -> "two thousands"."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith(("x", "s")):
        return words + "es"
    return words + "s"


def decade(number: int) -> str:
    """A decade written as its first year: 1990 -> "nineteen nineties", 80 -> "eighties", 2000 -> "two thousands"."""
    return plural(year(number))


def decimal(integer_part: str, fraction_part: str) -> str:
    """A decimal as "<whole> point <digit> <digit>...": ("3", "14") -> "three point one four";
    an empty whole part is not spoken (".5" -> "point five")."""
    whole = cardinal(int(integer_part.replace(",", ""))) if integer_part else ""
    spoken = f"point {digits(fraction_part)}" if fraction_part else ""
    return " ".join(part for part in (whole, spoken) if part)


def fraction(numerator: int, denominator: int) -> str:
    """A common fraction: 1/2 -> "one half", 3/4 -> "three quarters", 5/8 -> "five eighths", 2/1 -> "two over one"
    (and "over zero" for a zero denominator, which has no ordinal)."""
    if denominator in (0, 1):
        return f"{cardinal(numerator)} over {cardinal(denominator)}"
    singular, many = _FRACTION_SPECIAL.get(denominator, ("", ""))
    if not singular:
        singular = ordinal(denominator)
        many = plural(singular)
    return f"{cardinal(numerator)} {singular if numerator == 1 else many}"


def mixed_fraction(whole: int, numerator: int, denominator: int) -> str:
    """A whole number and a fraction: 2 1/2 -> "two and a half", 3 2/4 -> "three and two quarters"."""
    part = fraction(numerator, denominator)
    if numerator == 1 and denominator > 1:
        part = "a " + part.split(" ", 1)[1]
    return f"{cardinal(whole)} and {part}"


def roman_value(numeral: str) -> int | None:
    """The value of a well-formed upper-case Roman numeral ("XIV" -> 14), None for anything else ("IIII", "IC")."""
    if not numeral or not _ROMAN_CANONICAL.fullmatch(numeral):
        return None
    total = 0
    for index, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total
