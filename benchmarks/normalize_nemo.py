"""voicekit's English normalizer against NVIDIA NeMo's text-normalization test cases.

Run: ``/work/venv/bin/python benchmarks/normalize_nemo.py`` (add ``-v`` to list every disagreement).

Both sides are canonicalized before comparing (case, punctuation, hyphens, the word "and", "a hundred" vs "one
hundred"), because those differences are not heard. A disagreement is then either *deliberate* (voicekit reads
that form differently on purpose; each rule below names the form and gives the reason) or *genuine*.
Agreement % = agreeing cases / (cases - deliberate differences). Raw agreement is printed beside it.

Then voicekit's own reading categories (24-hour and race times, numeric dates in either order, scores, versions,
identifiers, unit symbols, mixed fractions, titles and ranks, weekdays and months): cases written from the rules in
``voicekit/text/en_*.py``, not NeMo's outputs, for forms NeMo's set does not hold; and the Google text-normalization
sentences (``GoogleTN.json``), compared whole after the same canonicalization (no deliberate differences removed).

It also times normalizing all of Pride and Prejudice (about 700 kB, few digits) and 200 kB of digit-dense text
(the NeMo inputs repeated), where every rule has work to do.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voicekit.text.normalize import normalize_text  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
NEMO = DATA / "tn" / "nemo_en"
BOOK = DATA / "text" / "gutenberg_1342_pride_and_prejudice.txt"
# The classes whose agreement must stay at or above GATE.
GATED = ("cardinal", "ordinal", "decimal", "money", "time", "date", "measure", "telephone", "range")
GATE = 90.0


def canonical(spoken: str) -> str:
    """What a listener hears, as comparable text: lower case, no punctuation or hyphens, no "and",
    "a hundred/thousand" as "one hundred/thousand"."""
    text = spoken.lower().replace("-", " ").replace("–", " ")
    text = re.sub(r"[^\w\s']", " ", text)
    words = [word.strip("'") for word in text.split()]
    words = [word for word in words if word and word != "and"]
    joined = " ".join(words)
    return re.sub(r"\ba (hundred|thousand)\b", r"one \1", joined)


@dataclass(frozen=True)
class Deliberate:
    """A form voicekit reads differently from NeMo on purpose, and why."""

    name: str
    reason: str
    applies: Callable[[str, str, str], bool]  # (written, NeMo's canonical reading, voicekit's canonical reading)


def _ungrouped_long_integer(written: str, expected: str, got: str) -> bool:
    plain = re.search(r"(?<![\d,.$£€¥₩])\d{5,9}(?![\d,])", written)
    return plain is not None and re.search(r"\b(zero|one|two|three|four|five|six|seven|eight|nine)"
                                           r"( (zero|one|two|three|four|five|six|seven|eight|nine)){4}\b",
                                           expected) is not None


def _dash_range(written: str, expected: str, got: str) -> bool:
    return re.search(r"\d\s*-\s*\d", written) is not None and " to " in f" {got} " and " to " not in expected


def _dimensions(written: str, expected: str, got: str) -> bool:
    return re.search(r"\dx\d", written) is not None and " by " in got and " by " not in expected


def _unknown_name_numeral(written: str, expected: str, got: str) -> bool:
    return re.fullmatch(r"[A-Z][a-z]+ [IVXLCDM]+", written) is not None and written.lower() == got


def _oh_for_zero(written: str, expected: str, got: str) -> bool:
    return f" {got} ".replace(" oh ", " zero ").strip() == expected


def _hour_on_the_hour(written: str, expected: str, got: str) -> bool:
    return re.fullmatch(r"(1[3-9]|2[0-3]):00", written.strip()) is not None and got.endswith(" hundred")


def _lower_case_title(written: str, expected: str, got: str) -> bool:
    found = re.search(r"\b(mr|mrs|ms|dr|prof)\.\s", written)
    return found is not None and found.group(1) in expected.split() and found.group(1) not in got.split()


DELIBERATE = (
    Deliberate("ungrouped 5-9 digit integer", "voicekit reads 13000 as thirteen thousand (a count in prose); "
               "NeMo reads it digit by digit. Leading zeros and 10+ digits are digit by digit in both.",
               _ungrouped_long_integer),
    Deliberate("dash between numbers", "a dash before a larger number is a range read 'to' (pages 5-10); "
               "NeMo keeps the dash", _dash_range),
    Deliberate("2x8", "dimensions are read 'two by eight'; NeMo reads 'two x eight'", _dimensions),
    Deliberate("numeral after an unknown name", "Roman numerals become ordinals only after regnal names "
               "(Henry VIII) and cardinals after headings (Chapter IV); 'Sam II' could be a sequel or a model",
               _unknown_name_numeral),
    Deliberate("24-hour clock on the hour", "'23:00' is read 'twenty-three hundred', as a 24-hour time is said; "
               "NeMo says 'twenty-three o'clock'", _hour_on_the_hour),
    Deliberate("lower-case title", "'dr. Evil' is read 'doctor Evil' (a title written in lower case); NeMo "
               "leaves 'dr.' as written", _lower_case_title),
    Deliberate("'oh' for a zero", "a zero inside a year or clock pair is spoken 'oh' (nineteen oh five, "
               "oh five); NeMo says 'zero' in two-digit years", _oh_for_zero),
)


@dataclass
class Result:
    """Counts for one test file."""

    name: str
    cases: int = 0
    agree: int = 0
    deliberate: list[tuple[str, str, str]] = field(default_factory=list)
    genuine: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        counted = self.cases - len(self.deliberate)
        return 100.0 * self.agree / counted if counted else 100.0

    @property
    def raw(self) -> float:
        return 100.0 * self.agree / self.cases if self.cases else 100.0


def load_cases(path: Path) -> list[tuple[str, str]]:
    """``written~spoken`` lines (only the newline is stripped; a line with other than one "~" is skipped)."""
    cases = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split("~")
        if len(parts) == 2 and line:
            cases.append((parts[0], parts[1]))
    return cases


def score(name: str, cases: list[tuple[str, str]]) -> Result:
    """Normalize every written form and compare it with NeMo's, sorting disagreements into their kinds."""
    result = Result(name)
    for written, spoken in cases:
        result.cases += 1
        got = canonical(normalize_text(written))
        expected = canonical(spoken)
        if got == expected:
            result.agree += 1
        elif any(rule.applies(written, expected, got) for rule in DELIBERATE):
            result.deliberate.append((written, spoken, got))
        else:
            result.genuine.append((written, spoken, got))
    return result


def score_all() -> list[Result]:
    """Every test_cases_<class>.txt (except the multi-answer audio file) and the inline cases."""
    results = []
    for path in sorted(NEMO.glob("test_cases_*.txt")):
        name = path.stem.removeprefix("test_cases_")
        if name != "normalize_with_audio":
            results.append(score(name, load_cases(path)))
    inline = json.loads((NEMO / "inline_cases_en.json").read_text(encoding="utf-8"))
    results.append(score("inline", [(case["written"], case["spoken"]) for case in inline]))
    return results


# Forms NeMo's test set does not hold, written here from the rules in voicekit/text/en_*.py (what a listener
# expects to hear), one category per rule family: a check that each family reads sentences it was not tuned on.
OWN_CASES: dict[str, list[tuple[str, str]]] = {
    "24-hour time": [
        ("The shop opens at 09:00.", "The shop opens at nine o'clock."),
        ("Dinner is at 19:00.", "Dinner is at nineteen hundred."),
        ("the 21:45 train", "the twenty-one forty-five train"),
        ("at 00:15 the lights went out", "at twelve fifteen AM the lights went out"),
        ("from 00:00 to 06:00", "from midnight to six o'clock"),
        ("We land at 13:05.", "We land at thirteen oh five."),
    ],
    "race time": [
        ("She won in 58:31.", "She won in fifty-eight minutes and thirty-one seconds."),
        ("He clocked 14:59 in the 5000.", "He clocked fourteen minutes and fifty-nine seconds in the five thousand."),
        ("The marathon took 2:08:41.", "The marathon took two hours eight minutes and forty-one seconds."),
        ("a personal best of 31:20", "a personal best of thirty-one twenty"),
        ("the clip runs 0:45:10", "the clip runs forty-five minutes and ten seconds"),
        ("at 38:00 into the video", "at thirty-eight minutes into the video"),
    ],
    "numeric date": [
        ("Born 31.01.1990.", "Born the thirty-first of January nineteen ninety."),
        ("due 28/02/2025", "due the twenty-eighth of February twenty twenty-five"),
        ("on 07/04/1776", "on July fourth, seventeen seventy-six"),
        ("logged 2022.11.30", "logged November thirtieth, twenty twenty-two"),
        ("the 13-05-2021 meeting", "the thirteenth of May twenty twenty-one meeting"),
        ("11.09.2001", "November ninth, two thousand one"),
    ],
    "score": [
        ("Arsenal won 2-1.", "Arsenal won two to one."),
        ("a 4-4 draw", "a four to four draw"),
        ("The Senate voted 51-49.", "The Senate voted fifty-one to forty-nine."),
        ("they beat Boston 110-104", "they beat Boston one hundred ten to one hundred four"),
        ("trailing 0-3 at half time", "trailing zero to three at half time"),
        ("pages 12-15", "pages twelve to fifteen"),
    ],
    "version": [
        ("Upgrade to v3.2 now.", "Upgrade to version three point two now."),
        ("Python 3.12 dropped it", "Python three point twelve dropped it"),
        ("release 1.10.0", "release one point ten point zero"),
        ("iOS 17.4 is out", "iOS seventeen point four is out"),
        ("version 2.05", "version two point zero five"),
        ("Node.js 20.11.1", "Node.js twenty point eleven point one"),
    ],
    "identifier": [
        ("the model 7020 printer", "the model seventy twenty printer"),
        ("ZIP 10001", "ZIP one zero zero zero one"),
        ("Austin, TX 78701", "Austin, TX seven eight seven zero one"),
        ("flight 1549 landed", "flight fifteen forty-nine landed"),
        ("part 208-33", "part two oh eight, thirty-three"),
        ("serial number 5593021", "serial number five five nine three zero two one"),
        ("the Boeing 737", "the Boeing seven thirty-seven"),
        ("room 101", "room one oh one"),
    ],
    "unit symbol": [
        ("a 10 μm filter", "a ten micrometers filter"),
        ("set it to 180 °C", "set it to one hundred eighty degrees Celsius"),
        ("-40 °F", "minus forty degrees Fahrenheit"),
        ("30 km/h", "thirty kilometers per hour"),
        ("340 m/s", "three hundred forty meters per second"),
        ("6 * 7 = 42", "six times seven equals forty-two"),
        ("1920×1080", "one thousand nine hundred twenty by one thousand eighty"),
    ],
    "mixed fraction": [
        ("a 3 1/2-inch disk", "a three-and-a-half-inch disk"),
        ("2¼ cups", "two and a quarter cups"),
        ("½ teaspoon", "one half teaspoon"),
        ("a 1½-hour film", "a one-and-a-half-hour film"),
        ("5 3/4 miles", "five and three quarters miles"),
    ],
    "title": [
        ("Maj. Reno waited.", "Major Reno waited."),
        ("Gen. Grant and Col. Chamberlain", "General Grant and Colonel Chamberlain"),
        ("the Hon. Member", "the Honorable Member"),
        ("Sgt. Bilko", "Sergeant Bilko"),
        ("Rev. King spoke.", "Reverend King spoke."),
        ("ask mr. darcy", "ask mister darcy"),
        ("Lt. Col. Smith", "Lieutenant Colonel Smith"),
    ],
    "weekday and month": [
        ("Open Tue-Sat.", "Open Tuesday to Saturday."),
        ("Mon.-Thurs. only", "Monday to Thursday only"),
        ("Q1 runs Jan.-Mar.", "Q one runs January to March."),
        ("closed Sun.", "closed Sunday."),
        ("We saw the Sun. It set.", "We saw the Sun. It set."),
        ("every Fri at noon", "every Friday at noon"),
        ("Sept.-Dec. 2024", "September to December twenty twenty-four"),
        ("Thu, Mar 7", "Thursday, March seventh"),
    ],
}


def score_own() -> list[Result]:
    """Every category of ``OWN_CASES``, scored as NeMo's are."""
    return [score(name, cases) for name, cases in OWN_CASES.items()]


GOOGLE = DATA / "tn" / "GoogleTN.json"


def score_google() -> tuple[int, int]:
    """Sentences of the Google text-normalization set (``GoogleTN.json``) whose canonical reading matches."""
    rows = [json.loads(line) for line in GOOGLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    agree = sum(canonical(normalize_text(row["text"])) == canonical(row["gt_normalized"]) for row in rows)
    return len(rows), agree


def time_book() -> tuple[int, float]:
    """Characters in Pride and Prejudice and the seconds normalizing all of it takes."""
    text = BOOK.read_text(encoding="utf-8")
    start = time.perf_counter()
    normalize_text(text)
    return len(text), time.perf_counter() - start


def time_dense(results_cases: list[tuple[str, str]], size: int = 200_000) -> tuple[int, float]:
    """Characters and seconds for digit-dense text: every written NeMo case, one per line, repeated."""
    block = "\n".join(written for written, _ in results_cases) + "\n\n"
    text = block * max(1, size // len(block))
    start = time.perf_counter()
    normalize_text(text)
    return len(text), time.perf_counter() - start


def main(verbose: bool = False) -> None:
    if not NEMO.is_dir():
        print(f"NeMo test cases not found at {NEMO}")
        return
    start = time.perf_counter()
    results = score_all()
    print(f"{'file':<28}{'cases':>6}{'agree':>7}{'deliberate':>11}{'agreement %':>13}{'raw %':>8}  gate")
    for result in results:
        gate = ("ok" if result.agreement >= GATE else "FAIL") if result.name in GATED else ""
        print(f"{result.name:<28}{result.cases:>6}{result.agree:>7}{len(result.deliberate):>11}"
              f"{result.agreement:>13.1f}{result.raw:>8.1f}  {gate}")
    print(f"scored in {time.perf_counter() - start:.2f} s")
    print("\nvoicekit's own cases (written from its rules; forms NeMo's set does not hold):")
    own = score_own()
    for result in own:
        print(f"{result.name:<28}{result.cases:>6}{result.agree:>7}{len(result.deliberate):>11}"
              f"{result.agreement:>13.1f}{result.raw:>8.1f}")
    if GOOGLE.is_file():
        sentences, agree = score_google()
        print(f"\nGoogle TN set: {agree:,} of {sentences:,} sentences agree ({100 * agree / sentences:.1f} %)")
    print("\nDeliberate differences (not counted):")
    for rule in DELIBERATE:
        print(f"- {rule.name}: {rule.reason}")
    for result in results:
        for written, spoken, got in result.deliberate if verbose else []:
            print(f"  [{result.name}] {written!r}: NeMo {spoken!r} / voicekit {got!r}")
    if verbose:
        print("\nGenuine disagreements:")
        for result in results + own:
            for written, spoken, got in result.genuine:
                print(f"  [{result.name}] {written!r}: NeMo {spoken!r} / voicekit {got!r}")
    if BOOK.is_file():
        chars, seconds = time_book()
        print(f"\nPride and Prejudice: {chars:,} characters normalized in {seconds:.2f} s "
              f"({chars / seconds / 1e6:.2f} M chars/s)")
    cases = [case for path in sorted(NEMO.glob("test_cases_*.txt")) for case in load_cases(path)]
    chars, seconds = time_dense(cases)
    print(f"Digit-dense text (NeMo inputs repeated): {chars:,} characters in {seconds:.2f} s "
          f"({chars / seconds / 1e3:.0f} k chars/s)")


if __name__ == "__main__":
    main(verbose="-v" in sys.argv)
