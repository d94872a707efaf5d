"""Sentence boundaries: abbreviations, decimals, initials, ellipses, quotes, lists; pySBD's golden rules."""

from __future__ import annotations

import json

import pytest
from shared_data import shared_data

from voicekit.text.sentences import sentence_ends, split_sentences

GOLDEN_FLOOR = 45
"""pySBD's own English golden rules pass 47 of 48 here (rule 18, a.m./P.M. before a name, fails as it does in
pySBD); the test keeps a floor a little under that."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
        ("Mr. and Mrs. Bennet met Dr. Smith at St. Paul's. They left.",
         ["Mr. and Mrs. Bennet met Dr. Smith at St. Paul's.", "They left."]),
        ("See e.g. the second case. It works.", ["See e.g. the second case.", "It works."]),
        ("It cost $3.50 in 1990. Then 4.5 more.", ["It cost $3.50 in 1990.", "Then 4.5 more."]),
        ("J. R. R. Tolkien wrote it. He was English.", ["J. R. R. Tolkien wrote it.", "He was English."]),
        ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
        ("I work for the U.S. Government here.", ["I work for the U.S. Government here."]),
        ("Turn to p. 55 now. Go on.", ["Turn to p. 55 now.", "Go on."]),
        ("Wait... Then he came.", ["Wait...", "Then he came."]),
        ("I never... well, no.", ["I never... well, no."]),
        ('"Is it?" she asked. "Yes!" he said.', ['"Is it?" she asked.', '"Yes!" he said.']),
        ("“Stop.” He stopped.", ["“Stop.”", "He stopped."]),
        ("He (who knew.) left. Fine.", ["He (who knew.) left.", "Fine."]),
        ("No terminal punctuation", ["No terminal punctuation"]),
        ("كيف حالك؟ أنا بخير. شكرا", ["كيف حالك؟", "أنا بخير.", "شكرا"]),
        ("", []),
        ("   ", []),
    ],
)
def test_boundaries(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sentences_keep_every_word_in_order() -> None:
    text = "Dr. Who arrived at 5 p.m. on Jan. 3. Nobody knew!  Why? Because… it was late."
    assert " ".join(split_sentences(text)).split() == text.split()


def test_sentence_ends_marks_the_last_token() -> None:
    assert sentence_ends(["Hi.", "There", "you", "are"]) == [True, False, False, True]
    assert sentence_ends([]) == []


def test_numbered_list_items_start_sentences() -> None:
    assert split_sentences("1. The first item 2. The second item") == ["1. The first item", "2. The second item"]
    assert split_sentences("• one thing • another thing") == ["• one thing", "• another thing"]


def load_golden() -> list[dict[str, object]]:
    path = shared_data("sbd", "golden_rules_en.json")
    rules: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return rules


def test_golden_rules_floor() -> None:
    rules = load_golden()
    passed = [index for index, rule in enumerate(rules, 1) if split_sentences(str(rule["text"])) == rule["sentences"]]
    failed = sorted(set(range(1, len(rules) + 1)) - set(passed))
    print(f"pySBD golden rules: {len(passed)}/{len(rules)} pass; failing: {failed}")
    assert len(rules) == 48
    assert len(passed) >= GOLDEN_FLOOR, failed


@pytest.mark.xfail(reason="golden rule 18 (a.m./P.M. before 'Mr.') fails in pySBD too", strict=False)
def test_golden_rule_18() -> None:
    rule = load_golden()[17]
    assert split_sentences(str(rule["text"])) == rule["sentences"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maj. Smith arrived. Then Lt. Col. Jones left.", ["Maj. Smith arrived.", "Then Lt. Col. Jones left."]),
        ("Cpl. Hicks and Pvt. Hudson ran. Brig. Gen. Lee waited.",
         ["Cpl. Hicks and Pvt. Hudson ran.", "Brig. Gen. Lee waited."]),
        ("We met on Jan. 5 at noon. It rained.", ["We met on Jan. 5 at noon.", "It rained."]),
        ("Open Mon.-Fri. Closed weekends.", ["Open Mon.-Fri.", "Closed weekends."]),
    ],
)
def test_ranks_and_month_abbreviations_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
