"""Which backend the loopback server uses for speech and for transcripts: the real local engine, or a synthetic one."""

from __future__ import annotations

import importlib.util

from voicekit.errors import MissingDependencyError


def installed(*modules: str) -> bool:
    """True when every module can be imported."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in modules)
    except (ImportError, ValueError):
        return False


def resolve_backend(choice: str, real: str, modules: tuple[str, ...], option: str) -> str:
    """`real` or "synthetic": "auto" means the real engine when its modules are installed; asking for the real one
    without them is an error naming `option`."""
    if choice == "synthetic":
        return "synthetic"
    if installed(*modules):
        return real
    if choice == real:
        raise MissingDependencyError(f"{option}={real!r} needs the local extra: pip install 'voicekit[local]'")
    return "synthetic"
