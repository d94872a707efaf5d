"""The loopback server's OpenAI flavour, checked with the official `openai` SDK (if the SDK is happy, the server
tells the truth), and voicekit's OpenAI engines against it, the same way as Groq's."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile

import voicekit
from voicekit._sync import run_sync
from voicekit.audio.wav import parse_wav
from voicekit.engines.catalog import OPENAI_SPEECH_MAX_CHARS, OPENAI_SPEECH_MODELS
from voicekit.engines.openai import AsyncOpenAIClient, OpenAISpeechEngine
from voicekit.testing import GroqServer, ServerOptions

openai = pytest.importorskip("openai")

SYNTHETIC = ServerOptions(flavour="openai", speech_backend="synthetic", transcription_backend="synthetic")


def speech_like_wav(seconds: float, rate: int = 16_000) -> bytes:
    """Noise bursts of 2 s with pauses, as WAV bytes."""
    rng = np.random.default_rng(5)
    samples = np.zeros(int(seconds * rate), dtype=np.float32)
    for start in range(0, len(samples), int(2.6 * rate)):
        samples[start:start + 2 * rate] = rng.normal(0, 0.2, len(samples[start:start + 2 * rate]))
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[GroqServer]:
    with GroqServer(SYNTHETIC) as running:
        yield running


@pytest.fixture
def sdk(server: GroqServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0) as client:
        yield client


@pytest.fixture
def openai_env(server: GroqServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(tmp_path / "cache"))


# --- the server, through the official SDK --------------------------------------------------------------------------


def test_the_sdk_speaks_wav_with_instructions(sdk: openai.OpenAI) -> None:
    response = sdk.audio.speech.create(model="gpt-4o-mini-tts", voice="coral", input="Good morning, keeper.",
                                       response_format="wav", instructions="Speak warmly.")
    audio = parse_wav(response.read())
    assert audio.duration > 0.2


def test_the_sdk_gets_openai_refusals(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as too_long:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="x" * (OPENAI_SPEECH_MAX_CHARS + 1))
    assert too_long.value.code == "string_above_max_length" and too_long.value.param == "input"
    with pytest.raises(openai.BadRequestError) as bad_voice:
        sdk.audio.speech.create(model="tts-1", voice="ballad", input="Hello.", response_format="wav")
    assert bad_voice.value.param == "voice"  # ballad is a gpt-4o-mini-tts voice only
    with pytest.raises(openai.NotFoundError):
        sdk.audio.speech.create(model="canopylabs/orpheus-v1-english", voice="troy", input="Hello.")
    with openai.OpenAI(api_key="sk-wrong", base_url=sdk.base_url, max_retries=0) as stranger, \
            pytest.raises(openai.AuthenticationError):
        stranger.models.list()


def test_the_sdk_transcribes_with_words_on_whisper_1(sdk: openai.OpenAI) -> None:
    result = sdk.audio.transcriptions.create(model="whisper-1", file=("talk.wav", speech_like_wav(6.0)),
                                             response_format="verbose_json",
                                             timestamp_granularities=["word", "segment"])
    assert result.text and result.language == "english" and result.duration == pytest.approx(6.0, abs=0.01)
    assert result.words and all(not w.word.startswith(" ") for w in result.words)
    assert result.segments and result.segments[0].end > result.segments[0].start


def test_gpt_4o_transcribe_answers_json_only(sdk: openai.OpenAI) -> None:
    plain = sdk.audio.transcriptions.create(model="gpt-4o-transcribe", file=("talk.wav", speech_like_wav(4.0)))
    assert plain.text
    with pytest.raises(openai.BadRequestError, match="not compatible with model 'gpt-4o-transcribe'"):
        sdk.audio.transcriptions.create(model="gpt-4o-transcribe", file=("talk.wav", speech_like_wav(4.0)),
                                        response_format="verbose_json")
    refused = httpx.post(f"{sdk.base_url}audio/translations", headers={"Authorization": f"Bearer {sdk.api_key}"},
                         data={"model": "gpt-4o-transcribe"}, files={"file": ("talk.wav", speech_like_wav(4.0))})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "model"  # whisper-1 only translates


def test_the_sdk_lists_the_catalog_models(sdk: openai.OpenAI) -> None:
    ids = {model.id for model in sdk.models.list()}
    assert set(OPENAI_SPEECH_MODELS) <= ids and "whisper-1" in ids


# --- voicekit's OpenAI engines -------------------------------------------------------------------------------------


def test_narration_follows_the_4096_character_limit_and_cuts_at_sentences(openai_env: None, tmp_path: Path,
                                                                           server: GroqServer) -> None:
    sentence = "The keeper climbed the stairs and lit the great lamp before the storm came in. "
    doc = "\n\n".join(sentence * 30 for _ in range(3))  # paragraphs of about 2,400 characters
    plan = voicekit.plan_narration(doc, engine="openai")
    assert 200 < max(c.chars for c in plan.chunks) <= OPENAI_SPEECH_MAX_CHARS
    assert all(re.search(r"[.!?]$", chunk.text.strip()) for chunk in plan.chunks)
    before = len(server.log.entries)
    narration = voicekit.narrate(doc, tmp_path / "storm.wav", engine="openai", progress=False)
    speech = [e for e in server.log.entries[before:] if e.endpoint == "speech"]
    assert narration.requests == len(speech) == len(plan.chunks) < len(doc) // 200
    assert narration.cost_usd == pytest.approx(narration.characters * 15 / 1e6)


def test_an_engine_object_carries_its_instructions(openai_env: None, server: GroqServer) -> None:
    engine = OpenAISpeechEngine(voice="verse", instructions="Whisper it.")
    try:
        audio = voicekit.speak("A quiet line.", engine=engine)
    finally:
        run_sync(engine.aclose())  # the caller built the engine: the caller closes it
    assert audio.duration > 0.2
    plain = OpenAISpeechEngine(AsyncOpenAIClient(), voice="verse")
    assert engine.cache_identity() != plain.cache_identity()


@pytest.mark.parametrize("model", ["whisper-1", "gpt-4o-mini-transcribe"])
def test_transcription_through_the_openai_engine(openai_env: None, tmp_path: Path, model: str) -> None:
    path = tmp_path / "talk.wav"
    path.write_bytes(speech_like_wav(70.0))
    transcript = voicekit.transcribe(path, engine="openai", model=model, language="en", progress=False)
    assert transcript.text and transcript.segments
    assert all(s.end > s.start for s in transcript.segments)
    if model == "whisper-1":
        assert transcript.words
    else:  # json only: one segment of text a window, no word times
        assert not transcript.words and len(transcript.segments) <= 4
