"""`POST /audio/transcriptions` and `/audio/translations`: Groq's multipart contract, billing, answers."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from voicekit.audio.model import Audio
from voicekit.testing import contract as c
from voicekit.testing.disconnect import Gone, never_gone
from voicekit.testing.endpoints import Reply, Services, json_reply
from voicekit.testing.languages import LANGUAGES, language_name
from voicekit.testing.limits import Admission
from voicekit.testing.multipart import MultipartError, Part, parse_multipart
from voicekit.testing.transcription import UndecodableAudio, decode_upload, prepare_for_model
from voicekit.transcript.model import Segment, Transcript, Word

GRANULARITY_FIELDS = ("timestamp_granularities[]", "timestamp_granularities")


@dataclass(frozen=True)
class AudioRequest:
    """A validated transcription or translation request."""

    task: str
    model: str
    audio_bytes: bytes
    response_format: str
    granularities: tuple[str, ...]
    language: str | None
    prompt: str | None
    temperature: float


def _form(body: bytes, content_type: str) -> dict[str, list[Part]]:
    """The form fields by name (a name may repeat); 400 when the body is not a well-formed form.

    multipart/form-data is what carries a `file`; a url-encoded form (a `url`-only request) is read too.
    """
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        parts = [Part(name, None, None, value.encode()) for name, value in pairs]
    else:
        try:
            parts = parse_multipart(body, content_type)
        except MultipartError as exc:
            raise c.bad_request(str(exc)) from exc
    fields: dict[str, list[Part]] = {}
    for part in parts:
        fields.setdefault(part.name, []).append(part)
    return fields


def _text(fields: dict[str, list[Part]], name: str) -> str | None:
    """The value of a plain field (its last occurrence), or None when absent."""
    parts = fields.get(name)
    return parts[-1].text() if parts else None


def _model(fields: dict[str, list[Part]], task: str) -> str:
    """The model: 400 missing, 404 unknown, 400 when it cannot do `task` (translation with turbo)."""
    model = _text(fields, "model")
    if not model:
        raise c.bad_request("`model` is required")
    if c.known_model(model) is None:
        raise c.model_not_found(model)
    allowed = c.TRANSLATION_MODELS if task == "translate" else c.TRANSCRIPTION_MODELS
    if model not in allowed:
        what = "translations" if task == "translate" else "transcriptions"
        raise c.bad_request(f"The model `{model}` does not support {what}. Use one of: {', '.join(allowed)}.")
    return model


def _audio_file(fields: dict[str, list[Part]], max_bytes: int) -> bytes:
    """The uploaded file's bytes: exactly one of `file` or `url`, a known extension, within the size limit."""
    files, url = fields.get("file"), _text(fields, "url")
    if files and url:
        raise c.bad_request("only one of `file` or `url` may be provided")
    if url:
        raise c.bad_request("url fetching is unsupported by this loopback server: upload the audio as `file`")
    if not files:
        raise c.bad_request("one of `file` or `url` must be provided")
    upload = files[-1]
    extension = (upload.filename or "").rpartition(".")[2].lower()
    if not upload.filename or "." not in upload.filename or extension not in c.UPLOAD_EXTENSIONS:
        raise c.bad_request(f"file must be one of the following types: [{' '.join(c.UPLOAD_EXTENSIONS)}]")
    if len(upload.data) > max_bytes:
        raise c.upload_too_large()
    return upload.data


def _options(fields: dict[str, list[Part]]) -> tuple[str, tuple[str, ...], str | None, str | None, float]:
    """response_format, granularities, language, prompt and temperature, each checked as Groq does."""
    response_format = _text(fields, "response_format") or "json"
    if response_format not in c.TRANSCRIPTION_FORMATS:
        raise c.bad_request(c.one_of("response_format", c.TRANSCRIPTION_FORMATS))
    granularities = tuple(p.text() for name in GRANULARITY_FIELDS for p in fields.get(name, []))
    if any(g not in c.GRANULARITIES for g in granularities):
        raise c.bad_request(c.one_of("timestamp_granularities", c.GRANULARITIES))
    language = _text(fields, "language") or None
    if language is not None and language.lower() not in LANGUAGES:
        raise c.bad_request(f"language '{language}' is not supported")
    prompt = _text(fields, "prompt")
    if prompt is not None and len(prompt) > c.PROMPT_MAX_CHARS:
        raise c.bad_request(f"prompt length must be {c.PROMPT_MAX_CHARS} characters or fewer, but provided "
                            f"prompt contains {len(prompt)} characters")
    return response_format, granularities or ("segment",), language, prompt, _temperature(fields)


def _temperature(fields: dict[str, list[Part]]) -> float:
    """A float between 0 and 1 (default 0)."""
    raw = _text(fields, "temperature")
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise c.bad_request("temperature must be a number between 0 and 1")
    return value


def _decode(data: bytes) -> Audio:
    """The upload as audio; 400 when it is not decodable audio or shorter than Groq's minimum."""
    try:
        audio = decode_upload(data)
    except UndecodableAudio as exc:
        raise c.bad_request(f"could not process file - is it a valid media file? ({exc})") from exc
    if audio.duration < c.MIN_AUDIO_SECONDS:
        raise c.bad_request(f"audio file is too short: minimum audio length is {c.MIN_AUDIO_SECONDS} seconds")
    return audio


def parse_audio_request(body: bytes, content_type: str, task: str,
                        services: Services) -> tuple[AudioRequest, Admission]:
    """Validate the form in Groq's order. The request is admitted against the RPM limit once its model is
    known, and the admission is returned so that a later refusal on another limit can give it back.
    """
    fields = _form(body, content_type)
    model = _model(fields, task)
    admission = Admission(services.limits, model)
    admission.take(services.limits.requests, 1)
    admission.take(services.limits.daily, 1)
    audio_bytes = _audio_file(fields, services.options.max_upload_bytes)
    response_format, granularities, language, prompt, temperature = _options(fields)
    request = AudioRequest(task, model, audio_bytes, response_format, granularities, language, prompt,
                           temperature)
    return request, admission


def transcribe(body: bytes, content_type: str, services: Services, *, task: str, request_id: str,
               gone: Gone = never_gone) -> Reply:
    """Transcribe (task "transcribe") or translate (task "translate") one upload and bill it.

    Billing is `max(duration, min_billed_seconds)`, counted against the audio-seconds limit before any work.
    When the client has gone before the transcription's turn, it is not made (`ClientGone`).
    """
    request, admission = parse_audio_request(body, content_type, task, services)
    audio = _decode(request.audio_bytes)
    billed = max(audio.duration, services.options.min_billed_seconds)
    admission.take(services.limits.audio_seconds, billed)
    transcript = services.transcription.transcribe(prepare_for_model(audio), prompt=request.prompt, gone=gone)
    reply = _shape(transcript, request, audio.duration, request_id)
    reply.model, reply.audio_seconds, reply.audio_duration = request.model, billed, audio.duration
    return reply


def _shape(transcript: Transcript, request: AudioRequest, duration: float, request_id: str) -> Reply:
    """The body in the asked format: `text/plain`, `{"text", "x_groq"}`, or the full verbose_json.

    verbose_json has `segments` (null when only words were asked for) and `words` only when asked for.
    """
    text = transcript.text if transcript.text.startswith(" ") else " " + transcript.text
    if request.response_format == "text":
        return Reply(text.encode(), "text/plain; charset=UTF-8")
    x_groq = {"id": request_id}
    if request.response_format == "json":
        return json_reply({"text": text, "x_groq": x_groq})
    language = "English" if request.task == "translate" else language_name(
        request.language or transcript.language)
    payload: dict[str, object] = {"task": request.task, "language": language, "duration": round(duration, 6),
                                  "text": text, "segments": None}
    if "segment" in request.granularities:
        payload["segments"] = [_segment_json(s) for s in transcript.segments]
    if "word" in request.granularities:
        payload["words"] = [_word_json(w) for w in _words(transcript)]
    payload["x_groq"] = x_groq
    return json_reply(payload)


def _segment_json(segment: Segment) -> dict[str, object]:
    """A segment with exactly the fields Groq's verbose_json carries."""
    return segment.model_dump(include={"id", "seek", "start", "end", "text", "tokens", "temperature",
                                       "avg_logprob", "compression_ratio", "no_speech_prob"})


def _words(transcript: Transcript) -> list[Word]:
    """The transcript's words, from the top level or else gathered from its segments."""
    if transcript.words:
        return list(transcript.words)
    return [word for segment in transcript.segments for word in segment.words]


def _word_json(word: Word) -> dict[str, object]:
    """A word as Groq gives it: the bare word and its span, no probability."""
    return {"word": word.word.strip(), "start": word.start, "end": word.end}
