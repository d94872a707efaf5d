"""Transcripts with speakers in every format; without speakers nothing changes."""

from __future__ import annotations

import json

import pytest

from voicekit import Segment, Transcript, Word
from voicekit.errors import InputError
from voicekit.transcript import formats


def _words(speaker: str | None, *timed: tuple[str, float, float]) -> list[Word]:
    return [Word(word=w, start=s, end=e, speaker=speaker) for w, s, e in timed]


def _meeting(with_speakers: bool = True) -> Transcript:
    maya = "Maya" if with_speakers else None
    tom = "Tom" if with_speakers else None
    segments = [
        Segment(id=0, start=0.0, end=1.5, text=" Good morning, Tom.", speaker=maya,
                words=_words(maya, ("Good", 0.0, 0.4), ("morning,", 0.4, 0.9), ("Tom.", 0.9, 1.5))),
        Segment(id=1, start=1.6, end=2.4, text=" Shall we start?", speaker=maya,
                words=_words(maya, ("Shall", 1.6, 1.8), ("we", 1.8, 2.0), ("start?", 2.0, 2.4))),
        Segment(id=2, start=2.4, end=3.5, text=" Morning, Maya.", speaker=tom,
                words=_words(tom, ("Morning,", 2.4, 2.9), ("Maya.", 2.9, 3.5))),
    ]
    return Transcript(text="Good morning, Tom. Shall we start? Morning, Maya.", segments=segments,
                      words=[w for s in segments for w in s.words], duration=4.0, source="/tmp/standup.wav")


def test_text_is_a_script_with_one_paragraph_a_turn() -> None:
    assert _meeting().to_text() == "Maya: Good morning, Tom. Shall we start?\n\nTom: Morning, Maya.\n"


def test_vtt_cues_carry_voice_tags_and_never_hold_two_speakers() -> None:
    vtt = _meeting().to_vtt()
    assert "<v Maya>Good morning, Tom." in vtt
    assert "<v Tom>Morning, Maya." in vtt
    cues = formats.subtitle_cues(_meeting())
    assert [cue.speaker for cue in cues] == ["Maya", "Tom"]  # Maya's two sentences (0.1 s apart) share a cue


def test_srt_names_the_speaker_where_it_changes_and_can_leave_names_out() -> None:
    srt = _meeting().to_srt()
    blocks = srt.strip().split("\n\n")
    assert blocks[0].endswith("\nMaya: Good morning, Tom. Shall we start?")
    assert blocks[1].endswith("\nTom: Morning, Maya.")
    plain = formats.to_srt(_meeting(), name_speakers=False)
    assert "Maya:" not in plain and "Tom:" not in plain


def test_a_speaker_name_counts_in_the_line_length() -> None:
    for cue in formats.subtitle_cues(_meeting(), max_line_length=12, name_speakers=True):
        assert all(len(line) <= 12 for line in cue.lines)


def test_tsv_has_a_speaker_column() -> None:
    assert _meeting().to_tsv().splitlines()[:2] == ["start\tend\ttext\tspeaker", "0\t1500\tGood morning, Tom.\tMaya"]


def test_rttm_lists_each_turn() -> None:
    assert formats.to_rttm(_meeting()).splitlines() == [
        "SPEAKER standup 1 0.000 1.500 <NA> <NA> Maya <NA> <NA>",
        "SPEAKER standup 1 1.600 0.800 <NA> <NA> Maya <NA> <NA>",
        "SPEAKER standup 1 2.400 1.100 <NA> <NA> Tom <NA> <NA>",
    ]
    assert formats.render(_meeting(), "rttm") == formats.to_rttm(_meeting())


def test_rttm_without_speakers_says_how_to_get_them() -> None:
    with pytest.raises(InputError, match="speakers"):
        formats.to_rttm(_meeting(with_speakers=False))


def test_json_keeps_speakers_and_reads_back_equal() -> None:
    meeting = _meeting()
    assert Transcript.from_json(meeting.to_json()) == meeting
    assert json.loads(meeting.to_json())["segments"][2]["speaker"] == "Tom"


def test_without_speakers_nothing_says_speaker() -> None:
    plain = _meeting(with_speakers=False)
    assert "speaker" not in plain.to_json()
    assert Transcript.from_json(plain.to_json()) == plain
    assert "speaker" not in plain.to_tsv() and "<v" not in plain.to_vtt()
    assert plain.to_text() == "Good morning, Tom. Shall we start? Morning, Maya.\n"


def test_transcript_to_srt_can_leave_the_names_out() -> None:
    assert _meeting().to_srt() == formats.to_srt(_meeting())
    assert "Maya:" in _meeting().to_srt()
    plain = _meeting().to_srt(name_speakers=False)
    assert plain == formats.to_srt(_meeting(), name_speakers=False) and "Maya:" not in plain and "Tom:" not in plain


def test_the_dataframe_has_a_speaker_column_only_when_speakers_are_known() -> None:
    pytest.importorskip("pandas")
    frame = _meeting().to_dataframe()
    assert list(frame.columns[:4]) == ["start", "end", "text", "speaker"]
    assert list(frame["speaker"]) == ["Maya", "Maya", "Tom"]
    assert "speaker" not in _meeting(with_speakers=False).to_dataframe().columns
