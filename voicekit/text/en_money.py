"""English rules for money.

Money is composed from cardinals, never with num2words' currency mode (its default currency is EUR and it
reads integers as cents):
- "$3.50" -> "three dollars and fifty cents", "$12" -> "twelve dollars", "$0.50" -> "fifty cents",
  "£1.20" -> "one pound and twenty pence", "-$5" -> "minus five dollars";
- a scale word or letter makes a decimal amount: "$3.5M" -> "three point five million dollars",
  "$2.5 billion" -> "two point five billion dollars";
- three or more decimals that matter are read as a decimal: "$20.506" -> "twenty point five zero six dollars";
- currencies without a spoken minor unit (yen, won) read any decimals as a decimal;
- a range shares its currency and scale: "$5-10" -> "five to ten dollars", "$1-2 million" -> "one to two
  million dollars"; "$250-$300" -> "two hundred fifty dollars to three hundred dollars";
- ISO codes after or before the amount: "20 USD" -> "twenty US dollars", "EUR 5" -> "five euros".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicekit.text import numbers
from voicekit.text.en_numbers import MINUS, NUMBER, number_words
from voicekit.text.rules import Rule, compile_rule, range_pattern

# currency -> (one major, many major, one minor, many minor); an empty minor means none is spoken.
_CURRENCIES = {
    "dollar": ("dollar", "dollars", "cent", "cents"),
    "pound": ("pound", "pounds", "penny", "pence"),
    "euro": ("euro", "euros", "cent", "cents"),
    "yen": ("yen", "yen", "", ""),
    "rupee": ("rupee", "rupees", "paisa", "paise"),
    "won": ("won", "won", "", ""),
    "yuan": ("yuan", "yuan", "", ""),
    "franc": ("Swiss franc", "Swiss francs", "centime", "centimes"),
}
_SYMBOLS = {"$": "dollar", "£": "pound", "€": "euro", "¥": "yen", "₹": "rupee", "₩": "won"}
# ISO code -> (currency, country said before "dollar").
_CODES = {"USD": ("dollar", "US"), "CAD": ("dollar", "Canadian"), "AUD": ("dollar", "Australian"),
          "NZD": ("dollar", "New Zealand"), "HKD": ("dollar", "Hong Kong"), "EUR": ("euro", ""),
          "GBP": ("pound", ""), "JPY": ("yen", ""), "INR": ("rupee", ""), "KRW": ("won", ""),
          "CNY": ("yuan", ""), "CHF": ("franc", "")}
_COUNTRY_DOLLARS = {"US": "US", "A": "Australian", "AU": "Australian", "C": "Canadian", "CA": "Canadian",
                    "NZ": "New Zealand", "HK": "Hong Kong"}
_SCALES = {"thousand": "thousand", "k": "thousand", "million": "million", "m": "million", "mm": "million",
           "mn": "million", "billion": "billion", "b": "billion", "bn": "billion", "trillion": "trillion",
           "t": "trillion", "tn": "trillion"}
_PER = {"mo": "month", "month": "month", "yr": "year", "year": "year", "wk": "week", "week": "week",
        "d": "day", "day": "day", "hr": "hour", "h": "hour", "hour": "hour", "min": "minute"}

_SCALE = (r"(?P<scale>(?i:thousand|million|billion|trillion)\b|(?:k|K|m|M|mm|MM|mn|b|B|bn|t|T|tn)"
          r"(?![\w$£€¥₹₩]))")
_PER_PATTERN = r"(?:/(?P<per>mo|month|yr|year|wk|week|d|day|hr|h|hour|min)\b)?"
_SYMBOL = r"(?P<country>US|AU|CA|NZ|HK|A|C)?(?P<symbol>[$£€¥₹₩])"
_AMOUNT = rf"(?P<amount>{NUMBER})(?!\d|[.,]\d)"
_MONEY = rf"{MINUS}{_SYMBOL}\s?{_AMOUNT}(?:\s?{_SCALE})?{_PER_PATTERN}"
_CODE = "|".join(_CODES)


@dataclass(frozen=True)
class Money:
    """An amount as written, with what it is counted in."""

    amount: str
    currency: str
    country: str = ""
    scale: str = ""
    per: str = ""
    minus: bool = False


def _major(money: Money, count_one: bool) -> str:
    """The currency's major unit, singular for exactly one ("dollar"), after its country ("US dollars")."""
    one, many, _, _ = _CURRENCIES[money.currency]
    unit = one if count_one else many
    return f"{money.country} {unit}" if money.country else unit


def _amount_words(money: Money) -> str:
    """The amount with its units: dollars and cents, or a decimal amount of dollars."""
    whole, _, fraction = money.amount.partition(".")
    if money.scale:
        return f"{number_words(money.amount)} {money.scale} {_major(money, False)}"
    fraction = fraction.rstrip("0") if len(fraction) > 2 else fraction
    _, _, one_minor, many_minor = _CURRENCIES[money.currency]
    if len(fraction) > 2 or (fraction and not one_minor):
        return f"{number_words(money.amount)} {_major(money, False)}"
    major = int(whole.replace(",", "") or 0)
    minor = int((fraction + "00")[:2])
    parts = []
    if major or not minor:
        parts.append(f"{numbers.cardinal(major)} {_major(money, major == 1)}")
    if minor:
        parts.append(f"{numbers.cardinal(minor)} {one_minor if minor == 1 else many_minor}")
    return " and ".join(parts)


def money_words(money: Money) -> str:
    """An amount of money in words, with "minus" and a "per" period when written."""
    spoken = _amount_words(money)
    if money.per:
        spoken += f" per {_PER[money.per]}"
    return f"minus {spoken}" if money.minus else spoken


def _from_symbol(match: re.Match[str], amount: str) -> Money:
    """The Money a symbol-written match stands for ("US$5M": dollars, US, million)."""
    groups = match.groupdict()
    currency = _SYMBOLS[match["symbol"]]
    country = match["country"] or ""
    return Money(
        amount=amount,
        currency=currency,
        country=_COUNTRY_DOLLARS[country] if country and currency == "dollar" else "",
        scale=_SCALES[match["scale"].lower()] if match["scale"] else "",
        per=groups.get("per") or "",
        minus=bool(groups.get("minus")),
    )


def _speak_money(match: re.Match[str]) -> str:
    """ "$3.50" -> "three dollars and fifty cents"."""
    return money_words(_from_symbol(match, match["amount"]))


_MONEY_RE = re.compile(_MONEY, re.ASCII)


def _speak_money_range(match: re.Match[str]) -> str | None:
    """ "$250-$300" -> "two hundred fifty dollars to three hundred dollars"."""
    sides = [_MONEY_RE.fullmatch(match[name]) for name in ("a", "b")]
    if sides[0] is None or sides[1] is None:
        return None
    return f"{_speak_money(sides[0])} to {_speak_money(sides[1])}"


def _speak_shared_range(match: re.Match[str]) -> str:
    """ "$5-10" -> "five to ten dollars", "$1-2 million" -> "one to two million dollars"."""
    money = _from_symbol(match, match["last"])
    first = number_words(match["first"])
    if money.scale or "." not in match["last"]:
        return f"{first} to {money_words(money)}"
    return f"{money_words(_from_symbol(match, match['first']))} to {money_words(money)}"


def _speak_code(match: re.Match[str]) -> str:
    """ "20 USD" -> "twenty US dollars", "EUR 5" -> "five euros"."""
    currency, country = _CODES[match["code"]]
    scale = _SCALES[match["scale"].lower()] if match.groupdict().get("scale") else ""
    return money_words(Money(match["amount"], currency, country, scale))


MONEY_RULES: tuple[Rule, ...] = (
    compile_rule("money range", range_pattern(_MONEY, r"\s*[-–]\s*"), _speak_money_range),
    compile_rule("money shared range", rf"{_SYMBOL}\s?(?P<first>{NUMBER})\s*[-–]\s*(?P<last>{NUMBER})"
                 rf"(?!\d|[.,]\d)(?:\s?{_SCALE})?{_PER_PATTERN}", _speak_shared_range),
    compile_rule("money", _MONEY, _speak_money),
    compile_rule("amount and code", rf"(?<![\d.]){_AMOUNT}(?:\s?{_SCALE})?\s?(?P<code>{_CODE})\b", _speak_code),
    compile_rule("code and amount", rf"\b(?P<code>{_CODE})\s?{_AMOUNT}(?:\s?{_SCALE})?", _speak_code),
)
