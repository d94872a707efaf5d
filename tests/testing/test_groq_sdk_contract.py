"""The official `groq` SDK against the loopback server: if the SDK is happy, the server tells the truth."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import numpy as np
import pytest
import soundfile
from shared_data import SHARED_DATA, shared_data

from voicekit.audio.wav import parse_wav
from voicekit.testing import Fault, GroqServer, ServerOptions

groq = pytest.importorskip("groq")

JFK = SHARED_DATA / "audio" / "en_jfk_16k_mono.wav"
ENGLISH = "canopylabs/orpheus-v1-english"
SYNTHETIC = ServerOptions(speech_backend="synthetic", transcription_backend="synthetic")


def tone_wav(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format="WAV")
    return buffer.getvalue()


@pytest.fixture
def server() -> Iterator[GroqServer]:
    with GroqServer(SYNTHETIC) as running:
        yield running


@pytest.fixture
def sdk(server: GroqServer) -> Iterator[groq.Groq]:
    with groq.Groq(api_key=server.api_key, base_url=server.base_url) as client:
        yield client


def test_orpheus_speech_through_the_sdk_is_24khz_mono_wav(sdk: groq.Groq, server: GroqServer) -> None:
    text = "The official client asks, and the loopback answers."
    response = sdk.audio.speech.create(model=ENGLISH, voice="hannah", input=text, response_format="wav")
    body = response.read()
    audio = parse_wav(body)
    assert (audio.sample_rate, audio.channels) == (24_000, 1)
    assert audio.duration == pytest.approx(0.06 * len(text), abs=0.01)
    samples, rate = soundfile.read(io.BytesIO(body), dtype="float32")
    assert rate == 24_000 and samples.ndim == 1 and np.allclose(samples, audio.samples, atol=1e-4)
    assert server.log.entries[-1].chars == len(text)


@pytest.mark.slow
def test_verbose_json_with_words_and_segments_from_real_whisper() -> None:
    shared_data("audio", JFK.name)
    pytest.importorskip("faster_whisper")
    with GroqServer(ServerOptions(transcription_backend="whisper")) as server, \
            groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        result = sdk.audio.transcriptions.create(
            file=(JFK.name, JFK.read_bytes()), model="whisper-large-v3", response_format="verbose_json",
            timestamp_granularities=["word", "segment"], language="en")
    extra = result.model_extra or {}
    assert "ask not what your country can do for you" in result.text.lower()
    assert extra["task"] == "transcribe" and extra["language"] == "English"
    duration = extra["duration"]
    assert duration == pytest.approx(11.0, abs=0.1)
    segments, words = extra["segments"], extra["words"]
    assert segments and words
    for segment in segments:
        assert 0.0 <= segment["start"] < segment["end"] <= duration + 0.05
        assert segment["text"].strip() and segment["tokens"]
        assert segment["avg_logprob"] <= 0.0 and 0.0 <= segment["no_speech_prob"] <= 1.0
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(w["start"] <= w["end"] for w in words)
    spoken = [w["word"].strip(" ,.").lower() for w in words]
    assert spoken[spoken.index("ask"):spoken.index("ask") + 4] == ["ask", "not", "what", "your"]
    assert 9.0 < words[-1]["end"] <= duration + 0.05
    assert extra["x_groq"]["id"].startswith("req_")


def test_json_text_and_translation_through_the_sdk(sdk: groq.Groq) -> None:
    plain = sdk.audio.transcriptions.create(file=("tone.wav", tone_wav(2.0)), model="whisper-large-v3-turbo")
    assert plain.text.strip()
    assert (plain.model_extra or {})["x_groq"]["id"].startswith("req_")
    translated = sdk.audio.translations.create(file=("tone.wav", tone_wav(2.0)), model="whisper-large-v3",
                                               response_format="verbose_json")
    assert (translated.model_extra or {})["task"] == "translate"


def test_models_through_the_sdk(sdk: groq.Groq) -> None:
    ids = {model.id for model in sdk.models.list().data}
    assert {ENGLISH, "canopylabs/orpheus-arabic-saudi", "whisper-large-v3", "whisper-large-v3-turbo"} <= ids
    assert sdk.models.retrieve("whisper-large-v3").owned_by == "OpenAI"


def test_wrong_key_is_an_authentication_error_carrying_the_envelope(server: GroqServer) -> None:
    with groq.Groq(api_key="gsk_wrong", base_url=server.base_url) as sdk:
        with pytest.raises(groq.AuthenticationError) as caught:
            sdk.models.list()
    assert caught.value.status_code == 401
    assert caught.value.body == {"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}}
    assert caught.value.response.headers["x-request-id"].startswith("req_")


def test_refusals_become_the_sdk_exceptions(sdk: groq.Groq, server: GroqServer) -> None:
    with pytest.raises(groq.BadRequestError) as wrong_voice:
        sdk.audio.speech.create(model=ENGLISH, voice="Fritz-PlayAI", input="Hello.", response_format="wav")
    assert "voice must be one of the following voices: [autumn diana hannah austin daniel troy]" in str(
        wrong_voice.value)
    with pytest.raises(groq.BadRequestError, match=r"response_format must be one of \[wav\]"):
        sdk.audio.speech.create(model=ENGLISH, voice="troy", input="Hello.", response_format="mp3")
    with pytest.raises(groq.NotFoundError):
        sdk.audio.speech.create(model="playai-tts", voice="Fritz-PlayAI", input="Hello.")
    with pytest.raises(groq.APIStatusError) as too_long:
        sdk.audio.speech.create(model=ENGLISH, voice="troy", input="x" * 201, response_format="wav")
    assert too_long.value.status_code == 413
    assert server.log.count("speech") == 4  # none of these is retried by the SDK


def test_sdk_waits_out_retry_after_and_succeeds() -> None:
    options = ServerOptions(requests_per_minute=1, requests_window=1.0, speech_backend="synthetic",
                            transcription_backend="synthetic")
    with GroqServer(options) as server, groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        sdk.audio.speech.create(model=ENGLISH, voice="troy", input="First.", response_format="wav").read()
        started = time.monotonic()
        body = sdk.audio.speech.create(model=ENGLISH, voice="troy", input="Second.", response_format="wav").read()
        waited = time.monotonic() - started
        assert parse_wav(body).sample_rate == 24_000
        assert [e.status for e in server.log.entries] == [200, 429, 200]
        assert [e.retry_count for e in server.log.entries] == [0, 0, 1]
        assert waited >= 0.9  # it slept the advertised retry-after of 1 s, not its own backoff (0.5 s at first)


def test_sdk_retries_injected_failures(sdk: groq.Groq, server: GroqServer) -> None:
    server.inject(Fault.status(503, retry_after_ms=50), times=2, endpoint="speech")
    body = sdk.audio.speech.create(model=ENGLISH, voice="troy", input="Third time.", response_format="wav").read()
    assert parse_wav(body).channels == 1
    assert [e.status for e in server.log.entries] == [503, 503, 200]
    server.log.reset()
    server.inject(Fault.drop(), endpoint="models")
    assert sdk.models.list().data
    assert [e.status for e in server.log.entries] == [None, 200]


def test_daily_quota_429_is_not_waited_out(server: GroqServer) -> None:
    daily = ("Rate limit reached for model `whisper-large-v3` in organization `org_x` service tier `on_demand` "
             "on seconds of audio per day (ASD): Limit 28800, Used 28800, Requested 30. Please try again in 2h13m.")
    server.inject(Fault.status(429, message=daily, retry_after=7980, type="seconds"), endpoint="transcriptions")
    with groq.Groq(api_key=server.api_key, base_url=server.base_url, max_retries=0) as sdk:
        with pytest.raises(groq.RateLimitError) as caught:
            sdk.audio.transcriptions.create(file=("tone.wav", tone_wav(1.0)), model="whisper-large-v3")
    assert caught.value.body["error"]["message"] == daily
    assert caught.value.response.headers["retry-after"] == "7980"
