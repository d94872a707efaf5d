"""Groq's Files and Batches APIs (`reference/groq-api.md` section 6) over an `AsyncGroqClient`'s connection.

Every call goes through the client's `_send`: the same retries and backoff, the same error mapping (a 404 is
`NotFoundError`, ...) and the same key redaction as the audio calls. Batch calls cost no audio seconds against the
synchronous limits.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from voicekit import errors
from voicekit.engines.groq import AsyncGroqClient

BatchStatus = Literal["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling",
                      "cancelled"]
TERMINAL_STATUSES = frozenset({"failed", "completed", "expired", "cancelled"})
_CALL = {"requests": 1.0}
M = TypeVar("M", bound=BaseModel)


class FileInfo(BaseModel):
    """A file object: `{"id", "object": "file", "bytes", "created_at", "filename", "purpose"}`."""

    model_config = ConfigDict(extra="allow")

    id: str
    bytes: int | None = None
    created_at: int | None = None
    filename: str | None = None
    purpose: str | None = None


class RequestCounts(BaseModel):
    total: int = 0
    completed: int = 0
    failed: int = 0


class BatchInfo(BaseModel):
    """A batch object; `errors` is accepted both as `{"object": "list", "data": [...]}` and as a bare list."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: BatchStatus
    endpoint: str | None = None
    input_file_id: str | None = None
    completion_window: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: Any = None
    request_counts: RequestCounts | None = None
    metadata: dict[str, Any] | None = None
    created_at: int | None = None
    expires_at: int | None = None

    @property
    def finished(self) -> bool:
        """True once the batch will not change again (completed, failed, expired or cancelled)."""
        return self.status in TERMINAL_STATUSES

    def error_list(self) -> list[dict[str, Any]]:
        """The validation errors, whichever shape the API used."""
        found = self.errors.get("data") if isinstance(self.errors, dict) else self.errors
        return [item for item in found or [] if isinstance(item, dict)]


class BatchPage(BaseModel):
    model_config = ConfigDict(extra="allow")

    data: list[BatchInfo]
    paging: dict[str, Any] | None = None


class AsyncBatchClient:
    """Files and batches for one `AsyncGroqClient` (which it does not own: close that client yourself)."""

    def __init__(self, client: AsyncGroqClient) -> None:
        self.client = client

    async def upload_file(self, filename: str, data: bytes) -> FileInfo:
        """`POST /files` with `purpose=batch`."""
        response = await self.client._send("POST", "/files", "file upload", costs=_CALL, data={"purpose": "batch"},
                                           files={"file": (filename, data, "application/jsonl")})
        return _model(FileInfo, response)

    async def retrieve_file(self, file_id: str) -> FileInfo:
        return _model(FileInfo, await self.client._send("GET", f"/files/{file_id}", "file", costs=_CALL))

    async def list_files(self) -> list[FileInfo]:
        response = await self.client._send("GET", "/files", "file list", costs=_CALL)
        return [_validate(FileInfo, item) for item in _body(response).get("data", [])]

    async def file_content(self, file_id: str) -> bytes:
        """The bytes of a file (an output or error file is JSONL)."""
        response = await self.client._send("GET", f"/files/{file_id}/content", "file content", costs=_CALL,
                                           headers={"Accept": "application/octet-stream"})
        return response.content

    async def delete_file(self, file_id: str) -> bool:
        """Delete a file; False when it was already gone."""
        try:
            await self.client._send("DELETE", f"/files/{file_id}", "file delete", costs=_CALL)
        except errors.NotFoundError:
            return False
        return True

    async def create_batch(self, input_file_id: str, *, endpoint: str, completion_window: str,
                           metadata: dict[str, str] | None = None) -> BatchInfo:
        """`POST /batches`."""
        payload = {"input_file_id": input_file_id, "endpoint": endpoint, "completion_window": completion_window,
                   "metadata": metadata}
        return _model(BatchInfo, await self.client._send("POST", "/batches", "batch create", costs=_CALL,
                                                         json=payload))

    async def retrieve_batch(self, batch_id: str) -> BatchInfo:
        return _model(BatchInfo, await self.client._send("GET", f"/batches/{batch_id}", "batch", costs=_CALL))

    async def list_batches(self, *, cursor: str | None = None, ids: list[str] | None = None) -> BatchPage:
        """One page of batches (`cursor` from `paging.next_cursor`), or the batches with these ids (at most 200)."""
        params: list[tuple[str, str]] = [("id", i) for i in ids or []]
        if cursor:
            params.append(("cursor", cursor))
        response = await self.client._send("GET", "/batches", "batch list", costs=_CALL, params=params)
        return _model(BatchPage, response)

    async def cancel_batch(self, batch_id: str) -> BatchInfo:
        return _model(BatchInfo, await self.client._send("POST", f"/batches/{batch_id}/cancel", "batch cancel",
                                                         costs=_CALL))


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise errors.InvalidResponseError(f"expected JSON, got {response.text[:120]!r}") from exc
    if not isinstance(body, dict):
        raise errors.InvalidResponseError(f"expected a JSON object, got {type(body).__name__}")
    return body


def _validate(model: type[M], item: object) -> M:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        raise errors.InvalidResponseError(f"the {model.__name__} answer is malformed: {exc}") from exc


def _model(model: type[M], response: httpx.Response) -> M:
    return _validate(model, _body(response))
