"""A small `multipart/form-data` parser (RFC 7578): enough for what clients send to the audio endpoints."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class Part:
    """One form field: its name, the filename if it is a file, its own content type, and its bytes."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        """The value of a plain field, decoded as UTF-8."""
        return self.data.decode("utf-8", errors="replace")


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `form-data; name="a"; filename="b.wav"` into `("form-data", {"name": "a", "filename": ...})`."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for key, raw in _PARAM.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[key.lower()] = raw
    return main.strip().lower(), params


def boundary_of(content_type: str) -> bytes:
    """The boundary of a `multipart/form-data` Content-Type; MultipartError if it is not one."""
    kind, params = header_params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError(f"Content-Type must be multipart/form-data, not {kind or 'missing'}")
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise MultipartError("multipart/form-data Content-Type has no usable boundary")
    return boundary.encode("latin-1")


def _parse_part(chunk: bytes) -> Part:
    """One part between boundaries: header lines, a blank line, then the content (CRLF already stripped)."""
    head, sep, data = chunk.partition(b"\r\n\r\n")
    if not sep:
        raise MultipartError("a multipart part has no header/body separator")
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    kind, params = header_params(headers.get("content-disposition", ""))
    if kind != "form-data" or "name" not in params:
        raise MultipartError("a multipart part lacks `Content-Disposition: form-data; name=...`")
    return Part(params["name"], params.get("filename"), headers.get("content-type"), data)


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Every part of a multipart/form-data body, in order. Raises MultipartError on a malformed body."""
    delimiter = b"--" + boundary_of(content_type)
    first = body.find(delimiter)
    if first < 0:
        raise MultipartError("multipart body does not contain its boundary")
    parts: list[Part] = []
    position = first + len(delimiter)
    while True:
        if body[position:position + 2] == b"--":
            return parts
        if body[position:position + 2] != b"\r\n":
            raise MultipartError("malformed multipart boundary line")
        end = body.find(b"\r\n" + delimiter, position + 2)
        if end < 0:
            raise MultipartError("multipart body ends before its closing boundary")
        parts.append(_parse_part(body[position + 2:end]))
        position = end + 2 + len(delimiter)
