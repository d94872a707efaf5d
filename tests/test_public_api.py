"""The public surface: one sorted `__all__`, every name real, the package typed."""

from __future__ import annotations

from pathlib import Path

import voicekit


def test_all_is_sorted_and_every_name_exists() -> None:
    assert voicekit.__all__ == sorted(voicekit.__all__)
    missing = [name for name in voicekit.__all__ if not hasattr(voicekit, name)]
    assert not missing


def test_every_public_error_descends_from_the_root() -> None:
    errors = [getattr(voicekit, name) for name in voicekit.__all__ if name.endswith("Error")]
    assert errors and all(issubclass(error, voicekit.VoicekitError) for error in errors)


def test_the_package_is_typed() -> None:
    assert (Path(voicekit.__file__).parent / "py.typed").exists()
