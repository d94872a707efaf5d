"""voicekit: long-form speech. Narrate whole documents and transcribe long recordings, on Groq or offline."""

from __future__ import annotations

from voicekit._version import __version__
from voicekit.audio.model import Audio
from voicekit.engines.base import SpeechEngine, TranscriptionEngine
from voicekit.engines.groq import AsyncGroqClient, GroqClient, ModelInfo
from voicekit.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AudioError,
    AuthenticationError,
    ConfigurationError,
    InputError,
    OptionError,
    QuotaExceededError,
    RateLimitError,
    VoicekitError,
)
from voicekit.jobs.audiobook import Audiobook, BookOptions, BookPlan, anarrate, narrate, plan_narration
from voicekit.jobs.batch import BatchJob, atranscribe_batch, transcribe_batch
from voicekit.jobs.batch_state import BatchOptions
from voicekit.jobs.narrate import NarrateOptions
from voicekit.jobs.narration import Narration, Plan
from voicekit.jobs.speak import aspeak, speak
from voicekit.jobs.transcribe import TranscribeOptions, atranscribe, transcribe
from voicekit.jobs.transcribe_many import ManyTranscripts, atranscribe_many, transcribe_many
from voicekit.jobs.transcribe_plan import TranscriptionPlan, plan_transcription
from voicekit.notebook import plot
from voicekit.text.normalize import normalize_text
from voicekit.transcript.model import Segment, Transcript, Word

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
    "BatchJob",
    "BatchOptions",
    "BookOptions",
    "BookPlan",
    "ConfigurationError",
    "GroqClient",
    "InputError",
    "ManyTranscripts",
    "ModelInfo",
    "NarrateOptions",
    "Narration",
    "OptionError",
    "Plan",
    "QuotaExceededError",
    "RateLimitError",
    "Segment",
    "SpeechEngine",
    "TranscribeOptions",
    "Transcript",
    "TranscriptionEngine",
    "TranscriptionPlan",
    "VoicekitError",
    "Word",
    "__version__",
    "anarrate",
    "aspeak",
    "atranscribe",
    "atranscribe_batch",
    "atranscribe_many",
    "narrate",
    "normalize_text",
    "plan_narration",
    "plan_transcription",
    "plot",
    "speak",
    "transcribe",
    "transcribe_batch",
    "transcribe_many",
]
