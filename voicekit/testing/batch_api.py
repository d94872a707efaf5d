"""Groq's Batches API on the loopback server: create, retrieve, list, cancel, and a worker that runs each batch.

A batch moves `validating` -> `in_progress` -> `finalizing` -> `completed`; an input file that fails validation
makes it `failed` (with `errors`); lines past the server's capacity make it `expired` with partial results; a
cancel makes it `cancelling` then `cancelled`. Results follow `reference/groq-api.md` section 6.6: an output file
with one line per successful request and an error file with the failed, expired and cancelled ones, each line
`{"id": "batch_req_...", "custom_id", "response": {"status_code", "request_id", "body"} | null, "error"}`,
in no particular order.

Each audio line's `body.url` is fetched by the server itself (loopback addresses only: the object store of a test
or a benchmark) and transcribed with the server's transcription backend, exactly as the synchronous endpoint does.
Batches have their own limits: they never count against the synchronous rate limits.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import parse_qs, urlsplit

import httpx

from voicekit.testing import contract as c
from voicekit.testing.contract import ApiFailure
from voicekit.testing.endpoints import Reply, Services, json_reply
from voicekit.testing.files_api import FileStore, new_id
from voicekit.testing.multipart import Part
from voicekit.testing.transcribe_endpoint import AudioRequest, _decode, _model, _options, _shape
from voicekit.testing.transcription import prepare_for_model

logger = logging.getLogger(__name__)

MAX_LINES = 50_000
"""The batch guide's limit on requests in one input file."""
LINE_URLS = {"/v1/audio/transcriptions": "transcribe", "/v1/audio/translations": "translate",
             "/v1/chat/completions": "chat"}
BATCH_ENDPOINTS = tuple(LINE_URLS)
TERMINAL = frozenset({"failed", "completed", "expired", "cancelled"})
MULTI_GET_MAX = 200
PAGE_SIZE = 20
_WINDOW = re.compile(r"^(\d+)([hd])$")
FETCH_TIMEOUT = 30.0


def _now() -> int:
    return int(time.time())


@dataclass
class Batch:
    """One batch and everything the API reports about it."""

    id: str
    endpoint: str
    input_file_id: str
    completion_window: str
    metadata: dict[str, object] | None
    created_at: int
    expires_at: int
    status: str = "validating"
    times: dict[str, int] = field(default_factory=dict)
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: list[dict[str, object]] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    cancel_requested: bool = False
    billed_seconds: float = 0.0
    """Audio seconds billed for the completed lines (the server's record; not part of the API's answer)."""

    def card(self) -> dict[str, object]:
        """The batch object as the API returns it."""
        stamps = ("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at",
                  "cancelled_at")
        card: dict[str, object] = {
            "id": self.id, "object": "batch", "endpoint": self.endpoint, "input_file_id": self.input_file_id,
            "completion_window": self.completion_window, "status": self.status,
            "output_file_id": self.output_file_id, "error_file_id": self.error_file_id,
            "errors": None if self.errors is None else {"object": "list", "data": self.errors},
            "created_at": self.created_at, "expires_at": self.expires_at,
            "request_counts": {"total": self.total, "completed": self.completed, "failed": self.failed},
            "metadata": self.metadata,
        }
        card.update({name: self.times.get(name) for name in stamps})
        return card


@dataclass(frozen=True)
class Line:
    """One request of an input file (line numbers from 1)."""

    number: int
    custom_id: str
    url: str
    body: dict[str, object]


def window_seconds(value: object) -> int:
    """`24h` .. `7d` in seconds; 400 for anything else."""
    match = _WINDOW.match(value) if isinstance(value, str) else None
    seconds = int(match.group(1)) * (3600 if match.group(2) == "h" else 86400) if match else 0
    if not 86400 <= seconds <= 7 * 86400:
        raise c.bad_request("completion_window must be a duration between 24h and 7d, such as 24h or 7d")
    return seconds


def _problem(line: int, code: str, message: str, param: str | None = None) -> dict[str, object]:
    return {"code": code, "line": line, "message": message, "param": param}


def _parse_line(number: int, text: str, seen: set[str]) -> tuple[Line | None, dict[str, object] | None]:
    """One input line as a `Line`, or the validation problem that fails the batch."""
    try:
        item = json.loads(text)
    except json.JSONDecodeError:
        return None, _problem(number, "invalid_json", "Line is not valid JSON.")
    if not isinstance(item, dict):
        return None, _problem(number, "invalid_json", "Line must be a JSON object.")
    custom_id, method, url, body = item.get("custom_id"), item.get("method"), item.get("url"), item.get("body")
    if not isinstance(custom_id, str) or not custom_id:
        return None, _problem(number, "missing_required_parameter", "custom_id is required.", "custom_id")
    if custom_id in seen:
        return None, _problem(number, "duplicate_custom_id", f"The custom_id '{custom_id}' is used more than once "
                              "in this file; custom_id values must be unique.", "custom_id")
    if method != "POST":
        return None, _problem(number, "invalid_method", "method must be POST.", "method")
    if url not in LINE_URLS:
        return None, _problem(number, "invalid_url", f"url must be one of {', '.join(LINE_URLS)}.", "url")
    if not isinstance(body, dict):
        return None, _problem(number, "invalid_body", "body must be a JSON object.", "body")
    seen.add(custom_id)
    return Line(number, custom_id, url, body), None


def parse_input(data: bytes) -> tuple[list[Line], list[dict[str, object]]]:
    """The requests of an input file, and the problems that fail it (empty when it is valid)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], [_problem(1, "invalid_encoding", "The input file must be UTF-8 JSONL.")]
    lines: list[Line] = []
    problems: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        line, problem = _parse_line(number, raw, seen)
        if problem is not None:
            problems.append(problem)
        elif line is not None:
            lines.append(line)
    if not lines and not problems:
        problems.append(_problem(1, "empty_file", "The input file has no requests."))
    if len(lines) > MAX_LINES:
        problems.append(_problem(MAX_LINES + 1, "too_many_requests",
                                 f"A batch may hold at most {MAX_LINES} requests."))
    return lines, problems


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs whose host is a loopback address or `localhost`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _fields(body: dict[str, object]) -> dict[str, list[Part]]:
    """A JSON request body as the form fields the synchronous endpoint reads (arrays become repeated fields)."""
    fields: dict[str, list[Part]] = {}
    for name, value in body.items():
        values = value if isinstance(value, list) else [value]
        fields[name] = [Part(name, None, None, (v if isinstance(v, str) else json.dumps(v)).encode())
                        for v in values]
    return fields


class BatchService:
    """The Batches API: its batches by id and one worker thread per running batch."""

    def __init__(self, services: Services, files: FileStore) -> None:
        self.services = services
        self.files = files
        self.batches: dict[str, Batch] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._http = httpx.Client(timeout=FETCH_TIMEOUT, trust_env=False)

    def close(self) -> None:
        """Stop the workers (a running batch stays where it was) and release the HTTP client."""
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=5)
        self._http.close()

    def create(self, body: bytes) -> Reply:
        """`POST /batches`: check the request and the input file's existence, then start the batch."""
        payload = c.json_object(body)
        endpoint = payload.get("endpoint")
        if endpoint not in BATCH_ENDPOINTS:
            raise c.bad_request(c.one_of("endpoint", BATCH_ENDPOINTS))
        seconds = window_seconds(payload.get("completion_window"))
        input_id = payload.get("input_file_id")
        if not isinstance(input_id, str):
            raise c.bad_request("`input_file_id` is required")
        if self.files.get(input_id).purpose != "batch":
            raise c.bad_request("the input file must have purpose `batch`")
        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise c.bad_request("metadata must be an object or null")
        now = _now()
        batch = Batch(new_id("batch_"), endpoint, input_id, str(payload["completion_window"]), metadata, now,
                      now + seconds)
        with self._lock:
            self.batches[batch.id] = batch
        worker = threading.Thread(target=self._run, args=(batch,), name=f"loopback-{batch.id}", daemon=True)
        self._workers.append(worker)
        worker.start()
        return json_reply(batch.card())

    def get(self, batch_id: str) -> Batch:
        with self._lock:
            batch = self.batches.get(batch_id)
        if batch is None:
            raise ApiFailure(404, f"No batch found with id '{batch_id}'", code="not_found")
        return batch

    def cancel(self, batch_id: str) -> Reply:
        """`POST /batches/{id}/cancel`: a running batch becomes `cancelling`; a finished one cannot be."""
        batch = self.get(batch_id)
        with self._lock:
            if batch.status in TERMINAL or batch.status == "finalizing":
                raise c.bad_request(f"Cannot cancel a batch with status '{batch.status}'.")
            batch.cancel_requested = True
            batch.status = "cancelling"
            batch.times["cancelling_at"] = _now()
            return json_reply(batch.card())

    def listing(self, query: str) -> Reply:
        """`GET /batches`: newest first, `?cursor=` pages of 20 with `paging.next_cursor`, or `?id=` multi-get."""
        params = parse_qs(query)
        if "id" in params:
            ids = params["id"]
            if len(ids) > MULTI_GET_MAX:
                raise c.bad_request(f"at most {MULTI_GET_MAX} ids may be requested at once")
            return json_reply({"object": "list", "data": [self.get(i).card() for i in ids]})
        with self._lock:
            ordered = sorted(self.batches.values(), key=lambda b: (b.created_at, b.id), reverse=True)
        cursor = params.get("cursor", [None])[0]
        start = next((i + 1 for i, b in enumerate(ordered) if b.id == cursor), 0) if cursor else 0
        page = ordered[start:start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(ordered)
        return json_reply({"object": "list", "data": [b.card() for b in page],
                           "paging": {"next_cursor": page[-1].id if more and page else None}})

    # ------------------------------------------------------------------------------------------- the worker

    def _set(self, batch: Batch, status: str) -> None:
        with self._lock:
            batch.status = status
            batch.times[f"{status}_at"] = _now()

    def _pause(self, seconds: float) -> bool:
        """Wait `seconds`; False when the server is stopping."""
        return not self._stop.wait(seconds) if seconds > 0 else not self._stop.is_set()

    def _run(self, batch: Batch) -> None:
        """Validate, then run each line in turn, then write the result files."""
        options = self.services.options
        try:
            lines, problems = parse_input(self.files.get(batch.input_file_id).data)
        except ApiFailure:
            lines, problems = [], [_problem(1, "file_not_found", "The input file no longer exists.")]
        if not self._pause(options.batch_completion_seconds * 0.1):
            return
        if problems:
            with self._lock:
                batch.errors = problems
            self._set(batch, "failed")
            return
        with self._lock:
            batch.total = len(lines)
            if not batch.cancel_requested:
                batch.status, batch.times["in_progress_at"] = "in_progress", _now()
        outputs, failures = self._work(batch, lines)
        if outputs is None:
            return
        self._finish(batch, outputs, failures)

    def _work(self, batch: Batch, lines: list[Line]) -> tuple[list[str] | None, list[str]]:
        """Run the lines: each takes an equal share of the completion time; lines past the server's capacity
        expire, and a cancel leaves the rest cancelled. None when the server is stopping."""
        options = self.services.options
        step = options.batch_completion_seconds * 0.8 / max(1, len(lines))
        capacity = options.batch_capacity_lines
        outputs: list[str] = []
        failures: list[str] = []
        for index, line in enumerate(lines):
            if batch.cancel_requested:
                failures += [_unrun(rest, "batch_cancelled", "This request was not run: the batch was cancelled.")
                             for rest in lines[index:]]
                break
            if capacity is not None and index >= capacity:
                failures += [_unrun(rest, "batch_expired", "This request could not be executed before the "
                                    "completion window expired.") for rest in lines[index:]]
                break
            if not self._pause(step):
                return None, failures
            record, ok = self._line_result(batch, line)
            (outputs if ok else failures).append(record)
            with self._lock:
                batch.completed += int(ok)
                batch.failed += int(not ok)
        return outputs, failures

    def _finish(self, batch: Batch, outputs: list[str], failures: list[str]) -> None:
        """Write the output and error files and take the batch to its final status."""
        expired = any('"batch_expired"' in record for record in failures)
        if not batch.cancel_requested and not expired:
            self._set(batch, "finalizing")
            if not self._pause(self.services.options.batch_completion_seconds * 0.1):
                return
        output = self.files.add(f"{batch.id}_output.jsonl", "batch_output",
                                "".join(r + "\n" for r in outputs).encode()) if outputs else None
        error = self.files.add(f"{batch.id}_error.jsonl", "batch_output",
                               "".join(r + "\n" for r in failures).encode()) if failures else None
        with self._lock:
            batch.output_file_id = output.id if output else None
            batch.error_file_id = error.id if error else None
        self._set(batch, "cancelled" if batch.cancel_requested else "expired" if expired else "completed")

    def _line_result(self, batch: Batch, line: Line) -> tuple[str, bool]:
        """One result line and whether the request succeeded."""
        request_id = "req_" + new_id("")
        rate = self.services.options.batch_failure_rate
        try:
            if rate and random.Random(f"{line.custom_id}").random() < rate:
                raise c.server_error(500)
            reply = self._execute(batch, line, request_id)
        except ApiFailure as failure:
            response = {"status_code": failure.status, "request_id": request_id,
                        "body": json.loads(failure.body())}
            return _record(line, response, None), False
        except Exception:
            logger.exception("loopback batch line %s failed", line.custom_id)
            crash = c.server_error(500)
            response = {"status_code": 500, "request_id": request_id, "body": json.loads(crash.body())}
            return _record(line, response, None), False
        body = json.loads(reply.body) if reply.content_type.startswith("application/json") else reply.body.decode()
        return _record(line, {"status_code": reply.status, "request_id": request_id, "body": body}, None), True

    def _execute(self, batch: Batch, line: Line, request_id: str) -> Reply:
        """Run one audio line as the synchronous endpoint would, with the audio fetched from `body.url`."""
        task = LINE_URLS[line.url]
        if task == "chat":
            raise c.bad_request("chat completions are not served by this loopback server")
        fields = _fields(line.body)
        model = _model(fields, task)
        if "file" in fields:
            raise c.bad_request("`file` is not supported in batch requests: pass the audio by `url`")
        url = line.body.get("url")
        if not isinstance(url, str) or not url:
            raise c.bad_request("`url` is required in batch audio requests")
        response_format, granularities, language, prompt, temperature = _options(fields)
        data = self._fetch(url)
        request = AudioRequest(task, model, data, response_format, granularities, language, prompt, temperature)
        audio = _decode(data)
        billed = max(audio.duration, self.services.options.min_billed_seconds)
        transcript = self.services.transcription.transcribe(prepare_for_model(audio), prompt=prompt)
        reply = _shape(transcript, request, audio.duration, request_id)
        with self._lock:
            batch.billed_seconds += billed
        return reply

    def _fetch(self, url: str) -> bytes:
        """The audio at `url`: loopback addresses only; an unreachable or refused URL fails the line (400)."""
        if not is_loopback_url(url):
            raise c.bad_request("this loopback server fetches audio only from loopback URLs (127.0.0.1)")
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            raise c.bad_request(f"failed to retrieve audio from url: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise c.bad_request(f"failed to retrieve audio from url: HTTP {response.status_code}")
        if len(response.content) > self.services.options.max_upload_bytes * 4:
            raise c.upload_too_large()
        return response.content


def _unrun(line: Line, code: str, message: str) -> str:
    return _record(line, None, {"code": code, "message": message})


def _record(line: Line, response: dict[str, object] | None, error: dict[str, object] | None) -> str:
    return json.dumps({"id": new_id("batch_req_"), "custom_id": line.custom_id, "response": response,
                       "error": error}, ensure_ascii=False)


def batches_endpoint(service: BatchService, method: str, rest: str, query: str, body: bytes) -> Reply:
    """Route `rest` (the path after `/batches`) to create, list, retrieve or cancel."""
    if rest == "" and method == "POST":
        return service.create(body)
    if rest == "" and method == "GET":
        return service.listing(query)
    batch_id, _, tail = rest.lstrip("/").partition("/")
    if method == "GET" and tail == "":
        return json_reply(service.get(batch_id).card())
    if method == "POST" and tail == "cancel":
        return service.cancel(batch_id)
    raise c.unknown_url(method, c.API_PREFIX + "/batches" + rest)
