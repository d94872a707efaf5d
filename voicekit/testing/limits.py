"""Rate limits as token buckets, Groq's `x-ratelimit-*` headers and its 429 answer.

Each limit (requests, tokens = speech characters, audio seconds) is a bucket of `limit` units refilled at
`limit / window` per second. A request fits when the bucket holds its amount; a refused request takes nothing.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from voicekit.testing.contract import ApiFailure

UPGRADE_HINT = "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing"


def go_duration(seconds: float) -> str:
    """Format like Go's `time.Duration` at Groq's 10 ms resolution: `2m59.56s`, `7.66s`, `500ms`, `1m0s`."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    centis = round(seconds * 100)
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6_000)
    secs = f"{centis // 100}.{centis % 100:02d}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


@dataclass(frozen=True)
class LimitKind:
    """How one limit is named in headers and in the 429 message."""

    header: str
    """Suffix of the `x-ratelimit-*-<header>` headers."""
    phrase: str
    """What Groq's message says the limit is on: `requests per minute (RPM)`."""
    error_type: str
    """The envelope's `type` on a 429 for this limit."""


REQUESTS = LimitKind("requests", "requests per minute (RPM)", "requests")
REQUESTS_PER_DAY = LimitKind("requests", "requests per day (RPD)", "requests")
TOKENS = LimitKind("tokens", "tokens per minute (TPM)", "tokens")
AUDIO_SECONDS = LimitKind("audio-seconds", "seconds of audio per hour (ASH)", "seconds")


@dataclass
class TokenBucket:
    """`limit` units of work per `window` seconds, as Groq meters them: a bucket of `limit` that refills at
    `limit / window` per second. Groq's documented headers fit this and nothing else: with 14,400 requests a day,
    30 used, `x-ratelimit-reset-requests` reads about 3 minutes (30 requests x 6 s each), not a day.
    Only admitted work is taken from the bucket.
    """

    kind: LimitKind
    limit: float
    window: float
    _level: float = -1.0
    _stamp: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rate(self) -> float:
        """Units refilled per second."""
        return self.limit / self.window

    def _refill(self, now: float) -> None:
        """Bring the level up to `now` (call with the lock held)."""
        if self._level < 0:
            self._level = self.limit
        self._level = min(self.limit, self._level + (now - self._stamp) * self.rate)
        self._stamp = now

    def admit(self, amount: float, model: str) -> float:
        """Take `amount` and return when, or raise the 429 `ApiFailure` if the bucket does not hold it.

        An amount over the whole limit can never fit: that is Groq's 413 "Request too large", not a 429.
        """
        with self._lock:
            now = time.monotonic()
            self._refill(now)
            if amount > self.limit:
                raise request_too_large(self.kind, model, self.limit, amount)
            if amount > self._level:
                wait = (amount - self._level) / self.rate
                raise rate_limited(self.kind, model, self.limit, self.limit - self._level, amount, wait)
            self._level -= amount
            return now

    def release(self, stamp: float, amount: float) -> None:
        """Give back admitted work (the request was refused by another limit after all)."""
        with self._lock:
            self._refill(time.monotonic())
            self._level = min(self.limit, self._level + amount)

    def headers(self) -> dict[str, str]:
        """`x-ratelimit-{limit,remaining,reset}-<kind>`; reset is the time until the bucket is full again."""
        with self._lock:
            self._refill(time.monotonic())
            remaining, reset = self._level, (self.limit - self._level) / self.rate
        suffix = self.kind.header
        return {f"x-ratelimit-limit-{suffix}": _number(self.limit),
                f"x-ratelimit-remaining-{suffix}": _number(math.floor(remaining)),
                f"x-ratelimit-reset-{suffix}": go_duration(reset)}


def _number(value: float) -> str:
    """Integers without a decimal point, as the headers carry them."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _prefix(verb: str, model: str, kind: LimitKind) -> str:
    """The start every Groq limit message shares."""
    return (f"{verb} for model `{model}` in organization `org_loopback` service tier `on_demand` "
            f"on {kind.phrase}")


def rate_limited(kind: LimitKind, model: str, limit: float, used: float, requested: float,
                 wait: float) -> ApiFailure:
    """The 429 Groq sends, with `retry-after` as whole seconds rounded up."""
    figures = f"Limit {_number(limit)}, Used {_number(math.ceil(used))}, Requested {_number(math.ceil(requested))}"
    message = (f"{_prefix('Rate limit reached', model, kind)}: {figures}. "
               f"Please try again in {go_duration(wait)}. {UPGRADE_HINT}")
    retry_after = str(max(1, math.ceil(wait)))
    return ApiFailure(429, message, type=kind.error_type, code="rate_limit_exceeded",
                      headers={"retry-after": retry_after})


def request_too_large(kind: LimitKind, model: str, limit: float, requested: float) -> ApiFailure:
    """The 413 Groq sends when one request alone is over a per-window limit (no retry can help)."""
    figures = f"Limit {_number(limit)}, Requested {_number(math.ceil(requested))}"
    message = (f"{_prefix('Request too large', model, kind)}: {figures}, "
               f"please reduce your message size and try again. {UPGRADE_HINT}")
    return ApiFailure(413, message, type=kind.error_type, code="rate_limit_exceeded")


class Limits:
    """The server's configured limits; each is None when off. Speech answers carry the tokens headers,
    transcriptions and translations the audio-seconds headers, every answer the requests headers.
    """

    def __init__(self, *, requests: tuple[int, float] | None = None, tokens: tuple[int, float] | None = None,
                 audio_seconds: tuple[float, float] | None = None, daily: tuple[int, float] | None = None,
                 storm: Storm | None = None, advertised_reset: float | None = None) -> None:
        self.requests = TokenBucket(REQUESTS, *requests) if requests else None
        self.tokens = TokenBucket(TOKENS, *tokens) if tokens else None
        self.audio_seconds = TokenBucket(AUDIO_SECONDS, *audio_seconds) if audio_seconds else None
        self.daily = TokenBucket(REQUESTS_PER_DAY, *daily) if daily else None
        self.storm = storm
        self.advertised_reset = advertised_reset

    def headers(self, endpoint: str | None) -> dict[str, str]:
        """The `x-ratelimit-*` headers for an answer from `endpoint`, for the limits that are on. With a daily
        quota the requests headers describe it (Groq's do); `advertised_reset` overrides them with a used-up
        limit that resets late."""
        windows = [self.requests, self.daily]
        if endpoint == "speech":
            windows.append(self.tokens)
        elif endpoint in ("transcriptions", "translations"):
            windows.append(self.audio_seconds)
        headers: dict[str, str] = {}
        for window in windows:
            if window is not None:
                headers.update(window.headers())
        if self.advertised_reset is not None:
            headers.update({"x-ratelimit-limit-requests": "100", "x-ratelimit-remaining-requests": "0",
                            "x-ratelimit-reset-requests": go_duration(self.advertised_reset)})
        return headers


@dataclass
class Storm:
    """Periodic 429 storms: for the first `length` seconds of every `period` (counted from `started`), every
    audio request is refused with Groq's RPM 429 and a `retry-after` of the storm's remaining seconds."""

    period: float
    length: float
    started: float = field(default_factory=time.monotonic)

    def check(self, model: str) -> None:
        """Raise the 429 when a storm is on now."""
        into = (time.monotonic() - self.started) % self.period
        if into < self.length:
            raise rate_limited(REQUESTS, model, 10, 10, 1, self.length - into)


@dataclass
class Admission:
    """What one request has been admitted for so far, so that a later refusal can take it all back."""

    limits: Limits
    model: str
    _taken: list[tuple[TokenBucket, float, float]] = field(default_factory=list)

    def take(self, window: TokenBucket | None, amount: float) -> None:
        """Admit `amount` on `window` (no-op when that limit is off); on a refusal, release what was taken."""
        if window is None:
            return
        try:
            stamp = window.admit(amount, self.model)
        except ApiFailure:
            self.release()
            raise
        self._taken.append((window, stamp, amount))

    def release(self) -> None:
        """Give back everything admitted: the request did not count after all."""
        for window, stamp, amount in self._taken:
            window.release(stamp, amount)
        self._taken.clear()
