"""The subtitle rules of `voicekit.transcript.cues`, one at a time on hand-made word lists, then as properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from voicekit.transcript.cues import Token, cues_of_tokens, glue_numbers, subtitle_cues
from voicekit.transcript.model import Segment, Transcript, Word


def spoken(text: str, start: float = 0.0, rate: float = 0.3, pauses: dict[int, float] | None = None,
           speaker: str | None = None) -> Transcript:
    """One segment whose words last `rate` s each, back to back, with extra `pauses` (before word index)."""
    words: list[Word] = []
    at = start
    for index, word in enumerate(text.split()):
        at += (pauses or {}).get(index, 0.0)
        words.append(Word(word=word, start=at, end=at + rate))
        at += rate
    return Transcript(text=text, segments=[Segment(start=start, end=at, text=" " + text, words=words,
                                                   speaker=speaker)])


def shown(transcript: Transcript, **options: float) -> list[str]:
    return [" | ".join(cue.lines) for cue in subtitle_cues(transcript, **options)]  # type: ignore[arg-type]


def test_lines_hold_at_most_42_characters_and_cues_two_lines() -> None:
    text = " ".join(["word"] * 60)
    for cue in subtitle_cues(spoken(text)):
        assert len(cue.lines) <= 2 and all(len(line) <= 42 for line in cue.lines)


def test_a_cue_ends_at_a_sentence_end_rather_than_filling_up() -> None:
    text = "The tide was turning fast as we reached the old harbour wall. Nobody on the quay had seen a boat like ours."
    assert shown(spoken(text, rate=0.25))[0].endswith("the old harbour wall.")


def test_a_cue_ends_at_a_clause_rather_than_between_plain_words() -> None:
    text = ("Before the storm reached the coast that night, every boat in the harbour was tied down twice and the "
            "lamps were lit early")
    assert shown(spoken(text, rate=0.25))[0].endswith("coast that night,")


def test_a_cue_ends_at_a_pause_when_there_is_no_punctuation() -> None:
    text = "and then we walked along the quiet river for hours until the light began to fade over the hills"
    cues = shown(spoken(text, rate=0.25, pauses={8: 1.2}))  # 1.2 s before "for"
    assert cues[0].endswith("the quiet river")


def test_a_cue_lasts_at_least_one_second_taking_the_pause_after_it() -> None:
    transcript = Transcript(text="", segments=[Segment(start=0.0, end=0.3, text=" Yes."),
                                               Segment(start=3.0, end=4.0, text=" Then we go.")])
    first = subtitle_cues(transcript)[0]
    assert (first.start, first.end) == (0.0, 1.0)


def test_a_cue_never_overlaps_the_next_even_to_last_a_second() -> None:
    transcript = Transcript(text="", segments=[Segment(start=0.0, end=0.3, text=" Yes.", speaker="A"),
                                               Segment(start=0.5, end=1.5, text=" Then we go.", speaker="B")])
    cues = subtitle_cues(transcript)
    assert [(c.start, c.end) for c in cues] == [(0.0, 0.5), (0.5, 1.5)]


def test_fast_speech_is_held_longer_to_read_at_20_characters_a_second() -> None:
    # 40 characters said in 1.2 s (33 cps), then a 3 s pause: the cue stays up 2 s (20 cps)
    transcript = spoken("Absolutely extraordinary circumstances!!", rate=0.4)
    transcript = Transcript(text="", segments=[*transcript.segments, Segment(start=4.2, end=5.0, text=" Next.")])
    first = subtitle_cues(transcript)[0]
    assert first.end - first.start == 2.0


def test_short_fast_cues_merge_rather_than_flash() -> None:
    text = "Go. Now. Run! Hide. Wait."  # five one-word sentences, 0.2 s each
    assert shown(spoken(text, rate=0.2)) == ["Go. Now. Run! Hide. Wait."]


def test_a_one_word_cue_of_half_a_second_joins_its_neighbours() -> None:
    transcript = Transcript(text="", segments=[
        Segment(start=0.0, end=1.5, text=" I think so.", words=[Word(word="I", start=0.0, end=0.3),
                Word(word="think", start=0.3, end=0.9), Word(word="so.", start=0.9, end=1.5)]),
        Segment(start=1.6, end=2.1, text=" Right.", words=[Word(word="Right.", start=1.6, end=2.1)]),
        Segment(start=2.2, end=3.5, text=" Let us begin.", words=[Word(word="Let", start=2.2, end=2.5),
                Word(word="us", start=2.5, end=2.8), Word(word="begin.", start=2.8, end=3.5)]),
    ])
    assert all(len(line.split()) > 1 for line in shown(transcript))


def test_a_number_in_pieces_is_never_split() -> None:
    # bare words as Groq gives them: "$3" ".50" and "1" ",234" are one number each
    words = [Word(word=w, start=0.3 * i, end=0.3 * i + 0.3)
             for i, w in enumerate("it costs $3 .50 a pound and we sold 1 ,234 of them".split())]
    transcript = Transcript(text="", segments=[Segment(start=0.0, end=4.0, text=" ".join(w.word for w in words),
                                                       words=words)])
    text = " ".join(shown(transcript, max_line_length=12))
    assert "$3.50" in text and "1,234" in text


def test_glue_numbers_keeps_words_apart_and_glues_number_pieces() -> None:
    tokens = [Token(t, i, i + 1) for i, t in enumerate(["at", "10", ":30", "and", "3", ".5", "and", ".net"])]
    assert [t.text for t in glue_numbers(tokens)] == ["at", "10:30", "and", "3.5", "and", ".net"]
    assert glue_numbers(tokens)[1].end == 3


def test_a_name_written_with_capitals_stays_on_one_line() -> None:
    text = "On board was the commander of the mission, Commander Laurel Clark, and her crew"
    for line in (line for cue in subtitle_cues(spoken(text, rate=0.2)) for line in cue.lines):
        assert not line.endswith(("Commander", "Laurel")), line


def test_a_word_is_never_cut() -> None:
    text = "antidisestablishmentarianism " * 6
    assert all(len(w) == len("antidisestablishmentarianism")
               for line in shown(spoken(text)) for w in line.replace(" | ", " ").split())


def test_a_change_of_speaker_starts_a_new_cue() -> None:
    first, second = spoken("Are you", speaker="A"), spoken("coming?", start=0.6, speaker="B")
    transcript = Transcript(text="", segments=[*first.segments, *second.segments])
    assert [(c.speaker, c.lines) for c in subtitle_cues(transcript)] == [("A", ("Are you",)), ("B", ("coming?",))]


def test_a_token_marked_first_starts_a_cue() -> None:
    tokens = [Token("one", 0.0, 0.3), Token("two", 0.3, 0.6), Token("three", 0.6, 0.9, first=True)]
    assert [c.lines for c in cues_of_tokens(tokens)] == [("one two",), ("three",)]


# ---------------------------------------------------------------------------------------------------------------
# Properties


WORDS = st.text(alphabet=st.sampled_from("abcdefghijKLMNOP.,?!'-0123456789$%"), min_size=1, max_size=50)


@st.composite
def timed_transcripts(draw: st.DrawFn) -> Transcript:
    """Segments in time order whose words have non-decreasing times and optional speakers."""
    at = draw(st.floats(0.0, 1000.0))
    segments = []
    for _ in range(draw(st.integers(0, 8))):
        words = []
        for word in draw(st.lists(WORDS, min_size=1, max_size=30)):
            at += draw(st.sampled_from([0.0, 0.05, 0.3, 1.0, 2.5]))
            length = draw(st.sampled_from([0.0, 0.1, 0.3, 0.8]))
            words.append(Word(word=word, start=at, end=at + length))
            at += length
        speaker = draw(st.sampled_from([None, "Ann", "Bob"]))
        segments.append(Segment(start=words[0].start, end=words[-1].end, text=" " + " ".join(w.word for w in words),
                                words=words, speaker=speaker))
    return Transcript(text="", segments=segments)


@settings(max_examples=120, deadline=None)
@given(timed_transcripts(), st.sampled_from([(42, 2), (20, 2), (32, 1), (16, 3)]))
def test_cues_never_overlap_keep_every_word_once_in_order_and_fit_their_lines(
        transcript: Transcript, limits: tuple[int, int]) -> None:
    width, lines = limits
    cues = subtitle_cues(transcript, max_line_length=width, max_lines=lines)
    for cue in cues:
        assert 1 <= len(cue.lines) <= lines
        assert all(0 < len(line) <= width for line in cue.lines)
        assert cue.start <= cue.end
    for before, after in zip(cues, cues[1:], strict=False):
        assert before.end <= after.start
    said = "".join(w.word for s in transcript.segments for w in s.words)
    assert "".join(line.replace(" ", "") for cue in cues for line in cue.lines) == said
    # no word is cut unless it is longer than a line (then into line-sized pieces): each word on screen is made of
    # whole words (numbers glued back), or of such pieces
    glued = [t.text for s in transcript.segments
             for t in glue_numbers([Token(w.word, w.start, w.end) for w in s.words])]
    units = [word[k:k + width] for word in glued for k in range(0, len(word), width)]
    at = 0
    for line_word in (word for cue in cues for line in cue.lines for word in line.split()):
        text = ""
        while len(text) < len(line_word):
            text, at = text + units[at], at + 1
        assert text == line_word
    assert at == len(units)
