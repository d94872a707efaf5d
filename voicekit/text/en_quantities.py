"""English rules for measurements: a number and its unit, percentages, degrees.

A unit is read only right after a number ("5 km", "12kg", "2°C", "4 1/2 lbs"); "in" only where it cannot be
the preposition (end of phrase, or before "x", "by", "long", "wide", ...). Symbols are read by name: "5 μm" ->
"five micrometers", "20 °C", "98.6 °F", "100 km/h" -> "one hundred kilometers per hour", "9.8 m/s²".
"""

from __future__ import annotations

import re

from voicekit.text import numbers
from voicekit.text.en_numbers import MINUS_BEFORE, NUMBER, number_words
from voicekit.text.rules import Rule, compile_rule, range_pattern, unnamed

# --- units -----------------------------------------------------------------------------------------------

# written -> (one, many). Longest written forms are tried first.
_UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "nm": ("nanometer", "nanometers"), "mi": ("mile", "miles"),
    "ft": ("foot", "feet"), "in": ("inch", "inches"), "yd": ("yard", "yards"),
    "kg": ("kilogram", "kilograms"), "KG": ("kilogram", "kilograms"), "Kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"), "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"), "gal": ("gallon", "gallons"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "m/s": ("meter per second", "meters per second"),
    "μm": ("micrometer", "micrometers"), "µm": ("micrometer", "micrometers"), "μg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"), "mcg": ("microgram", "micrograms"), "μs": ("microsecond", "microseconds"),
    "µs": ("microsecond", "microseconds"), "ns": ("nanosecond", "nanoseconds"), "μL": ("microliter", "microliters"),
    "µL": ("microliter", "microliters"), "μl": ("microliter", "microliters"), "µl": ("microliter", "microliters"),
    "m/s²": ("meter per second squared", "meters per second squared"),
    "m/s2": ("meter per second squared", "meters per second squared"),
    "℃": ("degree Celsius", "degrees Celsius"), "℉": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° C": ("degree Celsius", "degrees Celsius"), "° F": ("degree Fahrenheit", "degrees Fahrenheit"),
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
    "cc": ("cubic centimeter", "cubic centimeters"), "tsp": ("teaspoon", "teaspoons"),
    "tbsp": ("tablespoon", "tablespoons"),
}
_POWERS = {"2": "square", "²": "square", "3": "cubic", "³": "cubic"}
_LENGTHS = ("km", "m", "cm", "mm", "mi", "ft", "in", "yd")
# "in" is a unit only where the preposition cannot be meant.
_INCH_CONTEXT = r"(?=\s*(?:$|[,;:.!?)\]\"']|x\b|×|by\b|long\b|wide\b|tall\b|high\b|deep\b|thick\b|across\b))"


def _unit_alternatives() -> str:
    """Lengths with a power ("m2", "km³") or after "sq" ("sq ft"), then every written unit, longest first."""
    powered = [f"{re.escape(unit)}[23²³]" for unit in _LENGTHS]
    powered += [rf"sq\.?\s?{re.escape(unit)}\b" for unit in _LENGTHS]
    plain = [re.escape(unit) + (_INCH_CONTEXT if unit == "in" else "")
             for unit in sorted(_UNITS, key=len, reverse=True)]
    return "|".join(powered + plain)


_UNIT = rf"(?:{_unit_alternatives()})(?![\w°º])"
_MEASURE_NUMBER = (rf"(?:{MINUS_BEFORE}[-−])?(?:\d+\s+\d+/\d+|\d+/\d+|{NUMBER})(?:\s?[x×]\s?(?:{NUMBER}))?"
                   r"(?:\s(?:thousand|million|billion))?")


def unit_words(written: str, many: bool) -> str:
    """A written unit in words, singular or plural: ("km", True) -> "kilometers", ("m²", True) -> "square meters"."""
    if written in _UNITS:
        return _UNITS[written][1 if many else 0]
    if written.startswith("sq"):
        return "square " + unit_words(written[2:].lstrip(". "), many)
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


def _proper_fraction(written: str) -> bool:
    """True for a fraction under one ("1/2"): its unit is singular ("one half teaspoon")."""
    simple = re.fullmatch(r"\s*(\d+)/(\d+)\s*", written)
    return simple is not None and int(simple.group(1)) < int(simple.group(2))


def _speak_measure(match: re.Match[str]) -> str:
    """A number and its unit: "12kg" -> "twelve kilograms", "1°C" -> "one degree Celsius";
    singular only for exactly 1, a fraction under one, or before a hyphen ("a 5-km run" -> "a five-kilometer
    run")."""
    quantity = match["q"]
    many = quantity.strip() != "1" and match["hyphen"] is None and not _proper_fraction(quantity)
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
    compile_rule("measure range", _START + range_pattern(_NUMBER_BEFORE_UNIT, rf"(?:\s?{unnamed(_UNIT)})?\s*[-–]\s*")
                 + rf"\s?(?P<unit>{_UNIT})", _speak_measure_range),
    compile_rule("per unit", _START + rf"(?P<n>{NUMBER})/(?P<unit>{_UNIT})", _speak_per_unit),
    compile_rule("measure", _START + rf"(?P<q>{_MEASURE_NUMBER}){_UNITS_SEPARATED}(?P<unit>{_UNIT})"
                 rf"(?:/(?P<per>{_UNIT}))?", _speak_measure),
)

__all__ = ["QUANTITY_RULES", "unit_words"]
