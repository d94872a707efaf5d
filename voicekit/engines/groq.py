"""The client for Groq's audio API (any OpenAI-compatible server works through `base_url`).

`AsyncGroqClient` is the implementation; `GroqClient` is a thin synchronous facade over it. One client owns one
`httpx.AsyncClient` and one `RateLimiter`: every concurrent request of the client shares its concurrency bound and its
pacing. Retries, backoff and error mapping follow `voicekit.engines.retry`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx
import soundfile
from pydantic import BaseModel, ConfigDict, ValidationError

from voicekit import errors
from voicekit._sync import run_sync
from voicekit._version import __version__
from voicekit.audio.model import Audio
from voicekit.audio.wav import parse_wav
from voicekit.config import Settings, api_root
from voicekit.engines import retry
from voicekit.engines.base import public_root
from voicekit.engines.catalog import (
    ORPHEUS_ENGLISH,
    SPEECH_MODELS,
    TRANSCRIPTION_MODELS,
    WHISPER,
    WHISPER_TURBO,
    billed_seconds,
)
from voicekit.engines.ratelimit import RateLimiter, WaitHook
from voicekit.engines.redact import Redactor
from voicekit.transcript.merge import file_words
from voicekit.transcript.model import Segment, Transcript, Word

logger = logging.getLogger("voicekit")

ResponseFormat = Literal["json", "text", "verbose_json"]
Granularity = Literal["segment", "word"]
FileInput = str | os.PathLike[str] | bytes | tuple[str, bytes]
MAX_PROMPT_CHARS = 896


class ModelInfo(BaseModel):
    """One entry of `GET /openai/v1/models`."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: str = "model"
    created: int | None = None
    owned_by: str | None = None
    active: bool | None = None
    context_window: int | None = None


class AsyncGroqClient:
    """Async client for speech, transcription, translation and the model list.

    Arguments left as None come from the environment (`GROQ_API_KEY`, `GROQ_BASE_URL`, `VOICEKIT_*`).
    `transport` lets tests put an `httpx.MockTransport` under the client.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        max_concurrency: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_wait: float | None = None,
        rate_limit_budget: float | None = None,
        headers: Mapping[str, str] | None = None,
        on_wait: WaitHook | None = None,
    ) -> None:
        settings = Settings()
        key = api_key if api_key is not None else _secret(settings)
        if not key:
            raise errors.ConfigurationError(
                "no Groq API key: set GROQ_API_KEY, or use the local engines (--engine local)"
            )
        self._api_key = key
        self.base_url = api_root(base_url or settings.groq_base_url)
        self.max_retries = settings.max_retries if max_retries is None else max_retries
        self.timeout = timeout or settings.timeout
        self.max_wait = settings.max_wait if max_wait is None else max_wait
        """The longest single rate-limit wait; longer is `QuotaExceededError` at once (see `retry`)."""
        self.rate_limit_budget = settings.rate_limit_budget if rate_limit_budget is None else rate_limit_budget
        """Seconds one request may spend waiting out 429s in all (429s do not spend `max_retries`)."""
        self.on_wait = on_wait
        """Called as `on_wait(seconds, reason)` before any wait over `retry.REPORT_WAIT_SECONDS`."""
        self.limiter = RateLimiter(max_concurrency or settings.concurrency, max_wait=self.max_wait,
                                   on_wait=self._report_wait)
        self._headers = dict(headers or {})
        self._redactor = Redactor.for_client(key, self._headers, self.base_url)
        self._successes = 0
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={public_root(self.base_url)!r})"

    async def __aenter__(self) -> AsyncGroqClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def speech(self, text: str, *, voice: str | None = None, model: str = ORPHEUS_ENGLISH) -> Audio:
        """Speak `text` (at most the model's `max_chars` in the catalog) and return the decoded audio."""
        spec = SPEECH_MODELS.get(model)
        voice = voice or (spec.default_voice if spec else None)
        _check_speech(text, voice, model)
        payload = {"model": model, "voice": voice, "input": text, "response_format": "wav"}
        response = await self._send(
            "POST", "/audio/speech", "speech", costs={"requests": 1, "tokens": len(text)},
            json=payload, headers={"Accept": "audio/wav"},
        )
        try:
            return parse_wav(response.content)
        except errors.AudioError as exc:
            raise errors.InvalidResponseError(self._redactor.text(
                f"the speech response is not usable WAV audio ({exc}) [request {response.headers.get('x-request-id')}]"
            )) from None

    async def transcribe(
        self,
        file: FileInput | None = None,
        *,
        url: str | None = None,
        model: str = WHISPER_TURBO,
        language: str | None = None,
        prompt: str | None = None,
        response_format: ResponseFormat = "verbose_json",
        temperature: float | None = None,
        timestamp_granularities: Sequence[Granularity] | None = ("segment", "word"),
        audio_seconds: float | None = None,
    ) -> Transcript:
        """Transcribe one file (a path, bytes, or `(filename, bytes)`) or a URL, in its own language."""
        return await self._audio_text(
            "transcriptions", file, url=url, model=model, language=language, prompt=prompt,
            response_format=response_format, temperature=temperature,
            timestamp_granularities=timestamp_granularities, audio_seconds=audio_seconds,
        )

    async def translate(
        self,
        file: FileInput | None = None,
        *,
        url: str | None = None,
        model: str = WHISPER,
        prompt: str | None = None,
        response_format: ResponseFormat = "verbose_json",
        temperature: float | None = None,
        audio_seconds: float | None = None,
    ) -> Transcript:
        """Translate speech in any language into English text (only `whisper-large-v3` translates)."""
        known = TRANSCRIPTION_MODELS.get(model)
        if known is not None and not known.translates:
            raise errors.UnsupportedError(
                f"{model} cannot translate; use model={WHISPER!r} for translation into English"
            )
        return await self._audio_text(
            "translations", file, url=url, model=model, language=None, prompt=prompt,
            response_format=response_format, temperature=temperature, timestamp_granularities=None,
            audio_seconds=audio_seconds,
        )

    async def models(self) -> list[ModelInfo]:
        """The models this key can use."""
        response = await self._send("GET", "/models", "models", costs={"requests": 1})
        body = _json_body(response)
        try:
            return [ModelInfo.model_validate(item) for item in body.get("data", [])]
        except ValidationError as exc:
            raise errors.InvalidResponseError(f"the model list is malformed: {exc}") from exc

    async def _audio_text(
        self,
        endpoint: Literal["transcriptions", "translations"],
        file: FileInput | None,
        *,
        url: str | None,
        model: str,
        language: str | None,
        prompt: str | None,
        response_format: ResponseFormat,
        temperature: float | None,
        timestamp_granularities: Sequence[Granularity] | None,
        audio_seconds: float | None,
    ) -> Transcript:
        upload = _upload(file, url)
        fields = _form_fields(model, language, prompt, response_format, temperature, timestamp_granularities, url)
        seconds = audio_seconds if audio_seconds is not None else _duration(upload)
        costs = {"requests": 1.0, "audio-seconds": billed_seconds(seconds) if seconds is not None else 0.0}
        response = await self._send(
            "POST", f"/audio/{endpoint}", endpoint, costs=costs, data=fields,
            files={"file": upload} if upload else None,
        )
        return parse_transcription(response, response_format)

    async def _send(self, method: str, path: str, what: str, *, costs: Mapping[str, float],
                    **request: Any) -> httpx.Response:
        """Send one request with pacing and retries; return the successful response (with every secret the
        client sends removed from it, see `redact`) or raise. The two budgets are described in `retry`."""
        budget = _Budget(self.max_retries)
        while True:
            reservation = await self.limiter.acquire(costs)
            try:
                with retry.map_transport_errors(f"{method} {path}"):
                    raw = await self._client().request(method, path, **request)
                response = self._redactor.response(raw)
            except errors.APIConnectionError as exc:
                self.limiter.release(reservation)
                if not budget.fault(self._successes):
                    raise self._redacted(exc) from None
                await self._wait(what, self._redactor.text(str(exc)), retry.backoff_delay(budget.faults - 1),
                                 budget.describe(self.max_retries))
                continue
            self.limiter.release(reservation, response.headers)
            if response.is_success:
                self._successes += 1
                return response
            await self._after_error(response, what, budget)

    async def _after_error(self, response: httpx.Response, what: str, budget: _Budget) -> None:
        """Raise the error of a failed response, or wait before the next attempt (see `retry` for the rules)."""
        error = retry.status_error(response, secret=self._api_key, max_wait=self.max_wait)
        if isinstance(error, errors.QuotaExceededError) or not retry.is_retryable_status(response.status_code):
            raise error
        if response.status_code == 429:
            delay = retry.retry_delay(response, budget.rate_limited, self.max_wait)
            if budget.waited + delay > self.rate_limit_budget:
                raise retry.rate_limit_budget_error(error, budget.waited)
            budget.rate_limited += 1
            budget.waited += delay
            self.limiter.pause(delay)
            await self._wait(what, f"429 {error.message}", delay, f"paced, {budget.waited:.0f} s waited for 429s")
            return
        if not budget.fault(self._successes):
            raise error
        delay = retry.retry_delay(response, budget.faults - 1, self.max_wait)
        await self._wait(what, f"{response.status_code} {error.message}", delay, budget.describe(self.max_retries))

    async def _wait(self, what: str, reason: str, delay: float, which: str) -> None:
        logger.info("%s failed (%s); trying again in %.2f s (%s)", what, reason, delay, which)
        if delay > retry.REPORT_WAIT_SECONDS:
            self._report_wait(delay, f"{what}: {reason}")
        await asyncio.sleep(delay)

    def _report_wait(self, seconds: float, reason: str) -> None:
        """A wait over a few seconds: a WARNING log line and the `on_wait` hook (a progress bar shows it)."""
        what = "for the rate limit" if "429" in reason or "limit" in reason else "before trying again"
        logger.warning("waiting %.0f s %s (%s)", seconds, what, reason)
        if self.on_wait is not None:
            self.on_wait(seconds, reason)

    def _redacted(self, error: errors.VoicekitError) -> errors.VoicekitError:
        """`error` with its message cleaned of secrets (its arguments rewritten in place)."""
        error.args = tuple(self._redactor.text(str(arg)) if isinstance(arg, str) else arg for arg in error.args)
        return error

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                headers={**self._headers, "Authorization": f"Bearer {self._api_key}",
                         "User-Agent": f"voicekit/{__version__}"},
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                transport=self._transport,
            )
        return self._http


class _Budget:
    """One request's retry budgets: faults (`max_retries`, given back by the client's successes) and the
    seconds spent waiting out 429s."""

    def __init__(self, max_retries: int) -> None:
        self.max_retries = max_retries
        self.faults = 0
        self.rate_limited = 0
        self.waited = 0.0
        self.credit = 0

    def fault(self, successes: int) -> bool:
        """Count one fault; whether a retry is left (see `retry`: the client's successes give retries back)."""
        self.faults += 1
        ceiling = retry.RETRY_CREDIT_FACTOR * self.max_retries
        self.credit = min(successes, ceiling - self.max_retries)
        return self.faults <= self.max_retries + max(0, self.credit)

    def describe(self, max_retries: int) -> str:
        extra = f" + {self.credit} given back" if self.credit > 0 else ""
        return f"retry {self.faults} of {max_retries}{extra}"


class GroqClient:
    """The synchronous face of `AsyncGroqClient`: the same arguments and methods, blocking."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        max_concurrency: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_wait: float | None = None,
        rate_limit_budget: float | None = None,
        headers: Mapping[str, str] | None = None,
        on_wait: WaitHook | None = None,
    ) -> None:
        self.aio = AsyncGroqClient(
            api_key, base_url=base_url, max_concurrency=max_concurrency, max_retries=max_retries,
            timeout=timeout, transport=transport, max_wait=max_wait, rate_limit_budget=rate_limit_budget,
            headers=headers, on_wait=on_wait,
        )

    def __repr__(self) -> str:
        return f"GroqClient(base_url={public_root(self.aio.base_url)!r})"

    def __enter__(self) -> GroqClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        run_sync(self.aio.aclose())

    def speech(self, text: str, *, voice: str | None = None, model: str = ORPHEUS_ENGLISH) -> Audio:
        return run_sync(self.aio.speech(text, voice=voice, model=model))

    def transcribe(self, file: FileInput | None = None, **options: Any) -> Transcript:
        return run_sync(self.aio.transcribe(file, **options))

    def translate(self, file: FileInput | None = None, **options: Any) -> Transcript:
        return run_sync(self.aio.translate(file, **options))

    def models(self) -> list[ModelInfo]:
        return run_sync(self.aio.models())


GroqClient.transcribe.__doc__ = AsyncGroqClient.transcribe.__doc__
GroqClient.translate.__doc__ = AsyncGroqClient.translate.__doc__


def _secret(settings: Settings) -> str | None:
    return settings.groq_api_key.get_secret_value() if settings.groq_api_key else None


def _check_speech(text: str, voice: str | None, model: str) -> None:
    """Refuse before any request what the API would refuse: empty or over-long text, an unknown voice."""
    if not text.strip():
        raise errors.InputError("there is no text to speak")
    spec = SPEECH_MODELS.get(model)
    if spec is None:
        if not voice:
            raise errors.InputError(f"pass a voice for the model {model!r}")
        return
    if spec.max_chars is not None and len(text) > spec.max_chars:
        raise errors.TextTooLongError(
            f"{model} takes at most {spec.max_chars} characters per request and this text has {len(text)}; "
            "use voicekit.narrate for long text: it splits it into chunks"
        )
    if voice not in spec.voices:
        raise errors.UnknownVoiceError(f"{model} has no voice {voice!r}; choose one of: {', '.join(spec.voices)}")


def _upload(file: FileInput | None, url: str | None) -> tuple[str, bytes] | None:
    """The `(filename, bytes)` to upload, checking that exactly one of file and url was given."""
    if (file is None) == (url is None):
        raise errors.InputError("give exactly one of file and url")
    if file is None:
        return None
    if isinstance(file, tuple):
        name, data = file
    elif isinstance(file, bytes):
        name, data = "audio.wav", file
    else:
        path = Path(file)
        if not path.is_file():
            raise errors.InputError(f"no such audio file: {path}")
        name, data = path.name, path.read_bytes()
    if not data:
        raise errors.InputError(f"{name} is empty")
    return name, data


def _form_fields(
    model: str,
    language: str | None,
    prompt: str | None,
    response_format: ResponseFormat,
    temperature: float | None,
    granularities: Sequence[Granularity] | None,
    url: str | None,
) -> dict[str, str | list[str]]:
    """The multipart form fields, with `timestamp_granularities[]` repeated once per value."""
    if prompt is not None and len(prompt) > MAX_PROMPT_CHARS:
        raise errors.InputError(f"the prompt is {len(prompt)} characters; the API takes at most {MAX_PROMPT_CHARS}")
    if temperature is not None and not 0.0 <= temperature <= 1.0:
        raise errors.InputError(f"temperature must be between 0 and 1, not {temperature}")
    fields: dict[str, str | list[str]] = {"model": model, "response_format": response_format}
    optional = {"language": language, "prompt": prompt, "url": url,
                "temperature": None if temperature is None else str(temperature)}
    fields.update({name: value for name, value in optional.items() if value is not None})
    if granularities and response_format == "verbose_json":
        fields["timestamp_granularities[]"] = list(granularities)
    return fields


def _duration(upload: tuple[str, bytes] | None) -> float | None:
    """The upload's length in seconds when soundfile can tell cheaply (for pacing by audio seconds)."""
    if upload is None:
        return None
    try:
        return float(soundfile.info(io.BytesIO(upload[1])).duration)
    except (RuntimeError, soundfile.LibsndfileError, TypeError, ValueError):
        return None


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        # The body was redacted in `_send`; `from None` keeps the parser's copy of it out of the traceback too.
        raise errors.InvalidResponseError(f"expected JSON, got {response.text[:120]!r}") from None
    if not isinstance(body, dict):
        raise errors.InvalidResponseError(f"expected a JSON object, got {type(body).__name__}")
    return body


def parse_transcription(response: httpx.Response, response_format: ResponseFormat) -> Transcript:
    """A `Transcript` from a json, text or verbose_json answer; words are also filed under their segments."""
    request_id = response.headers.get("x-request-id")
    if response_format == "text":
        return Transcript(text=response.text, request_id=request_id)
    body = _json_body(response)
    try:
        segments = [Segment.model_validate(item) for item in body.get("segments") or []]
        words = [Word.model_validate(item) for item in body.get("words") or []]
        transcript = Transcript(
            text=body["text"], language=body.get("language"), duration=body.get("duration"),
            segments=_file_words(segments, words), words=words,
            request_id=(body.get("x_groq") or {}).get("id") or request_id,
        )
    except (KeyError, ValidationError, AttributeError) as exc:
        raise errors.InvalidResponseError(f"the transcription response is malformed: {exc}") from None
    return transcript


def _file_words(segments: list[Segment], words: list[Word]) -> list[Segment]:
    """Put each word into the segment its midpoint falls in (the API returns them in two flat lists)."""
    if not segments or not words or any(segment.words for segment in segments):
        return segments
    filed = file_words(segments, words)
    return [segment.model_copy(update={"words": ws}) for segment, ws in zip(segments, filed, strict=True)]
