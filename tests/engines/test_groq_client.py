"""The Groq client against the loopback server that speaks Groq's contract, quirks and failures included."""

from __future__ import annotations

import asyncio
import io
import logging
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile
from shared_data import shared_data

import voicekit
from voicekit import Audio, errors
from voicekit.audio.wav import encode_wav
from voicekit.engines.groq import AsyncGroqClient, GroqClient
from voicekit.testing import Fault, GroqServer, ServerOptions

SYNTHETIC = {"speech_backend": "synthetic", "transcription_backend": "synthetic"}


@pytest.fixture(scope="module")
def server() -> Iterator[GroqServer]:
    with GroqServer(ServerOptions(**SYNTHETIC)) as running:
        yield running


@pytest.fixture
def fresh(server: GroqServer) -> GroqServer:
    server.log.reset()
    server.faults.clear()
    return server


def client_for(server: GroqServer, **options: object) -> GroqClient:
    settings: dict[str, object] = {"max_retries": 3, "timeout": 10.0}
    settings.update(options)
    return GroqClient(api_key=server.api_key, base_url=server.base_url, **settings)  # type: ignore[arg-type]


def logged(server: GroqServer, endpoint: str | None = None, expected: int = 0, *, status: int | None = None,
           within: float = 5.0) -> int:
    """The server's count, once it settles: it logs a request after the last byte of the answer has gone out."""
    deadline = time.monotonic() + within
    while (count := server.log.count(endpoint, status=status)) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return count


def wav_upload(seconds: float = 3.0, rate: int = 16000) -> tuple[str, bytes]:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, format="FLAC")
    return "clip.flac", buffer.getvalue()


# --- speech -----------------------------------------------------------------------------------------------------


def test_speech_decodes_orpheus_shaped_wav(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        audio = client.speech("The quick brown fox jumps over the lazy dog.", voice="troy")
    assert (audio.sample_rate, audio.channels) == (24000, 1)
    assert audio.duration > 0.5
    assert float(np.abs(audio.samples).max()) > 0.05
    assert logged(fresh, "speech", 1) == 1


def test_speech_sends_the_documented_request(fresh: GroqServer) -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=encode_wav(Audio(np.zeros(240, np.float32), 24000), streamed=True))

    with GroqClient(api_key="gsk_k", transport=httpx.MockTransport(handler)) as client:
        client.speech("Hi there.", voice="diana")
    request = seen[0]
    assert str(request.url) == "https://api.groq.com/openai/v1/audio/speech"
    assert request.headers["authorization"] == "Bearer gsk_k"
    assert request.headers["user-agent"].startswith("voicekit/")
    assert request.headers["accept"] == "audio/wav"
    import json

    assert json.loads(request.content) == {"model": "canopylabs/orpheus-v1-english", "voice": "diana",
                                           "input": "Hi there.", "response_format": "wav"}


def test_a_plain_44_byte_wav_works_too() -> None:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.full(2400, 0.25, np.float32), 24000, format="WAV", subtype="PCM_16")
    body = buffer.getvalue()
    assert body[36:40] == b"data"

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    with GroqClient(api_key="gsk_k", transport=httpx.MockTransport(handler)) as client:
        audio = client.speech("Hello.")
    assert audio.frames == 2400 and abs(float(audio.samples.mean()) - 0.25) < 1e-3


@pytest.mark.parametrize("body", [b"", b"not audio at all", b"<html>502 Bad Gateway</html>",
                                  b"RIFF\x10\x00\x00\x00WAVEjunk"])
def test_a_body_that_is_not_wav_is_an_error_never_noise(body: bytes) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"x-request-id": "req_bad"})

    with GroqClient(api_key="gsk_k", transport=httpx.MockTransport(handler), max_retries=0) as client:
        with pytest.raises(errors.InvalidResponseError, match="req_bad"):
            client.speech("Hello.")


def test_a_truncated_wav_is_an_error() -> None:
    full = encode_wav(Audio(np.zeros(24000, np.float32), 24000))
    declared = struct.unpack_from("<I", full, 40)[0]
    assert declared == 48000
    truncated = full[: len(full) // 2]

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=truncated)

    with GroqClient(api_key="gsk_k", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(errors.InvalidResponseError, match="truncated"):
            client.speech("Hello.")


def test_a_truncated_body_on_the_wire_is_retried_then_reported(fresh: GroqServer) -> None:
    fresh.inject(Fault.truncate(), times=10, endpoint="speech")
    with client_for(fresh, max_retries=2) as client:
        with pytest.raises(errors.APIConnectionError):
            client.speech("Hello there.")
    assert logged(fresh, "speech", 3) == 3


@pytest.mark.parametrize(
    ("text", "voice", "model", "error"),
    [("x" * 201, "troy", "canopylabs/orpheus-v1-english", errors.TextTooLongError),
     ("Hello.", "alloy", "canopylabs/orpheus-v1-english", errors.UnknownVoiceError),
     ("Hello.", "troy", "canopylabs/orpheus-arabic-saudi", errors.UnknownVoiceError),
     ("   ", "troy", "canopylabs/orpheus-v1-english", errors.InputError)],
)
def test_speech_refuses_bad_input_before_any_request(
    fresh: GroqServer, text: str, voice: str, model: str, error: type[Exception]
) -> None:
    with client_for(fresh) as client, pytest.raises(error):
        client.speech(text, voice=voice, model=model)
    assert fresh.log.count() == 0


def test_exactly_200_characters_and_arabic_voices_are_accepted(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        client.speech("a" * 200, voice="autumn")
        client.speech("مرحبا بكم", voice="noura", model="canopylabs/orpheus-arabic-saudi")
    assert logged(fresh, "speech", 2, status=200) == 2


# --- transcription ----------------------------------------------------------------------------------------------


def test_verbose_json_gives_segments_and_words_with_times(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        transcript = client.transcribe(wav_upload(12.0), language="en")
    assert transcript.text.strip()
    assert transcript.language == "English"
    assert transcript.duration == pytest.approx(12.0, abs=0.05)
    assert transcript.segments and transcript.words
    assert all(0 <= w.start <= w.end <= 12.05 for w in transcript.words)
    assert sum(len(s.words) for s in transcript.segments) == len(transcript.words)
    assert transcript.request_id and transcript.request_id.startswith("req_")
    assert fresh.log.audio_seconds_billed == pytest.approx(12.0, abs=0.05)


def test_json_and_text_formats(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        as_json = client.transcribe(wav_upload(), response_format="json")
        as_text = client.transcribe(wav_upload(), response_format="text")
    assert as_json.text.strip() and not as_json.segments
    assert as_text.text.strip() == as_json.text.strip()
    assert fresh.log.audio_seconds_billed == pytest.approx(20.0)  # two 3 s clips, billed 10 s each


@pytest.mark.slow  # the server's real Whisper on a real recording
def test_a_path_upload_and_the_real_recording(tmp_path: Path) -> None:
    clip = shared_data("audio", "en_jfk_16k_mono.wav")
    with GroqServer(ServerOptions(transcription_backend="whisper", speech_backend="synthetic")) as real:
        with client_for(real, timeout=600.0) as client:  # a busy machine's Whisper is slow: wait, do not retry
            transcript = client.transcribe(clip, language="en")
    assert "ask not what your country can do for you" in transcript.text.lower()
    assert transcript.words[-1].end <= 11.05


@pytest.mark.parametrize(
    ("call", "error"),
    [(lambda c: c.transcribe(wav_upload(), prompt="p" * 897), errors.InputError),
     (lambda c: c.transcribe(wav_upload(), temperature=1.5), errors.InputError),
     (lambda c: c.transcribe(wav_upload(), url="https://example.com/a.wav"), errors.InputError),
     (lambda c: c.transcribe(None), errors.InputError),
     (lambda c: c.transcribe(Path("/nonexistent/meeting.m4a")), errors.InputError),
     (lambda c: c.transcribe(("empty.wav", b"")), errors.InputError),
     (lambda c: c.translate(wav_upload(), model="whisper-large-v3-turbo"), errors.UnsupportedError)],
)
def test_transcription_input_errors_send_nothing(fresh: GroqServer, call: object, error: type[Exception]) -> None:
    with client_for(fresh) as client, pytest.raises(error):
        call(client)  # type: ignore[operator]
    assert fresh.log.count() == 0


def test_granularities_are_sent_only_with_verbose_json() -> None:
    bodies: list[bytes] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200, json={"text": "hi"})

    with GroqClient(api_key="gsk_k", transport=httpx.MockTransport(handler)) as client:
        client.transcribe(wav_upload(), response_format="verbose_json", timestamp_granularities=["word", "segment"])
        client.transcribe(wav_upload(), response_format="json")
    assert bodies[0].count(b'name="timestamp_granularities[]"') == 2
    assert b"timestamp_granularities" not in bodies[1]


def test_translation_and_server_side_errors(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        english = client.translate(wav_upload())
        assert english.text.strip()
        with pytest.raises(errors.BadRequestError):
            client.transcribe(("notes.txt", b"these are not audio bytes" * 20))
        with pytest.raises(errors.NotFoundError):
            client.transcribe(wav_upload(), model="whisper-nonexistent")


def test_an_upload_over_the_limit_is_413_and_not_retried() -> None:
    with GroqServer(ServerOptions(max_upload_bytes=50_000, **SYNTHETIC)) as small:
        with client_for(small) as client, pytest.raises(errors.RequestTooLargeError, match="25 MB"):
            client.transcribe(wav_upload(30.0))
        assert logged(small, "transcriptions", 1) == 1


def test_models_lists_the_audio_models(fresh: GroqServer) -> None:
    with client_for(fresh) as client:
        ids = {m.id for m in client.models()}
    assert {"whisper-large-v3", "whisper-large-v3-turbo", "canopylabs/orpheus-v1-english"} <= ids


@pytest.mark.parametrize("suffix", ["", "/", "/openai/v1", "/openai/v1/"])
def test_base_url_is_the_host_root_and_the_v1_form_works_too(fresh: GroqServer, suffix: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", fresh.api_key)
    monkeypatch.setenv("GROQ_BASE_URL", fresh.base_url + suffix)
    with GroqClient() as client:
        assert client.models()


def test_no_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(errors.ConfigurationError, match="GROQ_API_KEY"):
        GroqClient()


# --- retries ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault.status(500), Fault.status(502), Fault.status(503), Fault.status(408),
                                   Fault.status(409), Fault.status(498, retry_after=0.05), Fault.drop(),
                                   Fault.truncate(), Fault.status(429, retry_after=1)])
def test_retryable_failures_are_retried_until_success(fresh: GroqServer, fault: Fault) -> None:
    fresh.inject(fault, times=2, endpoint="speech")
    with client_for(fresh) as client:
        audio = client.speech("Third time lucky.")
    assert audio.duration > 0
    assert logged(fresh, "speech", 3) == 3


@pytest.mark.parametrize(("status", "error"), [(400, errors.BadRequestError), (401, errors.AuthenticationError),
                                               (403, errors.PermissionDeniedError), (404, errors.NotFoundError),
                                               (413, errors.RequestTooLargeError),
                                               (422, errors.UnprocessableEntityError)])
def test_client_errors_are_not_retried(fresh: GroqServer, status: int, error: type[Exception]) -> None:
    fresh.inject(Fault.status(status), times=5, endpoint="speech")
    with client_for(fresh) as client, pytest.raises(error) as caught:
        client.speech("Once only.")
    assert logged(fresh, "speech", 1) == 1
    assert caught.value.request_id and caught.value.request_id.startswith("req_")  # type: ignore[attr-defined]


def test_retries_stop_at_max_retries_with_the_last_error(fresh: GroqServer) -> None:
    fresh.inject(Fault.status(503), times=10, endpoint="speech")
    with client_for(fresh, max_retries=2) as client, pytest.raises(errors.InternalServerError, match="try again"):
        client.speech("Never.")
    assert logged(fresh, "speech", 3) == 3


def test_retry_after_is_honoured(fresh: GroqServer) -> None:
    fresh.inject(Fault.status(429, retry_after_ms=600), times=1, endpoint="speech")
    started = time.monotonic()
    with client_for(fresh) as client:
        client.speech("Patience.")
    assert time.monotonic() - started >= 0.55


def test_a_daily_quota_fails_at_once_saying_when_it_resets(fresh: GroqServer) -> None:
    message = ("Rate limit reached for model `whisper-large-v3-turbo` in organization `org_x` service tier "
               "`on_demand` on seconds of audio per day (ASD): Limit 28800, Used 28790, Requested 30. "
               "Please try again in 3h12m5s.")
    fresh.inject(Fault.status(429, message=message, retry_after=11525), times=3, endpoint="transcriptions")
    with client_for(fresh) as client, pytest.raises(errors.QuotaExceededError, match="resets in 3h12m") as caught:
        client.transcribe(wav_upload())  # waiting out the retry-after (3 h) would never return
    assert logged(fresh, "transcriptions", 1) == 1  # one request: no retry
    assert caught.value.retry_after == 11525


def test_a_timeout_is_retried_then_reported(fresh: GroqServer) -> None:
    fresh.inject(Fault.slow(4.0), times=5, endpoint="models")
    with client_for(fresh, max_retries=1, timeout=0.2) as client, pytest.raises(errors.APITimeoutError):
        client.models()  # a body trickled over 4 s would arrive whole: the timeout error says each attempt gave up
    assert logged(fresh, "models", 2) == 2  # the first attempt and one retry, both abandoned


# --- pacing -----------------------------------------------------------------------------------------------------


async def _burst(client: AsyncGroqClient, count: int) -> None:
    await asyncio.gather(*(client.speech(f"Sentence number {i} of the storm.") for i in range(count)))


def test_a_429_storm_finishes_with_no_failed_request_and_stays_under_the_rate() -> None:
    limit, window = 6, 1.0
    options = ServerOptions(requests_per_minute=limit, requests_window=window, **SYNTHETIC)
    with GroqServer(options) as limited:
        client = AsyncGroqClient(api_key=limited.api_key, base_url=limited.base_url, max_concurrency=4,
                                 max_retries=8)

        async def run() -> None:
            async with client:
                await _burst(client, 24)

        asyncio.run(run())
        accepted = sorted(e.time for e in limited.log.entries if e.status == 200)
        refused = limited.log.rate_limited
    assert len(accepted) == 24
    # Whatever the client does, the server never admits more than its bucket: at most `limit` plus the refill.
    for i, first in enumerate(accepted):
        for j in range(i, len(accepted)):
            assert j - i + 1 <= limit + limit * (accepted[j] - first) / window + 1
    # The storm takes as long as the rate demands, and the limiter, not the server, did the slowing down.
    assert accepted[-1] - accepted[0] >= (24 - limit) * window / limit * 0.9
    assert refused <= 2, f"the limiter let {refused} requests be refused"


def test_audio_seconds_pacing_keeps_429s_near_zero() -> None:
    # 40 billed audio seconds per 2 s: each 3 s clip is billed 10 s, so 4 requests fill the bucket.
    options = ServerOptions(audio_seconds_per_hour=40, audio_window=2.0, **SYNTHETIC)
    with GroqServer(options) as limited:
        client = AsyncGroqClient(api_key=limited.api_key, base_url=limited.base_url, max_concurrency=4,
                                 max_retries=8)
        upload = wav_upload(3.0)

        async def run() -> None:
            async with client:
                first = await client.transcribe(upload)  # learns the bucket from the headers
                assert first.text
                await asyncio.gather(*(client.transcribe(upload) for _ in range(11)))

        asyncio.run(run())
        assert logged(limited, "transcriptions", 12, status=200) == 12
        assert limited.log.rate_limited <= 1
        assert client.limiter.waits > 0


# --- secrets and the sync facade --------------------------------------------------------------------------------


def test_the_key_never_appears_in_errors_logs_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    secret = "gsk_live_DO_NOT_LEAK_0123456789abcdef"
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with GroqServer(ServerOptions(api_key=secret, **SYNTHETIC)) as own:
        with GroqClient(api_key=secret + "x", base_url=own.base_url, max_retries=1) as wrong:
            with pytest.raises(errors.AuthenticationError) as denied:
                wrong.speech("Hello.")
        texts += [str(denied.value), repr(denied.value), str(denied.value.args)]
        client = GroqClient(api_key=secret, base_url=own.base_url, max_retries=1)
        texts += [repr(client), repr(client.aio), str(vars(client.aio.limiter))]
        own.inject(Fault.status(500, message=f"upstream echoed Bearer {secret}"), times=2)
        with pytest.raises(errors.InternalServerError) as failed:
            client.speech("Hello.")
        texts += [str(failed.value), repr(failed.value)]
        own.inject(Fault.drop(), times=2)
        with pytest.raises(errors.APIConnectionError) as dropped:
            client.speech("Hello.")
        texts += [str(dropped.value), repr(dropped.value)]
        client.close()
    texts += [record.getMessage() for record in caplog.records]
    assert not [text for text in texts if secret in text]
    assert any("retry" in record.getMessage() for record in caplog.records)


def test_the_sync_client_works_inside_a_running_event_loop(fresh: GroqServer) -> None:
    async def notebook_cell() -> float:
        with client_for(fresh) as client:  # a sync call while this loop is running, as in Jupyter
            return client.speech("Inside a running loop.").duration

    assert asyncio.run(notebook_cell()) > 0


def test_errors_from_the_async_core_reach_the_sync_caller(fresh: GroqServer) -> None:
    fresh.inject(Fault.status(400), times=1)
    with client_for(fresh) as client, pytest.raises(errors.BadRequestError):
        client.models()
    assert isinstance(errors.BadRequestError("m", status_code=400), voicekit.VoicekitError)
