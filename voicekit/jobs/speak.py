"""Speak one short text (a chunk's worth) with any engine."""

from __future__ import annotations

from voicekit import errors
from voicekit._sync import run_sync
from voicekit.audio.model import Audio
from voicekit.config import Settings
from voicekit.engines.base import SpeechEngine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.registry import EngineName, open_speech_engine


async def aspeak(text: str, *, engine: EngineName | SpeechEngine = "auto", voice: str | None = None,
                 model: str | None = None, client: AsyncGroqClient | None = None) -> Audio:
    """Speak `text` and return its audio. For long text use `narrate`, which splits it into chunks. `engine` is a
    name or a `SpeechEngine` object (left open for its owner)."""
    async with open_speech_engine(engine, model=model, voice=voice, concurrency=Settings().concurrency,
                                  client=client) as speaker:
        limit = speaker.limits.max_chars
        if limit is not None and len(text) > limit:
            raise errors.TextTooLongError(
                f"{speaker.model} speaks at most {limit} characters at a time and this text has {len(text)}; "
                "use voicekit.narrate (or `voicekit narrate`) for longer text"
            )
        return await speaker.synthesize(text)


def speak(text: str, *, engine: EngineName | SpeechEngine = "auto", voice: str | None = None,
          model: str | None = None, client: AsyncGroqClient | None = None) -> Audio:
    """Blocking `aspeak`."""
    return run_sync(aspeak(text, engine=engine, voice=voice, model=model, client=client))
