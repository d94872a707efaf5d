"""Options mean what they say on every job: a misspelled option is refused naming it, and `concurrency` reaches the
client the job opens (transcribe used to build its client without it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from narration import Loopback, serve

import voicekit
from voicekit import errors
from voicekit.jobs.options import check_output


@pytest.fixture(scope="module")
def synthetic_loop() -> Iterator[Loopback]:
    """A loopback server whose answers take 0.15 s and whose transcripts are synthetic (no model runs)."""
    yield from serve(latency=0.15, transcription_backend="synthetic")


def bursts(seconds: float, rate: int = 16000) -> np.ndarray:
    """Noise bursts of 2 s with 0.6 s pauses: speech-like enough to be cut into many windows."""
    rng = np.random.default_rng(3)
    out = np.zeros(int(seconds * rate), dtype=np.float32)
    step = int(2.6 * rate)
    for start in range(0, len(out), step):
        out[start:start + 2 * rate] = rng.normal(0, 0.2, len(out[start:start + 2 * rate]))
    return out


@pytest.mark.parametrize("job", [voicekit.transcribe, voicekit.narrate, voicekit.plan_narration])
def test_a_misspelled_option_is_refused_naming_it(job: object, tmp_path: Path) -> None:
    with pytest.raises(errors.OptionError, match=r"unknown option 'concurency' \(did you mean 'concurrency'\?\)"):
        job(tmp_path / "x.wav", concurency=3)  # type: ignore[operator]


def test_options_built_directly_raise_voicekit_errors() -> None:
    with pytest.raises(errors.OptionError, match="option 'concurrency'"):
        voicekit.TranscribeOptions(concurrency=0)
    with pytest.raises(errors.OptionError, match="option 'stitch.fade_ms'"):
        voicekit.NarrateOptions(stitch={"fade_ms": -1})
    with pytest.raises(errors.OptionError, match="must be a NarrateOptions"):
        voicekit.NarrateOptions.resolve(voicekit.TranscribeOptions())  # type: ignore[arg-type]
    assert voicekit.NarrateOptions.resolve(voicekit.NarrateOptions(voice="troy"), {"cache": False}).voice == "troy"


def test_outputs_are_checked_before_any_work(tmp_path: Path) -> None:
    assert check_output(tmp_path / "a.SRT", ("srt", "txt")) == "srt"
    assert check_output(tmp_path / "a.out", ("srt", "txt"), "txt") == "txt"
    with pytest.raises(errors.InputError, match="does not exist"):
        check_output(tmp_path / "nodir" / "a.srt", ("srt",))
    with pytest.raises(errors.InputError, match="folder"):
        check_output(tmp_path, ("srt",), "srt")


def test_concurrency_reaches_the_client_transcribe_opens(synthetic_loop: Loopback,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in synthetic_loop.env().items():
        monkeypatch.setenv(name, value)
    audio = voicekit.Audio(bursts(280.0), 16000)
    voicekit.transcribe(audio, concurrency=6, language="en", fill_gaps=False, cache=False, progress=False)
    requests = [e for e in synthetic_loop.server.log.entries if e.endpoint == "transcriptions"]
    assert len(requests) > 6
    assert synthetic_loop.most_in_flight("transcriptions") == 6  # more than the client's default of 4
