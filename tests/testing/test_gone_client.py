"""A client that has gone: the loopback server skips the work it asked for, so a retry never queues behind it.

Every test counts: which requests the log shows abandoned, how many transcripts the backend made, in what order
the requests were logged. `server.held()` keeps requests waiting for their turn (a busy server) while a client
sends its request and closes the connection, as an HTTP client does when it times out.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile
from shared_data import shared_data

from voicekit.testing import GroqServer, ServerOptions

SYNTHETIC = ServerOptions(speech_backend="synthetic", transcription_backend="synthetic")
ENGLISH = "canopylabs/orpheus-v1-english"


def tone_wav(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format="WAV")
    return buffer.getvalue()


def request_kwargs(endpoint: str, upload: bytes | None = None) -> dict[str, Any]:
    """The body of one speech or transcription request (of `upload`, or a 3 s tone), as httpx's keywords."""
    if endpoint == "speech":
        return {"json": {"model": ENGLISH, "voice": "troy", "input": "Anyone there?", "response_format": "wav"}}
    return {"files": {"file": ("clip.wav", upload or tone_wav(3.0))}, "data": {"model": "whisper-large-v3"}}


def send_and_leave(server: GroqServer, endpoint: str, upload: bytes | None = None) -> None:
    """Send one whole request on a connection of its own, then close it without reading the answer."""
    request = httpx.Request("POST", f"{server.base_url}/openai/v1/audio/{endpoint}",
                            headers={"Authorization": f"Bearer {server.api_key}"},
                            **request_kwargs(endpoint, upload))
    body = request.read()
    head = f"POST {request.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in request.headers.items()) + "\r\n"
    host, port = request.url.host, request.url.port or 80
    with socket.create_connection((host, port)) as connection:
        connection.sendall(head.encode() + body)


def post(server: GroqServer, endpoint: str, upload: bytes | None = None) -> int:
    """One request through a real HTTP client, waiting for its answer: the status."""
    with httpx.Client(base_url=server.base_url + "/openai/v1", timeout=None,
                      headers={"Authorization": f"Bearer {server.api_key}"}) as http:
        return http.post(f"/audio/{endpoint}", **request_kwargs(endpoint, upload)).status_code


def wait_until(condition: Callable[[], bool], within: float = 60.0) -> bool:
    """Poll `condition` until it holds (a bound on waiting, not on how fast the server is)."""
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def in_background(server: GroqServer, endpoint: str,
                  upload: bytes | None = None) -> tuple[threading.Thread, list[int]]:
    """`post` in a thread of its own, its status appended to the list once answered."""
    statuses: list[int] = []
    thread = threading.Thread(target=lambda: statuses.append(post(server, endpoint, upload)))
    thread.start()
    return thread, statuses


@pytest.mark.parametrize("endpoint", ["transcriptions", "speech"])
def test_a_request_whose_client_has_gone_is_skipped_and_the_retry_is_answered(endpoint: str) -> None:
    with GroqServer(SYNTHETIC) as server:
        with server.held():
            retry, statuses = in_background(server, endpoint)  # waits its turn like the abandoned one
            send_and_leave(server, endpoint)
            assert wait_until(lambda: server.log.abandoned == 1)
            assert server.log.count() == 1  # the retry is still waiting: nothing was answered yet
        retry.join()
        entries = server.log.entries
    assert statuses == [200]
    assert [(e.endpoint, e.status, e.abandoned) for e in entries] == [(endpoint, None, True), (endpoint, 200, False)]
    assert entries[0].bytes_out == 0
    if endpoint == "transcriptions":
        assert server.transcripts_made == 1  # the retry's: the abandoned request made none
        assert server.log.audio_seconds_billed == pytest.approx(10.0)  # one 3 s clip, billed the 10 s minimum


def test_a_client_that_stays_is_answered_while_the_server_is_held_and_released() -> None:
    with GroqServer(SYNTHETIC) as server:
        with server.held():
            first, statuses = in_background(server, "transcriptions")
            assert not wait_until(lambda: server.log.count() > 0, within=0.3)  # held: not answered
        first.join()
    assert statuses == [200] and server.log.abandoned == 0 and server.transcripts_made == 1


@pytest.mark.slow
def test_whisper_runs_only_for_clients_that_are_still_there() -> None:
    """The real engine takes one request at a time: abandoned requests waiting for it are never run, and the
    requests of clients still there are all answered."""
    pytest.importorskip("faster_whisper")
    speech = shared_data("audio", "en_jfk_16k_mono.wav").read_bytes()  # a tone would send Whisper into fallbacks
    with GroqServer(ServerOptions(transcription_backend="whisper", speech_backend="synthetic")) as server:
        with server.held():
            first, first_status = in_background(server, "transcriptions", speech)
            for _ in range(3):
                send_and_leave(server, "transcriptions", speech)
            assert wait_until(lambda: server.log.abandoned == 3)
        retry, retry_status = in_background(server, "transcriptions", speech)
        first.join()
        retry.join()
    assert first_status == retry_status == [200]
    assert server.transcripts_made == 2
    assert [e.status for e in server.log.entries[:3]] == [None, None, None]
