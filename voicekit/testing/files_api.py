"""Groq's Files API on the loopback server: upload (multipart, `purpose=batch`), list, retrieve, content, delete.

Files live in memory for the server's lifetime. Shapes follow `reference/groq-api.md` section 6.2: a file is
`{"id": "file_...", "object": "file", "bytes", "created_at", "filename", "purpose"}`, `purpose` is `batch` (what a
client uploads) or `batch_output` (what a batch writes).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from voicekit.testing import contract as c
from voicekit.testing.contract import ApiFailure
from voicekit.testing.endpoints import Reply, json_reply
from voicekit.testing.multipart import MultipartError, parse_multipart

_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
UPLOAD_PURPOSES = ("batch",)
MAX_FILE_BYTES = 200 * 1024 * 1024
"""The batch guide's limit on an input file (the API reference says 100 MB; clients keep to that)."""


def new_id(prefix: str) -> str:
    """`prefix` and 26 lowercase Crockford base-32 characters, the shape of Groq's object ids."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


@dataclass(frozen=True)
class StoredFile:
    """One file the server holds."""

    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def card(self) -> dict[str, object]:
        """The file object as the API returns it."""
        return {"id": self.id, "object": "file", "bytes": len(self.data), "created_at": self.created_at,
                "filename": self.filename, "purpose": self.purpose}


def file_not_found(file_id: str) -> ApiFailure:
    """404 for a file id the server does not hold."""
    return ApiFailure(404, f"No such File object: {file_id}", code="not_found")


class FileStore:
    """The server's files, by id (thread-safe)."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    def add(self, filename: str, purpose: str, data: bytes) -> StoredFile:
        stored = StoredFile(new_id("file_"), filename, purpose, data, int(time.time()))
        with self._lock:
            self._files[stored.id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile:
        """The file, or 404."""
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise file_not_found(file_id)
        return stored

    def delete(self, file_id: str) -> None:
        with self._lock:
            if self._files.pop(file_id, None) is None:
                raise file_not_found(file_id)

    def all(self) -> list[StoredFile]:
        """Every file, newest first."""
        with self._lock:
            return sorted(self._files.values(), key=lambda f: (f.created_at, f.id), reverse=True)


def upload(store: FileStore, body: bytes, content_type: str) -> Reply:
    """`POST /files`: a multipart form with `file` (a JSONL file) and `purpose=batch`."""
    try:
        parts = parse_multipart(body, content_type)
    except MultipartError as exc:
        raise c.bad_request(str(exc)) from exc
    fields = {part.name: part for part in parts}
    purpose = fields["purpose"].text() if "purpose" in fields else None
    if purpose not in UPLOAD_PURPOSES:
        raise c.bad_request(c.one_of("purpose", UPLOAD_PURPOSES))
    upload_part = fields.get("file")
    if upload_part is None or upload_part.filename is None:
        raise c.bad_request("`file` is required")
    if not upload_part.data:
        raise c.bad_request("file is empty")
    if len(upload_part.data) > MAX_FILE_BYTES:
        raise c.upload_too_large()
    return json_reply(store.add(upload_part.filename, purpose, upload_part.data).card())


def files_endpoint(store: FileStore, method: str, rest: str, body: bytes, content_type: str) -> Reply:
    """Route `rest` (the path after `/files`) to upload, list, retrieve, content or delete."""
    if rest == "" and method == "POST":
        return upload(store, body, content_type)
    if rest == "" and method == "GET":
        return json_reply({"object": "list", "data": [f.card() for f in store.all()]})
    file_id, _, tail = rest.lstrip("/").partition("/")
    if method == "GET" and tail == "":
        return json_reply(store.get(file_id).card())
    if method == "GET" and tail == "content":
        return Reply(store.get(file_id).data, "application/octet-stream")
    if method == "DELETE" and tail == "":
        store.delete(file_id)
        return json_reply({"id": file_id, "object": "file", "deleted": True})
    raise c.unknown_url(method, c.API_PREFIX + "/files" + rest)
