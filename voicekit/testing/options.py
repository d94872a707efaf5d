"""`ServerOptions`: everything the loopback server can be told, with the real API's figures as defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_API_KEY = "gsk_test_loopback_key"
"""The key the server accepts unless told otherwise. It is not a real Groq key."""

SpeechBackend = Literal["auto", "piper", "synthetic"]
TranscriptionBackend = Literal["auto", "whisper", "synthetic"]
Flavour = Literal["groq", "openai"]


class ServerOptions(BaseModel):
    """How a `GroqServer` behaves. Every limit is off (None) unless set; each is a token bucket refilled over
    its window.

    The windows exist so that tests can use a short one: `requests_per_minute=2, requests_window=1.0` means
    "2 requests per second", and the 429 message still reads "per minute", as Groq's does.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    flavour: Flavour = "groq"
    """Whose API to answer as: "groq" (under `/openai/v1`) or "openai" (under `/v1`, OpenAI's models, shapes and
    errors; see `voicekit.testing.openai_flavour`)."""
    api_key: str = Field(default=DEFAULT_API_KEY, min_length=1)
    """The only key accepted in `Authorization: Bearer <key>`; anything else gets 401 invalid_api_key."""
    latency: float = Field(default=0.0, ge=0.0)
    """Seconds added to every request before it is answered (network and queueing time of the real API)."""
    requests_per_minute: int | None = Field(default=None, ge=1)
    """Accepted audio requests allowed per `requests_window` (RPM); None for no limit."""
    requests_window: float = Field(default=60.0, gt=0.0)
    """Seconds in which the bucket behind `requests_per_minute` refills completely."""
    audio_seconds_per_hour: float | None = Field(default=None, gt=0.0)
    """Billed audio seconds (transcriptions and translations) per `audio_window` (ASH); None for no limit."""
    audio_window: float = Field(default=3600.0, gt=0.0)
    """Seconds in which the bucket behind `audio_seconds_per_hour` refills completely."""
    tokens_per_minute: int | None = Field(default=None, ge=1)
    """Characters of speech input per `tokens_window` (Orpheus TPM, counted in characters); None: no limit."""
    tokens_window: float = Field(default=60.0, gt=0.0)
    """Seconds in which the bucket behind `tokens_per_minute` refills completely."""
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    """Largest audio `file` part transcriptions and translations accept; larger gets 413 request_too_large."""
    min_billed_seconds: float = Field(default=10.0, ge=0.0)
    """Groq bills every transcription or translation as at least this many seconds of audio."""
    speech_backend: SpeechBackend = "auto"
    """Where speech comes from: "piper" (real speech from the local Piper voice), "synthetic" (a deterministic
    tone whose length follows the text), or "auto" (Piper when it is installed, else synthetic)."""
    transcription_backend: TranscriptionBackend = "auto"
    """Where transcripts come from: "whisper" (local faster-whisper), "synthetic" (deterministic words whose
    count follows the audio's length), or "auto" (faster-whisper when it is installed, else synthetic)."""
    batch_completion_seconds: float = Field(default=0.0, ge=0.0)
    """Seconds a batch takes from creation to completion: a tenth validating, eight tenths shared evenly by its
    lines, a tenth finalizing (the real API takes up to its completion window)."""
    batch_failure_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of batch lines that fail with a 500 in the error file (chosen by a hash of each `custom_id`, so the
    same lines fail every time)."""
    batch_capacity_lines: int | None = Field(default=None, ge=0)
    """Lines of each batch the server gets to before its completion window ends: the rest expire and the batch
    is `expired` with partial results. None: every batch completes."""
    host: str = "127.0.0.1"
    """Address to listen on. Keep the loopback address: the server has no security of its own."""
    port: int = Field(default=0, ge=0, le=65535)
    """Port to listen on; 0 lets the system pick a free one (read it back from `GroqServer.base_url`)."""
