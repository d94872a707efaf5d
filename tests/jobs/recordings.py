"""The shared recordings the job tests read, from `../shared/data/audio` beside the checkout."""

from __future__ import annotations

from pathlib import Path

from shared_data import SHARED_DATA, shared_data

AUDIO = SHARED_DATA / "audio"
ADDRESS = "en_long_bush_columbia_address_3m19s.ogg"
ADDRESS_SECONDS = 198.734
RATE = 16000


def audio_path(name: str) -> Path:
    """A shared recording; the test is skipped, saying why, when the shared data is absent."""
    return shared_data("audio", name)


def reference(name: str) -> str:
    """The recording's reference transcript."""
    return audio_path(name).with_suffix(".txt").read_text(encoding="utf-8")
