"""What engines behind an HTTP API share, whoever serves it (Groq, OpenAI, any compatible server).

`ClientOwner`: an engine that makes its client (with the job's concurrency) when none is given, and then closes it;
a client the caller gave stays the caller's to close. `RemoteSpeech`: speech whose voices, limits and price come
from one catalog entry. `RemoteTranscription`: Whisper-style transcription whose price, billing minimum and models
come from one catalog, each window uploaded as `UPLOAD_BITS` FLAC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from voicekit import errors
from voicekit.audio.io import UPLOAD_BITS, encode_flac
from voicekit.audio.model import Audio
from voicekit.engines.base import CacheIdentity, SpeechLimits, TranscriptionLimits, public_root
from voicekit.engines.catalog import SpeechModel, TranscriptionModel, billed_seconds
from voicekit.engines.groq import AsyncGroqClient


class ClientOwner:
    """An engine that may own its client: it makes one with `make` when none is given, and closes only that one."""

    def __init__(self, client: AsyncGroqClient | None, make: Callable[[], AsyncGroqClient]) -> None:
        self.client = client if client is not None else make()
        self._owns_client = client is None

    async def aclose(self) -> None:
        """Close the client if this engine made it."""
        if self._owns_client:
            await self.client.aclose()


class RemoteSpeech(ClientOwner):
    """The parts of a speech engine that follow from its catalog entry: voices, limits, price, cache identity. The
    voice is the model's default when none is given; an unknown voice of a known model is refused at once, and a
    model voicekit does not know (another server's) needs a voice."""

    name: str

    def __init__(self, client: AsyncGroqClient | None, make: Callable[[], AsyncGroqClient], *,
                 catalog: Mapping[str, SpeechModel], model: str, voice: str | None,
                 unknown: Callable[[str], SpeechModel], options: str = repr(None)) -> None:
        spec = catalog.get(model)
        chosen = voice or (spec.default_voice if spec else None)
        if chosen is None:
            raise errors.InputError(f"pass a voice for the model {model!r} (voicekit knows no voices of it)")
        if spec is not None and chosen not in spec.voices:
            raise errors.UnknownVoiceError(f"{model} has no voice {chosen!r}; choose one of: "
                                           f"{', '.join(spec.voices)}")
        self.catalog = catalog
        self.model = model
        self.voice = chosen
        self._spec = spec or unknown(chosen)
        self._options = options
        self.limits = SpeechLimits.of(self._spec)
        super().__init__(client, make)

    def voices(self) -> list[str]:
        return list(self._spec.voices)

    def models(self) -> list[str]:
        return list(self.catalog)

    def cost_usd(self, characters: int) -> float:
        return characters / 1e6 * self._spec.usd_per_million_chars

    def cache_identity(self) -> CacheIdentity:
        return {"engine": self.name, "server": public_root(self.client.base_url), "model": self.model,
                "voice": self.voice, "options": self._options}


class RemoteTranscription(ClientOwner):
    """The parts of a transcription engine that follow from its catalog: models, limits, billing, price, cache
    identity. A model that cannot translate is refused at once when translation is asked for."""

    name: str

    def __init__(self, client: AsyncGroqClient | None, make: Callable[[], AsyncGroqClient], *,
                 catalog: Mapping[str, TranscriptionModel], model: str, translate: bool, translator: str,
                 unknown: TranscriptionModel, max_seconds: float | None = None) -> None:
        spec = catalog.get(model)
        if translate and spec is not None and not spec.translates:
            raise errors.UnsupportedError(f"{model} cannot translate; use the model {translator} (--model "
                                          f"{translator}) to translate into English")
        self.catalog = catalog
        self.model = model
        self.translate = translate
        self._spec = spec or unknown
        self.limits = TranscriptionLimits.of(self._spec, max_seconds)
        super().__init__(client, make)

    def models(self) -> list[str]:
        return list(self.catalog)

    def billed_seconds(self, duration: float) -> float:
        return billed_seconds(duration, self.limits.billing_minimum_seconds)

    def cost_usd(self, billed_seconds: float) -> float:
        return billed_seconds / 3600 * self._spec.usd_per_hour

    def cache_identity(self) -> CacheIdentity:
        return {"engine": self.name, "server": public_root(self.client.base_url), "model": self.model,
                "upload": f"flac{UPLOAD_BITS}"}

    def windows_started(self) -> None:
        """Nothing to do: every window is its own request."""

    def windows_ended(self) -> None:
        """Nothing to do: every window is its own request."""

    @staticmethod
    async def upload(audio: Audio) -> tuple[str, bytes]:
        """The window as a FLAC upload. Encoding takes milliseconds of CPU: in a worker thread, it overlaps the
        other windows' requests."""
        return "window.flac", await asyncio.to_thread(encode_flac, audio.samples, audio.sample_rate, UPLOAD_BITS)
