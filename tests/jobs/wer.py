"""Word error rate after a Whisper-style normalization, for tests and benchmarks on real recordings.

The normalization follows the spirit of Whisper's English normalizer, kept small: lower case; bracketed and
parenthesized asides (`[Silence]`, `(applause)`) removed; a few spoken abbreviations written out (`mr.` -> mister);
number words up to twenty and tens written as digits, as the reference transcripts write them (`9 o'clock`);
hyphens split words; every other punctuation mark removed (an apostrophe inside a word is kept: `i'm`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import jiwer

from voicekit import Transcript

_ASIDES = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint", "lt": "lieutenant",
                  "col": "colonel", "capt": "captain", "cmdr": "commander"}
_NUMBERS = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBERS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
                 "ninety": "90", "hundred": "100", "thousand": "1000"})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def normalize(text: str) -> list[str]:
    """The words of `text`, normalized for comparison (see the module docstring)."""
    text = _ASIDES.sub(" ", text.lower()).replace("\u2019", "'").replace("-", " ")
    words = _TOKEN.findall(text)
    return [_NUMBERS.get(word, _ABBREVIATIONS.get(word, word)) for word in words]


def normalized_text(text: str) -> str:
    return " ".join(normalize(text))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of `hypothesis` against `reference`, both normalized; 0.0 is perfect."""
    ref = normalized_text(reference)
    if not ref:
        raise ValueError("the reference has no words")
    return float(jiwer.wer(ref, normalized_text(hypothesis)))


@dataclass(frozen=True)
class TimedWord:
    """One normalized word with the time span of the model's word it came from."""

    text: str
    start: float
    end: float


def timed_words(transcript: Transcript) -> list[TimedWord]:
    """The transcript's words, normalized as for WER (one model word may give two: "well-known")."""
    return [TimedWord(text, word.start, word.end) for word in transcript.words for text in normalize(word.word)]


@dataclass(frozen=True)
class Difference:
    """One stretch where two word sequences disagree: the words only in `a`, only in `b`, and when."""

    only_a: list[str]
    only_b: list[str]
    time: float
    """The earliest start of the words involved."""


def differences(a: list[TimedWord], b: list[TimedWord]) -> list[Difference]:
    """Where the word sequences `a` and `b` differ (difflib on the normalized words)."""
    matcher = difflib.SequenceMatcher(a=[w.text for w in a], b=[w.text for w in b], autojunk=False)
    return [Difference([w.text for w in a[i1:i2]], [w.text for w in b[j1:j2]],
                       min(w.start for w in a[i1:i2] + b[j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
