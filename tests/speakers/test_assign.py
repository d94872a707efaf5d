"""Speakers put on a transcript's words and segments by time."""

from __future__ import annotations

import pytest

from voicekit import Segment, Transcript, Word
from voicekit.errors import InputError
from voicekit.speakers.assign import label_transcript, parse_speakers, speaker_of
from voicekit.speakers.diarize import Turn

TURNS = [Turn(0.0, 2.0, 0), Turn(2.1, 4.0, 1)]


def _transcript() -> Transcript:
    words = [Word(word=w, start=s, end=e) for w, s, e in
             [("Hello", 0.1, 0.5), ("there.", 0.6, 1.2), ("Hi,", 2.2, 2.5), ("Maya.", 2.6, 3.1)]]
    segment = Segment(start=0.0, end=3.2, text=" Hello there. Hi, Maya.", words=words)
    return Transcript(text="Hello there. Hi, Maya.", segments=[segment], words=words, duration=4.0)


def test_a_segment_is_split_where_the_speaker_changes_keeping_its_punctuation() -> None:
    labelled = label_transcript(_transcript(), TURNS, ["Tom", "Maya"])
    assert [(s.speaker, s.text, s.id) for s in labelled.segments] == [("Tom", " Hello there.", 0),
                                                                     ("Maya", " Hi, Maya.", 1)]
    assert labelled.segments[0].start == 0.0 and labelled.segments[1].end == 3.2
    assert labelled.segments[1].start == 2.2
    assert [w.speaker for w in labelled.words] == ["Tom", "Tom", "Maya", "Maya"]


def test_unnamed_speakers_are_numbered_from_one() -> None:
    labelled = label_transcript(_transcript(), TURNS)
    assert [s.speaker for s in labelled.segments] == ["Speaker 1", "Speaker 2"]


def test_a_word_between_turns_takes_the_nearest_turn_and_overlap_decides_otherwise() -> None:
    assert speaker_of(2.06, 2.09, TURNS) == 1
    assert speaker_of(1.5, 2.4, TURNS) == 0
    assert speaker_of(1.9, 3.0, TURNS) == 1
    assert speaker_of(0.0, 1.0, []) is None


@pytest.mark.parametrize(("text", "bounds"), [("auto", (1, 8)), ("2", (2, 2)), ("2-4", (2, 4)),
                                             ("channels", None), (" Auto ", (1, 8))])
def test_speaker_options(text: str, bounds: tuple[int, int] | None) -> None:
    assert parse_speakers(text) == bounds


@pytest.mark.parametrize("text", ["two", "4-2", "0", "-1", "2-"])
def test_bad_speaker_options_say_what_to_write(text: str) -> None:
    with pytest.raises(InputError, match="auto"):
        parse_speakers(text)
