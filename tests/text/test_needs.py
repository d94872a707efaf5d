"""The characters a rule needs (`voicekit.text.needs`) are in every match of the rule, so skipping a text without
them never changes a reading; and a token cut into many chunks at once is cut as one cut at a time would."""

from __future__ import annotations

import json
import re

import pytest
from shared_data import shared_data

from voicekit.text.chunk import ChunkOptions, chunk_pieces, split_oversize
from voicekit.text.needs import needed_characters, needs_pattern
from voicekit.text.normalize import ENGLISH_RULES

SAMPLES = ["On 1/2/2020 at 10:30 a.m. EST, Dr. Smith paid $3.50 (about 12 kg) for 1,000 items; call 555-1234.",
           "Room 12B, flight BA123, v2.3.1, 3Q2021, 1990s-2000s, 5'11\", 3:2, 2x4, 50 km/h, #7, 911, 1/4 cup"]


def _texts() -> list[str]:
    path = shared_data("tn", "GoogleTN.json")
    return SAMPLES + [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_every_match_of_every_rule_holds_a_character_the_rule_needs() -> None:
    texts = _texts()
    checked = 0
    for rule in ENGLISH_RULES:
        needed = needed_characters(rule.pattern)
        if needed is None:
            continue
        for text in texts:
            for match in rule.pattern.finditer(text):
                if match.group(0):
                    assert set(match.group(0)) & needed, (rule.name, match.group(0), sorted(needed))
                    checked += 1
    assert checked > 1000


@pytest.mark.parametrize(("pattern", "needed"), [
    (r"\d+/\d+", {"/"}), (r"(?i:ab)c?", {"a", "A"}), (r"\d+(?:-\d+)?", None), (r"x|\d", None),
    (r"[$£]\d|\d+%", {"$", "£", "%"}), (r"(?<=/)\d+", None),
])
def test_needed_characters_follow_the_pattern(pattern: str, needed: set[str] | None) -> None:
    chars = needed_characters(re.compile(pattern))
    if needed is None:
        assert chars is None or any(c.isdigit() for c in chars)
        assert needs_pattern(re.compile(pattern)) is None
    else:
        assert chars == needed


@pytest.mark.parametrize("max_chars", [40, 100])
@pytest.mark.parametrize("token", ["1,one," * 2000, "a/b.c-d_e" * 500, "x" * 3001, "e\u0301" * 1500])
def test_a_long_token_is_cut_as_one_cut_at_a_time_would(token: str, max_chars: int) -> None:
    options = ChunkOptions(max_chars=max_chars, min_chars=10)
    chunks = [chunk.text for chunk in chunk_pieces([f"Before it. {token} after it."], options)]
    expected = []
    rest = token
    first = chunks[1]  # "Before it." stands alone (a sentence); the token's first chunk starts the next
    head, rest = rest[: len(first)], rest[len(first):]
    assert head == first
    while len(rest) > max_chars:
        head, rest = split_oversize(rest, min(max_chars, len(rest) - 1))
        expected.append(head)
    assert chunks[2 : 2 + len(expected)] == expected
    assert "".join(chunks[1 : 2 + len(expected)]) + chunks[2 + len(expected)].split(" ")[0] == token
