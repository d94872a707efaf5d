"""normalize_text: one hand-written case (or a few) per rule, and properties checked with hypothesis."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_data import shared_data

from voicekit.errors import UnsupportedError
from voicekit.text.normalize import ENGLISH_DIGIT_RULES, normalize_text
from voicekit.text.rules import apply_near_digits, apply_rules


def check(written: str, spoken: str) -> None:
    assert normalize_text(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
        ("It has 42 rooms.", "It has forty-two rooms."),
        ("It was -5 outside.", "It was minus five outside."),
        ("x=-5 (or -3)", "x=minus five (or minus three)"),
        ("covid-19", "covid-nineteen"),
        ("13000 people", "thirteen thousand people"),
        ("code 007", "code zero zero seven"),
        ("ISBN 9780141439518", "ISBN nine seven eight zero one four one four three nine five one eight"),
    ],
)
def test_cardinals(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("3.14", "three point one four"),
        ("-0.5", "minus zero point five"),
        (".25", "point two five"),
        ("1,234.5", "one thousand two hundred thirty-four point five"),
    ],
)
def test_decimals(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("1st", "first"),
        ("22nd", "twenty-second"),
        ("103rd", "one hundred third"),
        ("11th", "eleventh"),
        ("the 4rd", "the four rd"),
    ],
)
def test_ordinals(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("in 1990", "in nineteen ninety"),
        ("the 1990s", "the nineteen nineties"),
        ("the '80s", "the eighties"),
        ("1905", "nineteen oh five"),
        ("2005", "two thousand five"),
        ("2024", "twenty twenty-four"),
        ("1900", "nineteen hundred"),
        ("2000", "two thousand"),
        ("in 44 BC", "in forty-four BC"),
    ],
)
def test_years_and_decades(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("1980-1986", "nineteen eighty to nineteen eighty-six"),
        ("1960-80", "nineteen sixty to eighty"),
        ("pages 5-10", "pages five to ten"),
        ("1960s-80s", "nineteen sixties to eighties"),
        ("978-0", "nine hundred seventy-eight zero"),
        ("The vote was 52-48.", "The vote was fifty-two to forty-eight."),
    ],
)
def test_ranges(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("$3.50", "three dollars and fifty cents"),
        ("It cost $3.50.", "It cost three dollars and fifty cents."),
        ("$12", "twelve dollars"),
        ("$1", "one dollar"),
        ("$0.50", "fifty cents"),
        ("£5", "five pounds"),
        ("£1.20", "one pound and twenty pence"),
        ("€20", "twenty euros"),
        ("$3.5M", "three point five million dollars"),
        ("$2.5 billion", "two point five billion dollars"),
        ("¥300", "three hundred yen"),
        ("$1,925.21", "one thousand nine hundred twenty-five dollars and twenty-one cents"),
        ("$250-$300", "two hundred fifty dollars to three hundred dollars"),
        ("$20/mo", "twenty dollars per month"),
        ("US$76.3 trillion", "seventy-six point three trillion US dollars"),
        ("-$5", "minus five dollars"),
        ("$5-10 each", "five to ten dollars each"),
        ("$1-2 million", "one to two million dollars"),
        ("20 USD", "twenty US dollars"),
        ("EUR 5", "five euros"),
        ("$20.506", "twenty point five zero six dollars"),
        ("¥30.5", "thirty point five yen"),
    ],
)
def test_money(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("50%", "fifty percent"),
        ("3.5%", "three point five percent"),
        ("5-10%", "five to ten percent"),
        ("5.25%-5.5%", "five point two five to five point five percent"),
    ],
)
def test_percent(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("10:30", "ten thirty"),
        ("10:05", "ten oh five"),
        ("at 10:00", "at ten o'clock"),
        ("7pm", "seven PM"),
        ("1:59 p.m. on Monday", "one fifty-nine PM on Monday"),
        ("We met at 5 p.m. Then we left.", "We met at five PM. Then we left."),
        ("2pm-5pm", "two PM to five PM"),
        ("10:30 GMT", "ten thirty GMT"),
        ("1:01:01", "one hour one minute and one second"),
    ],
)
def test_times(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("May 1, 2024", "May first, twenty twenty-four"),
        ("2024-05-01", "May first, twenty twenty-four"),
        ("1 May 2024", "the first of May twenty twenty-four"),
        ("on the 26th May", "on the twenty-sixth of May"),
        ("Jan. 15 2020", "January fifteenth twenty twenty"),
        ("10/06/2005", "October sixth, two thousand five"),
        ("15.01.2020", "the fifteenth of January twenty twenty"),
        ("you may 5 times", "you may five times"),
        ("they march 5 miles", "they march five miles"),
        ("17 may 2010", "the seventeenth of May twenty ten"),
        ("due on 5/12", "due on May twelfth"),
        ("2Q22 sales", "the second quarter of twenty-two sales"),
    ],
)
def test_dates(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("1/2", "one half"),
        ("3/4", "three quarters"),
        ("2 1/2", "two and a half"),
        ("5/8", "five eighths"),
        ("1/3", "one third"),
    ],
)
def test_fractions(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("5 km", "five kilometers"),
        ("12kg", "twelve kilograms"),
        ("60 mph", "sixty miles per hour"),
        ("20°C", "twenty degrees Celsius"),
        ("1°F", "one degree Fahrenheit"),
        ("16 GB and 512 MB", "sixteen gigabytes and five hundred twelve megabytes"),
        ("3 cm by 4 mm", "three centimeters by four millimeters"),
        ("250 ml", "two hundred fifty milliliters"),
        ("1 lb", "one pound"),
        ("6 ft", "six feet"),
        ("a 12 in. ruler", "a twelve inches. ruler"),
        ("a board 12 in long", "a board twelve inches long"),
        ("at 5 in the morning", "at five in the morning"),
        ("4 1/2 lbs", "four and a half pounds"),
        ("a 5-km run", "a five-kilometer run"),
        ("2-5lb", "two to five pounds"),
        ("1/2 tsp salt", "one half teaspoon salt"),
        ("400 sq ft", "four hundred square feet"),
    ],
)
def test_units(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("123-456-7890", "one two three, four five six, seven eight nine zero"),
        ("+1 (555) 123-4567", "plus one, five five five, one two three, four five six seven"),
        ("555.555.5555", "five five five, five five five, five five five five"),
        ("1-800-555-0199", "one, eight hundred, five five five, zero one nine nine"),
        ("1-800-FLOWERS", "one, eight hundred, FLOWERS"),
    ],
)
def test_telephone_numbers(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Henry VIII", "Henry the Eighth"),
        ("Louis XIV was king.", "Louis the Fourteenth was king."),
        ("Elizabeth I.", "Elizabeth the First."),
        ("Chapter IV", "Chapter Four"),
        ("CHAPTER XII", "CHAPTER Twelve"),
        ("World War II", "World War Two"),
        ("I told Henry I would", "I told Henry I would"),
        ("Malcolm X", "Malcolm X"),
    ],
)
def test_roman_numerals(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Dr. Smith arrived.", "Doctor Smith arrived."),
        ("Mr. and Mrs. Bennet", "Mister and Missus Bennet"),
        ("Mr. Darcy and Ms. Lee", "Mister Darcy and Miz Lee"),
        ("Prof. Xu", "Professor Xu"),
        ("We visited St. Paul.", "We visited Saint Paul."),
        ("She lived on 1428 Elm St. It was odd.", "She lived on fourteen twenty-eight Elm Street. It was odd."),
        ("He took the Elm St. bus", "He took the Elm Street bus"),
        ("fruit, e.g., apples", "fruit, for example, apples"),
        ("apples, pears, etc. and more", "apples, pears, et cetera and more"),
        ("apples, pears, etc. Then", "apples, pears, et cetera. Then"),
        ("Ali vs. Frazier", "Ali versus Frazier"),
        ("No. 5", "Number five"),
        ("on Mon., Jan. 5", "on Monday, January fifth"),
        ("read The Sun. Then", "read The Sun. Then"),
        ("He lived on Fifth Ave. It rained.", "He lived on Fifth Avenue. It rained."),
        ("123 Laguna Ct, Town", "one hundred twenty-three Laguna Court, Town"),
        ("see p. 5 and pp. 7-9", "see page five and pages seven to nine"),
        ("Fig. 2", "Figure two"),
    ],
)
def test_abbreviations(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Write to abc@gmail.com.", "Write to abc at gmail dot com."),
        ("see https://www.nvidia.com/dgx-basepod",
         "see HTTPS colon slash slash WWW dot nvidia dot com slash dgx dash basepod"),
        ("Visit nvidia.com, then rest.", "Visit nvidia dot com, then rest."),
        ("the file notes.txt", "the file notes.txt"),
    ],
)
def test_web_addresses(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("paragraph 1.E.9.", "paragraph one E nine."),
        ("version 2.0.1", "version two point zero point one"),
        ("IP 192.168.0.1", "IP one nine two dot one six eight dot zero dot one"),
        ("odds of 100:1", "odds of one hundred to one"),
        ("He was 6'2\" tall", "He was six feet two inches tall"),
        ("a 2x4 board", "a two by four board"),
        ("2+3", "two plus three"),
        ("2 + 2 = 4", "two plus two equals four"),
        ("call 911 now", "call nine one one now"),
        ("EBook #1342", "EBook number one thousand three hundred forty-two"),
        ("issue #5 Jan. the fifth", "issue number five Jan. the fifth"),  # a numbered item, not the 5th of January
        ("ext. 89", "extension eighty-nine"),
        ("MP3 and H2O", "MP three and H two O"),
        ("In 1066, they came.", "In ten sixty-six, they came."),
    ],
)
def test_other_identifiers(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("The train leaves at 16:00.", "The train leaves at sixteen hundred."),
        ("at 16:30", "at sixteen thirty"),
        ("08:15", "eight fifteen"),
        ("at 00:30", "at twelve thirty AM"),
        ("00:00", "midnight"),
        ("12:00", "twelve o'clock"),
        ("16:00-17:30", "sixteen hundred to seventeen thirty"),
    ],
)
def test_twenty_four_hour_and_zero_padded_times(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("She finished in 45:12.", "She finished in forty-five minutes and twelve seconds."),
        ("clocked 13:05", "clocked thirteen minutes and five seconds"),
        ("He ran it in 1:02:33.", "He ran it in one hour two minutes and thirty-three seconds."),
        ("00:04:30", "four minutes and thirty seconds"),
        ("a 27:40 10K", "a twenty-seven forty ten K"),
        ("the 45:00 mark", "the forty-five minutes mark"),
        ("Isaiah 40:31", "Isaiah forty thirty-one"),
        ("in 3:45", "in three forty-five"),
        ("in 16:00", "in sixteen hundred"),
        ("odds of 100:1", "odds of one hundred to one"),
    ],
)
def test_race_and_recording_times(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("on 25.12.2023", "on the twenty-fifth of December twenty twenty-three"),
        ("25/12/2023", "the twenty-fifth of December twenty twenty-three"),
        ("12.25.2023", "December twenty-fifth, twenty twenty-three"),
        ("2023.12.25", "December twenty-fifth, twenty twenty-three"),
        ("2024-25-12", "December twenty-fifth, twenty twenty-four"),
        ("03/04/2023", "March fourth, twenty twenty-three"),
        ("version 2023.1.2", "version two thousand twenty-three point one point two"),
    ],
)
def test_dates_with_dots_and_slashes_in_either_order(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("The score was 3-2.", "The score was three to two."),
        ("a 3-2 win", "a three to two win"),
        ("lost 2-3", "lost two to three"),
        ("a 1-0 lead", "a one to zero lead"),
        ("won 102-98", "won one hundred two to ninety-eight"),
        ("978-0", "nine hundred seventy-eight zero"),
        ("named 11-0.txt", "named eleven zero.txt"),
    ],
)
def test_scores_and_results(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("v2.0", "version two point zero"),
        ("v1.2.3", "version one point two point three"),
        ("version 3.10.2", "version three point ten point two"),
        ("Python 3.11 is out", "Python three point eleven is out"),
        ("USB 3.0", "USB three point zero"),
        ("HTTP/1.1", "HTTP slash one point one"),
        ("V8 engine", "V eight engine"),
        ("it is 3.11 m", "it is three point one one meters"),
    ],
)
def test_version_numbers(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("model 4035", "model forty thirty-five"),
        ("Model No. 4035", "Model Number forty thirty-five"),
        ("part number 4035-B", "part number forty thirty-five-B"),
        ("Boeing 747", "Boeing seven forty-seven"),
        ("flight 370", "flight three seventy"),
        ("room 12", "room twelve"),
        ("ZIP 90210", "ZIP nine zero two one zero"),
        ("zip 90210-1234", "zip nine zero two one zero, one two three four"),
        ("Santa Clara, CA 95051", "Santa Clara, CA nine five zero five one"),
        ("PIN 0420", "PIN zero four two zero"),
        ("A380", "A three eighty"),
        ("your code is ab9453", "your code is ab nine four five three"),
        ("13000 people", "thirteen thousand people"),
    ],
)
def test_identifiers_in_pairs_or_digits(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("5 μm", "five micrometers"),
        ("5µm", "five micrometers"),
        ("20 °C", "twenty degrees Celsius"),
        ("98.6 °F", "ninety-eight point six degrees Fahrenheit"),
        ("37℃", "thirty-seven degrees Celsius"),
        ("100 km/h", "one hundred kilometers per hour"),
        ("3 m/s", "three meters per second"),
        ("9.8 m/s²", "nine point eight meters per second squared"),
        ("3 * 4", "three times four"),
        ("3 × 4 = 12", "three times four equals twelve"),
        ("a 2×4 board", "a two by four board"),
    ],
)
def test_units_written_with_symbols(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("a 2 1/2-inch pipe", "a two-and-a-half-inch pipe"),
        ("1½", "one and a half"),
        ("1½ cups", "one and a half cups"),
        ("a 2½-hour wait", "a two-and-a-half-hour wait"),
        ("1½ lbs", "one and a half pounds"),
        ("¾ of them", "three quarters of them"),
    ],
)
def test_mixed_fractions_and_fraction_characters(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Maj. Smith", "Major Smith"),
        ("Maj. Gen. Smith", "Major General Smith"),
        ("Hon. John Doe", "Honorable John Doe"),
        ("Col. Mustard", "Colonel Mustard"),
        ("Lt. Dan", "Lieutenant Dan"),
        ("Sgt. Pepper", "Sergeant Pepper"),
        ("Capt. Kirk", "Captain Kirk"),
        ("Rev. Green", "Reverend Green"),
        ("Cpl. Hicks", "Corporal Hicks"),
        ("mr. smith", "mister smith"),
        ("I told dr. jones", "I told doctor jones"),
        ("12 elm dr. then", "twelve elm dr. then"),
    ],
)
def test_titles_and_ranks(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Open Mon.-Fri. Closed weekends.", "Open Monday to Friday. Closed weekends."),
        ("open Mon-Fri 9-5", "open Monday to Friday nine to five"),
        ("Mon-Tue-Wed only", "Monday to Tuesday to Wednesday only"),  # a run of them, read whole
        ("Jan-Jan-Jan-1", "January to January to January first"),  # and read once: reading it again changes nothing
        ("Jan.-Mar. sales", "January to March sales"),
        ("Jan-Mar 2024", "January to March twenty twenty-four"),
        ("on Tue the 5th", "on Tuesday the fifth"),
        ("Tue, Jan 5", "Tuesday, January fifth"),
        ("Sat. and Sun.", "Saturday and Sunday."),
        ("Wed. at 5", "Wednesday at five"),
        ("in Sept. we left", "in September we left"),
        ("read The Sun. Then", "read The Sun. Then"),
        ("The Sun rose.", "The Sun rose."),
        ("a Mon", "a Mon"),
    ],
)
def test_weekdays_and_months_and_their_ranges(written: str, spoken: str) -> None:
    check(written, spoken)


@pytest.mark.parametrize(
    "kept",
    ["2-0-3", "[cheerful]", "[12]", "[citation needed 2024]", "call 5-5-5-1-2-1-2 now"],
)
def test_kept_text(kept: str) -> None:
    check(kept, kept)


def test_brackets_kept_around_normalized_text() -> None:
    check("[cheerful] I owe $5 [3] and code 2-0-3.", "[cheerful] I owe five dollars [3] and code 2-0-3.")


def test_title_period_does_not_look_like_a_sentence_end() -> None:
    spoken = normalize_text("Dr. Smith met Mrs. Jones at 10 a.m. on Elm St. near the park.")
    assert spoken == "Doctor Smith met Missus Jones at ten AM on Elm Street near the park."
    assert spoken.count(".") == 1


def test_arabic_numbers_become_arabic_words() -> None:
    spoken = normalize_text("لدي ٣ كتب و 25 قلما", language="ar")
    assert spoken == "لدي ثلاثة كتب و خمسة و عشرون قلما"
    assert normalize_text("3.5", language="ar") == "ثلاثة فاصلة خمسة"
    assert normalize_text("50%", language="ar") == "خمسون بالمئة"


def test_language_tags_with_a_region() -> None:
    assert normalize_text("5 cats", language="en-GB") == "five cats"


@pytest.mark.parametrize("language", ["de", "fr", "xx", ""])
def test_other_languages_are_refused(language: str) -> None:
    with pytest.raises(UnsupportedError, match="supports en, ar"):
        normalize_text("5", language=language)


def test_book_without_numbers_is_unchanged_apart_from_titles() -> None:
    text = "It is a truth universally acknowledged, that a single man in possession of a good fortune..."
    check(text, text)


def test_a_whole_book_is_spoken_as_words() -> None:
    """How fast is measured in benchmarks/chunker.py (MB/s through the front end on this book), not here."""
    path = shared_data("text", "gutenberg_1342_pride_and_prejudice.txt")
    text = path.read_text(encoding="utf-8")
    spoken = normalize_text(text)
    assert "Chapter one" in spoken and "Chapter 1" not in spoken
    assert "Missus Bennet" in spoken
    assert not re.search(r"[0-9]", re.sub(r"\[[^\]]*\]", "", spoken))


# --- properties ---------------------------------------------------------------------------------------------

KEPT_IN_OUTPUT = re.compile(r"\[[^\[\]]*\]|(?<![\w.-])\d(?:-\d){2,}(?![\w-]|\.\d)")

TOKENS = st.sampled_from(
    ["1", "22", "1,234", "3.14", "-5", "1990", "1990s", "$3.50", "£5", "€2.5M", "10:30", "7pm", "p.m.", "1st",
     "May", "1", "2024-05-01", "1/2", "2 1/2", "5km", "12 kg", "50%", "°C", "Dr.", "St.", "Henry", "VIII",
     "Chapter", "IV", "2-0-3", "[cheerful]", "[12]", "-", "/", ".", ",", "x", "in", "e.g.", "etc.", "Smith",
     "the", "+1", "555-123-4567", "1.2.3", "'80s", "Jan.", "1-800", "a.m.", "0.004", "007", "abc@x.com",
     "www.a.com/5", "3:1", "6'2\"", "St", "ext.", "#5", "1.E.9", "Mr", "Elm", "Q3", "2Q22", "12:30:45",
     "16:00", "45:12", "in", "3-2", "v2.0", "Python", "model", "ZIP", "A380", "½", "μm", "*", "×", "Maj.", "mr.",
     "Mon.", "Fri", "Sun.", "and", "Jan"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(TOKENS, max_size=8), st.sampled_from(["", " ", "-", "/"]))
def test_no_digit_left_outside_kept_text(tokens: list[str], joiner: str) -> None:
    spoken = normalize_text(joiner.join(tokens))
    assert not re.search(r"[0-9]", KEPT_IN_OUTPUT.sub("", spoken)), spoken


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 ,.-/:$%£€abpmxkgI[]", max_size=24))
def test_no_digit_left_in_any_text(text: str) -> None:
    spoken = normalize_text(text)
    assert not re.search(r"[0-9]", KEPT_IN_OUTPUT.sub("", spoken)), spoken


FILLER = st.sampled_from(["and so on", "Elizabeth walked", "the", "a very long stretch of quiet prose " * 3, "\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(TOKENS, FILLER), max_size=14))
def test_digit_rules_near_digits_read_as_on_the_whole_text(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert apply_near_digits(ENGLISH_DIGIT_RULES, text) == apply_rules(ENGLISH_DIGIT_RULES, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(TOKENS, max_size=8), st.sampled_from(["", " ", "-", "/"]))
def test_normalizing_is_idempotent(tokens: list[str], joiner: str) -> None:
    once = normalize_text(joiner.join(tokens))
    assert normalize_text(once) == once


@pytest.mark.parametrize(("written", "spoken"), [
    ("Call the office on 555-0142.", "Call the office on five five five, zero one four two."),
    ("Phone +44 20 7946 0958 today.",
     "Phone plus four four, two zero, seven nine four six, zero nine five eight today."),
    ("Call +1 555 123 4567.", "Call plus one, five five five, one two three, four five six seven."),
    ("between 200-1000 people", "between two hundred to one thousand people"),
])
def test_local_and_international_telephone_numbers(written: str, spoken: str) -> None:
    assert normalize_text(written) == spoken
