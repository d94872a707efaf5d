"""Speak one short text (a chunk's worth) with any engine."""

from __future__ import annotations

from voicekit import errors, guards
from voicekit._sync import run_sync
from voicekit.engines.choose import EngineName, make_synthesizer, resolve_engine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.models import Audio


async def aspeak(text: str, *, engine: EngineName = "auto", voice: str | None = None, model: str | None = None,
                 client: AsyncGroqClient | None = None) -> Audio:
    """Speak `text` and return its audio. For long text use `narrate`, which splits it into chunks."""
    guards.speech_text(text)
    owned = client is None and resolve_engine(engine) == "groq"
    client = AsyncGroqClient() if owned else client
    try:
        synthesizer = make_synthesizer(engine, model=model, voice=voice, client=client)
        limit = synthesizer.max_chars
        if limit is not None and len(text) > limit:
            raise errors.TextTooLongError(
                f"{synthesizer.name} speaks at most {limit} characters at a time and this text has {len(text)}; "
                "use voicekit.narrate (or `voicekit narrate`) for longer text"
            )
        return await synthesizer.synthesize(text)
    finally:
        if owned and client is not None:
            await client.aclose()


def speak(text: str, *, engine: EngineName = "auto", voice: str | None = None, model: str | None = None,
          client: AsyncGroqClient | None = None) -> Audio:
    """Blocking `aspeak`."""
    return run_sync(aspeak(text, engine=engine, voice=voice, model=model, client=client))
