"""The shared recordings the job tests read, from `../shared/data/audio` beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

AUDIO = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "audio").resolve()
ADDRESS = "en_long_bush_columbia_address_3m19s.ogg"
ADDRESS_SECONDS = 198.734
RATE = 16000


def audio_path(name: str) -> Path:
    """A shared recording; the test is skipped, saying why, when the shared data is absent."""
    path = AUDIO / name
    if not path.is_file():
        pytest.skip(f"shared test data not found: {path} (the recordings live in ../shared/data beside the checkout)")
    return path


def reference(name: str) -> str:
    """The recording's reference transcript."""
    return audio_path(name).with_suffix(".txt").read_text(encoding="utf-8")
