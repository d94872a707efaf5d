"""Transcript output formats: exact output for a small transcript, subtitle rules as properties, round trips."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicekit import Segment, Transcript, Word
from voicekit.errors import InputError
from voicekit.transcript.formats import (
    format_timestamp,
    save,
    subtitle_cues,
    to_json,
    to_srt,
    to_text,
    to_tsv,
    to_vtt,
)

LONG = "The quick brown fox jumps over the lazy dog and then runs far away into the woods, where nobody will ever " \
       "find it again."


def small() -> Transcript:
    """Three segments: one with words, one without (a short "Hi."), and a long one with a word every 0.5 s."""
    long_words = [Word(word=" " + text, start=5.5 + 0.5 * i, end=5.5 + 0.5 * i + 0.4)
                  for i, text in enumerate(LONG.split())]
    return Transcript(
        text="Hello world. Hi. " + LONG, language="en", duration=18.0,
        segments=[
            Segment(id=0, start=0.0, end=1.2, text=" Hello world.",
                    words=[Word(word=" Hello", start=0.0, end=0.5), Word(word=" world.", start=0.6, end=1.2)]),
            Segment(id=1, start=3.0, end=3.2, text=" Hi."),
            Segment(id=2, start=5.5, end=17.4, text=" " + LONG, words=long_words),
        ],
    )


# The rules applied by hand: "Hi." lasts 0.2 s, so it is held to 1 s (the next cue is far; 1.8 s of silence keeps it
# apart from "Hello world."); the long segment fills two lines of at most 42 characters ("dog and then runs far away
# into the woods," is exactly 42, and its comma is the best place to end the cue), split where the longer line is
# shortest (after "lazy": 39 and 42, since "...lazy dog" would be 43), and the rest goes to a second cue starting
# with its first word at 5.5 + 17 * 0.5 = 14.0 s.
EXPECTED_SRT = """\
1
00:00:00,000 --> 00:00:01,200
Hello world.

2
00:00:03,000 --> 00:00:04,000
Hi.

3
00:00:05,500 --> 00:00:13,900
The quick brown fox jumps over the lazy
dog and then runs far away into the woods,

4
00:00:14,000 --> 00:00:17,400
where nobody will ever find it again.

"""

EXPECTED_VTT = """\
WEBVTT

00:00:00.000 --> 00:00:01.200
Hello world.

00:00:03.000 --> 00:00:04.000
Hi.

00:00:05.500 --> 00:00:13.900
The quick brown fox jumps over the lazy
dog and then runs far away into the woods,

00:00:14.000 --> 00:00:17.400
where nobody will ever find it again.

"""


def test_srt_exact() -> None:
    assert to_srt(small()) == EXPECTED_SRT
    assert small().to_srt() == EXPECTED_SRT


def test_vtt_exact() -> None:
    assert to_vtt(small()) == EXPECTED_VTT
    assert small().to_vtt() == EXPECTED_VTT


def test_text_has_paragraphs_at_long_pauses() -> None:
    # 1.8 s between "world." and "Hi." stays in the paragraph; 2.3 s before the long segment starts a new one
    assert to_text(small()) == "Hello world. Hi.\n\n" + LONG + "\n"
    assert to_text(small(), paragraph_gap=None) == "Hello world. Hi. " + LONG + "\n"
    assert to_text(small(), paragraph_gap=1.5) == "Hello world.\n\nHi.\n\n" + LONG + "\n"
    assert to_text(Transcript(text="  Only text. ")) == "Only text.\n"
    assert to_text(Transcript(text="")) == ""


def test_tsv_exact() -> None:
    assert to_tsv(small()) == (
        "start\tend\ttext\n"
        "0\t1200\tHello world.\n"
        "3000\t3200\tHi.\n"
        f"5500\t17400\t{LONG}\n"
    )
    tabbed = Transcript(text="a", segments=[Segment(start=1.0005, end=2.0, text=" a\tb\nc ")])
    assert to_tsv(tabbed) == "start\tend\ttext\n1000\t2000\ta b c\n"


@pytest.mark.parametrize(("seconds", "srt"), [
    (0.0, "00:00:00,000"),
    (1.2, "00:00:01,200"),
    (3661.5, "01:01:01,500"),
    (59.9996, "00:01:00,000"),
    (3599.9999, "01:00:00,000"),
    (360_000.0, "100:00:00,000"),
    (100 * 3600 + 59 * 60 + 59.999, "100:59:59,999"),
    (1_000_000.123, "277:46:40,123"),
    (-0.5, "00:00:00,000"),
])
def test_timestamps(seconds: float, srt: str) -> None:
    assert format_timestamp(seconds) == srt
    assert format_timestamp(seconds, ".") == srt.replace(",", ".")


def test_subtitles_past_one_hundred_hours() -> None:
    start = 100 * 3600 + 0.25
    t = Transcript(text="late", segments=[Segment(start=start, end=start + 1.5, text=" Still here.")])
    assert to_srt(t) == "1\n100:00:00,250 --> 100:00:01,750\nStill here.\n\n"
    assert to_vtt(t) == "WEBVTT\n\n100:00:00.250 --> 100:00:01.750\nStill here.\n\n"


def test_short_cue_stretches_only_up_to_the_next_one() -> None:
    # Two speakers cannot share a cue: "Hi" (0.1 s) is held on screen until Bea starts, 0.3 s later, no further
    t = Transcript(text="", segments=[Segment(start=1.0, end=1.1, text=" Hi", speaker="Al"),
                                      Segment(start=1.3, end=2.0, text=" there", speaker="Bea")])
    assert [(c.start, c.end) for c in subtitle_cues(t)] == [(1.0, 1.3), (1.3, 2.3)]


def test_short_segments_close_together_share_a_cue() -> None:
    # "Hi." alone would be a one-word cue of 0.3 s: it joins the next segment, 0.2 s later
    t = Transcript(text="", segments=[Segment(start=1.0, end=1.1, text=" Hi."),
                                      Segment(start=1.3, end=2.0, text=" Over there.")])
    assert [(c.start, c.end, c.lines) for c in subtitle_cues(t)] == [(1.0, 2.0, ("Hi. Over there.",))]


def test_segment_without_words_is_split_in_proportion_to_characters() -> None:
    # 20 characters over 20 s: "abcd" 0-4 s, "efghij" 4-10 s, "klmnopqrst" 10-20 s; a line holds 10 characters
    t = Transcript(text="", segments=[Segment(start=0.0, end=20.0, text=" abcd efghij klmnopqrst")])
    cues = subtitle_cues(t, max_line_length=10, max_lines=1)
    assert [(c.start, c.end, c.lines) for c in cues] == [(0.0, 4.0, ("abcd",)), (4.0, 10.0, ("efghij",)),
                                                          (10.0, 20.0, ("klmnopqrst",))]


def test_long_pause_inside_a_segment_ends_the_cue() -> None:
    t = Transcript(text="", segments=[Segment(start=0.0, end=5.0, text=" one two", words=[
        Word(word=" one", start=0.0, end=0.5), Word(word=" two", start=3.0, end=3.5)])])
    assert [(c.start, c.end, c.lines) for c in subtitle_cues(t)] == [(0.0, 1.0, ("one",)), (3.0, 4.0, ("two",))]


def test_word_longer_than_a_line_is_cut() -> None:
    url = "https://example.org/" + "a" * 70
    t = Transcript(text=url, segments=[Segment(start=0.0, end=9.0, text=" see " + url)])
    lines = [line for cue in subtitle_cues(t) for line in cue.lines]
    assert all(len(line) <= 42 for line in lines)
    assert "".join(lines).replace(" ", "") == "see" + url


def test_vtt_escapes_markup() -> None:
    t = Transcript(text="", segments=[Segment(start=0.0, end=1.0, text=" <b> & -->")])
    assert to_vtt(t).splitlines()[3] == "&lt;b&gt; &amp; --&gt;"


def test_empty_transcript() -> None:
    empty = Transcript(text="")
    assert (to_srt(empty), to_vtt(empty), to_tsv(empty), to_text(empty)) == ("", "WEBVTT\n\n", "start\tend\ttext\n", "")


# ---------------------------------------------------------------------------------------------------------------
# Properties over random transcripts


TOKENS = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzé.,?!'-0123456789"), min_size=1, max_size=60)


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    segments = []
    for _ in range(draw(st.integers(0, 12))):
        tokens = draw(st.lists(TOKENS, min_size=1, max_size=25))
        start = draw(st.floats(0.0, 400_000.0, allow_nan=False))
        times = sorted(draw(st.lists(st.floats(0.0, 30.0), min_size=2 * len(tokens), max_size=2 * len(tokens))))
        with_words = draw(st.booleans())
        words = [Word(word=" " + tok, start=start + times[2 * i], end=start + times[2 * i + 1])
                 for i, tok in enumerate(tokens)] if with_words else []
        end = start + draw(st.floats(0.0, 30.0))
        segments.append(Segment(start=start, end=end, text="".join(" " + tok for tok in tokens), words=words))
    if draw(st.booleans()):
        segments.sort(key=lambda s: s.start)
    return Transcript(text="".join(s.text for s in segments), segments=segments)


SRT_TIME = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$")


def _ms(parts: tuple[str, ...]) -> int:
    hours, minutes, seconds, millis = (int(p) for p in parts)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


@settings(max_examples=200, deadline=None)
@given(transcripts())
def test_cues_fit_two_lines_of_42_and_never_overlap(transcript: Transcript) -> None:
    cues = subtitle_cues(transcript)
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(0 < len(line) <= 42 for line in cue.lines)
        assert cue.start <= cue.end
    for before, after in zip(cues, cues[1:], strict=False):
        assert before.end <= after.start
    # nothing said is lost: the cues hold every character of the segments' text, in order
    spoken = "".join("".join(s.text.split()) for s in transcript.segments)
    assert "".join("".join(line.replace(" ", "") for line in cue.lines) for cue in cues) == spoken


@settings(max_examples=100, deadline=None)
@given(transcripts())
def test_srt_blocks_are_well_formed_and_ordered(transcript: Transcript) -> None:
    blocks = to_srt(transcript).split("\n\n")
    assert blocks[-1] == ""
    previous_end = 0
    for number, block in enumerate(blocks[:-1], start=1):
        lines = block.split("\n")
        assert lines[0] == str(number)
        match = SRT_TIME.match(lines[1])
        assert match is not None
        start, end = _ms(match.groups()[:4]), _ms(match.groups()[4:])
        assert previous_end <= start <= end
        previous_end = end
        assert 1 <= len(lines[2:]) <= 2


@settings(max_examples=100, deadline=None)
@given(transcripts(), st.sampled_from(["en", "English", None]), st.one_of(st.none(), st.floats(0, 1e6)))
def test_json_round_trip(transcript: Transcript, language: str | None, duration: float | None) -> None:
    t = transcript.model_copy(update={"language": language, "duration": duration, "words": [
        w for s in transcript.segments for w in s.words]})
    assert Transcript.model_validate_json(to_json(t)) == t
    assert Transcript.from_json(t.to_json()) == t


# ---------------------------------------------------------------------------------------------------------------
# Files


@pytest.mark.parametrize(("suffix", "writer"), [(".txt", to_text), (".srt", to_srt), (".vtt", to_vtt),
                                                (".json", to_json), (".tsv", to_tsv), (".SRT", to_srt)])
def test_save_picks_the_format_from_the_extension(tmp_path: Path, suffix: str,
                                                  writer: Callable[[Transcript], str]) -> None:
    path = save(small(), tmp_path / f"talk{suffix}")
    assert path.read_text(encoding="utf-8") == writer(small())


def test_save_with_a_named_format_and_load_back(tmp_path: Path) -> None:
    target = small().save(tmp_path / "talk.out", format="srt")
    assert target.read_text(encoding="utf-8") == EXPECTED_SRT
    saved = small().save(tmp_path / "talk.json")
    assert Transcript.from_json(saved.read_bytes()) == small()
    assert Transcript.load(saved) == small()


def test_unknown_format_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.docx.*\.txt, \.srt, \.vtt, \.json, \.tsv"):
        save(small(), tmp_path / "talk.docx")
    with pytest.raises(InputError, match="format 'pdf'"):
        save(small(), tmp_path / "talk.txt", format="pdf")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "talk.srt").write_text(EXPECTED_SRT, encoding="utf-8")
    with pytest.raises(InputError, match="only .json"):
        Transcript.load(tmp_path / "talk.srt")


def test_a_word_without_its_leading_space_stays_glued_to_the_one_before() -> None:
    from voicekit import Segment, Transcript, Word

    words = [Word(word=" about", start=0.0, end=1.0), Word(word=" 1", start=1.0, end=1.5),
             Word(word=",500", start=1.5, end=2.0), Word(word=" years.", start=2.0, end=2.5)]
    transcript = Transcript(text=" about 1,500 years.", segments=[
        Segment(start=0.0, end=3.0, text=" about 1,500 years.", words=words)])  # three tokens, four words
    assert "about 1,500 years." in transcript.to_srt()


def test_an_instantaneous_word_shares_the_cue_before_it() -> None:
    from voicekit.transcript.formats import subtitle_cues

    transcript = Transcript(text="Hello world. Now.", duration=2.0, segments=[
        Segment(start=0.0, end=1.2, text=" Hello world.", words=[Word(word="Hello", start=0.0, end=0.5),
                                                                  Word(word="world.", start=0.6, end=1.2)]),
        Segment(start=2.0, end=2.0, text=" Now.", words=[Word(word="Now.", start=2.0, end=2.0)]),
    ])
    cues = subtitle_cues(transcript)
    assert all(cue.end > cue.start for cue in cues)
    assert " ".join(line for cue in cues for line in cue.lines) == "Hello world. Now."
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))
