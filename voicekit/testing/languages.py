"""The language the loopback server reports, as Groq does: a full name in verbose_json ("en" -> "English")."""

from __future__ import annotations

from voicekit.engines.languages import LANGUAGES
from voicekit.engines.languages import language_name as _known_name

__all__ = ["LANGUAGES", "language_name"]


def language_name(code: str | None) -> str:
    """The full name for a code, the value itself if it is already a name, "English" when unknown or None."""
    if not code:
        return "English"
    return _known_name(code) or (code if code[:1].isupper() else "English")
