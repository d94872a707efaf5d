"""English rules for dates, decades, eras and clock times.

Conventions voicekit keeps (and why):
- A month written first is read month-first ("May 1, 2024" -> "May first, twenty twenty-four"); a day written
  first is read day-first with "the ... of" ("1 May 2024" -> "the first of May twenty twenty-four").
- All-numeric dates, with dashes, slashes or dots: year-first (2024-05-01, 2016/07/03, 2024.05.01) is month then
  day unless the month cannot be one (2024-25-12 is day then month); otherwise the first number is the day when it
  is over 12 (15.01.2020, 25/12/2023), else the month (US order, 10/06/2005, 12.25.2023).
- Times: "10:30" -> "ten thirty", "10:05" -> "ten oh five", "10:00" -> "ten o'clock", "7pm" -> "seven PM",
  "1:01:01" -> "one hour one minute and one second". AM/PM and time zones are spoken as capital letters.
- 24-hour and zero-padded times: "16:00" -> "sixteen hundred", "16:30" -> "sixteen thirty", "08:15" -> "eight
  fifteen", "00:30" -> "twelve thirty AM", "00:00" -> "midnight".
- Race and recording times: after a word announcing a duration ("in", "clocked", "finished", ...) minutes that no
  12-hour clock shows are minutes and seconds ("finished in 45:12" -> "forty-five minutes and twelve seconds");
  minutes past 24 with no such word are read as a race time is said ("a 27:40 10K" -> "twenty-seven forty").
- A lower-case "may" or "march" is the verb unless a year follows ("they march 5 miles", "17 may 2010").
- A day and month with a slash and no year is a date only after "on", "by", "until", "from", "since",
  "before" or "after" ("on 5/12" -> "on May twelfth"); elsewhere it is a fraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicekit.text import numbers
from voicekit.text.rules import Rule, compile_rule, range_pattern, sentence_end_follows, unnamed

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                        "sept": 9, "oct": 10, "nov": 11, "dec": 12}

# A month name, full or abbreviated (with its optional period), any case except the verbs "may" and "march"
# (unless a year follows).
MONTH = (r"(?P<month>(?!(?:may|march)\b(?!,?\s*\d{4}))"
         r"(?i:january|february|march|april|may|june|july|august|september|october"
         r"|november|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\b)(?P<dot>\.)?")
# A day of the month (1-31), optionally with its ordinal suffix.
DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])(?i:st|nd|rd|th)?(?![\d:])"
YEAR = r"(?P<year>\d{4})(?!\d)"


def month_number(name: str) -> int:
    """The month (1..12) a full or abbreviated month name stands for."""
    lowered = name.lower()
    return _MONTH_ABBREVIATIONS.get(lowered) or [m.lower() for m in _MONTHS].index(lowered) + 1


def _day_ordinal(day: str) -> str:
    return numbers.ordinal(int(day))


def _keep_period(match: re.Match[str], group: str) -> str:
    """The abbreviation's period, kept when it also ends the sentence ("... on 8 Aug. Then ...")."""
    return "." if match[group] and match.end(group) == match.end() and sentence_end_follows(match) else ""


def _speak_month_day(match: re.Match[str]) -> str:
    """ "May 1, 2024" -> "May first, twenty twenty-four"; "Jan. 15" -> "January fifteenth"."""
    spoken = f"{_MONTHS[month_number(match['month']) - 1]} {_day_ordinal(match['day'])}"
    if match["year"]:
        comma = "," if match["comma"] else ""
        spoken += f"{comma} {numbers.year(int(match['year']))}"
    return spoken


def _article(match: re.Match[str]) -> str:
    """ "the " before a day-first date, unless the text already has it ("on the 26th May")."""
    written_before = match.string[max(0, match.start() - 12) : match.start()]
    return "" if re.search(r"(?i)\bthe\s+$", written_before) else "the "


def _speak_day_month(match: re.Match[str]) -> str:
    """ "1 May 2024" -> "the first of May twenty twenty-four" ("the" only when not already written)."""
    spoken = f"{_article(match)}{_day_ordinal(match['day'])} of {_MONTHS[month_number(match['month']) - 1]}"
    if match["year"]:
        return spoken + f" {numbers.year(int(match['year']))}"
    return spoken + _keep_period(match, "dot")


def _short_year(written: str) -> str:
    """A year as written: four digits as a year, two digits as the pair ("05" -> "oh five", "98")."""
    return numbers.year(int(written)) if len(written) == 4 else numbers.two_digit_pair(int(written))


def _numeric_date(month: int, day: int, year: str, day_first: bool, article: str = "the ") -> str | None:
    """Words for an all-numeric date, or None when the month or the day cannot be one."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if day_first:
        return f"{article}{numbers.ordinal(day)} of {_MONTHS[month - 1]} {_short_year(year)}"
    return f"{_MONTHS[month - 1]} {numbers.ordinal(day)}, {_short_year(year)}"


def _speak_year_first(match: re.Match[str]) -> str | None:
    """ "2024-05-01", "2016/07/03", "2024.05.01" -> "May first, twenty twenty-four"; a middle number over 12 is the
    day ("2024-25-12" -> "December twenty-fifth, ..."). With dots, month and day take two digits each: "2023.1.2"
    is a version."""
    if match["sep"] == "." and len(match["m"] + match["d"]) != 4:
        return None
    month, day = int(match["m"]), int(match["d"])
    if month > 12 >= day:
        month, day = day, month
    return _numeric_date(month, day, match["y"], day_first=False)


def _speak_year_last(match: re.Match[str]) -> str | None:
    """ "10/06/2005" (US order) -> "October sixth, two thousand five"; "15.01.2020" (a day over 12 comes first)
    -> "the fifteenth of January twenty twenty"."""
    first, second = int(match["p"]), int(match["q"])
    if first > 12:
        return _numeric_date(second, first, match["y"], day_first=True, article=_article(match))
    return _numeric_date(first, second, match["y"], day_first=False)


def _speak_month_slash_day(match: re.Match[str]) -> str | None:
    """ "on 5/12" -> "on May twelfth" (US order; a first number over 12 is the day: "by 25/12")."""
    first, second = int(match["p"]), int(match["q"])
    month, day = (second, first) if first > 12 else (first, second)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{match['prep']} {_MONTHS[month - 1]} {numbers.ordinal(day)}"


def _speak_quarter(match: re.Match[str]) -> str:
    """ "2Q22" -> "the second quarter of twenty-two" (a business quarter and its year)."""
    return f"the {numbers.ordinal(int(match['q']))} quarter of {_short_year(match['y'])}"


def _decade_words(written: str) -> str:
    """ "1990s" -> "nineteen nineties", "'80s" -> "eighties", "2000s" -> "two thousands"."""
    return numbers.decade(int(written.strip("'’s")))


def _speak_decade(match: re.Match[str]) -> str:
    """A decade: "the 1990s", "the '80s"."""
    return _decade_words(match.group(0))


_DECADE = r"(?:\d{3}0|['’]?\d0)s"


def _speak_decade_range(match: re.Match[str]) -> str:
    """ "1960s-80s" -> "nineteen sixties to eighties"."""
    return f"{_decade_words(match['a'])} to {_decade_words(match['b'])}"


def _speak_era(match: re.Match[str]) -> str:
    """ "340 A.D." -> "three forty AD", "44 BC" -> "forty-four BC"."""
    era = re.sub(r"[.\s]", "", match["era"]).upper()
    period = "." if match["era"].endswith(".") and sentence_end_follows(match) else ""
    return f"{numbers.year(int(match['y']))} {era}{period}"


DATE_RULES: tuple[Rule, ...] = (
    compile_rule("date year first", r"(?<![\d.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
                 r"(?![\d]|[-/.]\d)", _speak_year_first),
    compile_rule("date year last", r"(?<![\d./-])(?P<p>\d{1,2})(?P<sep>[-/])(?P<q>\d{1,2})(?P=sep)"
                 r"(?P<y>\d{4}|\d{2})(?![\d]|[-/.]\d)", _speak_year_last),
    compile_rule("dotted date", r"(?<![\d./-])(?P<p>\d{1,2})\.(?P<q>\d{1,2})\.(?P<y>\d{4})(?![\d]|[-/.]\d)",
                 _speak_year_last),
    compile_rule("date after preposition", r"\b(?P<prep>(?i:on|by|until|till|from|since|before|after))\s+"
                 r"(?P<p>\d{1,2})/(?P<q>\d{1,2})(?![\d/]|\.\d)", _speak_month_slash_day),
    compile_rule("quarter", r"\b(?P<q>[1-4])Q(?P<y>\d{4}|\d{2})\b", _speak_quarter),
    compile_rule("month day", rf"\b{MONTH}(?:\s+|-){DAY}(?:(?P<comma>,)?(?:\s+|-){YEAR})?", _speak_month_day),
    compile_rule("day month", rf"(?<![\d.,:/#-]){DAY}\s+(?:of\s+)?{MONTH}(?:(?:,\s*|\s+){YEAR})?", _speak_day_month),
    compile_rule("decade range", r"(?<![\w'’])" + range_pattern(_DECADE, r"\s*[-–]\s*") + r"\b",
                 _speak_decade_range),
    compile_rule("decade", r"(?<![\w'’.,])" + _DECADE + r"\b", _speak_decade),
    compile_rule("era", r"(?<![\d.,])(?P<y>\d{1,4})\s*(?P<era>(?:A\.?D|B\.?C\.?E|B\.?C|C\.?E)\b\.?)",
                 _speak_era),
)


# --- clock times -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Time:
    """The parts of a written time."""

    hours: int
    minutes: int
    seconds: int | None
    meridiem: str
    zone: str
    final_period: bool


def _unit(value: int, name: str) -> str:
    """ "one minute", "twelve seconds" (plural unless one)."""
    return f"{numbers.cardinal(value)} {name}{'' if value == 1 else 's'}"


def _hms(hours: int, minutes: int, seconds: int) -> str:
    """A time with seconds: "one hour one minute and one second"; no hours are spoken for zero hours
    ("00:04:30" -> "four minutes and thirty seconds")."""
    if hours == 0:
        return _minutes_seconds(minutes, seconds)
    return f"{_unit(hours, 'hour')} {_unit(minutes, 'minute')} and {_unit(seconds, 'second')}"


def _minutes_seconds(minutes: int, seconds: int) -> str:
    """A duration in minutes and seconds: "forty-five minutes and twelve seconds", "forty-five minutes"."""
    if seconds == 0:
        return _unit(minutes, "minute")
    return f"{_unit(minutes, 'minute')} and {_unit(seconds, 'second')}"


def _clock(hours: int, minutes: int, has_meridiem: bool) -> str:
    """Hours and minutes: "ten thirty", "ten oh five", "ten o'clock" (just "ten" before AM/PM).

    24-hour forms are read as people read them: on the hour after noon "sixteen hundred" (not "sixteen
    o'clock"); hour zero as "twelve ... AM" ("00:30" -> "twelve thirty AM"); "00:00" and "24:00" as "midnight"."""
    if has_meridiem and minutes == 0:
        return numbers.cardinal(hours)
    if has_meridiem:
        return f"{numbers.cardinal(hours)} {numbers.two_digit_pair(minutes)}"
    if hours in (0, 24) and minutes == 0:
        return "midnight"
    if hours == 0:
        return f"twelve {numbers.two_digit_pair(minutes)} AM"
    if minutes == 0:
        return numbers.cardinal(hours) + (" hundred" if hours > 12 else " o'clock")
    return f"{numbers.cardinal(hours)} {numbers.two_digit_pair(minutes)}"


def _letters(written: str | None) -> str:
    """AM/PM or a time zone as capitals without periods ("p.m." -> "PM", "e.s.t" -> "EST")."""
    return re.sub(r"[.\s]", "", written or "").upper()


def _parts(match: re.Match[str]) -> _Time:
    """The parts of a match of either time pattern (groups h, m, s, ampm, zone)."""
    groups = match.groupdict()
    seconds = groups.get("s")
    return _Time(
        hours=int(match["h"]),
        minutes=int(match["m"] or 0),
        seconds=None if seconds is None else int(seconds),
        meridiem=_letters(match["ampm"]),
        zone=_letters(match["zone"]),
        final_period=match.group(0).endswith(".") and bool(match["ampm"] or match["zone"]),
    )


def _spoken_time(time: _Time) -> str | None:
    """Words for a time, or None for one that cannot be (25:00, 13 PM)."""
    if time.hours > 24 or (time.meridiem and not 0 < time.hours <= 12):
        return None
    if time.seconds is not None:
        spoken = _hms(time.hours, time.minutes, time.seconds)
    else:
        spoken = _clock(time.hours, time.minutes, bool(time.meridiem))
    return " ".join(part for part in (spoken, time.meridiem, time.zone) if part)


def _speak_time(match: re.Match[str]) -> str | None:
    """A clock time; a period closing "p.m." is kept when it also ends the sentence."""
    time = _parts(match)
    spoken = _spoken_time(time)
    if spoken is not None and time.final_period and sentence_end_follows(match):
        spoken += "."
    return spoken


_MERIDIEM = r"(?P<ampm>(?i:[ap]\.m\.?|[ap]m)(?![A-Za-z]))"
_ZONE = (r"(?P<zone>(?i:e\.?s\.?t|e\.?d\.?t|c\.?s\.?t|c\.?d\.?t|m\.?s\.?t|m\.?d\.?t|p\.?s\.?t|p\.?d\.?t|gmt|utc)"
         r"(?![A-Za-z])\.?)")
# "10:30", "01:00 a.m.", "10:00:00 p.m. e.s.t": hours and minutes with a colon.
_COLON_TIME = (r"(?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])"
               rf"(?:\s?{_MERIDIEM})?(?:\s?{_ZONE})?")
# "7pm", "1 a.m.", "1.59 p.m.": an hour (and dotted minutes) that AM/PM makes a time.
_MERIDIEM_TIME = rf"(?P<h>1[0-2]|0?\d)(?:\.(?P<m>[0-5]\d))?\s?{_MERIDIEM}(?:\s?{_ZONE})?"
_TIMES = (re.compile(_COLON_TIME, re.ASCII), re.compile(_MERIDIEM_TIME, re.ASCII))


def _speak_time_range(match: re.Match[str]) -> str | None:
    """Two times joined by a dash: "2pm-5pm" -> "two PM to five PM", "4:00 am - 8:12 pm"."""
    sides = []
    for written in (match["a"], match["b"]):
        found = next((m for m in (p.fullmatch(written) for p in _TIMES) if m is not None), None)
        spoken = None if found is None else _spoken_time(_parts(found))
        if spoken is None:
            return None
        sides.append(spoken)
    return " to ".join(sides)


_ANY_TIME = rf"(?:{unnamed(_COLON_TIME)}|{unnamed(_MERIDIEM_TIME)})"

# Words after which "45:12" is how long something took (a race, a recording): "finished in 45:12".
_DURATION_CUE = (r"(?P<cue>\b(?i:in|within|timed|clocked|ran|run|finished|lasted|lasting|lasts|runs|took|record"
                 r"|best|length|duration|runtime)\s+(?:(?i:a|an|about|around|just|under|over|nearly|almost)\s+)?)")
_NO_MERIDIEM = r"(?![\d:]|\s?(?i:[ap]\.?m\b))"


def _speak_duration(match: re.Match[str]) -> str | None:
    """A race or recording time after a word that announces a duration, whose minutes cannot be a 12-hour
    clock's hour: "finished in 45:12" -> "finished in forty-five minutes and twelve seconds". ("in 3:45" stays a
    clock reading: it may be hours and minutes; so does "in 16:00", a 24-hour clock on the hour.)"""
    minutes, seconds = int(match["m"]), int(match["s"])
    if minutes <= 24 and seconds == 0:
        return None
    return match["cue"] + _minutes_seconds(minutes, seconds)


def _speak_minutes_seconds(match: re.Match[str]) -> str:
    """Minutes and seconds no clock can show ("45:12", "125:30"), with no word saying what they count (a race
    time, a timestamp, a verse): read as the two numbers, the way a race time is said ("forty-five twelve");
    whole minutes as minutes ("45:00" -> "forty-five minutes")."""
    minutes, seconds = int(match["m"]), int(match["s"])
    if seconds == 0:
        return _minutes_seconds(minutes, seconds)
    return f"{numbers.cardinal(minutes)} {numbers.two_digit_pair(seconds)}"

TIME_RULES: tuple[Rule, ...] = (
    compile_rule("time range", r"(?<![\d.:])" + range_pattern(_ANY_TIME, r"\s*[-–]\s*"), _speak_time_range),
    compile_rule("duration", _DURATION_CUE + r"(?<![\d.:])(?P<m>1[3-9]|[2-9]\d|\d{3}):(?P<s>[0-5]\d)" + _NO_MERIDIEM,
                 _speak_duration),
    compile_rule("clock time", r"(?<![\d.:])" + _COLON_TIME, _speak_time),
    compile_rule("minutes and seconds", r"(?<![\d.:])(?P<m>2[5-9]|[3-9]\d|\d{3}):(?P<s>[0-5]\d)" + _NO_MERIDIEM,
                 _speak_minutes_seconds),
    compile_rule("meridiem time", r"(?<![\d.:])" + _MERIDIEM_TIME, _speak_time),
)
