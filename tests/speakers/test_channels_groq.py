"""Channels on the Groq engine, against the loopback server: each channel's speech is sent and billed, no more."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import voicekit
from voicekit import Transcript
from voicekit.testing import GroqServer, ServerOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from recordings import audio_path  # noqa: E402

MFA = "en_mfa_michaelandsickmichael_stereo.wav"
MFA_SECONDS = 52.441


@pytest.fixture(scope="module")
def server() -> Iterator[GroqServer]:
    with GroqServer(ServerOptions(transcription_backend="synthetic")) as running:
        yield running


def _channels(server: GroqServer, source: Path) -> Transcript:
    async def job() -> Transcript:
        async with voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url) as client:
            return await voicekit.atranscribe(source, engine="groq", client=client, progress=False, cache=False,
                                              speakers="channels", speaker_names=("Michael", "Sick"))
    return asyncio.run(job())


def test_two_people_on_two_channels_cost_about_one_recording(server: GroqServer) -> None:
    before = len(server.log.entries)
    transcript = _channels(server, audio_path(MFA))
    sent = [entry for entry in server.log.entries[before:] if entry.endpoint == "transcriptions"]
    assert len(sent) == 2  # one window of each person's speech; each channel's half of silence is not sent
    billed = sum(entry.audio_seconds for entry in sent)
    assert billed <= 1.02 * MFA_SECONDS, billed  # two full channels would bill twice the recording
    michael = [s for s in transcript.segments if s.speaker == "Michael"]
    sick = [s for s in transcript.segments if s.speaker == "Sick"]
    assert michael and sick
    assert max(s.end for s in michael) < 27.5 and min(s.start for s in sick) > 26.0  # inside each channel's window
