"""Findings 9 and 10: a shared cache is paid for once, a full cache disk means no caching rather than a failed job,
the transcription cache knows its server, and Ctrl-C leaves no partial file and keeps every answered chunk."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability_helpers import client_of, run_cli, start, start_cli

import voicekit
from voicekit._sync import run_sync
from voicekit.cache import Cache
from voicekit.testing import GroqServer, ServerOptions

DOC = "".join(f"Paragraph {n} tells of the keeper, the lamp and the long night on the northern cape.\n\n"
              for n in ("one", "two", "three", "four", "five", "six", "seven", "eight"))


def test_two_narrations_sharing_a_cache_pay_once(tmp_path: Path) -> None:
    server = start(latency=0.2)
    try:
        with client_of(server) as first, client_of(server) as second:
            async def both() -> list[voicekit.Narration]:
                return list(await asyncio.gather(
                    voicekit.anarrate(DOC, tmp_path / "a.wav", client=first, progress=False, join_paragraphs=False),
                    voicekit.anarrate(DOC, tmp_path / "b.wav", client=second, progress=False,
                                      join_paragraphs=False)))
            a, b = run_sync(both())
        assert a.chunks == b.chunks == 8
        assert server.log.count("speech") == 8  # each chunk paid once; the other job waited and read it
        assert a.requests + b.requests == 8 and a.cached + b.cached == 8
        assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    finally:
        server.stop()


def test_a_full_cache_disk_means_no_caching_not_a_failed_job(small_disk: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    (small_disk / "filler").write_bytes(b"\0" * (256 * 1024 - 8192))  # leave less room than one chunk's FLAC
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(small_disk / "cache"))
    server = start()
    try:
        with caplog.at_level(logging.WARNING, logger="voicekit"), client_of(server) as client:
            narration = voicekit.narrate(DOC, tmp_path / "out.wav", client=client, progress=False,
                                         join_paragraphs=False)
        assert narration.requests == 8 and (tmp_path / "out.wav").exists()
        assert sum("going on without caching" in r.getMessage() for r in caplog.records) == 1
    finally:
        server.stop()


def test_the_transcription_cache_key_includes_the_server(tmp_path: Path) -> None:
    rate = 16000
    t = np.arange(4 * rate) / rate
    path = tmp_path / "speech.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32), rate)
    one, two = start(), start()
    try:
        for server in (one, one, two):
            with client_of(server) as client:
                voicekit.transcribe(path, client=client, progress=False)
        assert one.log.count("transcriptions") >= 1 and two.log.count("transcriptions") >= 1
        assert one.log.count("transcriptions") == two.log.count("transcriptions")  # the second run on one: cached
    finally:
        one.stop()
        two.stop()


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_file_and_keeps_answered_chunks(tmp_path: Path, private_cache: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "doc.txt").write_text(DOC)
    server = GroqServer(ServerOptions(speech_backend="synthetic", latency=1.0)).start()
    try:
        job = start_cli("narrate", "doc.txt", "-o", "out.wav", "--concurrency", "2", server=server,
                        cache=private_cache, cwd=work)
        while len(server.log.entries) < 2 and job.poll() is None:  # two answered; two more in flight
            time.sleep(0.05)
        time.sleep(0.3)
        job.send_signal(signal.SIGINT)
        _, stderr = job.communicate(timeout=60)
        assert job.returncode == 130, stderr
        assert sorted(p.name for p in work.iterdir()) == ["doc.txt"]  # no out.wav, .partial or .lock
        answered = server.log.count("speech", status=200)
        assert answered >= 3  # the requests in flight at Ctrl-C were finished
        assert Cache(private_cache).count() == answered
    finally:
        server.stop()


def _long_speech(path: Path, seconds: float) -> None:
    """Bursts of tone with a little noise: no two windows alike (alike windows share one cache entry)."""
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(0).normal(0, 0.01, len(t))
    sf.write(path, (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0) + noise).astype(np.float32),
             rate)


@pytest.mark.slow
def test_ctrl_c_in_transcription_finishes_and_keeps_the_windows_sent(tmp_path: Path, private_cache: Path) -> None:
    """The first Ctrl-C sends nothing more but finishes (and caches) the windows in flight; nothing is written;
    the rerun sends only the windows that were never answered."""
    work = tmp_path / "work"
    work.mkdir()
    _long_speech(work / "talk.wav", 150.0)
    server = start()
    try:
        args = ("transcribe", "talk.wav", "-o", "talk.txt", "--language", "en", "--concurrency", "2")
        with server.held():
            job = start_cli(*args, server=server, cache=private_cache, cwd=work)
            while server.turns.waiting < 2 and job.poll() is None:  # two windows sent, held by the server
                time.sleep(0.05)
            job.send_signal(signal.SIGINT)
            time.sleep(1.0)  # the job now waits for the two; it must send no third
        _, stderr = job.communicate(timeout=60)
        assert job.returncode == 130, stderr
        assert sorted(p.name for p in work.iterdir()) == ["talk.wav"]  # no talk.txt, temporary file or lock
        assert server.log.count("transcriptions") == 2 == server.log.count("transcriptions", status=200)
        assert Cache(private_cache).count() == 2  # both windows answered after Ctrl-C are kept
        done = run_cli(*args, server=server, cache=private_cache, cwd=work)
        assert done.returncode == 0, done.stderr
        windows = Cache(private_cache).count()
        assert windows > 2 and server.log.count("transcriptions") == windows  # the rerun sent only the rest
    finally:
        server.stop()
