"""Findings 4 and 8: 429s are paced on a budget of time, not of attempts; a wait longer than `max_wait` fails at once
naming the reset, whether it comes from retry-after or from the `x-ratelimit-reset-*` headers; long waits are
reported; transient faults keep the ordinary budget, given back while other requests succeed."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability_helpers import client_of, start

import voicekit
from voicekit import errors
from voicekit._sync import run_sync
from voicekit.engines.groq import _Budget
from voicekit.testing import Fault, GroqServer


def _speak(client: voicekit.AsyncGroqClient, text: str = "Hello there.") -> voicekit.Audio:
    return run_sync(client.speech(text, voice="troy"))


def test_a_burst_of_429s_does_not_spend_the_retries(server: GroqServer) -> None:
    server.inject(Fault.status(429, retry_after=0.01), times=6, endpoint="speech")
    with client_of(server, max_retries=1) as client:
        audio = _speak(client)
    assert audio.duration > 0
    assert server.log.count("speech", status=429) == 6 and server.log.count("speech", status=200) == 1


def test_the_429_budget_is_time_and_ends_with_a_rate_limit_error(server: GroqServer) -> None:
    server.inject(Fault.status(429, retry_after=0.02), times=50, endpoint="speech")
    with client_of(server, rate_limit_budget=0.05) as client, pytest.raises(errors.RateLimitError) as raised:
        _speak(client)
    assert not isinstance(raised.value, errors.QuotaExceededError)
    assert "VOICEKIT_RATE_LIMIT_BUDGET" in str(raised.value)
    assert server.log.count("speech") == 3  # waited 0.02 + 0.02; a third wait would pass 0.05


def test_a_retry_after_over_the_limit_fails_at_once_naming_the_reset(server: GroqServer) -> None:
    server.inject(Fault.status(429, retry_after=120), endpoint="speech")
    with client_of(server, max_wait=60) as client, pytest.raises(errors.QuotaExceededError, match="resets in 2m00s"):
        _speak(client)
    assert server.log.count("speech") == 1


def test_headers_that_reset_in_hours_fail_at_once_instead_of_sleeping() -> None:
    """The pacer reads `x-ratelimit-remaining-requests: 0`, `x-ratelimit-reset-requests: 5h0m0s`: the next request
    would wait minutes (100 requests refill over 5 h), so it is refused unsent, saying so."""
    server = start(advertised_reset=5 * 3600)
    try:
        with client_of(server) as client:
            _speak(client)
            with pytest.raises(errors.QuotaExceededError) as raised:
                _speak(client, "And again.")
        assert server.log.count("speech") == 1
        message = str(raised.value)
        assert "x-ratelimit-reset-requests" in message and "5h00m" in message and "resets in" in message
    finally:
        server.stop()


def test_a_daily_quota_is_a_quota_error_from_the_headers_or_from_the_429() -> None:
    server = start(requests_per_day=2)
    try:
        with client_of(server) as client:
            _speak(client, "One.")
            _speak(client, "Two.")
            with pytest.raises(errors.QuotaExceededError, match="resets in"):
                _speak(client, "Three.")  # the headers say the quota is used up: refused unsent
        assert server.log.count("speech") == 2
        with client_of(server) as fresh, pytest.raises(errors.QuotaExceededError, match="per day"):
            _speak(fresh, "Three.")  # a client that has seen no headers is told by the server's 429
        assert server.log.count("speech", status=429) == 1
    finally:
        server.stop()


class _Seen(Exception):
    """Raised by the hook so that the test does not sleep through the wait it was told of."""


def test_a_long_429_wait_is_logged_and_passed_to_the_hook(server: GroqServer,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    told: list[tuple[float, str]] = []

    def hook(seconds: float, reason: str) -> None:
        told.append((seconds, reason))
        raise _Seen

    server.inject(Fault.status(429, retry_after=30), endpoint="speech")
    with caplog.at_level(logging.WARNING, logger="voicekit"), client_of(server, on_wait=hook) as client, \
            pytest.raises(_Seen):
        _speak(client)
    assert [seconds for seconds, _ in told] == [30.0]
    assert "429" in told[0][1]
    assert any("waiting 30 s" in record.getMessage() for record in caplog.records)


def test_a_long_pacing_wait_is_passed_to_the_hook() -> None:
    """100 requests over 600 s: after one, the next waits about 6 s for the requests bucket (under the limit)."""
    told: list[tuple[float, str]] = []

    def hook(seconds: float, reason: str) -> None:
        told.append((seconds, reason))
        raise _Seen

    server = start(advertised_reset=600)
    try:
        with client_of(server, on_wait=hook) as client:
            _speak(client)
            with pytest.raises(_Seen):
                _speak(client, "Again.")
        assert len(told) == 1 and 5 < told[0][0] <= 6.01 and "requests" in told[0][1]
        assert server.log.count("speech") == 1
    finally:
        server.stop()


def test_faults_are_given_back_by_the_clients_successes() -> None:
    budget = _Budget(max_retries=2)
    assert budget.fault(0) and budget.fault(0)
    assert not budget.fault(0)  # three faults and the client never had an answer: out of retries
    budget = _Budget(max_retries=2)
    outcomes = [budget.fault(n) for n in range(1, 8)]  # by each fault, the client has had one more answer
    assert outcomes == [True, True, True, True, True, True, False]  # at most 3 x max_retries retries


@pytest.mark.slow
def test_a_run_of_truncated_bodies_does_not_end_a_narration() -> None:
    """Half of all answers cut short: with 2 retries each, a chunk alone would fail one time in eight; the retries
    the client's earlier successes give back carry every chunk through, and the audio is the clean run's."""
    doc = "".join(f"Sentence {n} is about the lamp, the stairs and the long night at sea.\n\n" for n in
                  ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"))
    clean = start()
    faulty = start(fault_rates={"truncate": 0.5}, fault_seed=2)
    try:
        with client_of(clean) as client:
            reference = voicekit.narrate(doc, client=client, progress=False, cache=False, join_paragraphs=False)
        expected = reference.audio().samples
        # One request at a time: the seeded faults then fall on the same requests in every run.
        with client_of(faulty, max_retries=2) as client:
            result = voicekit.narrate(doc, client=client, progress=False, cache=False, join_paragraphs=False,
                                      concurrency=1)
        assert (result.audio().samples == expected).all()
        truncated = sum(1 for entry in faulty.log.entries if entry.fault == "truncate")
        assert truncated > 3 and faulty.log.count("speech", status=200) - truncated == reference.chunks
        # The seeded faults cut one chunk's answer more times in a row than its own 2 retries: only the retries that
        # earlier chunks' successes gave back carried it through.
        runs, run = [], 0
        for entry in faulty.log.entries:
            run = run + 1 if entry.fault == "truncate" else 0
            runs.append(run)
        assert max(runs) > 2
    finally:
        clean.stop()
        faulty.stop()


@pytest.mark.slow
def test_a_narrations_progress_bar_shows_a_429_wait(server: GroqServer, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """A 429 with a retry-after of 6 s: the bar (on standard error) says so, and the WARNING log line stays."""
    server.inject(Fault.status(429, retry_after=6), endpoint="speech")
    told: list[float] = []
    with caplog.at_level(logging.WARNING, logger="voicekit"), \
            client_of(server, on_wait=lambda seconds, _: told.append(seconds)) as client:
        voicekit.narrate("The keeper lit the lamp.", tmp_path / "out.wav", client=client, progress=True)
    assert told == [6.0]  # the hook the caller gave is still called
    bar = capsys.readouterr().err
    assert re.search(r"narrating.*waiting 6 s for the rate limit \(resets at \d\d:\d\d:\d\d\)", bar), bar
    assert any("waiting 6 s for the rate limit" in record.getMessage() for record in caplog.records)


@pytest.mark.slow
def test_a_transcriptions_progress_bar_shows_a_pacing_wait(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The headers say the requests limit resets in 600 s: the second window waits about 6 s, shown in the bar."""
    rate = 16000
    t = np.arange(50 * rate) / rate
    noise = np.random.default_rng(1).normal(0, 0.01, len(t))
    path = tmp_path / "talk.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0) + noise).astype(np.float32),
             rate)
    server = start(advertised_reset=600)
    try:
        with client_of(server) as client:
            voicekit.transcribe(path, client=client, language="en", concurrency=1, cache=False, progress=True)
        assert server.log.count("transcriptions") >= 2
    finally:
        server.stop()
    bar = capsys.readouterr().err
    assert re.search(r"transcribing.*waiting [56] s for the rate limit \(resets at \d\d:\d\d:\d\d\)", bar), bar
