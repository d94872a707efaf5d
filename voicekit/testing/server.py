"""`GroqServer`: a real HTTP server on 127.0.0.1 that speaks Groq's audio API, for tests, benchmarks and
offline work. It runs in a background thread; use it as a context manager.

```python
with GroqServer(ServerOptions(latency=0.3, requests_per_minute=20)) as server:
    client = groq.Groq(api_key=server.api_key, base_url=server.base_url)
    server.inject(Fault.status(503), times=2, endpoint="speech")
    ...
    assert server.log.count("speech") == 3
```
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from voicekit.testing.app import LoopbackApp, Request, Response, new_request_id
from voicekit.testing.batch_api import BatchService
from voicekit.testing.disconnect import Turns, connection_closed
from voicekit.testing.endpoints import Services
from voicekit.testing.faults import Fault, FaultProfile, FaultQueue
from voicekit.testing.files_api import FileStore
from voicekit.testing.limits import Limits, Storm
from voicekit.testing.options import ServerOptions
from voicekit.testing.requestlog import LogEntry, RequestLog
from voicekit.testing.speech import SpeechSource
from voicekit.testing.transcription import TranscriptionSource

logger = logging.getLogger(__name__)

BODY_SLACK = 1024 * 1024
"""Room for form fields and boundaries on top of `max_upload_bytes` before a body is discarded unread."""
READ_BLOCK = 64 * 1024
SLOW_PIECES = 10
LOG_PATH = "/_log"
"""`GET /_log`: the request log as a JSON list (no key needed: the server listens on loopback only)."""


def build_limits(options: ServerOptions) -> Limits:
    """The token buckets for the limits that are set in `options`."""
    rpm, tpm, ash = options.requests_per_minute, options.tokens_per_minute, options.audio_seconds_per_hour
    rpd = options.requests_per_day
    storm = Storm(options.storm_period, options.storm_length) if options.storm_period else None
    return Limits(requests=(rpm, options.requests_window) if rpm else None,
                  tokens=(tpm, options.tokens_window) if tpm else None,
                  audio_seconds=(ash, options.audio_window) if ash else None,
                  daily=(rpd, options.day_window) if rpd else None, storm=storm,
                  advertised_reset=options.advertised_reset)


class _HTTPServer(ThreadingHTTPServer):
    """The listening socket, carrying what the request handlers need."""

    daemon_threads = True
    groq: GroqServer


class GroqServer:
    """A loopback server that answers like `https://api.groq.com` (endpoints under `/openai/v1`)."""

    def __init__(self, options: ServerOptions | None = None) -> None:
        self.options = options or ServerOptions()
        self.log = RequestLog(self.options.log_file)
        self.faults = FaultQueue(profile=FaultProfile(dict(self.options.fault_rates), self.options.fault_seed)
                                 if self.options.fault_rates else None)
        self.limits = build_limits(self.options)
        self.turns = Turns()
        services = Services(self.options, self.limits, SpeechSource(self.options.speech_backend),
                            TranscriptionSource(self.options.transcription_backend, self.turns), self.turns)
        self.batches = BatchService(services, FileStore())
        self.app = LoopbackApp(services, self.faults, self.batches)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._working = 0
        self._idle = threading.Condition()

    @property
    def api_key(self) -> str:
        """The key the server accepts."""
        return self.options.api_key

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`: the host root, as `https://api.groq.com` is for the official SDK; with the
        OpenAI flavour `http://127.0.0.1:PORT/v1`, as `OPENAI_BASE_URL` is for the `openai` SDK."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: use it as a context manager or call start()")
        host, port = self._httpd.server_address[:2]
        suffix = "/v1" if self.options.flavour == "openai" else ""
        return f"http://{host!s}:{port}{suffix}"

    @property
    def speech_backend(self) -> str:
        """The speech backend in use: "piper" or "synthetic"."""
        return self.app.services.speech.backend

    @property
    def transcription_backend(self) -> str:
        """The transcription backend in use: "whisper" or "synthetic"."""
        return self.app.services.transcription.backend

    def inject(self, fault: Fault, *, times: int = 1, endpoint: str | None = None) -> None:
        """Spoil the next `times` requests to `endpoint` ("speech", "transcriptions", "translations", "models",
        or None for any) with `fault`. Faults are consumed in the order they were injected.
        """
        self.faults.add(fault, times=times, endpoint=endpoint)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Within the block, requests are read and checked but their speech or transcript waits (a busy server);
        a request whose client goes away meanwhile is skipped. For tests that need requests waiting their turn.
        """
        self.turns.open.clear()
        try:
            yield
        finally:
            self.turns.open.set()

    @property
    def transcripts_made(self) -> int:
        """Transcripts the backend has made (a request skipped because its client had gone made none)."""
        return self.app.services.transcription.runs

    def start(self) -> GroqServer:
        """Bind and serve in a background thread. Returns self."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.options.host, self.options.port), _Handler)
        httpd.groq = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="voicekit-groq-loopback", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket, and wait for the requests being worked on to be answered.

        No engine is left running in a handler thread after this returns (a thread still inside a native model
        when the interpreter exits can crash it); a request whose client has gone stops at its next check.
        """
        if self._httpd is None:
            return
        self.turns.open.set()  # held requests are answered, not waited for forever
        self._httpd.shutdown()
        self._httpd.server_close()
        self.batches.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._idle:
            self._idle.wait_for(lambda: self._working == 0)
        self._httpd, self._thread = None, None

    def work(self, request: Request) -> Response:
        """The app's answer to `request`, counted among the requests in progress until it is ready."""
        with self._idle:
            self._working += 1
        try:
            return self.app.respond(request)
        finally:
            with self._idle:
                self._working -= 1
                self._idle.notify_all()

    def __enter__(self) -> GroqServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the app for the answer, delivers it (as a fault may dictate) and logs it."""

    protocol_version = "HTTP/1.1"
    server_version = "voicekit-loopback"
    sys_version = ""
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("loopback %s - " + format, self.address_string(), *args)

    def _serve(self) -> None:
        """One request from arrival to log entry; the configured latency is added before answering."""
        groq = self.server.groq
        if self.command == "GET" and self.path.split("?")[0] == LOG_PATH:
            log = groq.log.to_json()
            self._deliver(Response(200, log, "application/json", {"content-type": "application/json",
                                                                  "content-length": str(len(log))}))
            return
        arrived, started = time.time(), time.monotonic()
        try:
            body, bytes_in = self._read_body(groq.options.max_upload_bytes + BODY_SLACK)
        except ValueError as exc:
            self.send_error(400, f"malformed request framing: {exc}")
            self.close_connection = True
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body, new_request_id(),
                          gone=lambda: connection_closed(self.connection))
        response = groq.work(request)
        if response.abandoned:
            groq.log.add(_entry(request, response, arrived, time.monotonic() - started, bytes_in))
            self.close_connection = True
            return
        if groq.options.latency:
            time.sleep(groq.options.latency)
        response.headers.update(self._standard_headers(response, request.request_id))
        groq.log.add(_entry(request, response, arrived, time.monotonic() - started, bytes_in))
        self._deliver(response)

    def _standard_headers(self, response: Response, request_id: str) -> dict[str, str]:
        """Content type and length, `x-request-id`, `x-groq-region` and the `x-ratelimit-*` family."""
        headers = {"content-type": response.content_type, "content-length": str(len(response.body)),
                   "x-request-id": request_id, "x-groq-region": "loopback"}
        headers.update(self.server.groq.limits.headers(response.endpoint))
        return headers

    def _read_body(self, cap: int) -> tuple[bytes | None, int]:
        """The request body and its size; the body is None (read and thrown away) when it is over `cap` bytes."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked(cap)
        length = int(self.headers.get("content-length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length <= cap:
            return self.rfile.read(length), length
        remaining = length
        while remaining > 0:
            block = self.rfile.read(min(READ_BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
        return None, length

    def _read_chunked(self, cap: int) -> tuple[bytes | None, int]:
        """A `Transfer-Encoding: chunked` body, kept only while it stays within `cap` bytes."""
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                break
            data = self.rfile.read(size)
            self.rfile.readline(1024)
            total += len(data)
            if total <= cap:
                chunks.append(data)
        return (b"".join(chunks) if total <= cap else None), total

    def _deliver(self, response: Response) -> None:
        """Write the answer; a drop sends nothing, a truncation half the body, slow trickles it out."""
        fault = response.fault
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self._write_body(response.body, fault)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("loopback client went away before the answer was sent")
            self.close_connection = True

    def _write_body(self, body: bytes, fault: Fault | None) -> None:
        """The body bytes, spoiled as `fault` says."""
        if fault is not None and (fault.kind == "truncate" or fault.body == "truncated"):
            part = body[: len(body) // 2]
            self.wfile.write(part)
            self.wfile.flush()
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            step = -(-len(body) // SLOW_PIECES) or 1
            for start in range(0, max(len(body), 1), step):
                time.sleep(fault.seconds / SLOW_PIECES)
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
            return
        self.wfile.write(body)


def _entry(request: Request, response: Response, arrived: float, elapsed: float, bytes_in: int) -> LogEntry:
    """The log record of one request, made just before its answer goes out (so a client that has its answer
    always finds it in the log); `bytes_out` is what the delivery will send, as a fault shapes it.
    """
    reply = response.reply
    kind = response.fault.kind if response.fault else None
    cut = kind == "truncate" or (response.fault is not None and response.fault.body == "truncated")
    bytes_out = (None if kind == "drop" or response.abandoned else len(response.body) // 2 if cut
                 else len(response.body))
    retry = request.headers.get("x-stainless-retry-count", "")
    return LogEntry(
        endpoint=response.endpoint, method=request.method, path=request.path,
        status=None if bytes_out is None else response.status, time=arrived, elapsed=elapsed,
        request_id=request.request_id, model=reply.model if reply else None, chars=reply.chars if reply else 0,
        audio_seconds=reply.audio_seconds if reply else 0.0,
        audio_duration=reply.audio_duration if reply else 0.0, bytes_in=bytes_in, bytes_out=bytes_out or 0,
        fault=response.fault.kind if response.fault else None,
        retry_count=int(retry) if retry.isdigit() else None, abandoned=response.abandoned)
