"""Fixtures of the reliability suite: a private cache, the loopback server (synthetic speech and transcripts), a
small real disk (tmpfs) that fills up, and the command line as a subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from isolation import offline_cache
from reliability_helpers import disk_of, start

from voicekit.testing import GroqServer


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, and no Groq settings from the environment."""
    return offline_cache(tmp_path, monkeypatch)


@pytest.fixture
def server() -> Iterator[GroqServer]:
    running = start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KB file system (tmpfs) that fills up with ENOSPC; skipped where mounting is not allowed."""
    with disk_of(tmp_path / "small", 256) as mount:
        yield mount
