"""The loopback Groq server, driven with raw httpx: every endpoint, error, header, limit and fault it promises."""

from __future__ import annotations

import asyncio
import io
import re
import struct
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import soundfile
from shared_data import SHARED_DATA, shared_data

from voicekit.audio.wav import parse_wav
from voicekit.testing import Fault, GroqServer, ServerOptions
from voicekit.testing.__main__ import build_parser, options_from
from voicekit.testing.limits import go_duration

DATA = SHARED_DATA / "audio"
JFK = DATA / "en_jfk_16k_mono.wav"
ENGLISH = "canopylabs/orpheus-v1-english"
ARABIC = "canopylabs/orpheus-arabic-saudi"
REQUEST_ID = re.compile(r"^req_[0-9a-z]{26}$")
GO_DURATION = re.compile(r"^(\d+h)?(\d+m)?(\d+(\.\d+)?s|\d+ms)$")
SYNTHETIC = {"speech_backend": "synthetic", "transcription_backend": "synthetic"}


def tone_wav(seconds: float, rate: int = 16_000, fmt: str = "WAV") -> bytes:
    """A 440 Hz tone of `seconds`, encoded in memory."""
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format=fmt)
    return buffer.getvalue()


def speech_body(text: str = "Hello from the loopback server.", **extra: object) -> dict[str, object]:
    return {"model": ENGLISH, "voice": "troy", "input": text, "response_format": "wav", **extra}


def audio_form(**fields: object) -> dict[str, object]:
    return {"model": "whisper-large-v3", **fields}


def error_of(response: httpx.Response) -> dict[str, str]:
    """The envelope's `error` object, checking the envelope shape on the way."""
    payload = response.json()
    assert set(payload) == {"error"}
    assert {"message", "type"} <= set(payload["error"])
    return dict(payload["error"])


def make_client(server: GroqServer, key: str | None = None, timeout: float = 30) -> httpx.Client:
    key = server.api_key if key is None else key
    return httpx.Client(base_url=server.base_url + "/openai/v1", headers={"Authorization": f"Bearer {key}"},
                        timeout=timeout)


@pytest.fixture
def server() -> Iterator[GroqServer]:
    with GroqServer(ServerOptions(**SYNTHETIC)) as running:  # type: ignore[arg-type]
        yield running


@pytest.fixture
def client(server: GroqServer) -> Iterator[httpx.Client]:
    with make_client(server) as http:
        yield http


# ----------------------------------------------------------------------------------------------- speech


def test_speech_is_24khz_mono_wav_in_the_orpheus_streamed_shape(client: httpx.Client) -> None:
    text = "Hello from the loopback server."
    response = client.post("/audio/speech", json=speech_body(text))
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    body = response.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert struct.unpack("<I", body[4:8])[0] == 0xFFFFFFFF
    assert body[78:82] == b"data" and struct.unpack("<I", body[82:86])[0] == 0xFFFFFFFF
    audio = parse_wav(body)
    assert (audio.sample_rate, audio.channels) == (24_000, 1)
    assert audio.duration == pytest.approx(0.06 * len(text), abs=0.01)
    assert float(np.abs(audio.samples).max()) > 0.1


def test_synthetic_speech_is_deterministic_and_follows_the_text(client: httpx.Client) -> None:
    first = client.post("/audio/speech", json=speech_body("Same words, same sound.")).content
    again = client.post("/audio/speech", json=speech_body("Same words, same sound.")).content
    longer = client.post("/audio/speech", json=speech_body("Same words, same sound, and a few more.")).content
    assert first == again
    assert parse_wav(longer).duration > parse_wav(first).duration


def test_arabic_model_takes_its_own_voices(client: httpx.Client) -> None:
    ok = client.post("/audio/speech", json={"model": ARABIC, "voice": "noura", "input": "مرحبا"})
    assert ok.status_code == 200
    wrong = client.post("/audio/speech", json={"model": ARABIC, "voice": "troy", "input": "مرحبا"})
    assert error_of(wrong)["message"] == ("voice must be one of the following voices: "
                                          "[abdullah fahad sultan lulwa noura aisha]")


@pytest.mark.parametrize(("body", "status", "message"), [
    (speech_body(voice="alloy"), 400,
     "voice must be one of the following voices: [autumn diana hannah austin daniel troy]"),
    (speech_body(response_format="mp3"), 400, "response_format must be one of [wav]"),
    (speech_body(""), 400, "`input` must not be empty"),
    (speech_body("x" * 201), 413, "input must be 200 characters or fewer, but provided input contains 201 characters"),
    ({**speech_body(), "model": "playai-tts"}, 404,
     "The model `playai-tts` does not exist or you do not have access to it."),
    ({**speech_body(), "model": "whisper-large-v3"}, 400,
     "The model `whisper-large-v3` does not support text to speech."),
])
def test_speech_refusals_match_groq(client: httpx.Client, body: dict[str, object], status: int,
                                    message: str) -> None:
    response = client.post("/audio/speech", json=body)
    assert response.status_code == status
    error = error_of(response)
    assert error["message"] == message
    assert error["type"] == "invalid_request_error"
    assert REQUEST_ID.match(response.headers["x-request-id"])


def test_unknown_model_is_model_not_found(client: httpx.Client) -> None:
    error = error_of(client.post("/audio/speech", json={**speech_body(), "model": "nope"}))
    assert error["code"] == "model_not_found"


def test_speech_body_that_is_not_json_is_400(client: httpx.Client) -> None:
    response = client.post("/audio/speech", content=b"model=orpheus&voice=troy",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "not valid JSON" in error_of(response)["message"]


def test_exactly_200_characters_is_accepted(client: httpx.Client) -> None:
    assert client.post("/audio/speech", json=speech_body("a" * 200)).status_code == 200


# ------------------------------------------------------------------------------------------------ auth


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer gsk_wrong"}, {"Authorization": "gsk_test"}])
@pytest.mark.parametrize(("method", "path"), [("POST", "/audio/speech"), ("POST", "/audio/transcriptions"),
                                              ("GET", "/models")])
def test_missing_or_wrong_key_is_401_invalid_api_key(server: GroqServer, headers: dict[str, str], method: str,
                                                     path: str) -> None:
    response = httpx.request(method, server.base_url + "/openai/v1" + path, headers=headers,
                             json=speech_body() if method == "POST" else None)
    assert response.status_code == 401
    assert response.json() == {"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                                         "code": "invalid_api_key"}}
    assert REQUEST_ID.match(response.headers["x-request-id"])


def test_custom_api_key_is_the_only_one_accepted() -> None:
    with GroqServer(ServerOptions(api_key="gsk_other", **SYNTHETIC)) as server:  # type: ignore[arg-type]
        assert server.api_key == "gsk_other"
        with make_client(server) as http:
            assert http.get("/models").status_code == 200
        with make_client(server, key="gsk_test_loopback_key") as http:
            assert http.get("/models").status_code == 401


# -------------------------------------------------------------------------------------- transcriptions


def test_transcription_json_carries_text_and_the_request_id(client: httpx.Client) -> None:
    response = client.post("/audio/transcriptions", files={"file": ("tone.wav", tone_wav(2.0))},
                           data=audio_form())
    assert response.status_code == 200
    payload = response.json()
    assert set(payload) == {"text", "x_groq"}
    assert payload["text"].strip()
    assert payload["x_groq"]["id"] == response.headers["x-request-id"]


def test_transcription_text_format_is_plain_text(client: httpx.Client) -> None:
    response = client.post("/audio/transcriptions", files={"file": ("tone.flac", tone_wav(2.0, fmt="FLAC"))},
                           data=audio_form(response_format="text"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=UTF-8"
    assert response.text.strip() and not response.text.startswith("{")


SEGMENT_KEYS = {"id", "seek", "start", "end", "text", "tokens", "temperature", "avg_logprob", "compression_ratio",
                "no_speech_prob"}


@pytest.mark.parametrize(("granularities", "has_segments", "has_words"), [
    ([], True, False), (["segment"], True, False), (["word"], False, True), (["word", "segment"], True, True),
])
def test_verbose_json_shape_follows_the_granularities(client: httpx.Client, granularities: list[str],
                                                      has_segments: bool, has_words: bool) -> None:
    form = audio_form(response_format="verbose_json", language="en")
    if granularities:
        form["timestamp_granularities[]"] = granularities
    response = client.post("/audio/transcriptions", files={"file": ("tone.wav", tone_wav(7.0))}, data=form)
    payload = response.json()
    assert payload["task"] == "transcribe" and payload["language"] == "English"
    assert payload["duration"] == pytest.approx(7.0)
    assert payload["x_groq"]["id"] == response.headers["x-request-id"]
    assert (payload["segments"] is not None) == has_segments
    assert ("words" in payload) == has_words
    if has_segments:
        assert payload["segments"] and all(set(s) == SEGMENT_KEYS for s in payload["segments"])
        assert all(0 <= s["start"] <= s["end"] <= 7.0 for s in payload["segments"])
    if has_words:
        assert payload["words"] and all(set(w) == {"word", "start", "end"} for w in payload["words"])
        starts = [w["start"] for w in payload["words"]]
        assert starts == sorted(starts)


def test_translation_answers_in_english_with_task_translate(client: httpx.Client) -> None:
    response = client.post("/audio/translations", files={"file": ("tone.ogg", tone_wav(2.0, fmt="OGG"))},
                           data=audio_form(response_format="verbose_json"))
    assert response.status_code == 200
    assert response.json()["task"] == "translate" and response.json()["language"] == "English"


def test_translation_with_turbo_is_refused(client: httpx.Client) -> None:
    response = client.post("/audio/translations", files={"file": ("tone.wav", tone_wav(1.0))},
                           data={"model": "whisper-large-v3-turbo"})
    assert response.status_code == 400
    assert "whisper-large-v3-turbo" in error_of(response)["message"]


def test_webm_and_m4a_decode_through_pyav(client: httpx.Client) -> None:
    av = pytest.importorskip("av")
    for container, codec, suffix in (("webm", "libopus", "webm"), ("mp4", "aac", "m4a")):
        buffer = io.BytesIO()
        with av.open(buffer, "w", format=container) as out:
            stream = out.add_stream(codec, rate=48_000)
            stream.layout = "mono"
            for start in range(0, 48_000 * 3, 960):
                samples = 0.3 * np.sin(2 * np.pi * 440 * (np.arange(960) + start) / 48_000)
                frame = av.AudioFrame.from_ndarray(samples.astype(np.float32)[None, :], format="flt",
                                                   layout="mono")
                frame.sample_rate, frame.pts = 48_000, start
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
        response = client.post("/audio/transcriptions", files={"file": (f"tone.{suffix}", buffer.getvalue())},
                               data=audio_form(response_format="verbose_json"))
        assert response.status_code == 200, response.text
        assert response.json()["duration"] == pytest.approx(3.0, abs=0.1)


def test_chunked_upload_is_read(client: httpx.Client) -> None:
    request = client.build_request("POST", "/audio/transcriptions", files={"file": ("tone.wav", tone_wav(1.0))},
                                   data=audio_form())
    body = request.read()
    chunked = client.post("/audio/transcriptions", content=iter([body[:1000], body[1000:]]),
                          headers={"content-type": request.headers["content-type"]})
    assert chunked.status_code == 200, chunked.text
    assert chunked.json()["text"].strip()


@pytest.mark.parametrize(("files", "form", "status", "message"), [
    (None, {"url": "https://example.com/a.wav"}, 400, "url fetching is unsupported"),
    ({"file": ("a.wav", b"RIFF")}, {"url": "https://example.com/a.wav"}, 400, "only one of `file` or `url`"),
    (None, {}, 400, "one of `file` or `url` must be provided"),
    ({"file": ("notes.txt", b"hello")}, {}, 400, "file must be one of the following types: "
                                                 "[flac mp3 mp4 mpeg mpga m4a ogg wav webm]"),
    ({"file": ("noise.wav", b"this is not audio at all" * 40)}, {}, 400, "could not process file"),
    ({"file": ("a.wav", "tone")}, {"response_format": "srt"}, 400,
     "response_format must be one of [json text verbose_json]"),
    ({"file": ("a.wav", "tone")}, {"temperature": "2"}, 400, "temperature must be a number between 0 and 1"),
    ({"file": ("a.wav", "tone")}, {"timestamp_granularities[]": "sentence"}, 400, "timestamp_granularities"),
    ({"file": ("a.wav", "tone")}, {"language": "xx"}, 400, "language 'xx' is not supported"),
    ({"file": ("a.wav", "tone")}, {"prompt": "p" * 897}, 400,
     "prompt length must be 896 characters or fewer, but provided prompt contains 897 characters"),
    ({"file": ("a.wav", "tone")}, {"model": "whisper-tiny"}, 404,
     "The model `whisper-tiny` does not exist or you do not have access to it."),
])
def test_transcription_refusals_match_groq(client: httpx.Client, files: dict[str, tuple[str, object]] | None,
                                           form: dict[str, str], status: int, message: str) -> None:
    if files is not None:
        name, data = files["file"]
        files = {"file": (name, tone_wav(1.0) if data == "tone" else data)}
    response = client.post("/audio/transcriptions", files=files, data=audio_form(**form))
    assert response.status_code == status
    error = error_of(response)
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"


def test_prompt_of_896_characters_is_accepted(client: httpx.Client) -> None:
    response = client.post("/audio/transcriptions", files={"file": ("a.wav", tone_wav(1.0))},
                           data=audio_form(prompt="p" * 896))
    assert response.status_code == 200


def test_body_that_is_not_multipart_is_400(client: httpx.Client) -> None:
    response = client.post("/audio/transcriptions", json={"model": "whisper-large-v3"})
    assert response.status_code == 400
    assert "multipart/form-data" in error_of(response)["message"]


def test_upload_over_the_limit_is_413_request_too_large() -> None:
    options = ServerOptions(max_upload_bytes=50_000, **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        big = http.post("/audio/transcriptions", files={"file": ("big.wav", tone_wav(2.0))}, data=audio_form())
        assert big.status_code == 413
        assert big.json() == {"error": {"message": "Request Entity Too Large", "type": "invalid_request_error",
                                        "code": "request_too_large"}}
        small = http.post("/audio/transcriptions", files={"file": ("small.wav", tone_wav(1.0))},
                          data=audio_form())
        assert small.status_code == 200  # 32 kB: under the limit, and the connection is still usable


def test_upload_far_over_the_limit_is_refused_without_keeping_it() -> None:
    options = ServerOptions(max_upload_bytes=1000, **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        response = http.post("/audio/transcriptions", files={"file": ("big.wav", tone_wav(60.0))},
                             data=audio_form())
        assert response.status_code == 413
        assert server.log.entries[-1].bytes_in > 1_900_000


# ------------------------------------------------------------------------------------------------ models


def test_models_list_and_retrieve(client: httpx.Client) -> None:
    listing = client.get("/models").json()
    assert listing["object"] == "list"
    ids = {model["id"] for model in listing["data"]}
    assert {"whisper-large-v3", "whisper-large-v3-turbo", ENGLISH, ARABIC} <= ids
    for model in listing["data"]:
        assert {"id", "object", "created", "owned_by", "active", "context_window"} <= set(model)
        assert model["object"] == "model"
    one = client.get(f"/models/{ENGLISH}")
    assert one.status_code == 200 and one.json()["id"] == ENGLISH
    assert client.get("/models/whisper-large-v3").json()["context_window"] == 448
    missing = client.get("/models/gpt-5")
    assert missing.status_code == 404 and error_of(missing)["code"] == "model_not_found"


@pytest.mark.parametrize(("method", "path"), [("GET", "/audio/speech"), ("POST", "/chat/nothing"),
                                              ("GET", "/models/")])
def test_unknown_path_is_404_envelope(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "unknown_url"
    assert f"{method} /openai/v1{path}" in error["message"]


# ----------------------------------------------------------------------------------------------- headers


def test_every_answer_carries_request_id_and_ratelimit_headers() -> None:
    options = ServerOptions(requests_per_minute=30, tokens_per_minute=1000, audio_seconds_per_hour=7200,
                            **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        spoken = http.post("/audio/speech", json=speech_body("Twelve chars"))
        heard = http.post("/audio/transcriptions", files={"file": ("a.wav", tone_wav(3.0))}, data=audio_form())
        refused = http.post("/audio/speech", json=speech_body(voice="alloy"))
    assert spoken.headers["x-ratelimit-limit-requests"] == "30"
    assert spoken.headers["x-ratelimit-remaining-requests"] == "29"
    assert spoken.headers["x-ratelimit-limit-tokens"] == "1000"
    assert spoken.headers["x-ratelimit-remaining-tokens"] == "988"
    assert "x-ratelimit-limit-audio-seconds" not in spoken.headers
    assert heard.headers["x-ratelimit-limit-audio-seconds"] == "7200"
    assert heard.headers["x-ratelimit-remaining-audio-seconds"] == "7190"  # 3 s billed as 10
    assert heard.headers["x-ratelimit-remaining-requests"] == "28"
    assert refused.headers["x-ratelimit-remaining-requests"] == "27"
    for response in (spoken, heard, refused):
        assert REQUEST_ID.match(response.headers["x-request-id"])
        for name, value in response.headers.items():
            if name.startswith("x-ratelimit-reset-"):
                assert GO_DURATION.match(value), value
    ids = {r.headers["x-request-id"] for r in (spoken, heard, refused)}
    assert len(ids) == 3


@pytest.mark.parametrize(("seconds", "text"), [
    (179.56, "2m59.56s"), (7.66, "7.66s"), (0.5, "500ms"), (60.0, "1m0s"), (0.0, "0s"), (1.0, "1s"),
    (2 * 3600 + 13 * 60, "2h13m0s"), (86.4, "1m26.4s"), (43.2, "43.2s"),
])
def test_go_durations(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


# ----------------------------------------------------------------------------------------------- limits


def test_requests_limit_answers_429_with_retry_after_and_frees_up() -> None:
    options = ServerOptions(requests_per_minute=2, requests_window=1.0, **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        assert [http.post("/audio/speech", json=speech_body()).status_code for _ in range(2)] == [200, 200]
        refused = http.post("/audio/speech", json=speech_body())
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["x-ratelimit-remaining-requests"] == "0"
        error = error_of(refused)
        assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
        assert re.match(r"Rate limit reached for model `canopylabs/orpheus-v1-english` in organization `\w+` "
                        r"service tier `on_demand` on requests per minute \(RPM\): Limit 2, Used 2, Requested 1\. "
                        r"Please try again in \d+(\.\d+)?m?s\.", error["message"]), error["message"]
        assert http.post("/audio/speech", json=speech_body()).status_code == 429  # refusals are not counted...
        time.sleep(1.05)
        assert http.post("/audio/speech", json=speech_body()).status_code == 200  # ...and the bucket has refilled
        assert server.log.rate_limited == 2
        assert server.log.count("speech", status=200) == 3


def test_tokens_limit_counts_speech_characters() -> None:
    options = ServerOptions(tokens_per_minute=50, **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        assert http.post("/audio/speech", json=speech_body("x" * 30)).status_code == 200
        refused = http.post("/audio/speech", json=speech_body("y" * 30))
        assert refused.status_code == 429
        error = error_of(refused)
        assert "on tokens per minute (TPM): Limit 50, Used 30, Requested 30." in error["message"]
        assert error["type"] == "tokens"
        assert 11 <= int(refused.headers["retry-after"]) <= 13  # 10 characters short, refilled at 50 a minute
        assert http.post("/audio/speech", json=speech_body("z" * 20)).status_code == 200
        too_big = http.post("/audio/speech", json=speech_body("w" * 60))  # more than the whole limit
        assert too_big.status_code == 413 and "Request too large" in error_of(too_big)["message"]
        assert server.log.chars_billed == 50


def test_audio_seconds_limit_bills_at_least_ten_seconds() -> None:
    options = ServerOptions(audio_seconds_per_hour=25, audio_window=2.0, **SYNTHETIC)  # type: ignore[arg-type]
    with GroqServer(options) as server, make_client(server) as http:
        clip = {"file": ("short.wav", tone_wav(3.0))}
        first = http.post("/audio/transcriptions", files=clip, data=audio_form())
        second = http.post("/audio/transcriptions", files=clip, data=audio_form())
        third = http.post("/audio/transcriptions", files=clip, data=audio_form())
        assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
        assert first.headers["x-ratelimit-remaining-audio-seconds"] == "15"
        error = error_of(third)
        assert "on seconds of audio per hour (ASH): Limit 25, Used 20, Requested 10." in error["message"]
        assert error["code"] == "rate_limit_exceeded"
        assert third.headers["retry-after"] == "1"  # 5 seconds short, refilled at 12.5 a second
        assert server.log.audio_seconds_billed == pytest.approx(20.0)


# ------------------------------------------------------------------------------------------------ faults


def test_status_faults_are_consumed_in_order_on_their_endpoint(server: GroqServer,
                                                               client: httpx.Client) -> None:
    server.inject(Fault.status(503), times=2, endpoint="speech")
    server.inject(Fault.status(500))
    assert client.get("/models").status_code == 500  # the any-endpoint fault is the first that applies here
    statuses = [client.post("/audio/speech", json=speech_body()).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert client.get("/models").status_code == 200
    assert server.faults.pending() == 0
    assert [e.fault for e in server.log.entries] == ["status"] * 3 + [None] * 2


def test_status_fault_bodies_and_headers(server: GroqServer, client: httpx.Client) -> None:
    daily = ("Rate limit reached for model `whisper-large-v3` in organization `org_x` service tier `on_demand` "
             "on seconds of audio per day (ASD): Limit 28800, Used 28800, Requested 30. Please try again in 2h13m.")
    server.inject(Fault.status(429, message=daily, retry_after=7980))
    server.inject(Fault.status(498))
    server.inject(Fault.status(429, retry_after_ms=250, type="tokens", code_str="rate_limit_exceeded"))
    server.inject(Fault.status(502))
    first = client.get("/models")
    assert first.status_code == 429 and first.headers["retry-after"] == "7980"
    assert error_of(first)["message"] == daily and error_of(first)["code"] == "rate_limit_exceeded"
    second = client.get("/models")
    assert second.status_code == 498 and error_of(second)["code"] == "capacity_exceeded"
    third = client.get("/models")
    assert third.headers["retry-after-ms"] == "250" and "retry-after" not in third.headers
    assert error_of(third)["type"] == "tokens"
    fourth = client.get("/models")
    assert fourth.status_code == 502 and error_of(fourth)["message"] == "Bad Gateway"
    assert REQUEST_ID.match(fourth.headers["x-request-id"])


def test_drop_closes_without_an_answer(server: GroqServer, client: httpx.Client) -> None:
    server.inject(Fault.drop(), endpoint="speech")
    with pytest.raises(httpx.TransportError):
        client.post("/audio/speech", json=speech_body())
    assert client.post("/audio/speech", json=speech_body()).status_code == 200
    assert server.log.entries[0].status is None and server.log.entries[0].fault == "drop"


def test_truncate_sends_part_of_the_promised_body(server: GroqServer, client: httpx.Client) -> None:
    server.inject(Fault.truncate(), endpoint="speech")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/audio/speech", json=speech_body())
    whole = client.post("/audio/speech", json=speech_body())
    entry = server.log.entries[0]
    assert entry.fault == "truncate" and entry.bytes_out == len(whole.content) // 2


def test_slow_spreads_the_body_over_the_given_time(server: GroqServer, client: httpx.Client) -> None:
    quick = client.post("/audio/speech", json=speech_body()).content
    server.inject(Fault.slow(0.6), endpoint="speech")
    started = time.monotonic()
    with client.stream("POST", "/audio/speech", json=speech_body()) as response:
        pieces = list(response.iter_raw())  # the headers are here: the body is still arriving
    elapsed = time.monotonic() - started
    assert b"".join(pieces) == quick
    assert len(pieces) >= 2  # it came in pieces, 0.06 s apart
    assert elapsed >= 0.55  # and over the time asked for (a lower bound: the machine may be slower, never faster)


def test_fault_arguments_are_checked(server: GroqServer) -> None:
    with pytest.raises(ValueError):
        Fault.status(200)
    with pytest.raises(ValueError):
        server.inject(Fault.drop(), endpoint="chat")
    with pytest.raises(ValueError):
        server.inject(Fault.drop(), times=0)


# --------------------------------------------------------------------------------------- latency and log


def test_latency_is_added_to_every_request() -> None:
    with GroqServer(ServerOptions(latency=0.3, **SYNTHETIC)) as server, make_client(server) as http:  # type: ignore[arg-type]
        started = time.monotonic()
        assert http.get("/models").status_code == 200
        assert time.monotonic() - started >= 0.3


def test_request_log_figures(server: GroqServer, client: httpx.Client) -> None:
    clip = tone_wav(3.0)
    heard = client.post("/audio/transcriptions", files={"file": ("three.wav", clip)}, data=audio_form())
    spoken = client.post("/audio/speech", json=speech_body("Nineteen characters"))
    client.post("/audio/speech", json=speech_body(voice="alloy"))
    assert server.log.count() == 3 and server.log.count("speech") == 2 and server.log.count("transcriptions") == 1
    transcription = server.log.entries[0]
    assert transcription.audio_seconds == 10.0 and transcription.audio_duration == pytest.approx(3.0)
    assert transcription.model == "whisper-large-v3" and transcription.status == 200
    assert transcription.bytes_in > len(clip) and transcription.bytes_out == len(heard.content)
    assert server.log.audio_seconds_billed == 10.0
    assert server.log.entries[1].chars == 19 and server.log.chars_billed == 19
    assert server.log.bytes_out == len(heard.content) + len(spoken.content) + server.log.entries[2].bytes_out
    assert server.log.entries[0].time <= server.log.entries[1].time
    server.log.reset()
    assert server.log.count() == 0 and server.log.bytes_in == 0


def test_log_keeps_the_sdk_retry_count(server: GroqServer, client: httpx.Client) -> None:
    client.get("/models", headers={"x-stainless-retry-count": "2"})
    assert server.log.entries[-1].retry_count == 2


# ------------------------------------------------------------------------------------------ real content


@pytest.mark.slow
def test_real_backends_speak_and_hear_the_same_words() -> None:
    pytest.importorskip("piper")
    pytest.importorskip("faster_whisper")
    options = ServerOptions(speech_backend="piper", transcription_backend="whisper")
    with GroqServer(options) as server, make_client(server, timeout=900) as http:  # a busy machine's engines
        spoken = http.post("/audio/speech", json=speech_body("The quick brown fox jumps over the lazy dog."))
        assert parse_wav(spoken.content).sample_rate == 24_000
        heard = http.post("/audio/transcriptions", files={"file": ("fox.wav", spoken.content)},
                          data=audio_form(response_format="text"))
    words = set(re.findall(r"[a-z]+", heard.text.lower()))
    assert {"quick", "brown", "fox", "lazy", "dog"} <= words


@pytest.mark.slow
def test_real_whisper_transcribes_the_jfk_clip() -> None:
    shared_data("audio", JFK.name)
    pytest.importorskip("faster_whisper")
    with GroqServer(ServerOptions(transcription_backend="whisper")) as server, \
            make_client(server, timeout=900) as http:  # a busy machine's Whisper is slow: wait, do not retry
        response = http.post("/audio/transcriptions", files={"file": (JFK.name, JFK.read_bytes())},
                             data=audio_form(response_format="verbose_json"))
        assert "ask not what your country can do for you" in response.json()["text"].lower()
        assert response.json()["duration"] == pytest.approx(11.0, abs=0.1)
        assert server.log.audio_seconds_billed == pytest.approx(11.0, abs=0.1)


# --------------------------------------------------------------------------------------------------- CLI


def test_cli_flags_become_server_options() -> None:
    args = build_parser().parse_args(["--port", "0", "--latency", "0.3", "--rpm", "20", "--rpm-window", "5",
                                      "--ash", "7200", "--tpm", "1200", "--speech", "synthetic",
                                      "--transcription", "synthetic", "--api-key", "gsk_cli"])
    options = options_from(args)
    assert (options.port, options.latency, options.requests_per_minute, options.requests_window) == (0, 0.3, 20, 5.0)
    assert (options.audio_seconds_per_hour, options.tokens_per_minute, options.api_key) == (7200, 1200, "gsk_cli")
    with GroqServer(options) as server, make_client(server) as http:
        assert http.get("/models").headers["x-ratelimit-limit-requests"] == "20"


# ------------------------------------------------------------------------------------- multipart and threads


def test_hand_written_multipart_with_a_quoted_filename(client: httpx.Client) -> None:
    clip = tone_wav(1.0)
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-large-v3\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"take \\\"one\\\"; final.wav\"\r\n"
            b"Content-Type: audio/wav\r\n\r\n" + clip + b"\r\n--XyZ--\r\n")
    response = client.post("/audio/transcriptions", content=body,
                           headers={"content-type": 'multipart/form-data; boundary="XyZ"'})
    assert response.status_code == 200, response.text
    cut = client.post("/audio/transcriptions", content=body[:-12],
                      headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert cut.status_code == 400 and "closing boundary" in error_of(cut)["message"]


def test_concurrent_requests_are_answered_in_parallel() -> None:
    with GroqServer(ServerOptions(latency=0.4, **SYNTHETIC)) as server:  # type: ignore[arg-type]
        async_client = httpx.AsyncClient(base_url=server.base_url + "/openai/v1",
                                         headers={"Authorization": f"Bearer {server.api_key}"})

        async def burst() -> list[int]:
            async with async_client:
                responses = await asyncio.gather(*(async_client.post("/audio/speech", json=speech_body(f"Line {i}."))
                                                   for i in range(8)))
            return [r.status_code for r in responses]

        assert asyncio.run(burst()) == [200] * 8
        spans = sorted((e.time, e.time + e.elapsed) for e in server.log.entries)
        assert len({e.request_id for e in server.log.entries}) == 8
        in_flight_together = max(sum(1 for start, end in spans if start <= t < end) for t, _ in spans)
        assert in_flight_together >= 4  # a serial server would never hold more than one
