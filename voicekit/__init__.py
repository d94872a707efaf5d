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
from voicekit.models import Audio, Segment, Transcript, Word  # noqa: E402

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGroqClient",
    "Audio",
    "AudioError",
    "AuthenticationError",
    "ConfigurationError",
    "GroqClient",
    "InputError",
    "ModelInfo",
    "QuotaExceededError",
    "RateLimitError",
    "Segment",
    "Transcript",
    "VoicekitError",
    "Word",
    "__version__",
]
