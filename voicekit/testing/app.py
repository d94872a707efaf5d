"""The API behind the socket: authentication, routing, injected faults and the endpoints, as plain functions
of a `Request` that give a `Response`. `server.py` does the HTTP around it.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

from voicekit.testing import contract as c
from voicekit.testing import openai_flavour
from voicekit.testing.batch_api import BatchService, batches_endpoint
from voicekit.testing.contract import ApiFailure
from voicekit.testing.disconnect import ClientGone, Gone, never_gone
from voicekit.testing.endpoints import Reply, Services, list_models, retrieve_model, speech
from voicekit.testing.faults import Fault, FaultQueue
from voicekit.testing.files_api import files_endpoint
from voicekit.testing.limits import REQUESTS, rate_limited
from voicekit.testing.transcribe_endpoint import transcribe

logger = logging.getLogger(__name__)

_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
DEFAULT_MODELS = {"speech": "canopylabs/orpheus-v1-english", "transcriptions": "whisper-large-v3",
                  "translations": "whisper-large-v3", "models": "whisper-large-v3"}


def new_request_id() -> str:
    """`req_` and 26 lowercase Crockford base-32 characters, the shape of Groq's request ids."""
    return "req_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


@dataclass(frozen=True)
class Request:
    """One HTTP request as read from the socket. `body` is None when it was too large to keep."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes | None
    request_id: str
    gone: Gone = never_gone
    """Whether the client has closed its connection (the server's handler asks its socket)."""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass
class Response:
    """What to send back, what it cost, and how (if at all) a fault spoils its delivery."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    endpoint: str | None = None
    reply: Reply | None = None
    fault: Fault | None = None
    abandoned: bool = False
    """The client had gone before the work's turn: nothing was made and nothing is sent."""


def route(method: str, path: str) -> tuple[str | None, str | None]:
    """The endpoint name for a method and path, and the model id of `GET /models/{id}`; (None, None) if unknown."""
    posts = {"/audio/speech": "speech", "/audio/transcriptions": "transcriptions",
             "/audio/translations": "translations"}
    if not path.startswith(c.API_PREFIX + "/"):
        return None, None
    rest = path[len(c.API_PREFIX):]
    if method == "POST" and rest in posts:
        return posts[rest], None
    for name in ("files", "batches"):
        if rest == f"/{name}" or rest.startswith(f"/{name}/"):
            return name, None
    if method == "GET" and rest == "/models":
        return "models", None
    if method == "GET" and rest.startswith("/models/") and len(rest) > len("/models/"):
        return "models", unquote(rest[len("/models/"):])
    return None, None


def status_fault_failure(fault: Fault, endpoint: str) -> ApiFailure:
    """The envelope and headers of an injected status, defaulting to what Groq sends for that status."""
    code = fault.status_code or 500
    failure = _default_failure(code, DEFAULT_MODELS.get(endpoint, "whisper-large-v3"), fault.retry_after)
    failure.message = fault.message or failure.message
    failure.code = fault.code or failure.code
    failure.type = fault.error_type or failure.type
    failure.headers = {}
    if fault.retry_after is not None:
        failure.headers["retry-after"] = f"{fault.retry_after:g}"
    if fault.retry_after_ms is not None:
        failure.headers["retry-after-ms"] = f"{fault.retry_after_ms:g}"
    return failure


def _default_failure(code: int, model: str, retry_after: float | None) -> ApiFailure:
    """Groq's usual body for a status: a RPM 429, flex's 498 capacity_exceeded, 401, 5xx, or the phrase."""
    if code == 429:
        return rate_limited(REQUESTS, model, 10, 10, 1, retry_after or 1.0)
    if code == 498:
        return ApiFailure(498, "Flex tier capacity exceeded. This is a temporary condition; please try again "
                          "later.", type="capacity_exceeded", code="capacity_exceeded")
    if code == 401:
        return c.invalid_api_key()
    if code >= 500:
        return c.server_error(code) if code in HTTPStatus._value2member_map_ else ApiFailure(
            code, "Server Error", type="internal_server_error")
    phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Request Error"
    return ApiFailure(code, phrase)


def echo_response(request: Request, endpoint: str, fault: Fault) -> Response:
    """Every request header written back into a body of the kind `fault.body` names (see `Fault.echo`)."""
    echoed = "; ".join(f"{name}: {value}" for name, value in request.headers.items())
    if fault.body == "json_error":
        body = json.dumps({"error": {"message": f"upstream rejected: {echoed}", "type": "internal_server_error",
                                     "code": echoed}}).encode()
        return Response(500, body, "application/json", {"x-echo": echoed[:200]}, endpoint, None, fault)
    if fault.body == "html":
        body = f"<html><body><h1>502 Bad Gateway</h1><pre>{echoed}</pre></body></html>".encode()
        return Response(502, body, "text/html", {}, endpoint, None, fault)
    if fault.body == "text":
        return Response(200, f"proxy says: {echoed}".encode(), "text/plain", {}, endpoint, None, fault)
    body = json.dumps({"text": echoed, "segments": [], "words": [], "echo": echoed}).encode()
    return Response(200, body, "application/json", {}, endpoint, None, fault)


class LoopbackApp:
    """Answers requests as Groq's audio API does, consulting the injected faults first."""

    def __init__(self, services: Services, faults: FaultQueue, batches: BatchService | None = None) -> None:
        self.services = services
        self.faults = faults
        self.batches = batches

    def respond(self, request: Request) -> Response:
        """Authenticate, route, apply any injected fault, then run the endpoint; every refusal is an envelope.

        A status fault answers in the endpoint's place; a dropped request is not worked on (status 0), nor is the
        request of a client that has gone (status 0, `abandoned`).
        """
        endpoint: str | None = None
        fault: Fault | None = None
        try:
            self._authenticate(request)
            endpoint, model_id = self._route(request.method, request.path)
            if endpoint is None:
                raise c.unknown_url(request.method, request.path)
            fault = self.faults.take(endpoint)
            if fault is not None and fault.kind == "status":
                raise status_fault_failure(fault, endpoint)
            if fault is not None and fault.kind == "drop":
                return Response(0, b"", "", {}, endpoint, None, fault)
            if fault is not None and fault.kind == "echo":
                return echo_response(request, endpoint, fault)
            self._check_storm(endpoint)
            reply = self._run(endpoint, model_id, request)
            return Response(reply.status, reply.body, reply.content_type, dict(reply.headers), endpoint, reply, fault)
        except ClientGone:
            return Response(0, b"", "", {}, endpoint, None, fault, abandoned=True)
        except ApiFailure as failure:
            return Response(failure.status, failure.body(), "application/json", dict(failure.headers), endpoint,
                            None, fault)

    def _route(self, method: str, path: str) -> tuple[str | None, str | None]:
        openai = self.services.options.flavour == "openai"
        return openai_flavour.route(method, path) if openai else route(method, path)
    def _check_storm(self, endpoint: str) -> None:
        """A 429 storm refuses every audio request while it lasts."""
        storm = self.services.limits.storm
        if storm is not None and endpoint in ("speech", "transcriptions", "translations"):
            storm.check(DEFAULT_MODELS[endpoint])

    def _authenticate(self, request: Request) -> None:
        """401 invalid_api_key unless `Authorization: Bearer <the key>`."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        expected = self.services.options.api_key
        if scheme.lower() != "bearer" or not hmac.compare_digest(key.strip().encode(), expected.encode()):
            raise c.invalid_api_key()

    def _run(self, endpoint: str, model_id: str | None, request: Request) -> Reply:
        """Call the endpoint; an oversized body is 413 and an engine crash is a 500 envelope."""
        if request.body is None:
            raise c.upload_too_large()
        try:
            return self._dispatch(endpoint, model_id, request, request.body)
        except (ApiFailure, ClientGone):
            raise
        except Exception as exc:
            logger.exception("loopback %s request %s failed", endpoint, request.request_id)
            raise c.server_error(500) from exc

    def _dispatch(self, endpoint: str, model_id: str | None, request: Request, body: bytes) -> Reply:
        """The endpoint function for a routed request."""
        if self.services.options.flavour == "openai":
            return self._dispatch_openai(endpoint, model_id, request, body)
        if endpoint == "models":
            return list_models() if model_id is None else retrieve_model(model_id)
        if endpoint == "speech":
            return speech(body, self.services, request.gone)
        if endpoint in ("files", "batches") and self.batches is not None:
            rest = request.path[len(f"{c.API_PREFIX}/{endpoint}"):]
            if endpoint == "files":
                return files_endpoint(self.batches.files, request.method, rest, body,
                                      request.headers.get("content-type", ""))
            return batches_endpoint(self.batches, request.method, rest, urlsplit(request.target).query, body)
        task = "translate" if endpoint == "translations" else "transcribe"
        return transcribe(body, request.headers.get("content-type", ""), self.services, task=task,
                          request_id=request.request_id, gone=request.gone)

    def _dispatch_openai(self, endpoint: str, model_id: str | None, request: Request, body: bytes) -> Reply:
        """The OpenAI flavour's endpoint function for a routed request."""
        if endpoint == "models":
            return openai_flavour.models(model_id)
        if endpoint == "speech":
            return openai_flavour.speech(body, self.services)
        task = "translate" if endpoint == "translations" else "transcribe"
        return openai_flavour.transcribe(body, request.headers.get("content-type", ""), self.services, task=task)
