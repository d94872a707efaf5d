"""English rules for plain numbers and identifiers, and a last rule that leaves no digit unread.

Identifiers: numbers that name a thing after a word that says so, in pairs ("model 4035" -> "model forty
thirty-five", "Boeing 747", "flight 370", "A380" glued to letters), codes digit by digit ("ZIP 90210", "CA 95051",
"PIN 0420", "account 12345678"). Digit by digit, groups apart: telephone numbers (also "+44 20 7946 0958", and
seven-digit local numbers after a word such as "call": "call 555-0142"; "+1 123-456-7890" -> "plus one, one two three,
..."), "call 911", IP addresses ("dot" between groups); section numbers ("1.E.9" -> "one E nine") and
versions ("2.0.1" -> "two point zero point one", "v2.0" -> "version two point zero", "Python 3.11" -> "Python
three point eleven": after "version" or a program's name the parts are whole numbers); "#5" -> "number five".

Numbers:
- a dash between a number and a larger one is a range read "to" ("pages 5-10", "1980-1986", "1960-80");
  scores and votes are read "to" in either order ("3-2", "won 102-98" -> "one hundred two to ninety-eight");
  before a smaller number otherwise it is no range ("978-0" -> "nine hundred seventy-eight zero");
- fractions ("3/4" -> "three quarters", "2 1/2" -> "two and a half", "1½" -> "one and a half", "24/7" kept as
  said);
- ordinals with the right suffix only ("22nd"; "4rd" is "four rd");
- ratios "3:1" -> "three to one", heights 6'2" -> "six feet two inches", "2x8" -> "two by eight",
  "2+3" -> "two plus three", "3*4" and "3 × 4 = 12" -> "three times four", "=" between numbers -> "equals";
- decimals "3.14" -> "three point one four", "-2" -> "minus two" (a dash glued to a word is no minus sign);
- four ungrouped digits from 1000 to 2099 are a year ("1990", "1066"), as in running text they nearly always
  are ("in 1990", "Room 1204" -> "twelve oh four");
- integers: grouped by commas or up to nine digits as numbers; a leading zero or ten digits and more digit by
  digit (an identifier).

The token patterns defined here (``INTEGER``, ``NUMBER``, ``MINUS``) are shared by the other English rules.
"""

from __future__ import annotations

import re

from voicekit.text import numbers
from voicekit.text.rules import Rule, compile_rule, range_pattern

# An integer: grouped by commas in threes (1,234,567) or plain digits.
INTEGER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
# A number: an optional integer part, an optional decimal part (".5", "3.14", "1,234.5", "42").
NUMBER = rf"(?:{INTEGER})?\.\d+|(?:{INTEGER})"
# Not glued to a digit or a decimal point on the left.
START = r"(?<![\d.])"
# Not followed by another digit, nor by a decimal point that continues the number.
END = r"(?!\d|[.,]\d)"
# A minus sign: only at the start, after a space or an opening bracket or "=" ("-2", "(-5", "x=-1"), never
# inside "978-0", "covid-19" or "5%-6%".
MINUS_BEFORE = r"(?<![^\s(\[{=:;?!\"'/])"
MINUS = rf"(?:{MINUS_BEFORE}(?P<minus>[-−]))?"

_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}
_FRACTION_IDIOMS = {"24/7": "twenty-four seven", "9/11": "nine eleven", "50/50": "fifty-fifty"}
_TOLL_FREE = {"800": "eight hundred", "888": "eight eight eight", "877": "eight seven seven"}


def integer_words(token: str) -> str:
    """An integer as written: grouped digits as a number; a leading zero ("007") or more than nine
    ungrouped digits (an account or ISBN) digit by digit; anything else as a number."""
    plain = token.replace(",", "")
    if "," not in token and (len(plain) > 9 or (len(plain) > 1 and plain.startswith("0"))):
        return numbers.digits(plain)
    return numbers.cardinal(int(plain))


def number_words(token: str) -> str:
    """A number token (``NUMBER``, with an optional leading minus): "3.14" -> "three point one four",
    "-2" -> "minus two", ".5" -> "point five"."""
    sign = ""
    if token[:1] in "-−":
        sign, token = "minus ", token[1:]
    if "." in token:
        whole, _, fraction = token.partition(".")
        return sign + numbers.decimal(whole, fraction)
    return sign + integer_words(token)


def is_year_like(token: str) -> bool:
    """Four ungrouped digits from 1000 to 2099 read as a year when nothing else claims them."""
    return len(token) == 4 and token.isdigit() and 1000 <= int(token) <= 2099


def counted_words(token: str) -> str:
    """A number in running text: a year-like number as a year ("1990" -> "nineteen ninety"), else a number."""
    return numbers.year(int(token)) if is_year_like(token) else number_words(token)


def _as_number(token: str) -> float:
    """The value of a number token, for comparing the two sides of a range."""
    return float(token.replace(",", "").replace("−", "-"))


# --- identifiers: read digit by digit --------------------------------------------------------------------


def _speak_phone(match: re.Match[str]) -> str:
    """A telephone number: country code after "plus", then each group digit by digit, a comma between
    groups so the voice pauses where a reader would ("plus one, one two three, ...")."""
    groups = [match["area"], match["exchange"], match["line"], *re.findall(r"\d+", match["more"] or "")]
    spoken = [_TOLL_FREE.get(match["area"], "") or numbers.digits(match["area"])]
    spoken += [numbers.digits(group) for group in groups[1:]]
    if match["country"]:
        spoken.insert(0, "plus " + numbers.digits(match["country"]))
    elif match["trunk"]:
        spoken.insert(0, "one")
    return ", ".join(spoken)


_PHONE = (
    r"(?<![\w.+-])(?:\+(?P<country>\d{1,3})[\s-]?|(?P<trunk>1)[\s-])?"
    r"(?P<area>\(\d{3}\)|\d{3})(?:\s?-|[\s.])?(?P<exchange>\d{3})[.-](?P<line>\d{4})"
    r"(?P<more>(?:-\d{1,4})*)(?![\w-]|\.\d)"
)


def _speak_phone_groups(match: re.Match[str]) -> str:
    """Digit groups that are not a quantity (123-45-6789): each group digit by digit, a comma between."""
    return ", ".join(numbers.digits(group) for group in match.group(0).split("-"))


def _speak_international(match: re.Match[str]) -> str:
    """An international number written with spaces ("+44 20 7946 0958"): "plus", then each group digit by digit."""
    groups = re.findall(r"\d+", match.group(0))
    return "plus " + ", ".join(numbers.digits(group) for group in groups)


def _speak_local_phone(match: re.Match[str]) -> str:
    """A seven-digit local number after a word that announces one ("call 555-0142"): two groups, digit by digit."""
    return f"{match['lead']}{numbers.digits(match['exchange'])}, {numbers.digits(match['line'])}"


def _speak_vanity(match: re.Match[str]) -> str:
    """A vanity toll-free number (1-800-GO-U-HAUL): "one, eight hundred," then digits and letters as written."""
    spoken = ["one", _TOLL_FREE.get(match["code"], numbers.digits(match["code"]))]
    for part in match["rest"].split("-"):
        spoken.append(numbers.digits(part) if part.isdigit() else part)
    return ", ".join(spoken[:2]) + ", " + " ".join(spoken[2:])


def _speak_dotted_digits(match: re.Match[str]) -> str:
    """Four dot-separated groups (an IP address): each group digit by digit, "dot" between."""
    return " dot ".join(numbers.digits(group) for group in match.group(0).split("."))


def _speak_section(match: re.Match[str]) -> str:
    """A section number mixing numbers and capital letters ("1.E.9" -> "one E nine", "1.A" -> "one A")."""
    return " ".join(integer_words(part) if part.isdigit() else part for part in match.group(0).split("."))


def _speak_numbered(match: re.Match[str]) -> str:
    """A number after "#" or "No." names an item, read as a plain number: "#1342" -> "number one thousand
    three hundred forty-two" (never as a year)."""
    return f"number {integer_words(match['n'])}"


def _speak_version(match: re.Match[str]) -> str:
    """Three or more dot-separated numbers (a version, a section 1.2.3): numbers joined by "point"."""
    return " point ".join(integer_words(part) for part in match.group(0).split("."))


_VERSION_NAMES = (
    "version|versions|ver|Python|Java|Node|Node\\.js|Ruby|Perl|PHP|Rust|Swift|Kotlin|Scala|Julia|Lua|iOS|iPadOS"
    "|macOS|OS X|Android|Windows|Ubuntu|Debian|Fedora|Firefox|Chrome|Django|Rails|TypeScript|GCC|Clang|LLVM"
    "|Linux|HTTP|TLS|SSL|OpenSSL|Bluetooth|USB|PCIe|HDMI|Unicode|CUDA|firmware"
)


def version_words(written: str) -> str:
    """A version's dot-separated numbers joined by "point", each read as a whole number: "3.11" -> "three point
    eleven", "2.0" -> "two point zero" (a leading zero digit by digit: "1.05" -> "one point zero five")."""
    return " point ".join(integer_words(part) for part in written.split("."))


def _speak_v_version(match: re.Match[str]) -> str:
    """ "v2.0" -> "version two point zero", "v3" -> "version three" (a capital V only with a dot: "V8" is no
    version)."""
    return f"version {version_words(match['ver'])}"


def _speak_named_version(match: re.Match[str]) -> str:
    """A number after the name of a program, a system or a standard, or after "version", is a version:
    "Python 3.11" -> "Python three point eleven" (not "three point one one")."""
    space = " slash " if match["space"] == "/" else match["space"]
    return f"{match['name']}{space}{version_words(match['ver'])}"


def identifier_words(token: str) -> str:
    """A number that names a thing (a model, a flight, a room) read as people read such numbers: up to two digits
    as a number ("gate 12"), three as a digit and a pair ("747" -> "seven forty-seven", "405" -> "four oh five"),
    four as two pairs ("4035" -> "forty thirty-five", "4000" -> "four thousand"), five and more or a leading zero
    digit by digit ("90210" -> "nine zero two one zero")."""
    if len(token) > 4 or (len(token) > 1 and token.startswith("0")):
        return numbers.digits(token)
    if len(token) <= 2:
        return numbers.cardinal(int(token))
    if len(token) == 3:
        hundreds, rest = divmod(int(token), 100)
        if rest == 0:
            return numbers.cardinal(int(token))
        return f"{numbers.cardinal(hundreds)} {numbers.two_digit_pair(rest)}"
    return numbers.year(int(token))


# Words before a number that names a thing: read in pairs (model 4035) or, for codes, digit by digit (ZIP 90210).
_NAMED_BY_NUMBER = (r"model|models|part|flight|room|suite|gate|platform|route|bus|train|apartment|apt\.?|Boeing"
                    r"|Airbus|Tupolev|Cessna")
_CODES = r"zip|zip code|postcode|postal code|serial|serial number|PIN|account|ticket|invoice|order number|ID"
_NUMBER_WORD = r"(?:\s+(?i:number|no\.|nr\.|#))?\s?[#:]?\s?"
_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY"
              "|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")


def _speak_named_by_number(match: re.Match[str]) -> str:
    """ "model 4035" -> "model forty thirty-five", "Boeing 747" -> "Boeing seven forty-seven" ("part 4035-12" ->
    each part so, a comma between)."""
    return match["lead"] + ", ".join(identifier_words(part) for part in match["n"].split("-"))


def _speak_code(match: re.Match[str]) -> str:
    """ "ZIP 90210" -> "ZIP nine zero two one zero", "PIN 1234", "CA 95051-1234": digit by digit, a comma between
    groups."""
    return match["lead"] + ", ".join(numbers.digits(part) for part in match["n"].split("-"))


def _speak_service_number(match: re.Match[str]) -> str:
    """An emergency or service number after "call" or "dial" is said digit by digit ("call 911")."""
    return f"{match['verb']} {numbers.digits(match['n'])}"


IDENTIFIER_RULES: tuple[Rule, ...] = (
    compile_rule("service number", r"\b(?P<verb>(?i:call|calls|called|calling|dial|dials|dialed|dialled|dialing))"
                 r"\s+(?P<n>911|999|112|411|311|000)(?!\d|[.,]\d)", _speak_service_number),
    compile_rule("vanity number", r"(?<![\w-])1-(?P<code>8\d\d)-(?P<rest>(?=[\w-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)*)"
                 r"(?![\w-])", _speak_vanity),
    compile_rule("telephone", _PHONE, _speak_phone),
    compile_rule("international number", r"(?<![\w+])\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,5}(?![\w-]|\.\d)",
                 _speak_international),
    compile_rule("local number", r"(?P<lead>\b(?i:call|phone|telephone|tel\.?|fax|dial|ring|text|number|contact)\b"
                 r"[^.\d]{0,30}?)(?P<exchange>[2-9]\d{2})-(?P<line>\d{4})(?![\w-]|[.,]\d)", _speak_local_phone),
    compile_rule("digit groups", r"(?<![\w.-])\d{3}-\d{2}-\d{4}(?![\w-]|\.\d)", _speak_phone_groups),
    compile_rule("named by number", rf"(?P<lead>\b(?i:{_NAMED_BY_NUMBER}){_NUMBER_WORD})(?P<n>\d{{3,}}(?:-\d+)*)"
                 r"(?!\w|-\d|[.,]\d)", _speak_named_by_number),
    compile_rule("code", rf"(?P<lead>\b(?i:{_CODES}){_NUMBER_WORD})(?P<n>\d+(?:-\d+)*)(?![\w-]|[.,]\d)", _speak_code),
    compile_rule("zip code", rf"(?P<lead>\b(?:{_US_STATES}),?\s)(?P<n>\d{{5}}(?:-\d{{4}})?)(?![\w-]|[.,]\d)",
                 _speak_code),
    compile_rule("ip address", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)", _speak_dotted_digits),
    compile_rule("section number", r"(?<![\w.])\d+(?:\.\d+)*\.[A-Z](?:\.(?:\d+|[A-Z]))*(?![\w]|\.\w)",
                 _speak_section),
    compile_rule("number sign", r"#\s?(?P<n>\d+)(?!\d|[.,]\d)", _speak_numbered),
    compile_rule("v version", r"(?<![\w.])(?:v|V(?=\d+\.\d))(?P<ver>\d+(?:\.\d+)*)(?![\w]|\.\d)", _speak_v_version),
    compile_rule("named version", rf"(?<![\w.])(?P<name>{_VERSION_NAMES})(?P<space>\.?\s?|/)"
                 r"(?P<ver>\d+(?:\.\d+)+)(?![\w]|\.\d)", _speak_named_version),
    compile_rule("version", r"(?<![\w.])\d+(?:\.\d+){2,}(?![\w]|\.\d)", _speak_version),
    compile_rule("plus", r"(?<=\d)\s*\+\s*(?=\d)", lambda _match: " plus "),
    compile_rule("times", r"(?<=\d)\s*(?:\*|×(?=\s*[\d.,]+\s*=))\s*(?=[-−]?\d)", lambda _match: " times "),
    compile_rule("equals", r"(?<=\d)\s*=\s*(?=[-−]?\d)", lambda _match: " equals "),
)


# --- plain numbers ---------------------------------------------------------------------------------------


_SCORE_WORDS = re.compile(r"\b(?i:won|win|wins|lost|lose|loses|beat|beats|defeated|score|scored|scores|drew|draw"
                          r"|tied|tie|victory|lead|led|leading|trailing|trailed|final|vote|voted|result)\b"
                          r"[^.!?\d]{0,24}$")


def _is_score(match: re.Match[str]) -> bool:
    """A result, not a range: two whole numbers, the second no larger, of at most two digits ("3-2", "52-48"),
    or three after a word about a result ("won 102-98")."""
    first, second = match["a"], match["b"]
    if not (first.isdigit() and second.isdigit()) or int(second) > int(first):
        return False
    if re.match(r"\.[A-Za-z]", match.string[match.end() : match.end() + 2]):
        return False  # a file name ("11-0.txt")
    if max(len(first), len(second)) <= 2:
        return True
    before = match.string[max(0, match.start() - 40) : match.start()]
    return max(len(first), len(second)) <= 3 and _SCORE_WORDS.search(before) is not None


def _speak_range(match: re.Match[str]) -> str:
    """Two numbers joined by a dash read "A to B" when B is larger ("pages 5-10" -> "five to ten",
    "1980-1986" -> "nineteen eighty to nineteen eighty-six", "1960-80" -> "nineteen sixty to eighty").
    A score or a vote is read "to" too, whatever its order ("won 3-2" -> "three to two", "52-48", "won 102-98").
    Any other dash before a smaller number is no range ("978-0"): the two numbers are read one after the other."""
    first, second = match["a"], match["b"]
    if is_year_like(first) and len(second) == 2 and second.isdigit() and int(second) > int(first) % 100:
        return f"{numbers.year(int(first))} to {numbers.cardinal(int(second))}"
    if _is_score(match):
        return f"{numbers.cardinal(int(first))} to {numbers.cardinal(int(second))}"
    if _as_number(second) <= _as_number(first):
        return f"{counted_words(first)} {counted_words(second)}"
    return f"{counted_words(first)} to {counted_words(second)}"


def _fraction_parts(match: re.Match[str]) -> tuple[int, int] | None:
    """Numerator and denominator, or None for a zero denominator (not a fraction)."""
    numerator, denominator = int(match["num"]), int(match["den"])
    return None if denominator == 0 else (numerator, denominator)


def _speak_mixed_fraction(match: re.Match[str]) -> str | None:
    """A whole number and a fraction: "2 1/2" -> "two and a half"; before a hyphenated suffix it is one compound
    word ("2 1/2-inch pipe" -> "two-and-a-half-inch pipe")."""
    parts = _fraction_parts(match)
    if parts is None:
        return None
    spoken = numbers.mixed_fraction(int(match["whole"]), *parts)
    if re.match(r"-[A-Za-z]", match.string[match.end() : match.end() + 2]):
        return spoken.replace(" ", "-")
    return spoken


def _speak_fraction(match: re.Match[str]) -> str | None:
    """A fraction: "3/4" -> "three quarters"; a few fixed expressions keep their own reading ("24/7")."""
    idiom = _FRACTION_IDIOMS.get(f"{match['num']}/{match['den']}")
    parts = _fraction_parts(match)
    if idiom is not None or parts is None:
        return idiom
    return numbers.fraction(*parts)


def _speak_ordinal(match: re.Match[str]) -> str | None:
    """An ordinal with the suffix its number takes (1st, 22nd, 103rd, 11th); a wrong suffix ("4rd") is not
    an ordinal: the number is read and the letters stay."""
    value = int(match["num"].replace(",", ""))
    expected = "th" if 10 < value % 100 < 14 else _SUFFIXES.get(value % 10, "th")
    if match["suffix"].lower() != expected:
        return None
    return numbers.ordinal(value)


def _speak_ratio(match: re.Match[str]) -> str:
    """A colon between numbers that is no clock time is a ratio: "3:1" -> "three to one"."""
    return f"{integer_words(match['a'])} to {integer_words(match['b'])}"


def _speak_feet_inches(match: re.Match[str]) -> str:
    """A height in feet and inches: 6'2" -> "six feet two inches"."""
    feet, inches = int(match["feet"]), int(match["inches"])
    return (f"{numbers.cardinal(feet)} {'foot' if feet == 1 else 'feet'} "
            f"{numbers.cardinal(inches)} {'inch' if inches == 1 else 'inches'}")


def _speak_by(match: re.Match[str]) -> str:
    """Dimensions: "2x8" -> "two by eight"."""
    return f"{number_words(match['a'])} by {number_words(match['b'])}"


def _speak_number(match: re.Match[str]) -> str:
    """A decimal or an integer, with its minus sign."""
    return number_words((match["minus"] or "") + match["n"])


def _speak_year(match: re.Match[str]) -> str:
    """A four-digit number from 1000 to 2099 that no other rule read, as a year ("in 1066", "1905");
    whole thousands stay cardinals ("2000" -> "two thousand")."""
    return numbers.year(int(match.group(0)))


def _speak_model_name(match: re.Match[str]) -> str:
    """Three or four digits glued after letters name something: after a capital a model, read as one is
    ("A380" -> "A three eighty", "F150" -> "F one fifty"); after lower-case letters a code, digit by digit
    ("ab9453" -> "ab nine four five three"; one lower-case letter is a model again: "t2000")."""
    if match.string[max(0, match.start() - 2) : match.start()].islower():
        return numbers.digits(match.group(0))
    return identifier_words(match.group(0))


def _speak_leftover(match: re.Match[str]) -> str:
    """Any digits still unread (glued into a word such as "MP3"): read as a number, so no digit is ever sent."""
    return integer_words(match.group(0))


_VULGAR_FRACTIONS = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
                     "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8),
                     "⅝": (5, 8), "⅞": (7, 8), "⅑": (1, 9), "⅒": (1, 10)}
_VULGAR = "".join(_VULGAR_FRACTIONS)


def _speak_vulgar_fraction(match: re.Match[str]) -> str:
    """A fraction written as one character: after a whole number it is written out as a mixed fraction, for the
    number and measure rules to read with its unit ("1½ cups" -> "1 1/2 cups" -> "one and a half cups",
    "2½-inch" -> "two and a half-inch"); alone it is spoken ("½" -> "one half")."""
    numerator, denominator = _VULGAR_FRACTIONS[match["frac"]]
    if match["whole"]:
        return f"{match['whole']} {numerator}/{denominator}"
    return numbers.fraction(numerator, denominator)


# Run before the digit rules (a lone "½" holds no ASCII digit, so the digit rules would never see it).
FRACTION_SYMBOL_RULES: tuple[Rule, ...] = (
    compile_rule("vulgar fraction", rf"(?:(?<![\d.,])(?P<whole>\d+)\s?)?(?P<frac>[{_VULGAR}])", _speak_vulgar_fraction,
                 trigger=f"[{_VULGAR}]"),
)

NUMBER_RULES: tuple[Rule, ...] = (
    compile_rule("number range", START + range_pattern(f"(?:{NUMBER})", r"\s*[-–]\s*") + END, _speak_range),
    compile_rule("mixed fraction", START + r"(?P<whole>\d+)\s+(?P<num>\d+)/(?P<den>\d+)(?![\d/])",
                 _speak_mixed_fraction),
    compile_rule("fraction", START + r"(?<!/)(?P<num>\d+)/(?P<den>\d+)(?i:st|nd|rd|th)?(?![\d/]|[^\W\d_])",
                 _speak_fraction),
    compile_rule("ordinal", START + rf"(?P<num>{INTEGER})(?P<suffix>(?i:st|nd|rd|th))(?![^\W\d_])",
                 _speak_ordinal),
    compile_rule("feet and inches", START + r"(?P<feet>\d)['’]\s?(?P<inches>1[01]|\d)(?:\"|''|”)",
                 _speak_feet_inches),
    compile_rule("ratio", START + r"(?<!:)(?P<a>\d+):(?P<b>\d+)(?![\d:])", _speak_ratio),
    compile_rule("dimensions", START + rf"(?P<a>{NUMBER})\s?[x×]\s?(?P<b>{NUMBER})" + END, _speak_by),
    compile_rule("decimal", START + MINUS + r"(?P<n>(?:\d{1,3}(?:,\d{3})+|\d+)?\.\d+)" + END, _speak_number),
    compile_rule("grouped integer", START + MINUS + r"(?P<n>\d{1,3}(?:,\d{3})+)" + END, _speak_number),
    compile_rule("model name", r"(?<=[A-Za-z])\d{3,4}(?!\d|[.,]\d)", _speak_model_name),
    compile_rule("year", START + r"(?<![\d,])(?:1\d\d\d|20\d\d)(?!\d|[.,]\d)", _speak_year),
    compile_rule("integer", START + MINUS + r"(?P<n>\d+)" + END, _speak_number),
    compile_rule("leftover digits", r"\d+", _speak_leftover),
)
