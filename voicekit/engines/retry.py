"""How a failed request is judged: which error it is, what to tell the user, whether and when to try again.

The rules follow Groq's documentation and its official SDK:
- retried: 408, 409, 429, 498 and every 5xx, and transport errors (no answer, a dropped or truncated answer, a timeout);
- never retried: 400, 401, 403, 404, 413, 422 (sending the same request again cannot help);
- a 429 for a daily quota (its message says `per day`, `(ASD)`, `(RPD)` or `(TPD)`), or one whose retry-after is over
  60 s, is a `QuotaExceededError` at once, saying when the quota resets;
- the wait before retry n (n = 0, 1, ...) is the server's hint (`retry-after-ms`, then `retry-after` in seconds or as an
  HTTP date) when it lies in (0, 60] s, else `min(0.5 * 2**n, 8) * U(0.75, 1]`.

`map_transport_errors()` is the one place where httpx's exceptions become voicekit's.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx

from voicekit import errors

RETRYABLE_STATUSES = frozenset({408, 409, 429, 498})
MAX_HINT_SECONDS = 60.0
_DAILY = re.compile(r"per day|\((?:ASD|RPD|TPD)\)", re.IGNORECASE)
_TRY_AGAIN_IN = re.compile(r"try again in ((?:\d+(?:\.\d+)?(?:h|ms|m|s))+)", re.IGNORECASE)

_CLASS_BY_STATUS: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    413: errors.RequestTooLargeError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
    498: errors.CapacityExceededError,
}


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def backoff_delay(retries_taken: int, rng: random.Random | None = None) -> float:
    """The SDK's jittered exponential backoff: 0.375-0.5 s, then 0.75-1 s, ... up to 8 s."""
    jitter = 1.0 - 0.25 * (rng or random).random()
    return min(0.5 * 2.0**retries_taken, 8.0) * jitter


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The server's wait hint in seconds, from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if (millis := _as_float(headers.get("retry-after-ms"))) is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _as_float(value)) is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.timestamp() - time.time()


def retry_delay(response: httpx.Response | None, retries_taken: int) -> float:
    """How long to wait before the next attempt."""
    hint = retry_after_seconds(response.headers) if response is not None else None
    if hint is not None and 0 < hint <= MAX_HINT_SECONDS:
        return hint
    return backoff_delay(retries_taken)


def status_error(response: httpx.Response, *, secret: str | None = None) -> errors.APIStatusError:
    """The voicekit error for an error response, with Groq's type, code and request id and advice on what to do."""
    message, error_type, code = _error_envelope(response)
    status = response.status_code
    hint = retry_after_seconds(response.headers)
    cls = _CLASS_BY_STATUS.get(status, errors.InternalServerError if status >= 500 else errors.APIStatusError)
    if status == 429 and is_quota(message, hint):
        cls = errors.QuotaExceededError
    text = _redact(f"{message}{_advice(cls, status, message, code, hint, response)}", secret)
    return cls(
        text,
        status_code=status,
        error_type=error_type,
        code=code,
        request_id=response.headers.get("x-request-id"),
        retry_after=hint,
    )


def is_quota(message: str, hint: float | None) -> bool:
    """A 429 that waiting a minute will not cure: a daily quota, or a wait over a minute."""
    return bool(_DAILY.search(message)) or (hint is not None and hint > MAX_HINT_SECONDS)


@contextlib.contextmanager
def map_transport_errors(what: str) -> Iterator[None]:
    """Turn httpx's transport exceptions into `APITimeoutError` / `APIConnectionError` naming the request."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise errors.APITimeoutError(f"{what} timed out ({type(exc).__name__}); raise the timeout or retry") from exc
    except httpx.TransportError as exc:
        raise errors.APIConnectionError(f"{what} failed: {type(exc).__name__}: {exc}") from exc


def _error_envelope(response: httpx.Response) -> tuple[str, str | None, str | None]:
    """Message, type and code from `{"error": {...}}`, tolerating a missing code, a bare string or HTML."""
    try:
        body = json.loads(response.content)
    except ValueError:
        text = response.text.strip()
        return (text[:300] or response.reason_phrase or f"HTTP {response.status_code}"), None, None
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, str):
        return error, None, None
    if not isinstance(error, dict):
        return str(error)[:300], None, None
    message = str(error.get("message") or response.reason_phrase or f"HTTP {response.status_code}")
    return message, _str_or_none(error.get("type")), _str_or_none(error.get("code"))


def _advice(
    cls: type[errors.APIStatusError],
    status: int,
    message: str,
    code: str | None,
    hint: float | None,
    response: httpx.Response,
) -> str:
    """One sentence on what to do about this error."""
    lowered = message.lower()
    if code == "model_terms_required" or "terms acceptance" in lowered:
        return (" An admin of your Groq organization must accept this model's terms once in the console "
                "(https://console.groq.com/playground); then run again.")
    if status == 401:
        return " Check GROQ_API_KEY: the API did not accept the key."
    if code == "model_decommissioned":
        return " This model is gone: pick another with --model (`voicekit models` lists what your key can use)."
    if status == 403:
        return " Your key's organization or project may not use this; an admin can change it in the console."
    if status == 404:
        return " Check the model name (`voicekit models` lists what your key can use) and GROQ_BASE_URL."
    if status == 413:
        return (" The request is too large: speech input is at most 200 characters, and an upload at most 25 MB "
                "(100 MB on the developer plan).")
    if cls is errors.QuotaExceededError:
        return " " + _quota_reset_sentence(message, hint)
    if status == 498:
        return " The flex tier has no capacity now; try again later or use the on_demand tier."
    if status >= 500:
        return " Groq had a server error (such requests are not billed); try again."
    return ""


def _quota_reset_sentence(message: str, hint: float | None) -> str:
    """When the quota frees up again, from retry-after or the message's `try again in ...`."""
    from voicekit.engines.ratelimit import parse_duration

    seconds = hint
    if seconds is None and (match := _TRY_AGAIN_IN.search(message)):
        seconds = parse_duration(match.group(1))
    if seconds is None:
        return "The quota is used up; it resets within a day (see console.groq.com/settings/limits)."
    at = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return (f"The quota is used up; it resets in {_human(seconds)} (about {at:%Y-%m-%d %H:%M} UTC). "
            "Finished chunks are kept: run again then, and only the rest will be requested.")


def _human(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def _as_float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
