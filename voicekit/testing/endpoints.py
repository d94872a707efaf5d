"""The API's endpoints as functions from a request body to a `Reply`, refusing with `ApiFailure` as Groq does.

Nothing here touches sockets: the server reads the request, calls one of these, and writes what it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from voicekit.audio.wav import encode_wav
from voicekit.testing import contract as c
from voicekit.testing.contract import ApiFailure
from voicekit.testing.disconnect import Gone, Turns, never_gone
from voicekit.testing.limits import Admission, Limits
from voicekit.testing.options import ServerOptions
from voicekit.testing.speech import SpeechSource
from voicekit.testing.transcription import TranscriptionSource

ENGLISH_SPEECH_MODEL = "canopylabs/orpheus-v1-english"


@dataclass
class Reply:
    """A successful answer and what it cost."""

    body: bytes
    content_type: str
    status: int = 200
    model: str | None = None
    chars: int = 0
    audio_seconds: float = 0.0
    audio_duration: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Services:
    """What the endpoints share: the options, the limits and the content backends."""

    options: ServerOptions
    limits: Limits
    speech: SpeechSource
    transcription: TranscriptionSource
    turns: Turns = field(default_factory=Turns)
    """When work may start: held by `GroqServer.held()`; a request whose client has gone meanwhile is skipped."""


def json_reply(payload: object, **costs: object) -> Reply:
    """A JSON body (compact, UTF-8) with `application/json`."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Reply(body, "application/json", **costs)  # type: ignore[arg-type]


def list_models() -> Reply:
    """`GET /models`: every model this server serves."""
    return json_reply({"object": "list", "data": [c.model_card(card) for card in c.MODEL_CARDS]})


def retrieve_model(model_id: str) -> Reply:
    """`GET /models/{id}`: one model, or 404 model_not_found."""
    card = c.known_model(model_id)
    if card is None:
        raise c.model_not_found(model_id)
    return json_reply(c.model_card(card))


def _speech_model(payload: dict[str, object]) -> str:
    """The requested speech model: 400 when missing, 404 when unknown, 400 when it does not speak."""
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        raise c.bad_request("`model` is required and must be a string")
    if c.known_model(model) is None:
        raise c.model_not_found(model)
    if model not in c.SPEECH_VOICES:
        raise c.bad_request(f"The model `{model}` does not support text to speech.")
    return model


def _check_speech_fields(payload: dict[str, object], model: str) -> str:
    """Validate input, voice and response_format as Orpheus does; return the input text."""
    text = payload.get("input")
    if not isinstance(text, str):
        raise c.bad_request("`input` is required and must be a string")
    if not text.strip():
        raise c.bad_request("`input` must not be empty")
    voices = c.SPEECH_VOICES[model]
    if payload.get("voice") not in voices:
        raise c.bad_request(f"voice must be one of the following voices: [{' '.join(voices)}]")
    if payload.get("response_format", "wav") not in c.SPEECH_FORMATS:
        raise c.bad_request(c.one_of("response_format", c.SPEECH_FORMATS))
    limit = c.SPEECH_MAX_CHARS[model]
    if limit is not None and len(text) > limit:
        raise ApiFailure(413, f"input must be {limit} characters or fewer, but provided input "
                         f"contains {len(text)} characters", code="request_too_large")
    return text


def speech(body: bytes, services: Services, gone: Gone = never_gone) -> Reply:
    """`POST /audio/speech`: Orpheus's checks, the limits, then 24 kHz mono WAV in Orpheus's streamed shape
    (not made, `ClientGone`, when the client has gone before its turn)."""
    payload = c.json_object(body)
    model = _speech_model(payload)
    admission = Admission(services.limits, model)
    admission.take(services.limits.requests, 1)
    admission.take(services.limits.daily, 1)
    text = _check_speech_fields(payload, model)
    admission.take(services.limits.tokens, len(text))
    services.turns.take(None, gone)
    audio = services.speech.speak(text, english=model == ENGLISH_SPEECH_MODEL)
    return Reply(encode_wav(audio, streamed=True), "audio/wav", model=model, chars=len(text))
