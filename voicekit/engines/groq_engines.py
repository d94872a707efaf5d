"""Groq as voicekit engines: Orpheus speech and Whisper transcription through an `AsyncGroqClient`.

Both implement the protocols of `voicekit.engines.base` and read every limit and price from the catalog. An engine
that creates its client closes it in `aclose`; a client the caller gave is the caller's to close.
"""

from __future__ import annotations

import asyncio

from voicekit import errors
from voicekit.audio.io import UPLOAD_BITS, encode_flac
from voicekit.audio.model import Audio
from voicekit.engines.base import CacheIdentity, SpeechLimits, TranscriptionLimits, public_root
from voicekit.engines.catalog import (
    ORPHEUS_ENGLISH,
    SPEECH_MODELS,
    TRANSCRIPTION_MODELS,
    WHISPER,
    WHISPER_TURBO,
    SpeechModel,
    TranscriptionModel,
    billed_seconds,
)
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.languages import language_code
from voicekit.transcript.model import Transcript

WINDOW_SECONDS_LIMIT: float | None = None
"""Groq states no duration limit for one request, only its upload size."""


class _ClientOwner:
    """An engine that may own its client: it creates one (with the job's concurrency) when none is given."""

    def __init__(self, client: AsyncGroqClient | None, concurrency: int | None) -> None:
        self.client = client if client is not None else AsyncGroqClient(max_concurrency=concurrency)
        self._owns_client = client is None

    async def aclose(self) -> None:
        """Close the client if this engine created it."""
        if self._owns_client:
            await self.client.aclose()


class GroqSpeechEngine(_ClientOwner):
    """Orpheus speech through an `AsyncGroqClient`. An unknown voice of a known model is refused at once."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None,
                 voice: str | None = None, concurrency: int | None = None) -> None:
        self.model = model or ORPHEUS_ENGLISH
        spec = SPEECH_MODELS.get(self.model)
        chosen = voice or (spec.default_voice if spec else None)
        if chosen is None:
            raise errors.InputError(f"pass a voice for the model {self.model!r} (voicekit knows no voices of it)")
        if spec is not None and chosen not in spec.voices:
            raise errors.UnknownVoiceError(f"{self.model} has no voice {chosen!r}; choose one of: "
                                           f"{', '.join(spec.voices)}")
        self.voice = chosen
        self._spec = spec or SpeechModel(self.model, (chosen,), chosen, "en")
        self.limits = SpeechLimits.of(self._spec)
        super().__init__(client, concurrency)

    def voices(self) -> list[str]:
        return list(self._spec.voices)

    def models(self) -> list[str]:
        return list(SPEECH_MODELS)

    def cost_usd(self, characters: int) -> float:
        return characters / 1e6 * self._spec.usd_per_million_chars

    def cache_identity(self) -> CacheIdentity:
        return {"engine": self.name, "server": public_root(self.client.base_url), "model": self.model,
                "voice": self.voice, "options": repr(None)}

    async def synthesize(self, text: str) -> Audio:
        return await self.client.speech(text, voice=self.voice, model=self.model)

    def __repr__(self) -> str:
        return f"GroqSpeechEngine(model={self.model!r}, voice={self.voice!r}, client={self.client!r})"


class GroqTranscriptionEngine(_ClientOwner):
    """Whisper through an `AsyncGroqClient`: each window is uploaded as 24-bit FLAC with verbose_json.

    A model that cannot translate is refused at once when translation is asked for."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None, translate: bool = False,
                 concurrency: int | None = None) -> None:
        self.translate = translate
        self.model = model or (WHISPER if translate else WHISPER_TURBO)
        spec = TRANSCRIPTION_MODELS.get(self.model)
        if translate and spec is not None and not spec.translates:
            raise errors.UnsupportedError(f"{self.model} cannot translate; use model={WHISPER!r} to translate into "
                                          "English")
        self._spec = spec or TranscriptionModel(self.model, 0.0, translates=translate)
        self.limits = TranscriptionLimits.of(self._spec, WINDOW_SECONDS_LIMIT)
        super().__init__(client, concurrency)

    def models(self) -> list[str]:
        return list(TRANSCRIPTION_MODELS)

    def billed_seconds(self, duration: float) -> float:
        return billed_seconds(duration, self.limits.billing_minimum_seconds)

    def cost_usd(self, billed_seconds: float) -> float:
        return billed_seconds / 3600 * self._spec.usd_per_hour

    def cache_identity(self) -> CacheIdentity:
        return {"engine": self.name, "server": public_root(self.client.base_url), "model": self.model,
                "upload": f"flac{UPLOAD_BITS}"}

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript:
        # Encoding takes milliseconds of CPU per window: in a worker thread, it overlaps the other windows' requests.
        upload = ("window.flac", await asyncio.to_thread(encode_flac, audio.samples, audio.sample_rate, UPLOAD_BITS))
        if self.translate:
            result = await self.client.translate(upload, model=self.model, prompt=prompt, audio_seconds=audio.duration)
        else:
            result = await self.client.transcribe(upload, model=self.model, language=language, prompt=prompt,
                                                  audio_seconds=audio.duration)
        # Groq names the language ("English"); the local engine gives its code: every engine gives the code.
        return result.model_copy(update={"language": language_code(result.language) or result.language})

    def __repr__(self) -> str:
        return f"GroqTranscriptionEngine(model={self.model!r}, translate={self.translate}, client={self.client!r})"


GroqSynthesizer = GroqSpeechEngine
"""The former name of `GroqSpeechEngine`."""
GroqTranscriber = GroqTranscriptionEngine
"""The former name of `GroqTranscriptionEngine`."""
