"""What the narrate job tests share: the test document, a loopback Groq server whose speech backend records every
`input` it receives, and helpers to narrate through it or run the command line.

The server's synthetic speech is a buzz whose length follows the text (0.06 s per letter or digit, silence for
spaces and punctuation), so the audio of each chunk can be told apart by its length.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import voicekit
from voicekit import Audio
from voicekit._sync import run_sync
from voicekit.testing import GroqServer, ServerOptions
from voicekit.testing.speech import SECONDS_PER_CHAR, SpeechSource

DOC = """# The Lighthouse Keeper

[cheerful] Good morning, everyone! Today we visit the old lighthouse on the northern cape, where a keeper lived \
alone for 23 years and kept the lamp burning through every storm that came in from the sea.

[gravelly whisper] He said the sea spoke to him at night, in a voice that was older than the stones of the tower, \
and that it told him where the ships would break if he ever let the light go dark.

The tower is 35 m tall. Its lens, made in 1872, weighs about 2,500 kg and turns once every 10 seconds; visitors \
climb 217 steps to see it, and most of them say the view is worth every one of them.

Short line.
"""

DIRECTION = re.compile(r"\[(cheerful|gravelly whisper)\]")
ANY_BRACKET = re.compile(r"[\[\]]")


class RecordingSpeech:
    """The server's speech backend, keeping every text it is asked to speak; `hooks[n]` runs on the n-th text."""

    def __init__(self, inner: SpeechSource) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.texts: list[str] = []
        self.hooks: dict[int, Callable[[], None]] = {}
        self._lock = threading.Lock()

    def speak(self, text: str, *, english: bool = True) -> Audio:
        with self._lock:
            self.texts.append(text)
            hook = self.hooks.get(len(self.texts))
        if hook is not None:
            hook()
        return self.inner.speak(text, english=english)


class Loopback:
    """A running loopback server with its recorder and one client for it (closed when the test ends)."""

    def __init__(self, server: GroqServer) -> None:
        self.server = server
        self.speech = RecordingSpeech(server.app.services.speech)
        server.app.services.speech = self.speech  # type: ignore[assignment]
        self._client: voicekit.AsyncGroqClient | None = None

    def client(self) -> voicekit.AsyncGroqClient:
        if self._client is None:
            self._client = voicekit.AsyncGroqClient(api_key=self.server.api_key, base_url=self.server.base_url)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            run_sync(self._client.aclose())

    def env(self) -> dict[str, str]:
        return {"GROQ_API_KEY": self.server.api_key, "GROQ_BASE_URL": self.server.base_url}

    def most_in_flight(self, endpoint: str) -> int:
        """The most requests to `endpoint` the server was answering at one time."""
        spans = [(e.time, e.time + e.elapsed) for e in self.server.log.entries if e.endpoint == endpoint]
        running, most = 0, 0
        for _, step in sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans]):
            running += step
            most = max(most, running)
        return most


def serve(**options: object) -> Iterator[Loopback]:
    with GroqServer(ServerOptions(speech_backend="synthetic", **options)) as server:  # type: ignore[arg-type]
        loopback = Loopback(server)
        try:
            yield loopback
        finally:
            loopback.close()


def spoken(text: str) -> str:
    """A chunk as it is heard: its directions removed."""
    return " ".join(DIRECTION.sub(" ", text).split())


def voiced_seconds(text: str) -> float:
    """How long the synthetic voice sounds for `text`: from its first to its last letter or digit."""
    marks = [i for i, char in enumerate(text) if char.isalnum()]
    return (marks[-1] - marks[0] + 1) * SECONDS_PER_CHAR


def narrate(loop: Loopback, out: Path, source: str | Path = DOC, **options: object) -> voicekit.Narration:
    return voicekit.narrate(source, out, client=loop.client(), progress=False, **options)  # type: ignore[arg-type]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GROQ_API_KEY", "GROQ_BASE_URL")}
    environment.update(env)
    return subprocess.Popen([sys.executable, "-m", "voicekit", *args], env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
