"""Text normalization: written text into words a voice can speak ("$3.50" -> "three dollars and fifty cents").

``normalize_text(text, language)`` is pure and is applied to the plain text between vocal directions.

What is left exactly as written:
- anything in square brackets (directions, citations such as ``[12]``): the rules never see it;
- digits joined one by one with hyphens (``2-0-3``): the convention for asking the voice to read digit by digit.
Everything else that holds an ASCII digit is read out, so the voice is never left to guess.

English (``language="en"``) rules run in this order (each module's docstring states its rules):
words (titles, abbreviations, Roman numerals; ``en_words``), e-mail and web addresses (``en_web``), fractions
written as one character ("1½"; ``en_numbers``), dates and
decades (``en_dates``), identifiers (telephone numbers, IP addresses, section numbers, versions;
``en_numbers``), clock times (``en_dates``), money (``en_money``), measures (``en_quantities``), then ranges,
fractions, ordinals, decimals, years and cardinals (``en_numbers``); then words and addresses once more.

Where voicekit deliberately reads differently from NVIDIA NeMo's English normalizer (measured in
``benchmarks/normalize_nemo.py``):
- ungrouped integers of five to nine digits are numbers ("13000 people" -> "thirteen thousand people"); NeMo
  reads them digit by digit. Only leading-zero and ten-plus-digit integers are read digit by digit here;
- a dash between a number and a larger one is a range read "to" ("pages 5-10", "2-5"), and so is a score in
  either order ("won 3-2"); NeMo keeps a dash;
- a 24-hour time on the hour is "sixteen hundred" ("16:00"); NeMo says "sixteen o'clock";
- a title in lower case is expanded ("dr. Evil" -> "doctor Evil"); NeMo leaves it as written;
- "2x8" is "two by eight"; "Sam II" (an unknown name) keeps its numeral: only regnal names take ordinals;
- "and" appears only between dollars and cents and in mixed fractions; NeMo also puts it in the last hundreds.

Languages: English, and Arabic (``language="ar"``), where integers, decimals and percentages become Arabic words
with num2words' Arabic (Arabic-Indic digits included). Any other language raises ``UnsupportedError``: the
voices voicekit drives speak English and Arabic, and a half-normalized text in another language (whose dates,
decimals and thousands separators differ) would be worse than a clear error. Language tags may carry a
region ("en-US", "ar_SA").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from num2words import num2words

from voicekit.errors import UnsupportedError
from voicekit.text.en_dates import DATE_RULES, TIME_RULES
from voicekit.text.en_money import MONEY_RULES
from voicekit.text.en_numbers import FRACTION_SYMBOL_RULES, IDENTIFIER_RULES, NUMBER_RULES
from voicekit.text.en_quantities import QUANTITY_RULES
from voicekit.text.en_web import WEB_RULES
from voicekit.text.en_words import WORD_RULES
from voicekit.text.rules import Rule, apply_near_digits, apply_rules, compile_rule

__all__ = ["SUPPORTED_LANGUAGES", "normalize_text"]

SUPPORTED_LANGUAGES = ("en", "ar")

# Text the rules never touch: square brackets, and single digits joined by hyphens (2-0-3).
KEPT = re.compile(r"\[[^\[\]]*\]|(?<![\w.-])\d(?:-\d){2,}(?![\w-]|\.\d)", re.ASCII)

PARAGRAPH_BREAK = re.compile(r"(\r?\n[ \t\r]*\n\s*)")

# Rules that read digits, in order. They run only near digits (see ``apply_near_digits``).
ENGLISH_DIGIT_RULES: tuple[Rule, ...] = (
    DATE_RULES + IDENTIFIER_RULES + TIME_RULES + MONEY_RULES + QUANTITY_RULES + NUMBER_RULES
)
# The whole English order. Words and addresses are read again at the end, now that numbers are words: an
# abbreviation whose neighbour was a number ("St" before "2024-05-01") is decided in its final context, so
# normalizing is idempotent.
ENGLISH_RULES: tuple[Rule, ...] = (
    WORD_RULES + WEB_RULES + FRACTION_SYMBOL_RULES + ENGLISH_DIGIT_RULES + WEB_RULES + WORD_RULES
)


def _normalize_english(text: str) -> str:
    """English rules in order, the digit rules applied only around digits."""
    text = apply_rules(WORD_RULES + WEB_RULES + FRACTION_SYMBOL_RULES, text)
    text = apply_near_digits(ENGLISH_DIGIT_RULES, text)
    return apply_rules(WEB_RULES + WORD_RULES, text)


def normalize_text(text: str, language: str = "en") -> str:
    """Return ``text`` with numbers, symbols and abbreviations written out as the words a voice should say.

    Square-bracketed text and hyphen-joined single digits (``2-0-3``) are kept exactly. Sentence punctuation is
    kept, so sentences can still be split afterwards. Raises ``UnsupportedError`` for a language other than
    English ("en") or Arabic ("ar").
    """
    normalize = _normalizer_for(language)
    pieces = []
    position = 0
    for kept in KEPT.finditer(text):
        pieces.append(_normalize_paragraphs(normalize, text[position : kept.start()]))
        pieces.append(kept.group(0))
        position = kept.end()
    pieces.append(_normalize_paragraphs(normalize, text[position:]))
    return _join_apart(pieces)


def _join_apart(pieces: list[str]) -> str:
    """Join normalized and kept pieces, with a space where spoken words would touch kept digits
    ("2-0-3$5" -> "2-0-3 five dollars"), so the digits stay recognisably kept when normalized again."""
    joined = ""
    for piece in pieces:
        if joined and piece and _would_glue(joined[-1], piece[0]):
            joined += " "
        joined += piece
    return joined


def _would_glue(left: str, right: str) -> bool:
    """True when a kept digit sequence and a neighbour would read as one token."""
    return (left.isdigit() and (right.isalnum() or right == "-")) or (
        right.isdigit() and (left.isalnum() or left in ".-")
    )


def _normalize_paragraphs(normalize: Callable[[str], str], text: str) -> str:
    """Normalize paragraph by paragraph (no date or number spans a blank line), so a rule whose trigger is
    absent from a paragraph costs nothing there."""
    parts = PARAGRAPH_BREAK.split(text)
    return "".join(part if index % 2 else normalize(part) for index, part in enumerate(parts))


def _normalize_arabic(text: str) -> str:
    """Arabic rules in order."""
    return apply_rules(ARABIC_RULES, text)


def _normalizer_for(language: str) -> Callable[[str], str]:
    """The normalizer for a language tag; the region part is ignored ("en-GB" is "en")."""
    primary = re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()
    if primary == "en":
        return _normalize_english
    if primary == "ar":
        return _normalize_arabic
    raise UnsupportedError(
        f"text normalization supports {', '.join(SUPPORTED_LANGUAGES)}, not {language!r}; "
        "write numbers out as words or normalize the text before passing it"
    )


# --- Arabic ----------------------------------------------------------------------------------------------

_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_POINT = "فاصلة"
_ARABIC_PERCENT = "بالمئة"
_ARABIC_MINUS = "سالب"


def _arabic_integer(written: str) -> str:
    """An integer in Arabic words; thousands separators ("," or "٬") are dropped."""
    return str(num2words(int(re.sub(r"[,٬]", "", written)), lang="ar")).strip()


def _arabic_number(match: re.Match[str]) -> str:
    """An Arabic reading of a number: whole part, "فاصلة", then the decimals as a number (leading zeros each
    read as zero), "سالب" before a negative one, "بالمئة" after a percentage. num2words' own Arabic decimals
    are not used: it reads 3.14 as "three, fourteen"."""
    spoken = _arabic_integer(match["whole"])
    if match["fraction"]:
        fraction = match["fraction"]
        zeros = len(fraction) - len(fraction.lstrip("0"))
        rest = fraction.lstrip("0")
        parts = [_arabic_integer("0")] * zeros + ([_arabic_integer(rest)] if rest else [])
        spoken += f" {_ARABIC_POINT} " + " ".join(parts)
    if match["minus"]:
        spoken = f"{_ARABIC_MINUS} {spoken}"
    if match["percent"]:
        spoken += f" {_ARABIC_PERCENT}"
    return spoken


def _to_western_digits(match: re.Match[str]) -> str:
    return match.group(0).translate(_EASTERN_DIGITS)


ARABIC_RULES: tuple[Rule, ...] = (
    Rule("eastern digits", re.compile(r"[٠-٩۰-۹]+"), _to_western_digits),
    compile_rule(
        "arabic number",
        r"(?:(?<![\w)])(?P<minus>-))?(?P<whole>\d{1,3}(?:[,٬]\d{3})+(?!\d)|\d+)(?:[.٫](?P<fraction>\d+))?"
        r"(?P<percent>\s?[%٪])?",
        _arabic_number,
    ),
)
