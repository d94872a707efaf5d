"""The whole narration job against the loopback Groq server: what is sent, in what order, how many at once, what
the plan and the captions say, Arabic, and the output formats. The cache and resuming are in test_narrate_resume,
bad input in test_narrate_input; their shared helpers are in narration.py, the fixtures in conftest.py.

The server's synthetic speech is a buzz whose length follows the text (0.06 s per letter or digit, silence for
spaces and punctuation), so the audio of each chunk can be told apart by its length. A recorder placed in front of
the server's speech backend keeps every `input` string the server received.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
import srt
from narration import ANY_BRACKET, DIRECTION, DOC, Loopback, narrate, run_cli, voiced_seconds
from shared_data import shared_data

import voicekit
from voicekit.audio.stitch import speech_loudness_db
from voicekit.cache import Cache
from voicekit.engines.catalog import ORPHEUS_ARABIC
from voicekit.jobs.narrate import plan_narration
from voicekit.testing import Fault

# --- what is sent ------------------------------------------------------------------------------------------------


def test_every_request_carries_at_most_200_characters_with_directions_whole(loop: Loopback, tmp_path: Path) -> None:
    out = tmp_path / "keeper.wav"
    narration = narrate(loop, out, concurrency=3)
    texts = loop.speech.texts
    assert narration.path == out and out.exists()
    assert len(texts) == narration.chunks == narration.requests > 4
    assert max(len(text) for text in texts) <= 200
    assert sum(len(text) for text in texts) == narration.characters == loop.server.log.chars_billed
    assert narration.cost_usd == pytest.approx(narration.characters * 22 / 1e6)
    joined = "\n".join(texts)
    assert "[cheerful]" in joined and "[gravelly whisper]" in joined
    for text in texts:
        assert len(ANY_BRACKET.findall(text)) == 2 * len(DIRECTION.findall(text)), text
    assert not re.search(r"\d", joined), "numbers are sent as words"
    assert "twenty-three years" in joined and "eighteen seventy-two" in joined


def test_the_requests_are_exactly_the_planned_chunks(loop: Loopback, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in loop.env().items():
        monkeypatch.setenv(name, value)
    plan = plan_narration(DOC)
    narration = voicekit.narrate(DOC, tmp_path / "keeper.wav", progress=False)
    assert narration.requests == plan.requests == len(plan.chunks)
    assert sorted(loop.speech.texts) == sorted(chunk.text for chunk in plan.chunks)
    assert plan.characters == narration.characters and plan.cost_usd == pytest.approx(narration.cost_usd)


def test_continuation_chunks_carry_the_direction_in_force_when_asked(loop: Loopback, tmp_path: Path) -> None:
    text = ("[gravelly whisper] The storm came in from the west that night, and the keeper climbed the stairs "
            "again and again to wipe the salt from the glass, while the wind shook the iron rail of the gallery "
            "and the whole tower hummed like a bell. By morning the sea was calm, the sky was pale and clean, "
            "and the keeper slept until noon for the first time in years.\n\nThen the day began.")
    narrate(loop, tmp_path / "plain.wav", source=text, cache=False)
    plain = list(loop.speech.texts)
    loop.speech.texts.clear()
    narrate(loop, tmp_path / "reapplied.wav", source=text, reapply_direction=True, cache=False)
    reapplied = loop.speech.texts
    assert sum(t.startswith("[gravelly whisper]") for t in plain) == 1 < len(plain) - 1
    paragraph = [t for t in reapplied if not t.startswith("Then")]
    assert len(paragraph) >= 2 and all(t.startswith("[gravelly whisper] ") for t in paragraph), reapplied
    assert max(map(len, reapplied)) <= 200 and "Then the day began." in reapplied
    assert Cache().count() == 0, "cache=False keeps nothing"


def test_a_word_longer_than_a_request_is_split_and_counted_in_the_plan(loop: Loopback, tmp_path: Path) -> None:
    text = "The spell was " + "abracadabra" * 22 + " and nothing else."
    plan = plan_narration(text, engine="local")
    narration = narrate(loop, tmp_path / "spell.wav", source=text)
    assert plan.oversize_splits >= 1
    assert narration.requests == len(loop.speech.texts) >= 2 and max(map(len, loop.speech.texts)) <= 200
    sent = sorted(loop.speech.texts, key=lambda t: [c.text for c in plan.chunks].index(t))  # requests may overtake
    assert "".join(sent).count("abracadabra") == 22


# --- order and concurrency ---------------------------------------------------------------------------------------


def caption_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each SRT or VTT cue, in file order."""
    stamp = r"(\d+):(\d\d):(\d\d)[,.](\d\d\d)"
    cues = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = block.strip().splitlines()
        for at, line in enumerate(lines):
            times = re.fullmatch(rf"{stamp} --> {stamp}.*", line.strip())
            if times:
                h1, m1, s1, f1, h2, m2, s2, f2 = (int(g) for g in times.groups())
                start = h1 * 3600 + m1 * 60 + s1 + f1 / 1000
                end = h2 * 3600 + m2 * 60 + s2 + f2 / 1000
                cues.append((start, end, " ".join(lines[at + 1:])))
                break
    return cues


def chunk_times(cues: list[tuple[float, float, str]], chunks: list[str]) -> list[tuple[float, float]]:
    """Each chunk's (start, end) from the cues that carry its words, walking cues and chunks in order; fails when
    the cues' words are not the chunks' words in the chunks' order."""
    words = [(start, end, word) for start, end, text in cues for word in text.split()]
    times, at = [], 0
    for chunk in chunks:
        expected = chunk.split()
        got = words[at:at + len(expected)]
        assert [w for _, _, w in got] == expected, (chunk, [w for _, _, w in got])
        times.append((got[0][0], got[-1][1]))
        at += len(expected)
    assert at == len(words), "the captions say more than the chunks"
    return times


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_chunks_come_out_in_order_and_the_captions_line_up(loop: Loopback, tmp_path: Path, suffix: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in loop.env().items():
        monkeypatch.setenv(name, value)
    planned = plan_narration(DOC).chunks
    order = [chunk.text for chunk in planned]
    written = [chunk.written or "" for chunk in planned]
    # the captions show the document as written, directions and the heading's mark removed
    assert " ".join(written).split() == DIRECTION.sub(" ", DOC.replace("# ", "")).split()
    loop.server.inject(Fault.slow(0.6), endpoint="speech")  # one of the first chunks arrives after later ones
    captions = tmp_path / f"keeper{suffix}"
    narration = narrate(loop, tmp_path / "keeper.wav", captions=captions, concurrency=4)
    assert [e.fault for e in loop.server.log.entries].count("slow") == 1
    assert sorted(loop.speech.texts) == sorted(order)
    assert narration.captions == captions
    assert captions.read_text(encoding="utf-8").startswith("WEBVTT" if suffix == ".vtt" else "1\n")
    cues = caption_cues(captions)
    assert len(cues) >= narration.chunks
    times = chunk_times(cues, written)  # every chunk starts a cue of its own
    info = soundfile.info(str(narration.path))
    assert info.duration == pytest.approx(narration.duration, abs=1e-3)
    assert 0 <= times[0][0] and times[-1][1] <= info.duration + 1e-3
    for (start, end), (next_start, _) in zip(times, times[1:], strict=False):
        assert start < end <= next_start
    # a chunk's captions last at least while it sounds (and may stay up into the pause after it, never past it)
    voiced = [voiced_seconds(text) for text in order]
    for (start, end), seconds, text in zip(times, voiced, order, strict=True):
        assert end - start >= seconds - 0.06, text
    samples, rate = soundfile.read(str(narration.path), dtype="float32")
    for (start, _), seconds, (next_start, _) in zip(times, voiced, times[1:], strict=False):
        gap = samples[round((start + seconds + 0.015) * rate):round((next_start - 0.015) * rate)]
        assert gap.size > 0 and float(np.max(np.abs(gap))) < 1e-3  # the pauses between chunks are silent
    for (start, _), seconds in zip(times, voiced, strict=True):  # and each chunk's caption starts with its sound
        assert float(np.sqrt(np.mean(samples[round(start * rate):round((start + seconds) * rate)] ** 2))) > 0.02


def test_narration_captions_show_the_text_as_written(loop: Loopback, tmp_path: Path) -> None:
    text = ("[cheerful] Dr. Smith paid $3.50 on Jan. 5, 2024 for 1,234 apples at 10:30 a.m. [sigh] It cost 15% more "
            "than the 3rd time, e.g. in St. Louis, and the receipt said \u20ac4.75.")
    captions = tmp_path / "receipt.srt"
    narrate(loop, tmp_path / "receipt.wav", text, captions=captions, max_chars=60)
    sent = " ".join(loop.speech.texts)
    assert "three dollars and fifty cents" in sent and "$" not in sent  # the model hears the normalized words
    parsed = list(srt.parse(captions.read_text(encoding="utf-8")))
    shown = " ".join(cue.content.replace("\n", " ") for cue in parsed)
    assert shown == " ".join(re.sub(r"\[\w+\]", " ", text).split())
    for cue in parsed:
        assert all(len(line) <= 42 for line in cue.content.split("\n")) and cue.content.count("\n") <= 1
    for before, after in zip(parsed, parsed[1:], strict=False):
        assert before.end <= after.start


def test_a_whispered_chunk_is_levelled_below_its_neighbours(loop: Loopback, tmp_path: Path) -> None:
    # The loopback server speaks every chunk at one level; the [whisper] chunk must come out quieter all the same.
    text = ("The keeper climbed the stairs at dusk. [whisper] Nobody must know the lamp is broken. "
            "[cheerful] A bell rang twice over the water.")
    captions = tmp_path / "whisper.srt"
    # One request at a time: the server receives the chunks in the document's order, which `order` relies on.
    narration = narrate(loop, tmp_path / "whisper.wav", text, captions=captions, max_chars=60, concurrency=1)
    assert [t.split()[0] for t in loop.speech.texts] == ["The", "[whisper]", "[cheerful]"]
    order = [" ".join(re.sub(r"\[\w+\]", " ", t).split()) for t in loop.speech.texts]
    samples, rate = soundfile.read(str(narration.path), dtype="float32")
    levels = [speech_loudness_db(samples[round(start * rate):round(end * rate)], rate)
              for start, end in chunk_times(caption_cues(captions), order)]
    assert levels[1] <= min(levels[0], levels[2]) - 9.0


@pytest.mark.slow
def test_a_real_book_opening_is_sent_whole_and_stitched_in_order(loop: Loopback, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    book = shared_data("text", "gutenberg_11_alice_in_wonderland.txt")
    raw = book.read_bytes()
    doc = tmp_path / "alice.txt"
    doc.write_bytes(raw[: raw.index(b"\r\n\r\n", 9000)])  # BOM, CRLF, Gutenberg header, chapter I's opening
    for name, value in loop.env().items():
        monkeypatch.setenv(name, value)
    plan = plan_narration(doc)
    narration = voicekit.narrate(doc, tmp_path / "alice.wav", captions=tmp_path / "alice.vtt", progress=False)
    texts = loop.speech.texts
    assert narration.requests == len(texts) == plan.requests > 40
    assert sorted(texts) == sorted(chunk.text for chunk in plan.chunks) and max(map(len, texts)) <= 200
    assert not any("Gutenberg" in text for text in texts), "the licence header is not read aloud"
    written = [chunk.written for chunk in plan.chunks if chunk.written]  # the captions show the book as written
    assert len(written) == len(plan.chunks)
    times = chunk_times(caption_cues(tmp_path / "alice.vtt"), written)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(times, times[1:], strict=False))
    assert times[-1][1] <= narration.duration == pytest.approx(soundfile.info(str(narration.path)).duration)


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_bounds_the_requests_in_flight(slow_loop: Loopback, tmp_path: Path, concurrency: int) -> None:
    narration = narrate(slow_loop, tmp_path / "keeper.wav", concurrency=concurrency)
    spans = sorted((e.time, e.time + e.elapsed) for e in slow_loop.server.log.entries if e.endpoint == "speech")
    assert len(spans) == narration.requests > concurrency
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running, most = 0, 0
    for _, step in events:
        running += step
        most = max(most, running)
    assert most == concurrency


# --- the plan ----------------------------------------------------------------------------------------------------


def plan_json(loop: Loopback, doc: Path, *args: str) -> dict[str, Any]:
    process = run_cli("narrate", str(doc), "--plan", "--json", *args, env=loop.env())
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    result: dict[str, Any] = json.loads(stdout)
    return result


@pytest.mark.slow
def test_plan_json_sends_nothing_and_prices_english_and_arabic(loop: Loopback, tmp_path: Path) -> None:
    doc = tmp_path / "keeper.md"
    doc.write_text(DOC, encoding="utf-8")
    english = plan_json(loop, doc)
    chunks = english["chunks"]
    assert isinstance(chunks, list) and len(chunks) == english["requests"] > 4
    assert all(set(chunk) == {"text", "chars", "written"} and chunk["chars"] == len(chunk["text"]) <= 200
               for chunk in chunks)
    assert english["characters"] == sum(chunk["chars"] for chunk in chunks)
    assert english["cost_usd"] == pytest.approx(english["characters"] * 22 / 1e6, abs=1e-6)
    assert any("[gravelly whisper]" in chunk["text"] for chunk in chunks)
    arabic_doc = tmp_path / "arabic.txt"
    arabic_doc.write_text("[cheerful] مرحبا بكم. اشتريت 3 كتب و 25 قلما في عام 2024.\n", encoding="utf-8")
    arabic = plan_json(loop, arabic_doc, "--model", ORPHEUS_ARABIC, "--voice", "noura")
    assert arabic["cost_usd"] == pytest.approx(arabic["characters"] * 40 / 1e6, abs=1e-6)
    assert arabic["warnings"] and "[cheerful]" in " ".join(arabic["warnings"])
    assert loop.server.log.count() == 0
    for plan in (english, arabic):
        assert isinstance(plan["estimated_seconds"], float) and plan["estimated_seconds"] > 0
    longer = tmp_path / "longer.md"
    longer.write_text(DOC + "\n" + DOC.replace("# The Lighthouse Keeper", ""), encoding="utf-8")
    assert plan_json(loop, longer)["estimated_seconds"] > english["estimated_seconds"]


def test_plan_with_the_local_engine_costs_nothing_and_drops_directions() -> None:
    plan = plan_narration(DOC, engine="local")
    assert plan.cost_usd == 0.0 and plan.estimated_seconds > 0
    assert not any("[" in chunk.text for chunk in plan.chunks)
    assert any("[cheerful]" in warning for warning in plan.warnings)


# --- Arabic ------------------------------------------------------------------------------------------------------


def test_arabic_directions_are_removed_with_a_warning_and_numbers_become_arabic_words(loop: Loopback,
                                                                                       tmp_path: Path) -> None:
    text = "[cheerful] مرحبا بكم في المكتبة. اشتريت 3 كتب جديدة اليوم.\n\n[whisper] عدد الزوار 25 زائرا."
    narration = narrate(loop, tmp_path / "arabic.wav", source=text, model=ORPHEUS_ARABIC)
    texts = loop.speech.texts
    assert narration.requests == len(texts) >= 1
    assert any("[cheerful]" in w and "[whisper]" in w for w in narration.warnings), narration.warnings
    joined = " ".join(texts)
    assert not ANY_BRACKET.search(joined) and "cheerful" not in joined
    assert not re.search(r"[0-9\u0660-\u0669]", joined), joined
    assert "ثلاث" in joined and "خمس" in joined and "عشرون" in joined, joined
    assert narration.cost_usd == pytest.approx(narration.characters * 40 / 1e6)
    assert {e.model for e in loop.server.log.entries} == {ORPHEUS_ARABIC}


# --- output formats ----------------------------------------------------------------------------------------------


def test_output_formats_read_back_at_the_right_rate_and_length(loop: Loopback, tmp_path: Path) -> None:
    doc = tmp_path / "keeper.md"
    doc.write_text(DOC, encoding="utf-8")
    default = voicekit.narrate(doc, client=loop.client(), progress=False)
    assert default.path == tmp_path / "keeper.wav" and soundfile.info(str(default.path)).format == "WAV"
    reference, rate = soundfile.read(str(default.path), dtype="float32")
    assert rate == default.sample_rate == 24000 and len(reference) == round(default.duration * rate)
    for suffix, container, slack in ((".flac", "FLAC", 0.0), (".ogg", "OGG", 0.0), (".mp3", "MP3", 0.1)):
        narration = narrate(loop, tmp_path / f"keeper{suffix}")
        assert narration.requests == 0 and narration.duration == pytest.approx(default.duration)
        info = soundfile.info(str(narration.path))
        assert (info.format, info.samplerate, info.channels) == (container, 24000, 1)
        assert info.duration == pytest.approx(default.duration, abs=slack + 1e-3)
        samples, _ = soundfile.read(str(narration.path), dtype="float32")
        if container == "FLAC":  # the same 16-bit samples (cached chunks are 16-bit: at most 1 step apart)
            assert float(np.max(np.abs(samples - reference))) <= 1 / 32768
        else:
            n = min(len(samples), len(reference))
            level = float(np.sqrt(np.mean(reference**2)))
            assert float(np.sqrt(np.mean(samples[:n] ** 2))) == pytest.approx(level, rel=0.15)
    named = voicekit.narrate(doc, client=loop.client(), progress=False, format="ogg")
    assert named.path == tmp_path / "keeper.ogg" and soundfile.info(str(named.path)).format == "OGG"
    told = narrate(loop, tmp_path / "keeper.audio", format="flac")
    assert soundfile.info(str(told.path)).format == "FLAC" and told.requests == 0
