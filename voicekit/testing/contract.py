"""What the real API promises: its models, voices, limits and error envelopes (from reference/groq-api.md).

Handlers raise `ApiFailure` for any documented refusal; the server turns it into Groq's JSON envelope
`{"error": {"message", "type", "code"?}}` with the right status and headers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus

from voicekit.engines.catalog import SPEECH_MODELS
from voicekit.engines.catalog import TRANSCRIPTION_MODELS as TRANSCRIPTION_MODELS_BY_NAME

API_PREFIX = "/openai/v1"

SPEECH_VOICES: dict[str, tuple[str, ...]] = {name: spec.voices for name, spec in SPEECH_MODELS.items()}
"""The voices of each speech model, from voicekit's catalog (the one source of these facts)."""
SPEECH_MAX_CHARS: dict[str, int | None] = {name: spec.max_chars for name, spec in SPEECH_MODELS.items()}
"""The longest `input` of each speech model, from the catalog."""
TRANSCRIPTION_MODELS = tuple(TRANSCRIPTION_MODELS_BY_NAME)
TRANSLATION_MODELS = tuple(name for name, spec in TRANSCRIPTION_MODELS_BY_NAME.items() if spec.translates)
SPEECH_FORMATS = ("wav",)
TRANSCRIPTION_FORMATS = ("json", "text", "verbose_json")
UPLOAD_EXTENSIONS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
GRANULARITIES = ("segment", "word")
PROMPT_MAX_CHARS = 896
MIN_AUDIO_SECONDS = 0.01

MODEL_CARDS: tuple[dict[str, object], ...] = (
    {"id": "whisper-large-v3", "owned_by": "OpenAI", "created": 1693721698, "context_window": 448,
     "max_completion_tokens": 448},
    {"id": "whisper-large-v3-turbo", "owned_by": "OpenAI", "created": 1728413088, "context_window": 448,
     "max_completion_tokens": 448},
    {"id": "canopylabs/orpheus-v1-english", "owned_by": "Canopy Labs", "created": 1764613412,
     "context_window": 4000, "max_completion_tokens": 50000},
    {"id": "canopylabs/orpheus-arabic-saudi", "owned_by": "Canopy Labs", "created": 1764613412,
     "context_window": 4000, "max_completion_tokens": 50000},
)


def model_card(card: dict[str, object]) -> dict[str, object]:
    """One entry of `GET /models`, with the fields a live listing carries."""
    return {"id": card["id"], "object": "model", "created": card["created"], "owned_by": card["owned_by"],
            "active": True, "context_window": card["context_window"], "public_apps": None,
            "max_completion_tokens": card["max_completion_tokens"]}


def known_model(model_id: str) -> dict[str, object] | None:
    """The card of a model this server serves, or None."""
    return next((card for card in MODEL_CARDS if card["id"] == model_id), None)


@dataclass(eq=False)
class ApiFailure(Exception):
    """A refusal the real API documents: status, envelope fields and any extra headers (retry-after...)."""

    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.message}"

    def body(self) -> bytes:
        """Groq's error envelope; `code` is left out when the real API gives none."""
        error: dict[str, str] = {"message": self.message, "type": self.type}
        if self.code is not None:
            error["code"] = self.code
        return json.dumps({"error": error}).encode()


def bad_request(message: str, code: str | None = None) -> ApiFailure:
    """400 invalid_request_error."""
    return ApiFailure(400, message, code=code)


def json_object(body: bytes) -> dict[str, object]:
    """The JSON object a request body holds; 400 when it holds none."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"request body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise bad_request("request body must be a JSON object")
    return payload


def invalid_api_key() -> ApiFailure:
    """401 exactly as Groq answers a missing or wrong key."""
    return ApiFailure(401, "Invalid API Key", code="invalid_api_key")


def model_not_found(model: str) -> ApiFailure:
    """404 for a model that does not exist (Groq's wording, OpenAI's code)."""
    return ApiFailure(404, f"The model `{model}` does not exist or you do not have access to it.",
                      code="model_not_found")


def unknown_url(method: str, path: str) -> ApiFailure:
    """404 for a path the API does not have."""
    return ApiFailure(404, f"Unknown request URL: {method} {path}. Please check the URL for typos, "
                      "or see the docs at https://console.groq.com/docs/", code="unknown_url")


def upload_too_large() -> ApiFailure:
    """413 for an audio upload over the size limit."""
    return ApiFailure(413, "Request Entity Too Large", code="request_too_large")


def server_error(status: int) -> ApiFailure:
    """A 5xx in the envelope, with the status's standard phrase as the message."""
    return ApiFailure(status, HTTPStatus(status).phrase, type="internal_server_error")


def one_of(field_name: str, allowed: tuple[str, ...]) -> str:
    """Groq's (Go-style) wording for an enum violation: `response_format must be one of [wav]`."""
    return f"{field_name} must be one of [{' '.join(allowed)}]"
