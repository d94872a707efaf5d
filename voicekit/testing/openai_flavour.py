"""The loopback server answering as OpenAI's audio API does (`--flavour openai`), for `voicekit.engines.openai`
and the official `openai` SDK.

Models, voices and limits come from voicekit's catalog (`OPENAI_SPEECH_MODELS`, `OPENAI_TRANSCRIPTION_MODELS`).
Paths are under `/v1`. Speech: JSON `{model, input, voice, response_format?, instructions?, speed?}`, at most
4,096 characters of input (400 `string_above_max_length` beyond), an unknown voice is 400 `invalid_value`; the
audio is WAV (a plain header), FLAC or raw 24 kHz 16-bit PCM (this server makes no mp3, opus or aac: 400 says so).
Transcription and translation (translation: whisper-1 only): whisper-1 answers json `{text}`, text, or verbose_json
`{task, language (lower-case name), duration, text, segments?, words?}`; the gpt-4o models answer json
`{text, usage}` or text, and refuse verbose_json with OpenAI's 400. No request is billed a minimum. Errors use
OpenAI's envelope `{"error": {message, type, param, code}}`.
"""

from __future__ import annotations

import io
import json

import soundfile

from voicekit.audio.model import Audio, to_int16
from voicekit.audio.wav import encode_wav
from voicekit.engines.catalog import OPENAI_SPEECH_MODELS, OPENAI_TRANSCRIPTION_MODELS
from voicekit.testing.contract import ApiFailure
from voicekit.testing.endpoints import Reply, Services, json_reply
from voicekit.testing.languages import language_name
from voicekit.testing.limits import Admission
from voicekit.testing.transcribe_endpoint import (
    AudioRequest,
    _audio_file,
    _decode,
    _form,
    _options,
    _segment_json,
    _text,
    _word_json,
    _words,
)
from voicekit.testing.transcription import prepare_for_model
from voicekit.transcript.model import Transcript

PREFIX = "/v1"
MADE_FORMATS = ("wav", "flac", "pcm")
"""The speech formats this server makes (OpenAI also makes mp3, opus and aac)."""
CREATED = 1_700_000_000


class OpenAIFailure(ApiFailure):
    """A refusal in OpenAI's envelope, which always carries `param` and `code` (null when none)."""

    param: str | None = None

    def body(self) -> bytes:
        error = {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        return json.dumps({"error": error}).encode()


def invalid(message: str, *, param: str | None = None, code: str | None = None, status: int = 400) -> OpenAIFailure:
    failure = OpenAIFailure(status, message, code=code)
    failure.param = param
    return failure


def route(method: str, path: str) -> tuple[str | None, str | None]:
    """The endpoint name for a method and path under `/v1`, and the model id of `GET /v1/models/{id}`."""
    posts = {"/audio/speech": "speech", "/audio/transcriptions": "transcriptions",
             "/audio/translations": "translations"}
    if not path.startswith(PREFIX + "/"):
        return None, None
    rest = path[len(PREFIX):]
    if method == "POST" and rest in posts:
        return posts[rest], None
    if method == "GET" and rest == "/models":
        return "models", None
    if method == "GET" and rest.startswith("/models/") and len(rest) > len("/models/"):
        return "models", rest[len("/models/"):]
    return None, None


def _card(model: str) -> dict[str, object]:
    return {"id": model, "object": "model", "created": CREATED, "owned_by": "system"}


def models(model_id: str | None) -> Reply:
    """`GET /v1/models` (a list) or `GET /v1/models/{id}` (one card, 404 when unknown)."""
    known = [*OPENAI_SPEECH_MODELS, *OPENAI_TRANSCRIPTION_MODELS]
    if model_id is None:
        return json_reply({"object": "list", "data": [_card(name) for name in known]})
    if model_id not in known:
        raise _unknown_model(model_id)
    return json_reply(_card(model_id))


def _unknown_model(model: str) -> OpenAIFailure:
    return invalid(f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found",
                   status=404)


def speech(body: bytes, services: Services) -> Reply:
    """`POST /v1/audio/speech`: OpenAI's checks, the limits, then the audio in the asked format."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid(f"We could not parse the JSON body of your request. ({exc})") from exc
    if not isinstance(payload, dict):
        raise invalid("We could not parse the JSON body of your request.")
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("you must provide a model parameter", param="model")
    spec = OPENAI_SPEECH_MODELS.get(model)
    if spec is None:
        raise _unknown_model(model)
    admission = Admission(services.limits, model)
    admission.take(services.limits.requests, 1)
    text = _speech_input(payload, spec.max_chars or 0, spec.voices)
    admission.take(services.limits.tokens, len(text))
    audio = services.speech.speak(text, english=True)
    return Reply(_encode(audio, str(payload.get("response_format") or "mp3")), _MEDIA[
        str(payload.get("response_format") or "mp3")], model=model, chars=len(text))


def _speech_input(payload: dict[str, object], limit: int, voices: tuple[str, ...]) -> str:
    text = payload.get("input")
    if not isinstance(text, str):
        raise invalid("Missing required parameter: 'input'.", param="input", code="missing_required_parameter")
    if len(text) > limit:
        raise invalid(f"[{{'type': 'string_too_long', 'loc': ('body', 'input'), 'msg': 'String should have at most "
                      f"{limit} characters'}}]", param="input", code="string_above_max_length")
    voice = payload.get("voice")
    if voice not in voices:
        supported = ", ".join(f"'{v}'" for v in voices)
        raise invalid(f"Invalid value: '{voice}'. Supported values are: {supported}.", param="voice",
                      code="invalid_value")
    fmt = payload.get("response_format") or "mp3"
    if fmt not in ("mp3", "opus", "aac", "flac", "wav", "pcm"):
        raise invalid(f"Invalid value: '{fmt}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and "
                      "'pcm'.", param="response_format", code="invalid_value")
    if fmt not in MADE_FORMATS:
        raise invalid(f"this loopback server makes {', '.join(MADE_FORMATS)} only, not {fmt}",
                      param="response_format", code="unsupported_value")
    return text


_MEDIA = {"wav": "audio/wav", "flac": "audio/flac", "pcm": "audio/pcm", "mp3": "audio/mpeg", "opus": "audio/opus",
          "aac": "audio/aac"}


def _encode(audio: Audio, fmt: str) -> bytes:
    if fmt == "wav":
        return encode_wav(audio)
    if fmt == "pcm":
        return to_int16(audio.samples).tobytes()
    buffer = io.BytesIO()
    soundfile.write(buffer, audio.samples, audio.sample_rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def transcribe(body: bytes, content_type: str, services: Services, *, task: str) -> Reply:
    """`POST /v1/audio/transcriptions` or `/translations` as OpenAI answers them."""
    fields = _form(body, content_type)
    model = _text(fields, "model")
    if not model:
        raise invalid("you must provide a model parameter", param="model")
    spec = OPENAI_TRANSCRIPTION_MODELS.get(model)
    if spec is None:
        raise _unknown_model(model)
    if task == "translate" and not spec.translates:
        raise invalid(f"Invalid model {model} for translations: use whisper-1.", param="model")
    admission = Admission(services.limits, model)
    admission.take(services.limits.requests, 1)
    audio_bytes = _audio_file(fields, services.options.max_upload_bytes)
    response_format, granularities, language, prompt, temperature = _options(fields)
    if not spec.timestamps and response_format not in ("json", "text"):
        raise invalid(f"response_format '{response_format}' is not compatible with model '{model}'. Use 'json' or "
                      "'text' instead.", param="response_format", code="unsupported_value")
    request = AudioRequest(task, model, audio_bytes, response_format, granularities, language, prompt, temperature)
    audio = _decode(request.audio_bytes)
    admission.take(services.limits.audio_seconds, audio.duration)
    transcript = services.transcription.transcribe(prepare_for_model(audio), prompt=request.prompt)
    reply = _shape(transcript, request, audio.duration, timed=spec.timestamps)
    reply.model, reply.audio_seconds, reply.audio_duration = model, audio.duration, audio.duration
    return reply


def _shape(transcript: Transcript, request: AudioRequest, duration: float, *, timed: bool) -> Reply:
    text = transcript.text.strip()
    if request.response_format == "text":
        return Reply((text + "\n").encode(), "text/plain; charset=utf-8")
    if request.response_format == "json":
        if timed:
            return json_reply({"text": text})
        tokens = max(1, len(text) // 4)
        return json_reply({"text": text, "usage": {"type": "tokens", "input_tokens": int(duration * 10),
                                                   "output_tokens": tokens,
                                                   "total_tokens": int(duration * 10) + tokens}})
    language = "english" if request.task == "translate" else (
        language_name(request.language or transcript.language) or "english").lower()
    payload: dict[str, object] = {"task": request.task, "language": language, "duration": round(duration, 2),
                                  "text": text}
    if "segment" in request.granularities:
        payload["segments"] = [_segment_json(s) for s in transcript.segments]
    if "word" in request.granularities:
        payload["words"] = [_word_json(w) for w in _words(transcript)]
    return json_reply(payload)

