"""Pacing from Groq's `x-ratelimit-*` headers, so a long job slows down before it is refused instead of after.

Groq reports each limit as a token bucket: `x-ratelimit-limit-<kind>` (capacity), `-remaining-<kind>` (what is left
now) and `-reset-<kind>` (how long until the bucket is full again, a Go duration such as `2m59.56s`). With the free
plan's 14,400 requests per day, 30 used and a reset of about 3 minutes, the bucket refills one request every 6 s:
refill rate = (limit - remaining) / reset. The kinds are `requests`, `tokens` (characters, for speech) and
`audio-seconds` (for transcription).

One `RateLimiter` belongs to one client and is shared by all its concurrent requests. Before a request it waits until
every bucket it draws from holds enough for it, counting what requests still in flight have taken; after a response
it trusts the server's figures again. A 429's `retry-after` pauses every request of the client, not just the one that
was refused.

A wait longer than `max_wait` (60 s by default) is not slept: `acquire` raises `QuotaExceededError` naming when the
limit resets (headers saying a limit resets in hours mean a daily quota is used up, not a pause). A wait over
`REPORT_WAIT_SECONDS` is reported through `on_wait` before it is slept.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from voicekit import errors

KINDS = ("requests", "tokens", "audio-seconds")
MAX_WAIT_SECONDS = 60.0
REPORT_WAIT_SECONDS = 5.0
WaitHook = Callable[[float, str], None]
"""`on_wait(seconds, reason)`: told of every rate-limit wait over `REPORT_WAIT_SECONDS` before it starts."""

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def parse_duration(value: str) -> float | None:
    """Seconds in a Go-style duration (`1m26.4s`, `500ms`, `2h13m`) or a plain number of seconds; None if neither."""
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def human_duration(seconds: float) -> str:
    """`2h05m`, `3m07s`, `42s`."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


def reset_sentence(seconds: float) -> str:
    """When a used-up limit frees up again, in words and as a UTC clock time."""
    at = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return (f"The quota is used up; it resets in {human_duration(seconds)} (about {at:%Y-%m-%d %H:%M} UTC). "
            "Finished chunks are kept: run again then, and only the rest will be requested.")


def long_wait_error(seconds: float, what: str, max_wait: float) -> errors.QuotaExceededError:
    """The error for a rate-limit wait over `max_wait` (the pacer's view of `x-ratelimit-reset-*`, or a 429),
    naming when the limit resets."""
    return errors.QuotaExceededError(
        f"{what} would need a wait of {human_duration(seconds)}, more than the {human_duration(max_wait)} voicekit "
        f"waits in-process (VOICEKIT_MAX_WAIT). {reset_sentence(seconds)}", status_code=429, retry_after=seconds)


@dataclass
class Bucket:
    """What the server last said about one limit, extrapolated to now as a refilling bucket."""

    limit: float
    remaining: float
    refill_per_second: float
    observed_at: float

    def level(self, now: float) -> float:
        """The bucket's content now, as the server would count it."""
        return min(self.limit, self.remaining + self.refill_per_second * (now - self.observed_at))

    def seconds_until(self, amount: float, now: float) -> float:
        """How long until the bucket holds `amount` (0 if it already does)."""
        missing = amount - self.level(now)
        if missing <= 0:
            return 0.0
        if self.refill_per_second <= 0:
            return 1.0
        return missing / self.refill_per_second


def bucket_from_headers(headers: Mapping[str, str], kind: str, now: float) -> Bucket | None:
    """The bucket described by the `x-ratelimit-*-<kind>` headers, or None when they are absent or malformed."""
    try:
        limit = float(headers[f"x-ratelimit-limit-{kind}"])
        remaining = float(headers[f"x-ratelimit-remaining-{kind}"])
    except (KeyError, ValueError):
        return None
    reset = parse_duration(headers.get(f"x-ratelimit-reset-{kind}", ""))
    used = max(0.0, limit - remaining)
    if reset is None or reset <= 0:
        refill = limit if used == 0 else 0.0
    else:
        refill = used / reset
    return Bucket(limit=limit, remaining=remaining, refill_per_second=refill, observed_at=now)


@dataclass
class Reservation:
    """What one request in flight has taken from each bucket."""

    costs: dict[str, float]


@dataclass
class RateLimiter:
    """Bounds concurrency and paces requests from the server's rate-limit headers (see the module docstring)."""

    max_concurrency: int = 4
    clock: Callable[[], float] = time.monotonic
    max_wait: float = MAX_WAIT_SECONDS
    """The longest wait `acquire` sleeps; a longer one raises `QuotaExceededError` naming the reset."""
    on_wait: WaitHook | None = None
    """Told of every wait over `REPORT_WAIT_SECONDS` before it is slept."""
    buckets: dict[str, Bucket] = field(default_factory=dict)
    paused_until: float = 0.0
    waits: int = 0
    """How many times a request waited for a bucket or a pause (a figure for tests and benchmarks)."""
    _in_flight: list[Reservation] = field(default_factory=list)
    _semaphore: asyncio.Semaphore | None = None
    _lock: asyncio.Lock | None = None

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {self.max_concurrency}")

    async def acquire(self, costs: Mapping[str, float]) -> Reservation:
        """Wait for a concurrency slot and until every bucket holds the costs; then take them."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
            self._lock = asyncio.Lock()
        assert self._lock is not None
        await self._semaphore.acquire()
        try:
            async with self._lock:
                await self._wait_for_room(costs)
                reservation = Reservation(dict(costs))
                self._in_flight.append(reservation)
                return reservation
        except BaseException:
            self._semaphore.release()
            raise

    def release(self, reservation: Reservation, headers: Mapping[str, str] | None = None) -> None:
        """Give back the concurrency slot; learn the buckets from the response's headers when there are any."""
        if reservation in self._in_flight:
            self._in_flight.remove(reservation)
        if headers is not None:
            self.observe(headers)
        if self._semaphore is not None:
            self._semaphore.release()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the server's figures for every bucket its headers describe."""
        now = self.clock()
        for kind in KINDS:
            bucket = bucket_from_headers(headers, kind, now)
            if bucket is None:
                continue
            known = self.buckets.get(kind)
            if known is not None and known.limit == bucket.limit:
                # Answers can be read out of order: an older, fuller figure must not undo a newer, emptier one.
                bucket.remaining = min(bucket.remaining, known.level(now))
            self.buckets[kind] = bucket

    def pause(self, seconds: float) -> None:
        """Hold every request of this client for `seconds` (a 429's retry-after)."""
        self.paused_until = max(self.paused_until, self.clock() + max(0.0, seconds))

    async def _wait_for_room(self, costs: Mapping[str, float]) -> None:
        while (delay := self._delay_for(costs))[0] > 0:
            seconds, reason = delay
            if seconds > self.max_wait:
                raise long_wait_error(seconds, self._describe(reason), self.max_wait)
            if seconds > REPORT_WAIT_SECONDS and self.on_wait is not None:
                self.on_wait(seconds, f"pacing for the {reason} limit")
            self.waits += 1
            await asyncio.sleep(seconds)

    def _describe(self, kind: str) -> str:
        """What a long wait waits for, in the server's own figures."""
        bucket = self.buckets.get(kind)
        if bucket is None:
            return f"the {kind} pause"
        now = self.clock()
        full = bucket.seconds_until(bucket.limit, now)
        return (f"the {kind} limit ({bucket.level(now):.0f} of {bucket.limit:.0f} left, full again in "
                f"{human_duration(full)} by x-ratelimit-reset-{kind})")

    def _delay_for(self, costs: Mapping[str, float]) -> tuple[float, str]:
        """Seconds to wait before a request with these costs fits (0 when it fits now), and what it waits for:
        a bucket's kind, or "429" for a pause."""
        now = self.clock()
        delay, reason = self.paused_until - now, "429"
        for kind, cost in costs.items():
            bucket = self.buckets.get(kind)
            if bucket is None or cost <= 0:
                continue
            # A request larger than the whole bucket can never fit: send it and let the server decide.
            needed = min(cost, bucket.limit) + self._taken_in_flight(kind)
            wait = bucket.seconds_until(min(needed, bucket.limit), now)
            if wait > delay:
                delay, reason = wait, kind
        return max(0.0, delay), reason

    def _taken_in_flight(self, kind: str) -> float:
        return sum(reservation.costs.get(kind, 0.0) for reservation in self._in_flight)
