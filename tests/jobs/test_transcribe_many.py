"""Many recordings with one engine (`transcribe_many`) and plans that send nothing (`plan_transcription`), against
the loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from narration import Loopback, serve

from voicekit import errors
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.segment import segment_windows
from voicekit.jobs.transcribe_many import FileOutcome, parse_formats, transcribe_many
from voicekit.jobs.transcribe_plan import plan_transcription


@pytest.fixture
def quick() -> Iterator[Loopback]:
    yield from serve(transcription_backend="synthetic")


def tone_bursts(path: Path, seconds: float) -> Path:
    """A recording of `seconds`: half-second bursts of a tone with pauses between them (speech-like levels)."""
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    sf.write(path, signal.astype(np.float32), rate)
    return path


def test_many_files_share_one_run_and_a_bad_one_is_reported(quick: Loopback, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in quick.env().items():
        monkeypatch.setenv(name, value)
    talks, out = tmp_path / "talks", tmp_path / "out"
    talks.mkdir()
    out.mkdir()
    tone_bursts(talks / "a.wav", 4.0)
    tone_bursts(talks / "b.wav", 3.0)
    (talks / "c.mp3").write_bytes(b"this is not audio")
    heard: list[FileOutcome] = []
    result = transcribe_many([talks], formats=["srt", "json"], output_dir=out, on_file=heard.append,
                             engine="groq", progress=False)
    assert [o.source.name for o in heard] == ["a.wav", "b.wav", "c.mp3"]  # said as each one ends, in order
    assert not result.ok and [o.source.name for o in result.failed] == ["c.mp3"]
    assert "c.mp3" in (result.failed[0].error or "")
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.srt", "b.json", "b.srt"]


@pytest.fixture
def lagging() -> Iterator[Loopback]:
    """A loopback server whose answers take 0.15 s, so that requests overlap."""
    yield from serve(latency=0.15, transcription_backend="synthetic")


def test_files_run_concurrency_at_a_time_and_are_reported_in_order(lagging: Loopback, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Six recordings of one window each, `concurrency=3`: three files are transcribed at a time (three requests
    in flight, where one file alone would have one), and each is reported in the order given."""
    for name, value in lagging.env().items():
        monkeypatch.setenv(name, value)
    sources = [tone_bursts(tmp_path / f"{index}.wav", 3.0 + index / 10) for index in range(6)]
    heard: list[FileOutcome] = []
    result = transcribe_many(sources, output_dir=tmp_path, on_file=heard.append, concurrency=3, engine="groq",
                             language="en", cache=False, progress=False)
    assert result.ok and [o.source for o in heard] == sources
    assert lagging.server.log.count("transcriptions") == 6
    assert lagging.most_in_flight("transcriptions") == 3


def test_two_recordings_with_one_stem_are_refused_before_any_request(quick: Loopback, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in quick.env().items():
        monkeypatch.setenv(name, value)
    (tmp_path / "x").mkdir()
    first, second = tone_bursts(tmp_path / "talk.wav", 2.0), tone_bursts(tmp_path / "x" / "talk.flac", 2.0)
    with pytest.raises(errors.InputError, match="both be written"):
        transcribe_many([first, second], output_dir=tmp_path, engine="groq", progress=False)
    with pytest.raises(errors.InputError, match="does not exist"):
        transcribe_many([first], output_dir=tmp_path / "missing", engine="groq", progress=False)
    assert quick.server.log.count() == 0


def test_formats_are_named_with_commas_or_all() -> None:
    assert parse_formats("srt, TXT,srt") == ["srt", "txt"]
    assert "rttm" not in parse_formats("all") and "rttm" in parse_formats("all", speakers=True)
    with pytest.raises(errors.OptionError, match="docx"):
        parse_formats("srt,docx")
    with pytest.raises(errors.OptionError, match="--speakers"):
        parse_formats("rttm")


def test_a_plan_counts_the_windows_the_run_sends_and_needs_no_key(quick: Loopback, tmp_path: Path) -> None:
    recording = tone_bursts(tmp_path / "long.wav", 75.0)
    with stream_audio(recording, DecodeOptions()) as stream:
        windows = [len(w.samples) / 16000 for w in segment_windows(stream, 16000)]
    plan = plan_transcription(recording, engine="groq")  # no GROQ_API_KEY in this test's environment
    assert plan.requests == len(windows) >= 3
    assert plan.sent_seconds == pytest.approx(sum(windows), abs=0.05)
    assert plan.billed_seconds == pytest.approx(sum(max(10.0, w) for w in windows), abs=0.05)
    assert plan.cost_usd == pytest.approx(plan.billed_seconds / 3600 * 0.04, rel=1e-3)
    assert plan.estimated_seconds > 0 and plan.audio_seconds == pytest.approx(75.0, abs=0.01)
    short = plan_transcription(tone_bursts(tmp_path / "short.wav", 3.0), engine="groq")
    assert (short.requests, short.billed_seconds) == (1, 10.0)  # a short request is billed as 10 s
    assert quick.server.log.count() == 0
