"""voicekit: long-form speech. Narrate whole documents and transcribe long recordings, on Groq or offline."""

from __future__ import annotations

__version__ = "0.1.0"

from voicekit.engines.groq import AsyncGroqClient, GroqClient, ModelInfo  # noqa: E402
from voicekit.errors import (  # noqa: E402
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AudioError,
    AuthenticationError,
    ConfigurationError,
    InputError,
    QuotaExceededError,
    RateLimitError,
    VoicekitError,
)
from voicekit.jobs.audiobook import Audiobook, BookPlan, anarrate, narrate, plan_narration  # noqa: E402
from voicekit.jobs.narrate import NarrateOptions, Narration, Plan  # noqa: E402
from voicekit.jobs.speak import aspeak, speak  # noqa: E402
from voicekit.jobs.transcribe import TranscribeOptions, atranscribe, transcribe  # noqa: E402
from voicekit.models import Audio, Segment, Transcript, Word  # noqa: E402
from voicekit.notebook import plot  # noqa: E402
from voicekit.text.normalize import normalize_text  # noqa: E402

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGroqClient",
    "Audio",
    "AudioError",
    "Audiobook",
    "AuthenticationError",
    "BookPlan",
    "ConfigurationError",
    "GroqClient",
    "InputError",
    "ModelInfo",
    "NarrateOptions",
    "Narration",
    "Plan",
    "QuotaExceededError",
    "RateLimitError",
    "Segment",
    "TranscribeOptions",
    "Transcript",
    "VoicekitError",
    "Word",
    "__version__",
    "anarrate",
    "aspeak",
    "atranscribe",
    "narrate",
    "normalize_text",
    "plan_narration",
    "plot",
    "speak",
    "transcribe",
]
