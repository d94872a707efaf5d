"""Groq as voicekit engines: Orpheus speech and Whisper transcription through an `AsyncGroqClient`.

Both implement the protocols of `voicekit.engines.base` and read every limit and price from the catalog. An engine
that creates its client closes it in `aclose`; a client the caller gave is the caller's to close.
"""

from __future__ import annotations

from voicekit.audio.model import Audio
from voicekit.engines.catalog import (
    ORPHEUS_ENGLISH,
    SPEECH_MODELS,
    TRANSCRIPTION_MODELS,
    WHISPER,
    WHISPER_TURBO,
    SpeechModel,
    TranscriptionModel,
)
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.languages import language_code
from voicekit.engines.remote import RemoteSpeech, RemoteTranscription
from voicekit.transcript.model import Transcript

WINDOW_SECONDS_LIMIT: float | None = None
"""Groq states no duration limit for one request, only its upload size."""


class GroqSpeechEngine(RemoteSpeech):
    """Orpheus speech through an `AsyncGroqClient`. An unknown voice of a known model is refused at once."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None,
                 voice: str | None = None, concurrency: int | None = None) -> None:
        chosen = model or ORPHEUS_ENGLISH
        super().__init__(client, lambda: AsyncGroqClient(max_concurrency=concurrency), catalog=SPEECH_MODELS,
                         model=chosen, voice=voice, unknown=lambda v: SpeechModel(chosen, (v,), v, "en"))

    async def synthesize(self, text: str) -> Audio:
        return await self.client.speech(text, voice=self.voice, model=self.model)

    def __repr__(self) -> str:
        return f"GroqSpeechEngine(model={self.model!r}, voice={self.voice!r}, client={self.client!r})"


class GroqTranscriptionEngine(RemoteTranscription):
    """Whisper through an `AsyncGroqClient`: each window is uploaded as 24-bit FLAC with verbose_json.

    A model that cannot translate is refused at once when translation is asked for."""

    name = "groq"

    def __init__(self, client: AsyncGroqClient | None = None, *, model: str | None = None, translate: bool = False,
                 concurrency: int | None = None) -> None:
        chosen = model or (WHISPER if translate else WHISPER_TURBO)
        super().__init__(client, lambda: AsyncGroqClient(max_concurrency=concurrency), catalog=TRANSCRIPTION_MODELS,
                         model=chosen, translate=translate, translator=WHISPER,
                         unknown=TranscriptionModel(chosen, 0.0, translates=translate),
                         max_seconds=WINDOW_SECONDS_LIMIT)

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript:
        upload = await self.upload(audio)
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
