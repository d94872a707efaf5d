"""The limiter's arithmetic, on a fake clock (the loopback-server tests cover it end to end)."""

from __future__ import annotations

import asyncio

import pytest

from voicekit.engines.ratelimit import RateLimiter, bucket_from_headers, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2m59.56s", 179.56), ("500ms", 0.5), ("7.66s", 7.66), ("1m0s", 60.0), ("2h13m", 7980.0), ("3", 3.0),
     ("1h0m0.5s", 3600.5)],
)
def test_go_durations_are_parsed(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 s", "1x"])
def test_malformed_durations_are_none(text: str) -> None:
    assert parse_duration(text) is None


def test_bucket_refills_at_the_rate_the_headers_imply() -> None:
    # Groq's example: 14,400 requests a day, 30 used, full again in about 3 minutes: one request every 6 s.
    headers = {"x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14370",
               "x-ratelimit-reset-requests": "3m0s"}
    bucket = bucket_from_headers(headers, "requests", now=100.0)
    assert bucket is not None
    assert bucket.refill_per_second == pytest.approx(1 / 6)
    assert bucket.level(106.0) == pytest.approx(14371)
    assert bucket.level(10_000.0) == 14400


def test_missing_or_broken_headers_give_no_bucket() -> None:
    assert bucket_from_headers({}, "tokens", 0.0) is None
    assert bucket_from_headers({"x-ratelimit-limit-tokens": "x", "x-ratelimit-remaining-tokens": "1"}, "tokens",
                               0.0) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_request_waits_until_the_bucket_holds_its_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    limiter = RateLimiter(max_concurrency=2, clock=clock)
    # 10 audio-seconds left of 100, refilling fully in 90 s: 1 audio-second per second.
    limiter.observe({"x-ratelimit-limit-audio-seconds": "100", "x-ratelimit-remaining-audio-seconds": "10",
                     "x-ratelimit-reset-audio-seconds": "1m30s"})

    async def scenario() -> None:
        first = await limiter.acquire({"audio-seconds": 10})
        assert slept == []
        second = await limiter.acquire({"audio-seconds": 30})   # 10 in flight + 30 needed: wait 30 s
        assert sum(slept) == pytest.approx(30.0)
        limiter.release(first)
        limiter.release(second)

    asyncio.run(scenario())
    assert limiter.waits >= 1


def test_a_pause_holds_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()

    async def fake_sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    limiter = RateLimiter(clock=clock)
    limiter.pause(4.0)

    async def scenario() -> None:
        reservation = await limiter.acquire({"requests": 1})
        limiter.release(reservation)

    asyncio.run(scenario())
    assert clock.now == pytest.approx(4.0)


def test_concurrency_is_bounded() -> None:
    limiter = RateLimiter(max_concurrency=3)
    running = 0
    peak = 0

    async def job() -> None:
        nonlocal running, peak
        reservation = await limiter.acquire({"requests": 1})
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        limiter.release(reservation)

    async def scenario() -> None:
        await asyncio.gather(*(job() for _ in range(12)))

    asyncio.run(scenario())
    assert peak == 3


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(max_concurrency=0)


def test_an_older_fuller_answer_does_not_undo_a_newer_emptier_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.observe({"x-ratelimit-limit-tokens": "1000", "x-ratelimit-remaining-tokens": "100",
                     "x-ratelimit-reset-tokens": "54s"})
    limiter.observe({"x-ratelimit-limit-tokens": "1000", "x-ratelimit-remaining-tokens": "400",
                     "x-ratelimit-reset-tokens": "36s"})
    assert limiter.buckets["tokens"].level(clock.now) == 100
    clock.now = 1000.0
    assert limiter.buckets["tokens"].level(clock.now) == 1000
