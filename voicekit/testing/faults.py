"""Faults the server can be told to inject, and the queue that hands them out in order.

A fault replaces or spoils the answer to one request: a given error status (`Fault.status`), no answer at all
(`Fault.drop`), a body cut short after its headers promised more (`Fault.truncate`), or a body trickled out
slowly (`Fault.slow`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["status", "drop", "truncate", "slow"]
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
        return None

    def pending(self) -> int:
        """How many injected fault uses are still waiting."""
        with self._lock:
            return sum(p.remaining for p in self._pending)

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._pending.clear()
