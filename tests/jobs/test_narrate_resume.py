"""Nothing paid for twice: an identical rerun sends nothing, and a run that fails, is cancelled or is killed
resumes with only the chunks it had not finished. Against the loopback server (helpers in test_narrate_job)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from narration import DOC, Loopback, narrate, run_cli, serve

import voicekit
from voicekit import errors
from voicekit._sync import run_sync
from voicekit.cache import Cache
from voicekit.testing import Fault


def test_an_identical_second_run_sends_nothing(loop: Loopback, tmp_path: Path) -> None:
    first = narrate(loop, tmp_path / "first.wav")
    sent = loop.server.log.count()
    second = narrate(loop, tmp_path / "second.wav")
    assert sent == first.requests == first.chunks
    assert loop.server.log.count() == sent, "the second run sent requests"
    assert (second.requests, second.cached, second.cost_usd) == (0, first.chunks, 0.0)
    a, rate_a = soundfile.read(str(first.path), dtype="int16")
    b, rate_b = soundfile.read(str(second.path), dtype="int16")
    assert rate_a == rate_b and a.shape == b.shape
    assert int(np.max(np.abs(a.astype(np.int32) - b.astype(np.int32)))) <= 1
    other_voice = narrate(loop, tmp_path / "third.wav", voice="diana")
    assert other_voice.requests == first.chunks, "another voice is other audio: nothing of it is cached"


def test_another_server_is_not_answered_from_the_first_servers_cache(loop: Loopback, tmp_path: Path) -> None:
    first = narrate(loop, tmp_path / "first.wav")
    for other in serve():
        again = narrate(other, tmp_path / "again.wav")
        assert again.requests == first.chunks and other.server.log.count() == first.chunks
        assert narrate(other, tmp_path / "third.wav").requests == 0


@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_failed_run_keeps_what_was_paid_for_and_the_rerun_sends_only_the_rest(
        loop: Loopback, tmp_path: Path, concurrency: int) -> None:
    finished = 3
    loop.speech.hooks[finished] = lambda: loop.server.inject(Fault.status(400), endpoint="speech")
    out = tmp_path / "keeper.wav"
    with pytest.raises(errors.BadRequestError):
        narrate(loop, out, concurrency=concurrency)
    answered = loop.server.log.count("speech", status=200)
    assert answered >= finished
    assert not out.exists() and not out.with_name("keeper.wav.partial").exists()
    assert Cache().count() == answered, "a chunk the server answered was not cached"
    loop.server.log.reset()
    resumed = narrate(loop, out, concurrency=concurrency)
    assert loop.server.log.count() == resumed.requests == resumed.chunks - answered
    assert resumed.cached == answered and out.exists()


def test_a_failed_run_leaves_an_earlier_finished_file_alone(loop: Loopback, tmp_path: Path) -> None:
    out = tmp_path / "keeper.wav"
    narrate(loop, out, source="The first version of the text, which is read aloud in full.")
    before = out.read_bytes()
    loop.server.inject(Fault.status(400), endpoint="speech")
    with pytest.raises(errors.BadRequestError):
        narrate(loop, out)
    assert out.read_bytes() == before
    assert not out.with_name("keeper.wav.partial").exists()


def test_a_cancelled_run_sends_nothing_more_and_keeps_what_was_answered(slow_loop: Loopback, tmp_path: Path) -> None:
    out, concurrency, started = tmp_path / "keeper.wav", 2, 3

    async def cancel_after_some_requests() -> None:
        task = asyncio.ensure_future(voicekit.anarrate(DOC, out, client=slow_loop.client(), progress=False,
                                                       concurrency=concurrency))
        while len(slow_loop.speech.texts) < started:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not out.exists() and not out.with_name("keeper.wav.partial").exists()
        await asyncio.sleep(0.5)  # the requests already sent are answered meanwhile

    run_sync(cancel_after_some_requests())
    log = slow_loop.server.log
    assert started <= log.count("speech") <= started + concurrency - 1, "requests were sent after the cancel"
    assert Cache().count() == log.count("speech", status=200), "an answered request was not cached"
    answered = log.count("speech", status=200)
    log.reset()
    resumed = narrate(slow_loop, out, concurrency=concurrency)
    assert log.count() == resumed.requests == resumed.chunks - answered and resumed.cached == answered


@pytest.mark.slow
def test_a_killed_cli_run_resumes_with_only_the_missing_chunks(loop: Loopback, tmp_path: Path,
                                                               private_cache: Path) -> None:
    doc, out = tmp_path / "keeper.md", tmp_path / "keeper.wav"
    doc.write_text(DOC, encoding="utf-8")
    env = {**loop.env(), "VOICEKIT_CACHE_DIR": str(private_cache)}
    finished = 4
    process = run_cli("narrate", str(doc), "-o", str(out), "--concurrency", "1", env=env)

    def kill() -> None:  # while the server works on request finished + 1, before it answers
        process.kill()
        process.wait()

    loop.speech.hooks[finished + 1] = kill
    process.communicate(timeout=120)
    assert process.returncode == -9
    assert not out.exists(), "a killed run left a finished-looking output"
    assert Cache(private_cache).count() == finished
    deadline = time.monotonic() + 10
    while loop.server.log.count() <= finished and time.monotonic() < deadline:
        time.sleep(0.01)  # the server logs the request the client died waiting for
    loop.server.log.reset()
    resumed = run_cli("narrate", str(doc), "-o", str(out), "--json", env=env)
    stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    result = json.loads(stdout)
    assert loop.server.log.count() == result["requests"] == result["chunks"] - finished
    assert result["cached"] == finished and result["chunks"] > finished + 1
    assert soundfile.info(str(out)).duration == pytest.approx(result["duration"], abs=1e-3)
    assert not out.with_name("keeper.wav.partial").exists()


