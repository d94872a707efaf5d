"""Fixtures of the job tests: a private cache for every test, and the loopback Groq server of the narrate tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from isolation import offline_cache
from narration import Loopback, serve


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, and no Groq settings from the environment."""
    return offline_cache(tmp_path, monkeypatch)


@pytest.fixture
def loop() -> Iterator[Loopback]:
    yield from serve()


@pytest.fixture
def slow_loop() -> Iterator[Loopback]:
    yield from serve(latency=0.15)
