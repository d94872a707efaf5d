"""Keeping a test to itself: its own cache folder and no Groq settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest


def offline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, and no Groq settings from the environment."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(folder))
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    return folder
