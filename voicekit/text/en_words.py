"""English words not written as spoken: titles, common abbreviations and Roman numerals.

Rules kept:
- A title is expanded before a capitalised name, and its period goes ("Dr. Smith" -> "Doctor Smith"), so
  no period is left that a sentence splitter would take for a sentence end. Mr., Mrs., Ms. and Prof. are
  expanded wherever they stand ("Mr. and Mrs. Bennet"); ambiguous ones (Gen., Col.) only before a name.
- Street types after a name ("Fifth Ave." -> "Fifth Avenue", "Laguna Ct" -> "Laguna Court"); weekday
  abbreviations before a date ("Mon., Jan. 5" -> "Monday, January fifth").
- "St." is "Saint" before a name ("St. Paul") and "Street" after one ("1428 Elm St."); "Dr." after a name with
  no name following is "Drive", else "Doctor".
- An abbreviation that can close a sentence (etc., Street, Drive, Jr.) keeps its period only where a sentence
  does end (end of text, or a capitalised word follows).
- Roman numerals are read only where their reading is certain: after a regnal name as an ordinal
  ("Henry VIII" -> "Henry the Eighth") and after a heading word as a cardinal ("Chapter IV" -> "Chapter Four").
  A lone "I" only when no lower-case word follows ("Henry I." but not "told Henry I would").
"""

from __future__ import annotations

import re

from voicekit.text import numbers
from voicekit.text.en_numbers import identifier_words, integer_words
from voicekit.text.rules import Rule, compile_rule, sentence_end_follows

_TITLES = {"Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Prof": "Professor",
           "Capt": "Captain", "Col": "Colonel", "Gen": "General", "Lt": "Lieutenant", "Sgt": "Sergeant",
           "Rev": "Reverend", "Hon": "Honorable", "Gov": "Governor", "Sen": "Senator", "Mt": "Mount",
           "Messrs": "Messieurs", "Maj": "Major", "Adm": "Admiral", "Cmdr": "Commander", "Cdr": "Commander",
           "Brig": "Brigadier", "Cpl": "Corporal", "Pvt": "Private", "Lieut": "Lieutenant", "Supt": "Superintendent",
           "Insp": "Inspector", "Pres": "President", "Rep": "Representative"}
# These need no period to be titles ("Mr Smith", British style); the others do.
_BARE_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Messrs")
# These are titles with their period wherever they stand ("Mr. and Mrs. Bennet"): no other word is written so.
_ALWAYS_TITLES = ("Mr", "Mrs", "Ms", "Prof", "Messrs")
_LATIN = {"e.g.": "for example", "i.e.": "that is", "E.g.": "For example", "I.e.": "That is",
          "vs.": "versus", "cf.": "compare", "approx.": "approximately", "viz.": "namely"}
_NAME_AFTER = r"(?=\s+[\"'“‘(]?[A-Z])"

_REGNAL_NAMES = (
    "Henry|Louis|Charles|George|Edward|William|Richard|James|John|Elizabeth|Mary|Anne|Victoria|Philip|Felipe"
    "|Ferdinand|Frederick|Friedrich|Wilhelm|Nicholas|Alexander|Peter|Catherine|Ivan|Napoleon|Pius|Benedict"
    "|Gregory|Leo|Innocent|Clement|Paul|Urban|Boniface|Sixtus|Ramesses|Ramses|Constantine|Justinian|Otto"
    "|Gustav|Gustavus|Christian|Alfonso|Juan|Carlos|Pedro|Manuel|Umberto|Haakon|Olaf|Harald|Magnus|Eric|Erik"
    "|Sancho|Robert|David|Stephen|Harold|Edmund|Ethelred|Alfred|Rama|Amenhotep|Thutmose|Ptolemy|Antiochus"
    "|Cleopatra|Darius|Xerxes|Cyrus|Selim|Suleiman|Mehmed|Murad|Francis|Franz|Joseph|Leopold|Rudolf"
    "|Maximilian|Sigismund|Casimir|Vladimir|Basil|Michael|Baldwin|Hugh|Lothair|Pepin|Clovis|Sebastian"
)
_HEADINGS = ("Chapter|Part|Book|Volume|Vol\\.|Act|Scene|Section|Appendix|Canto|Article|Episode|Season|Phase"
             "|Stage|Level|War|Class|Type|Psalm|Lesson|Unit|Round")
_NUMERAL = r"(?P<numeral>[IVXLCDM]{2,}|[VX]|I(?=\s*(?:$|[^\w\s]|[A-Z]|of\b|and\b)))(?![\w'’-])"


def _speak_title(match: re.Match[str]) -> str:
    """A title before a name: "Dr. Smith" -> "Doctor Smith" (the period goes)."""
    return _TITLES[match["title"]]


_LOWER_TITLES = ("mr", "mrs", "ms", "dr", "prof", "messrs")
# "<number> <name> dr." is a street; the number may already be words when the rules run a second time.
_STREET_BEFORE = re.compile(r"(?:\d|\b[\w-]*(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen"
                            r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand))\s+[\w'’]+\s+$")


def _speak_lower_title(match: re.Match[str]) -> str | None:
    """A title written in lower case before a word: "mr. smith" -> "mister smith" (not after "<number> <word>",
    where "dr." is a street: "12 elm dr. then")."""
    before = match.string[max(0, match.start() - 30) : match.start()]
    if match["title"] == "dr" and _STREET_BEFORE.search(before):
        return None
    return _TITLES[match["title"].capitalize()].lower()


def _kept_period(match: re.Match[str]) -> str:
    """A period closing an abbreviation, kept when the sentence ends there."""
    return "." if match.group(0).endswith(".") and sentence_end_follows(match) else ""


_PREVIOUS_WORD = re.compile(r"(?P<word>[\w'’]+)\.?\s+$")
_SENTENCE_START_BEFORE = re.compile(r"(?:^|[.!?][\"'”’)]?)\s*$")


def _previous_word(text: str, start: int) -> tuple[str, str]:
    """The word right before ``start`` and up to 40 characters before that word ("", "" when none)."""
    offset = max(0, start - 80)
    found = _PREVIOUS_WORD.search(text[offset:start])
    if found is None:
        return "", text[offset:start]
    word_start = offset + found.start()
    return found["word"], text[max(0, word_start - 40) if word_start > 40 else 0 : word_start]


def _speak_street_or_saint(match: re.Match[str]) -> str | None:
    """ "St." is "Saint" before a name unless a name comes before it ("visited St. Paul"; "Visit St. Ives",
    where the word before only starts the sentence), else "Street" ("1428 Elm St.", "Elm St. bus").
    "Dr." is "Drive" after "<number> <Name>" or after a name with no name following ("Mulholland Dr."),
    else "Doctor". Both are always expanded, so a second pass finds nothing left to decide."""
    text = match.string
    word, before = _previous_word(text, match.start())
    name_follows = re.match(r"\s+[\"'“‘(]?[A-Z]", text[match.end() :]) is not None
    after_name = bool(word) and (word[0].isupper() or word[0].isdigit())
    sentence_initial = _SENTENCE_START_BEFORE.search(before) is not None
    if match["bare"] and not (name_follows or after_name):
        return None
    if match["abbr"] == "Dr":
        after_number = re.search(r"\d\s+$", before) is not None
        if after_name and (after_number or not name_follows):
            return "Drive" + _kept_period(match)
        return "Doctor"
    if name_follows and (not after_name or sentence_initial):
        return "Saint"
    return "Street" + _kept_period(match)


_STREET_TYPES = {"Ave": "Avenue", "Blvd": "Boulevard", "Rd": "Road", "Hwy": "Highway", "Ct": "Court",
                 "Ln": "Lane", "Pkwy": "Parkway", "Expy": "Expressway", "Pl": "Place", "Sq": "Square",
                 "Ter": "Terrace", "Cir": "Circle"}
_WEEKDAYS = {"Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
             "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}


_MONTH_STARTS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


def _speak_street_type(match: re.Match[str]) -> str:
    """A street type after a capitalised name: "Fifth Ave." -> "Fifth Avenue", "Laguna Ct" -> "Laguna Court"."""
    return f"{match['name']} {_STREET_TYPES[match['abbr']]}{_kept_period(match)}"


_MONTH_NAMES = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
                "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November",
                "Dec": "December"}
_FULL_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December")
_FULL_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Weekday abbreviations that are no English word: read wherever they stand ("open Tue", "Thurs.").
_PLAIN_WEEKDAYS = ("Tue", "Tues", "Thu", "Thur", "Thurs", "Fri")
_WEEKDAY_BEFORE = re.compile(rf"(?:\b(?i:on|every|until|till|by|from|before|after|next|last|this|each|open|opens"
                             rf"|closed|closes|except)\s+"
                             rf"|\b(?:{'|'.join(_WEEKDAYS)}|{_FULL_WEEKDAYS})\.?,?\s+(?:and|or|&|to|through)\s+"
                             rf"|\b(?:{'|'.join(_WEEKDAYS)}|{_FULL_WEEKDAYS})\.?,\s+)$")
_WEEKDAY_AFTER = re.compile(rf",?\s+(?:and|or|&|to|through|until|at|from|\d|(?:{_MONTH_STARTS})\b"
                            rf"|(?:{'|'.join(_WEEKDAYS)})\b|(?:{_FULL_WEEKDAYS})\b)")


_DAY_NAME = f"{'|'.join(sorted(_WEEKDAYS, key=len, reverse=True))}|{_FULL_WEEKDAYS}"
_MONTH_NAME = f"{'|'.join(sorted(_MONTH_NAMES, key=len, reverse=True))}|{_FULL_MONTHS}|May"


def _speak_weekday(match: re.Match[str]) -> str | None:
    """A weekday abbreviation: "Tue" and "Fri." (no English word) anywhere; "Mon.", "Wed.", "Sat.", "Sun." (also
    words or names) only with their period and beside a date, a time or another weekday ("Mon., Jan. 5" ->
    "Monday, Jan. 5", "Sat. and Sun." -> "Saturday and Sunday."). The period is kept where a sentence ends."""
    day = match["day"]
    if day not in _PLAIN_WEEKDAYS:
        before = match.string[max(0, match.start() - 24) : match.start()]
        if not match["dot"] or not (_WEEKDAY_BEFORE.search(before) or _WEEKDAY_AFTER.match(match.string, match.end())):
            return None
    return _WEEKDAYS[day] + _kept_period(match)


def _day_or_month_name(written: str) -> str:
    """A weekday or month, abbreviated (with or without its period) or in full, by its full name."""
    bare = written.rstrip(".")
    return _WEEKDAYS.get(bare) or _MONTH_NAMES.get(bare) or bare


_DASH = re.compile(r"\s?[-–]\s?")


def _speak_name_range(match: re.Match[str]) -> str:
    """A range of weekdays or months: "Mon.-Fri." -> "Monday to Friday", "Jan.-Mar." -> "January to March"; a run
    of them is read whole ("Mon-Tue-Wed" -> "Monday to Tuesday to Wednesday"), so reading it again changes nothing."""
    return " to ".join(_day_or_month_name(name) for name in _DASH.split(match.group(0))) + _kept_period(match)


def _speak_month_alone(match: re.Match[str]) -> str:
    """A month abbreviation with its period after a word that introduces a month: "in Sept." -> "in September"."""
    return f"{match['lead']}{_MONTH_NAMES[match['month']]}{_kept_period(match)}"


def _speak_suffix(match: re.Match[str]) -> str:
    """ "Jr." / "Sr." after a name -> "Junior" / "Senior"; "etc." -> "et cetera"."""
    word = {"Jr": "Junior", "Sr": "Senior", "etc": "et cetera"}[match["abbr"]]
    return word + _kept_period(match)


def _speak_latin(match: re.Match[str]) -> str:
    """ "e.g." -> "for example", "vs." -> "versus", ... (never a sentence end)."""
    return _LATIN[match.group(0)]


_BEFORE_NUMBER = {"p": "page", "pp": "pages", "vol": "volume", "ch": "chapter", "fig": "figure", "sec": "section",
                  "Vol": "Volume", "Ch": "Chapter", "Fig": "Figure", "Sec": "Section"}


def _speak_before_number(match: re.Match[str]) -> str:
    """An abbreviation that names what a number counts: "p. 5" -> "page 5", "Fig. 2" -> "Figure 2"."""
    return _BEFORE_NUMBER[match["abbr"]] + " "


_MODEL_BEFORE = re.compile(r"(?i:model|part|serial)\s+$")


def _speak_number_sign(match: re.Match[str]) -> str:
    """ "No. 4" -> "Number four": the number names an item, so it is read as a plain number (never a year);
    after "Model" or "Part" it is read as such numbers are ("Model No. 4035" -> "Model Number forty
    thirty-five")."""
    before = match.string[max(0, match.start() - 12) : match.start()]
    spoken = identifier_words(match["n"]) if _MODEL_BEFORE.search(before) else integer_words(match["n"])
    return f"{'Number' if match.group(0)[0] == 'N' else 'number'} {spoken}"


def _title_case(words: str) -> str:
    """ "twenty-first" -> "Twenty-First"."""
    return "-".join(part.capitalize() for part in words.split("-"))


def _capitalised_words(words: str) -> str:
    return " ".join(_title_case(word) for word in words.split(" "))


# No monarch or pope has reached a higher number; "George MC" is initials, not the 1100th.
_HIGHEST_REGNAL = 40
_REGNAL_SET = frozenset(_REGNAL_NAMES.split("|"))
_HEADING_SET = frozenset(_HEADINGS.replace("\\", "").split("|"))


def _speak_numeral(match: re.Match[str]) -> str | None:
    """A Roman numeral after a regnal name is an ordinal ("Henry VIII" -> "Henry the Eighth"); after a heading
    word a cardinal ("Chapter IV" -> "Chapter Four", "PART XL" -> "PART Forty"); after any other word it stays."""
    value = numbers.roman_value(match["numeral"])
    name = match["name"]
    if value is None:
        return None
    if name in _REGNAL_SET and value <= _HIGHEST_REGNAL:
        return f"{name} the {_capitalised_words(numbers.ordinal(value))}"
    if name.capitalize() in _HEADING_SET and (name.istitle() or name.isupper()):
        return f"{name}{match['space']}{_capitalised_words(numbers.cardinal(value))}"
    return None


WORD_RULES: tuple[Rule, ...] = (
    compile_rule("roman numeral", rf"(?<![A-Za-z])(?P<name>[A-Z][A-Za-z]+\.?)(?P<space>\s+){_NUMERAL}",
                 _speak_numeral, trigger=r"[A-Za-z] (?:[IVXLCDM]{2,}|[VX]|I)\b"),
    compile_rule("street or saint", r"(?<![A-Za-z])(?:(?P<abbr>St|Dr)\.|(?P<bare>St)(?=\s))(?!\w)",
                 _speak_street_or_saint, trigger=r"[SD][tr]\b"),
    compile_rule("title", rf"(?<![A-Za-z])(?:(?P<title>{'|'.join(_TITLES)})\.|(?P<bare>{'|'.join(_BARE_TITLES)}))"
                 + _NAME_AFTER, lambda m: _TITLES[m["title"] or m["bare"]], trigger=None),
    compile_rule("courtesy title", rf"(?<![A-Za-z])(?P<title>{'|'.join(_ALWAYS_TITLES)})\.",
                 lambda m: _TITLES[m["title"]], trigger=r"M[rs]|Prof"),
    compile_rule("lower-case title", rf"(?<![A-Za-z])(?P<title>{'|'.join(_LOWER_TITLES)})\.(?=\s+[\"'“‘(]?[A-Za-z])",
                 _speak_lower_title, trigger=r"\b(?:mr|mrs|ms|dr|prof|messrs)\."),
    compile_rule("street type", rf"(?<![A-Za-z])(?P<name>[A-Z][a-z]+|\d+(?:st|nd|rd|th))\s"
                 rf"(?P<abbr>{'|'.join(_STREET_TYPES)})(?![\w'’])\.?", _speak_street_type,
                 trigger=rf"\b(?:{'|'.join(_STREET_TYPES)})\b"),
    compile_rule("weekday range", rf"(?<![A-Za-z])(?:{_DAY_NAME})\.?(?:\s?[-–]\s?(?:{_DAY_NAME})\.?)+"
                 r"(?![\w'’-])", _speak_name_range, trigger=rf"\b(?:{_DAY_NAME})\.?\s?[-–]"),
    compile_rule("month range", rf"(?<![A-Za-z])(?:{_MONTH_NAME})\.?(?:\s?[-–]\s?(?:{_MONTH_NAME})\.?)+"
                 r"(?![\w'’-])", _speak_name_range, trigger=rf"\b(?:{_MONTH_NAME})\.?\s?[-–]"),
    compile_rule("weekday", rf"(?<![A-Za-z])(?P<day>{'|'.join(_WEEKDAYS)})(?P<dot>\.)?(?![\w'’-])",
                 _speak_weekday, trigger=rf"\b(?:{'|'.join(_WEEKDAYS)})\b"),
    compile_rule("month alone", rf"(?P<lead>\b(?i:in|since|until|till|by|from|of|early|late|mid|last|next|this)\s+)"
                 rf"(?P<month>{'|'.join(_MONTH_NAMES)})\.(?!\s*\d)", _speak_month_alone,
                 trigger=rf"\b(?:{'|'.join(_MONTH_NAMES)})\."),
    compile_rule("name suffix", r"(?<![A-Za-z])(?P<name>[A-Z][a-z]+)(?P<comma>,?)\s(?P<abbr>Jr|Sr)\.?(?!\w)",
                 lambda m: f"{m['name']}{m['comma']} {_speak_suffix(m)}",
                 trigger=r"[JS]r\b"),
    compile_rule("et cetera", r"(?<![A-Za-z])(?P<abbr>etc)\.", _speak_suffix, trigger=r"etc\."),
    compile_rule("latin", r"(?<![A-Za-z])(?:[eE]\.g\.|[iI]\.e\.|vs\.|cf\.|approx\.|viz\.)", _speak_latin, trigger=None),
    compile_rule("versus", r"(?<=\s)vs(?=\s)", lambda _m: "versus", trigger=" vs "),
    compile_rule("before number", rf"(?<![A-Za-z])(?P<abbr>{'|'.join(_BEFORE_NUMBER)})\.\s?(?=\d)",
                 _speak_before_number),
    compile_rule("extension", r"(?<![A-Za-z])ext\.(?=\s?\d)", lambda _m: "extension"),
    compile_rule("number sign", r"(?<![A-Za-z])[Nn]o\.\s?(?P<n>\d+)(?!\d|[.,]\d)", _speak_number_sign),
)
