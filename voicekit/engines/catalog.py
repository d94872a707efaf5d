"""The Groq models voicekit knows: their voices, limits and prices (from Groq's documentation)."""

from __future__ import annotations

from dataclasses import dataclass

ORPHEUS_ENGLISH = "canopylabs/orpheus-v1-english"
ORPHEUS_ARABIC = "canopylabs/orpheus-arabic-saudi"
WHISPER = "whisper-large-v3"
WHISPER_TURBO = "whisper-large-v3-turbo"

BILLING_MINIMUM_SECONDS = 10.0
"""Groq bills every transcription request as at least 10 s of audio."""


@dataclass(frozen=True)
class SpeechModel:
    name: str
    voices: tuple[str, ...]
    default_voice: str
    language: str
    max_chars: int = 200
    """The longest `input` one request may carry."""
    takes_directions: bool = True
    """Whether bracketed vocal directions such as `[cheerful]` are understood."""
    usd_per_million_chars: float = 22.0


@dataclass(frozen=True)
class TranscriptionModel:
    name: str
    usd_per_hour: float
    translates: bool


SPEECH_MODELS: dict[str, SpeechModel] = {
    ORPHEUS_ENGLISH: SpeechModel(
        ORPHEUS_ENGLISH, ("autumn", "diana", "hannah", "austin", "daniel", "troy"), "autumn", "en"
    ),
    ORPHEUS_ARABIC: SpeechModel(
        ORPHEUS_ARABIC,
        ("abdullah", "fahad", "sultan", "lulwa", "noura", "aisha"),
        "fahad",
        "ar",
        takes_directions=False,
        usd_per_million_chars=40.0,
    ),
}

TRANSCRIPTION_MODELS: dict[str, TranscriptionModel] = {
    WHISPER: TranscriptionModel(WHISPER, 0.111, translates=True),
    WHISPER_TURBO: TranscriptionModel(WHISPER_TURBO, 0.04, translates=False),
}


def billed_seconds(duration: float) -> float:
    """Audio seconds Groq bills for one request of this length."""
    return max(duration, BILLING_MINIMUM_SECONDS)
