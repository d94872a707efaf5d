"""Any OpenAI-compatible API as voicekit engines: OpenAI's own speech and transcription models, or any server that
speaks that API at a base URL (a self-hosted Kokoro or faster-whisper server, say).

The key and the server come from `OPENAI_API_KEY` and `OPENAI_BASE_URL`, as the official `openai` SDK reads them
(the base URL includes `/v1`: `https://api.openai.com/v1` by default). The client shares the Groq client's
transport, retries, pacing and error mapping; only the root, the key and the request shapes differ.

- Speech (`gpt-4o-mini-tts`, `tts-1`, `tts-1-hd`): at most 4,096 characters a request (the catalog's `max_chars`,
  which narration chunks by), WAV asked for, `instructions` sent when given (gpt-4o-mini-tts reads it as the
  vocal direction for the whole request; bracketed directions in the text are removed, as for any model that does
  not take them).
- Transcription: `whisper-1` answers verbose_json with segments and word times, as Groq's Whisper does. The gpt-4o
  models answer only json or text, so each window's transcript is its text as one segment spanning the window,
  without words: the merge then joins windows by their spans (no word-level overlap resolution), captions are a
  window long at most, and gap filling finds no gaps (there are no segment times to find them between).
"""

from __future__ import annotations

import os

import httpx

from voicekit import errors
from voicekit.audio.model import Audio
from voicekit.audio.wav import parse_wav
from voicekit.engines.catalog import (
    OPENAI_SPEECH_MODELS,
    OPENAI_TRANSCRIPTION_MODELS,
    SpeechModel,
    TranscriptionModel,
)
from voicekit.engines.groq import AsyncGroqClient, ResponseFormat
from voicekit.engines.languages import language_code
from voicekit.engines.remote import RemoteSpeech, RemoteTranscription
from voicekit.transcript.model import Segment, Transcript

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_SPEECH_MODEL = "gpt-4o-mini-tts"
DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"


def configured() -> bool:
    """Whether OPENAI_API_KEY is set (to anything but blanks)."""
    return bool(os.environ.get("OPENAI_API_KEY", "").strip())


class AsyncOpenAIClient(AsyncGroqClient):
    """The audio endpoints of an OpenAI-compatible API. Arguments left as None come from `OPENAI_API_KEY`,
    `OPENAI_BASE_URL` and `VOICEKIT_*`."""

    def __init__(self, api_key: str | None = None, *, base_url: str | None = None,
                 max_concurrency: int | None = None, max_retries: int | None = None, timeout: float | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "").strip()
        if not key:
            raise errors.ConfigurationError("no OpenAI API key: set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                                            "server), or pass api_key=...")
        super().__init__(key, base_url=DEFAULT_BASE_URL, max_concurrency=max_concurrency, max_retries=max_retries,
                         timeout=timeout, transport=transport)
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")

    async def speech(self, text: str, *, voice: str | None = None, model: str = DEFAULT_SPEECH_MODEL,
                     instructions: str | None = None) -> Audio:
        """Speak `text` (at most the model's `max_chars`) as WAV; `instructions` direct the delivery."""
        if not text.strip():
            raise errors.InputError("there is no text to speak")
        if not voice:
            raise errors.InputError(f"pass a voice for the model {model!r}")
        payload: dict[str, str] = {"model": model, "voice": voice, "input": text, "response_format": "wav"}
        if instructions:
            payload["instructions"] = instructions
        response = await self._send("POST", "/audio/speech", "speech", costs={"requests": 1, "tokens": len(text)},
                                    json=payload, headers={"Accept": "audio/wav"})
        try:
            return parse_wav(response.content)
        except errors.AudioError as exc:
            raise errors.InvalidResponseError(f"the speech response is not usable WAV audio ({exc}) "
                                              f"[request {response.headers.get('x-request-id')}]") from exc


class OpenAISpeechEngine(RemoteSpeech):
    """Speech from an OpenAI-compatible API. Models voicekit does not know (another server's) need a voice."""

    name = "openai"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None, voice: str | None = None,
                 instructions: str | None = None, concurrency: int | None = None) -> None:
        chosen = model or DEFAULT_SPEECH_MODEL
        self.instructions = instructions
        super().__init__(client, lambda: AsyncOpenAIClient(max_concurrency=concurrency),
                         catalog=OPENAI_SPEECH_MODELS, model=chosen, voice=voice, unknown=lambda v: SpeechModel(
                             chosen, (v,), v, "en", max_chars=OPENAI_SPEECH_MODELS[DEFAULT_SPEECH_MODEL].max_chars,
                             takes_directions=False, usd_per_million_chars=0.0),
                         options=repr(instructions))

    async def synthesize(self, text: str) -> Audio:
        if isinstance(self.client, AsyncOpenAIClient):
            return await self.client.speech(text, voice=self.voice, model=self.model, instructions=self.instructions)
        return await self.client.speech(text, voice=self.voice, model=self.model)


class OpenAITranscriptionEngine(RemoteTranscription):
    """Transcription from an OpenAI-compatible API: whisper-1 with segments and words, the gpt-4o models as one
    segment of text per window (see the module's notes)."""

    name = "openai"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None, translate: bool = False,
                 concurrency: int | None = None) -> None:
        chosen = model or DEFAULT_TRANSCRIPTION_MODEL
        super().__init__(client, lambda: AsyncOpenAIClient(max_concurrency=concurrency),
                         catalog=OPENAI_TRANSCRIPTION_MODELS, model=chosen, translate=translate, translator="whisper-1",
                         unknown=TranscriptionModel(chosen, 0.0, translates=translate, billing_minimum_seconds=0.0))

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript:
        upload = await self.upload(audio)
        timed = self.limits.timestamps
        fmt: ResponseFormat = "verbose_json" if timed else "json"
        if self.translate:
            result = await self.client.translate(upload, model=self.model, prompt=prompt, response_format=fmt,
                                                 audio_seconds=audio.duration)
        else:
            result = await self.client.transcribe(upload, model=self.model, language=language, prompt=prompt,
                                                  response_format=fmt,
                                                  timestamp_granularities=("segment", "word") if timed else None,
                                                  audio_seconds=audio.duration)
        code = language_code(result.language) or language
        if timed or not result.text.strip():
            return result.model_copy(update={"language": code or result.language})
        whole = Segment(start=0.0, end=audio.duration, text=" " + result.text.strip())
        return result.model_copy(update={"language": code, "duration": audio.duration, "segments": [whole]})
