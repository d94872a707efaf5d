"""Speakers from channels: each channel's speech, labelled by channel, merged in time order."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from voicekit import Segment, Transcript, Word
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.segment import SegmentOptions, segment_windows
from voicekit.errors import InputError
from voicekit.speakers.channels import channel_names, merge_channels

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from recordings import audio_path, reference  # noqa: E402

STEREO = "en_stereo_diarization_2spk.wav"
MFA = "en_mfa_michaelandsickmichael_stereo.wav"


def _one(text: str, start: float, end: float) -> Transcript:
    words = [Word(word=w, start=start + i * 0.3, end=start + i * 0.3 + 0.25) for i, w in enumerate(text.split())]
    return Transcript(text=text, segments=[Segment(start=start, end=end, text=" " + text, words=words)],
                      words=words, duration=10.0, language="en")


def test_overlapping_speech_stays_with_each_channel_in_time_order() -> None:
    merged = merge_channels([_one("one two three four", 0.0, 4.0), _one("yes indeed", 1.0, 2.0)], ["Ann", "Bob"])
    assert [(s.speaker, s.text.strip(), s.id) for s in merged.segments] == [
        ("Ann", "one two three four", 0), ("Bob", "yes indeed", 1)]
    assert {w.word: w.speaker for w in merged.words} == {"one": "Ann", "two": "Ann", "three": "Ann", "four": "Ann",
                                                           "yes": "Bob", "indeed": "Bob"}
    assert merged.duration == 10.0 and merged.language == "en"
    assert merged.to_text() == "Ann: one two three four\n\nBob: yes indeed\n"


def test_channel_names_default_and_are_checked() -> None:
    assert channel_names(2) == ["Channel 1", "Channel 2"]
    assert channel_names(2, ["Alice"]) == ["Alice", "Channel 2"]
    with pytest.raises(InputError, match="at most one name per channel"):
        channel_names(2, ["A", "B", "C"])
    with pytest.raises(InputError, match="empty"):
        channel_names(2, ["A", " "])


def _windows(name: str, channel: int) -> list[tuple[float, float]]:
    stream = stream_audio(audio_path(name), DecodeOptions(sample_rate=16000, channel=channel))
    with stream:
        return [(w.start, w.end) for w in segment_windows(iter(stream), 16000, SegmentOptions())]


def test_a_channel_that_listens_while_the_other_talks_is_not_sent() -> None:
    # Michael talks on channel 0 until 25.3 s; his colleague on channel 1 from 26.7 s to the end.
    first, second = _windows(MFA, 0), _windows(MFA, 1)
    assert max(end for _, end in first) < 27.5
    assert min(start for start, _ in second) > 26.0


@pytest.mark.slow
def test_the_shared_stereo_call_gives_each_channel_its_line(tmp_path: Path) -> None:
    from voicekit import transcribe

    transcript = transcribe(audio_path(STEREO), engine="local", speakers="channels", speaker_names=("Alice", "Bob"),
                            cache=False, progress=False)
    lines = [line for line in reference(STEREO).splitlines() if not line.startswith("[")]

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z']+", text.lower())

    alice = " ".join(s.text for s in transcript.segments if s.speaker == "Alice")
    bob = " ".join(s.text for s in transcript.segments if s.speaker == "Bob")
    assert words(alice) == words(lines[0])
    assert words(bob) == words(lines[1])
    assert all(word.speaker in ("Alice", "Bob") for word in transcript.words)
    assert [s.start for s in transcript.segments] == sorted(s.start for s in transcript.segments)
