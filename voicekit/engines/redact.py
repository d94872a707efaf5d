"""Nothing a client sends in its headers ever comes back out of voicekit, whatever the server answers.

A proxy or a broken server may echo request headers into any body: a JSON error, a 200 that is not JSON, an HTML
5xx page, a body cut short. `Redactor` knows every secret the client sends (the API key, the whole `Authorization`
value, every value of the extra headers the caller added, a password in the base URL) and removes them, in plain and
in JSON-escaped spelling, from response bodies and headers before anything reads them, and from any message it is
handed. So no exception, log line, repr, cache entry or output can quote them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import httpx

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4
"""Shorter values (`1`, `on`) are not secrets worth hunting for and would shred ordinary text."""
PUBLIC_HEADERS = frozenset({"user-agent", "accept", "content-type", "content-length", "accept-encoding",
                            "connection", "host"})
"""Headers whose values are no secret (and appear in ordinary text, like `wav`)."""


class Redactor:
    """Removes known secret values from text, bytes and responses."""

    def __init__(self, secrets: Iterable[str]) -> None:
        spellings: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_SECRET_CHARS:
                continue
            spellings.update({secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]})
        self._secrets = sorted(spellings, key=len, reverse=True)

    @classmethod
    def for_client(cls, api_key: str, headers: dict[str, str], base_url: str) -> Redactor:
        """The redactor for a client sending `api_key`, the extra `headers` and talking to `base_url`."""
        values = [api_key, f"Bearer {api_key}"]
        values += [value for name, value in headers.items() if name.lower() not in PUBLIC_HEADERS]
        password = urlsplit(base_url).password
        if password:
            values += [password, unquote(password)]
        return cls(values)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} values)"

    def text(self, text: str) -> str:
        """`text` with every secret replaced by `[redacted]`."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def data(self, data: bytes) -> bytes:
        """`data` with every secret (as UTF-8) replaced by `[redacted]`."""
        for secret in self._secrets:
            encoded = secret.encode("utf-8", "surrogatepass")
            if encoded in data:
                data = data.replace(encoded, REDACTED.encode())
        return data

    def response(self, response: httpx.Response) -> httpx.Response:
        """A copy of `response` whose body and header values hold no secret (the same object when clean)."""
        body = self.data(response.content)
        headers = [(name, self.text(value)) for name, value in response.headers.items()
                   if name.lower() not in ("content-encoding", "transfer-encoding")]
        if body == response.content and all(self.text(value) == value for value in response.headers.values()):
            return response
        clean = httpx.Response(response.status_code, headers=headers, content=body, request=response.request)
        clean.headers["content-length"] = str(len(body))
        return clean
