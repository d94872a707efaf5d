"""The word contract end to end: the shared long recordings through the loopback server (which answers as Groq does:
bare words, no probability) and the whole job, with gap filling on, so every path that rebuilds text from words runs.
No token of the result may join two words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from recordings import ADDRESS, audio_path, reference

import voicekit
from voicekit import Transcript
from voicekit._sync import run_sync
from voicekit.testing import GroqServer, ServerOptions
from voicekit.transcript.words import join_words

LONG = [ADDRESS, "en_mfa_michaelandsickmichael_stereo.wav", "es_librivox_capitan_veneno_dedicatoria.mp3"]


def tokens(text: str) -> list[str]:
    """Lower-case tokens with punctuation dropped at their edges and inside (what a glued pair turns into)."""
    return [t for t in (re.sub(r"[^\w']", "", token.lower()) for token in text.split()) if t]


def glued(token: str, vocabulary: set[str]) -> bool:
    """A token that is two known words run together ("michaelanderson")."""
    return token not in vocabulary and any(
        token[:i] in vocabulary and token[i:] in vocabulary for i in range(2, len(token) - 1))


def check_words(transcript: Transcript) -> None:
    """Words in the normal form everywhere, and text that splits into exactly the words it was made of."""
    words = [w for s in transcript.segments for w in s.words]
    assert words, "the transcript has no words"
    assert all(w.word and w.word == w.word.strip() and not any(c.isspace() for c in w.word) for w in words)
    assert all(w.end > w.start for w in words if w.end - w.start > 0) and all(
        s.end > s.start for s in transcript.segments)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert tokens(transcript.text) == tokens(join_words(w.word for w in words))


class Answers(httpx.AsyncBaseTransport):
    """A real HTTP transport that also keeps every successful JSON answer."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.bodies: list[dict[str, object]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        if response.status_code == 200:
            self.bodies.append(json.loads(content))
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def run(server: GroqServer, path: Path) -> tuple[Transcript, list[dict[str, object]]]:
    transport = Answers()

    async def job() -> Transcript:
        async with voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url,
                                            transport=transport) as client:
            return await voicekit.atranscribe(path, engine="groq", client=client, progress=False, fill_gaps=True,
                                              cache=False)

    return run_sync(job()), transport.bodies


@pytest.mark.slow
@pytest.mark.parametrize("name", LONG)
def test_long_recordings_through_the_loopback_server_keep_words_apart(name: str) -> None:
    path = audio_path(name)
    with GroqServer(ServerOptions(transcription_backend="whisper")) as server:
        transcript, answers = run(server, path)
    # The server answered as Groq does: bare words, no probability.
    served = [word for answer in answers for word in answer.get("words", [])]  # type: ignore[attr-defined]
    assert served and all(set(word) == {"word", "start", "end"} and word["word"] == word["word"].strip()
                          for word in served)
    if not name.startswith("en_"):
        # The English-only model writes English-sounding nonsense for Spanish, with degenerate word times, and
        # words filed by time can land in a neighbouring segment: only the words themselves are checked.
        words = [w for s in transcript.segments for w in s.words]
        assert words and all(w.word and not any(c.isspace() for c in w.word) for w in words)
        pieces = {t for w in served for t in tokens(str(w["word"]))}
        # Each word is one served word, or served pieces a hyphen or apostrophe joins ("Mi" "-Kabitam").
        assert all(set(tokens(w.word)) <= pieces
                   or all(t in pieces for part in re.split(r"[-'\u2019]", w.word) for t in tokens(part))
                   for w in words)
        return
    check_words(transcript)
    if name.startswith("en_"):
        vocabulary = set(tokens(reference(name))) | {t for w in served for t in tokens(str(w["word"]))}
        joined = [t for t in tokens(transcript.text) if glued(t, vocabulary)]
        assert not joined, joined
