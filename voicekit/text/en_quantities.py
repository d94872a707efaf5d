"""English rules for quantities: money, percentages and measurements with units.

Money is composed from cardinals, never with num2words' currency mode (its default currency is EUR and it
reads integers as cents):
- "$3.50" -> "three dollars and fifty cents", "$12" -> "twelve dollars", "$0.50" -> "fifty cents",
  "£1.20" -> "one pound and twenty pence";
- a scale word or letter makes a decimal amount: "$3.5M" -> "three point five million dollars",
  "$2.5 billion" -> "two point five billion dollars";
- three or more decimals that matter are read as a decimal: "$20.506" -> "twenty point five zero six dollars";
- currencies without a spoken minor unit (yen, won) read any decimals as a decimal.

A unit is read only right after a number ("5 km", "12kg", "2°C", "4 1/2 lbs"); "in" only where it cannot be
the preposition (end of phrase, or before "x", "by", "long", "wide", ...).
"""

from __future__ import annotations

import re

from voicekit.text import numbers
from voicekit.text.en_numbers import INTEGER, NUMBER, number_words
from voicekit.text.rules import Rule, compile_rule, range_pattern

# symbol -> (one major, many major, one minor, many minor); an empty minor means none is spoken.
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "", ""),
}
_COUNTRY_DOLLARS = {"US": "US", "A": "Australian", "AU": "Australian", "C": "Canadian", "CA": "Canadian",
                    "NZ": "New Zealand", "HK": "Hong Kong"}
_SCALES = {"thousand": "thousand", "k": "thousand", "million": "million", "m": "million", "mm": "million",
           "mn": "million", "billion": "billion", "b": "billion", "bn": "billion", "trillion": "trillion",
           "t": "trillion", "tn": "trillion"}
_PER = {"mo": "month", "month": "month", "yr": "year", "year": "year", "wk": "week", "week": "week",
        "d": "day", "day": "day", "hr": "hour", "h": "hour", "hour": "hour", "min": "minute"}

_SCALE = (r"(?P<scale>(?i:thousand|million|billion|trillion)\b|(?:k|K|m|M|mm|MM|mn|b|B|bn|t|T|tn)"
          r"(?![\w$£€¥₹₩]))")
_MONEY = (rf"(?P<country>US|AU|CA|NZ|HK|A|C)?(?P<symbol>[$£€¥₹₩])\s?(?P<amount>{NUMBER})(?!\d|[.,]\d)"
          rf"(?:\s?{_SCALE})?(?:/(?P<per>mo|month|yr|year|wk|week|d|day|hr|h|hour|min)\b)?")


def _major_words(match: re.Match[str], count_one: bool) -> str:
    """The currency's major unit, singular for exactly one ("dollar"), with a country for "US$" and kin."""
    one, many, _, _ = _CURRENCIES[match["symbol"]]
    unit = one if count_one else many
    country = match["country"]
    if country and match["symbol"] == "$":
        return f"{_COUNTRY_DOLLARS[country]} {unit}"
    return unit


def _amount_words(match: re.Match[str]) -> str:
    """The amount and its units, before any "per" part."""
    amount = match["amount"]
    whole, _, fraction = amount.partition(".")
    scale = _SCALES[match["scale"].lower()] if match["scale"] else ""
    if scale:
        return f"{number_words(amount)} {scale} {_major_words(match, False)}"
    fraction = fraction.rstrip("0") if len(fraction) > 2 else fraction
    _, _, one_minor, many_minor = _CURRENCIES[match["symbol"]]
    if len(fraction) > 2 or (fraction and not one_minor):
        return f"{number_words(amount)} {_major_words(match, False)}"
    major = int(whole.replace(",", "") or 0)
    minor = int((fraction + "00")[:2])
    parts = []
    if major or not minor:
        parts.append(f"{numbers.cardinal(major)} {_major_words(match, major == 1)}")
    if minor:
        parts.append(f"{numbers.cardinal(minor)} {one_minor if minor == 1 else many_minor}")
    return " and ".join(parts)


def _speak_money(match: re.Match[str]) -> str:
    """An amount of money with its currency symbol, optional scale and optional "per" period."""
    spoken = _amount_words(match)
    if match["per"]:
        spoken += f" per {_PER[match['per']]}"
    return spoken


_MONEY_RE = re.compile(_MONEY, re.ASCII)


def _speak_money_range(match: re.Match[str]) -> str | None:
    """ "$250-$300" -> "two hundred fifty dollars to three hundred dollars"."""
    sides = [_MONEY_RE.fullmatch(match[name]) for name in ("a", "b")]
    if sides[0] is None or sides[1] is None:
        return None
    return f"{_speak_money(sides[0])} to {_speak_money(sides[1])}"


# --- units -----------------------------------------------------------------------------------------------

# written -> (one, many). Longest written forms are tried first.
_UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "nm": ("nanometer", "nanometers"), "mi": ("mile", "miles"),
    "ft": ("foot", "feet"), "in": ("inch", "inches"), "yd": ("yard", "yards"),
    "kg": ("kilogram", "kilograms"), "KG": ("kilogram", "kilograms"), "Kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"), "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "t": ("ton", "tons"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"), "gal": ("gallon", "gallons"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "m/s": ("meter per second", "meters per second"),
    "°C": ("degree Celsius", "degrees Celsius"), "ºC": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "ºF": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "º": ("degree", "degrees"), "%": ("percent", "percent"),
    "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"),
    "kbps": ("kilobit per second", "kilobits per second"), "mbps": ("megabit per second", "megabits per second"),
    "Mbps": ("megabit per second", "megabits per second"), "Gbps": ("gigabit per second", "gigabits per second"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"), "kW": ("kilowatt", "kilowatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "mAh": ("milliamp hour", "milliamp hours"), "ms": ("millisecond", "milliseconds"),
    "sec": ("second", "seconds"), "min": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "cc": ("cubic centimeter", "cubic centimeters"),
}
_POWERS = {"2": "square", "²": "square", "3": "cubic", "³": "cubic"}
_LENGTHS = ("km", "m", "cm", "mm", "mi", "ft", "in", "yd")
# "in" is a unit only where the preposition cannot be meant.
_INCH_CONTEXT = r"(?=\s*(?:$|[,;:.!?)\]\"']|x\b|×|by\b|long\b|wide\b|tall\b|high\b|deep\b|thick\b|across\b))"


def _unit_alternatives() -> str:
    """Every written unit, longest first, then lengths with a power ("m2", "km³")."""
    powered = [f"{re.escape(unit)}[23²³]" for unit in _LENGTHS]
    plain = [re.escape(unit) + (_INCH_CONTEXT if unit == "in" else "")
             for unit in sorted(_UNITS, key=len, reverse=True)]
    return "|".join(powered + plain)


_UNIT = rf"(?:{_unit_alternatives()})(?![\w°º])"
_MEASURE_NUMBER = (rf"(?:(?<![\w)\].,-])[-−])?(?:\d+\s+\d+/\d+|\d+/\d+|{NUMBER})(?:\s?[x×]\s?(?:{NUMBER}))?"
                   r"(?:\s(?:thousand|million|billion))?")


def unit_words(written: str, many: bool) -> str:
    """A written unit in words, singular or plural: ("km", True) -> "kilometers", ("m²", True) -> "square meters"."""
    if written in _UNITS:
        return _UNITS[written][1 if many else 0]
    base, power = written[:-1], written[-1]
    return f"{_POWERS[power]} {_UNITS[base][1 if many else 0]}"


def _quantity_words(written: str) -> str:
    """The number part of a measure: a mixed number, a fraction, "2x8" dimensions, or a plain number."""
    if written[:1] in "-−":
        return "minus " + _quantity_words(written[1:])
    scale = re.search(r"\s(thousand|million|billion)$", written)
    if scale:
        return f"{_quantity_words(written[: scale.start()])} {scale.group(1)}"
    by = re.fullmatch(r"(.+?)\s?[x×]\s?(.+)", written)
    if by:
        return f"{_quantity_words(by.group(1))} by {_quantity_words(by.group(2))}"
    mixed = re.fullmatch(r"(\d+)\s+(\d+)/(\d+)", written)
    if mixed:
        return numbers.mixed_fraction(*(int(part) for part in mixed.groups()))
    simple = re.fullmatch(r"(\d+)/(\d+)", written)
    if simple:
        return numbers.fraction(int(simple.group(1)), int(simple.group(2)))
    return number_words(written)


def _speak_measure(match: re.Match[str]) -> str:
    """A number and its unit: "12kg" -> "twelve kilograms", "1°C" -> "one degree Celsius";
    singular only for exactly 1 or before a hyphen ("a 5-km run" -> "a five-kilometer run")."""
    quantity = match["q"]
    many = quantity.strip() != "1" and match["hyphen"] is None
    spoken = f"{_quantity_words(quantity)}{'-' if match['hyphen'] else ' '}{unit_words(match['unit'], many)}"
    if match["per"]:
        spoken += f" per {unit_words(match['per'], False)}"
    return spoken


def _speak_measure_range(match: re.Match[str]) -> str:
    """ "2-5lb" -> "two to five pounds", "5-10%" -> "five to ten percent"."""
    return f"{number_words(match['a'])} to {number_words(match['b'])} {unit_words(match['unit'], True)}"


def _speak_per_unit(match: re.Match[str]) -> str:
    """A number "per" a unit: "12/kg" -> "twelve per kilogram"."""
    return f"{number_words(match['n'])} per {unit_words(match['unit'], False)}"


_START = r"(?<![\w.])"
_NUMBER_BEFORE_UNIT = rf"(?:{NUMBER})"
_UNITS_SEPARATED = r"(?:\s?|(?P<hyphen>-))"

QUANTITY_RULES: tuple[Rule, ...] = (
    compile_rule("money range", range_pattern(_MONEY, r"\s*[-–]\s*"), _speak_money_range),
    compile_rule("money", _MONEY, _speak_money),
    compile_rule("measure range", _START + range_pattern(_NUMBER_BEFORE_UNIT, r"\s*[-–]\s*")
                 + rf"\s?(?P<unit>{_UNIT})", _speak_measure_range),
    compile_rule("per unit", _START + rf"(?P<n>{NUMBER})/(?P<unit>{_UNIT})", _speak_per_unit),
    compile_rule("measure", _START + rf"(?P<q>{_MEASURE_NUMBER}){_UNITS_SEPARATED}(?P<unit>{_UNIT})"
                 rf"(?:/(?P<per>{_UNIT}))?", _speak_measure),
)

__all__ = ["INTEGER", "QUANTITY_RULES", "unit_words"]
