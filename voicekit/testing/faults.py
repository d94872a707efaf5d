"""Faults the server can be told to inject, and the queue that hands them out in order.

A fault replaces or spoils the answer to one request: a given error status (`Fault.status`), no answer at all
(`Fault.drop`), a body cut short after its headers promised more (`Fault.truncate`), a body trickled out
slowly (`Fault.slow`), or every request header echoed back in a body of some kind (`Fault.echo`, the proxy that
leaks what it was sent).

Faults are injected one by one (`FaultQueue.add`), or drawn at random for every audio request by a seeded
`FaultProfile` ("20 % of requests fail: 5xx, 498, resets and truncated bodies in equal parts").
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["status", "drop", "truncate", "slow", "echo"]
EchoBody = Literal["json_error", "text", "html", "truncated"]
ECHO_BODIES: tuple[str, ...] = ("json_error", "text", "html", "truncated")
Endpoint = Literal["speech", "transcriptions", "translations", "models"]
ENDPOINTS: tuple[str, ...] = ("speech", "transcriptions", "translations", "models")


@dataclass(frozen=True)
class Fault:
    """One kind of failure. Build it with the class methods, not the constructor."""

    kind: FaultKind
    status_code: int | None = None
    message: str | None = None
    code: str | None = None
    error_type: str | None = None
    retry_after: float | None = None
    retry_after_ms: float | None = None
    seconds: float = 0.0
    body: str | None = None

    @classmethod
    def status(cls, code: int, *, message: str | None = None, code_str: str | None = None,
               retry_after: float | None = None, retry_after_ms: float | None = None,
               type: str | None = None) -> Fault:
        """Answer with HTTP `code` and Groq's error envelope instead of doing the work.

        `message`, `code_str` (the envelope's `code`) and `type` default to what Groq sends for that status
        (429: a requests-per-minute rate-limit message; 498: capacity_exceeded; 5xx: the status phrase).
        `retry_after` (seconds) and `retry_after_ms` set the `retry-after` / `retry-after-ms` headers;
        they are sent only when given.
        """
        if not 400 <= code <= 599:
            raise ValueError(f"a status fault needs a 4xx or 5xx code, not {code}")
        return cls("status", status_code=code, message=message, code=code_str, error_type=type,
                   retry_after=retry_after, retry_after_ms=retry_after_ms)

    @classmethod
    def drop(cls) -> Fault:
        """Read the request, then close the connection without sending any response."""
        return cls("drop")

    @classmethod
    def truncate(cls) -> Fault:
        """Send the real response's headers (full Content-Length), then half of its body, then close."""
        return cls("truncate")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Send the real response's body in pieces spread over `seconds`."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, not {seconds}")
        return cls("slow", seconds=seconds)

    @classmethod
    def echo(cls, body: EchoBody) -> Fault:
        """Answer with every request header (the `Authorization` key included) written into the body:
        "json_error" a 500 JSON envelope whose message holds them, "text" a 200 that is plain text, not JSON,
        "html" a 502 HTML page, "truncated" a 200 JSON body cut short."""
        if body not in ECHO_BODIES:
            raise ValueError(f"body must be one of {ECHO_BODIES}, not {body!r}")
        return cls("echo", body=body)


FAULT_KINDS: tuple[str, ...] = ("5xx", "498", "reset", "truncate")
"""The kinds a `FaultProfile` draws from, as the command line names them."""


@dataclass
class FaultProfile:
    """Random faults for audio requests: each kind with its own probability, drawn from a seeded generator so a
    run can be repeated. `rates` maps "5xx", "498", "reset" (connection dropped unanswered) and "truncate" (body
    cut short) to a probability; their sum is at most 1."""

    rates: dict[str, float]
    seed: int = 0
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {FAULT_KINDS}")
        if any(rate < 0 for rate in self.rates.values()) or sum(self.rates.values()) > 1:
            raise ValueError("fault rates must be >= 0 and add up to at most 1")
        self._rng = random.Random(self.seed)

    @classmethod
    def mixed(cls, total: float, seed: int = 0) -> FaultProfile:
        """`total` split evenly over every kind."""
        return cls({kind: total / len(FAULT_KINDS) for kind in FAULT_KINDS}, seed)

    def draw(self) -> Fault | None:
        """The fault for one request, or None."""
        with self._lock:
            roll = self._rng.random()
        for kind in FAULT_KINDS:
            rate = self.rates.get(kind, 0.0)
            if roll < rate:
                return _PROFILE_FAULTS[kind]
            roll -= rate
        return None


_PROFILE_FAULTS = {"5xx": Fault.status(503), "498": Fault.status(498), "reset": Fault.drop(),
                   "truncate": Fault.truncate()}


@dataclass
class _Pending:
    fault: Fault
    remaining: int
    endpoint: str | None


@dataclass
class FaultQueue:
    """Injected faults, consumed in the order they were injected, each `times` times.

    A request takes the first pending fault whose endpoint is its own or None (any endpoint).
    """

    _pending: list[_Pending] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    profile: FaultProfile | None = None
    """Random faults for audio requests that no injected fault applies to."""

    def add(self, fault: Fault, *, times: int = 1, endpoint: str | None = None) -> None:
        """Queue `fault` for the next `times` requests to `endpoint` (None: any endpoint)."""
        if times < 1:
            raise ValueError(f"times must be >= 1, not {times}")
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS} or None, not {endpoint!r}")
        with self._lock:
            self._pending.append(_Pending(fault, times, endpoint))

    def take(self, endpoint: str | None) -> Fault | None:
        """The fault for one request to `endpoint`, consuming one use of it; None when none applies."""
        with self._lock:
            for pending in self._pending:
                if pending.endpoint is None or pending.endpoint == endpoint:
                    pending.remaining -= 1
                    if pending.remaining == 0:
                        self._pending.remove(pending)
                    return pending.fault
        if self.profile is not None and endpoint in ("speech", "transcriptions", "translations"):
            return self.profile.draw()
        return None

    def pending(self) -> int:
        """How many injected fault uses are still waiting."""
        with self._lock:
            return sum(p.remaining for p in self._pending)

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._pending.clear()
