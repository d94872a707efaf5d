"""`RequestLog`: what the server was asked and what it answered, for tests and benchmarks to read back, and for
people: `GET /_log` gives it as JSON, and with a log file every request is appended as one JSON line."""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LogEntry:
    """One request as the server saw it."""

    endpoint: str | None
    """"speech", "transcriptions", "translations", "models", or None for a path the API does not have."""
    method: str
    path: str
    status: int | None
    """The status sent, or None when the connection was dropped without an answer."""
    time: float
    """When the request arrived (`time.time()`)."""
    elapsed: float
    """Seconds from arrival until the answer was ready to send (work and the configured latency included)."""
    request_id: str
    model: str | None = None
    chars: int = 0
    """Characters of speech input (speech requests that were accepted)."""
    audio_seconds: float = 0.0
    """Seconds billed (at least the minimum) for a successful transcription or translation."""
    audio_duration: float = 0.0
    """Real length of the uploaded audio, in seconds."""
    bytes_in: int = 0
    bytes_out: int = 0
    """Body bytes sent (a truncated body counts only what goes out, a dropped request 0)."""
    fault: str | None = None
    """The kind of injected fault that spoiled this request, if any."""
    retry_count: int | None = None
    """The client's `x-stainless-retry-count` header, when it sent one (the official SDKs do)."""
    abandoned: bool = False
    """The client had closed its connection before the work's turn came: the work was skipped, nothing was sent
    (status None)."""


class RequestLog:
    """Thread-safe list of `LogEntry` with running totals."""

    def __init__(self, path: Path | str | None = None) -> None:
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()
        self.path = Path(path) if path is not None else None
        """Where every entry is appended as one JSON line, or None."""

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self.path is not None:
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(dataclasses.asdict(entry)) + "\n")

    def to_json(self) -> bytes:
        """Every entry as a JSON list of objects, oldest first."""
        return json.dumps([dataclasses.asdict(entry) for entry in self.entries], indent=1).encode()

    @property
    def entries(self) -> list[LogEntry]:
        """A copy of every entry, oldest first."""
        with self._lock:
            return list(self._entries)

    def count(self, endpoint: str | None = None, *, status: int | None = None) -> int:
        """Requests seen, optionally only those to `endpoint` and/or answered with `status`."""
        return sum(1 for e in self.entries
                   if (endpoint is None or e.endpoint == endpoint) and (status is None or e.status == status))

    @property
    def abandoned(self) -> int:
        """Requests whose work was skipped because their client had gone."""
        return sum(1 for e in self.entries if e.abandoned)

    @property
    def bytes_in(self) -> int:
        """Request body bytes received."""
        return sum(e.bytes_in for e in self.entries)

    @property
    def bytes_out(self) -> int:
        """Response body bytes sent."""
        return sum(e.bytes_out for e in self.entries)

    @property
    def audio_seconds_billed(self) -> float:
        """Audio seconds billed: each successful transcription or translation at least the minimum."""
        return sum(e.audio_seconds for e in self.entries)

    @property
    def chars_billed(self) -> int:
        """Speech input characters of successful speech requests (Orpheus bills per character)."""
        return sum(e.chars for e in self.entries if e.status == 200)

    @property
    def rate_limited(self) -> int:
        """429 answers sent (from the limits or injected)."""
        return self.count(status=429)

    def reset(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
