"""How a failed request is judged: which error it is, what to tell the user, whether and when to try again.

The rules follow Groq's documentation and its official SDK:
- retried: 408, 409, 429, 498 and every 5xx, and transport errors (no answer, a dropped or truncated answer, a timeout);
- never retried: 400, 401, 403, 404, 413, 422 (sending the same request again cannot help);
- a 429 for a daily quota (its message says `per day`, `(ASD)`, `(RPD)` or `(TPD)`), or one whose retry-after is over
  `max_wait` (60 s by default, VOICEKIT_MAX_WAIT), is a `QuotaExceededError` at once, saying when the quota resets;
- the wait before retry n (n = 0, 1, ...) is the server's hint (`retry-after-ms`, then `retry-after` in seconds or as an
  HTTP date) when it lies in (0, max_wait] s, else `min(0.5 * 2**n, 8) * U(0.75, 1]`.

Two budgets, kept apart (see `AsyncGroqClient._send`):
- **429s are paced, not failures.** A 429 whose wait is at most `max_wait` is waited out and sent again without
  spending a retry; one request may wait out 429s for `rate_limit_budget` seconds in all (900 s by default,
  VOICEKIT_RATE_LIMIT_BUDGET), then the last 429 is raised as `RateLimitError`.
- **Faults spend retries.** 5xx, 498, 408, 409, and transport faults (no answer, a reset, a truncated body, a timeout)
  spend one of the request's `max_retries` (4 by default). Every request the same client has had answered gives
  one retry back, up to `3 * max_retries` retries in all: a run of bad luck (five truncated bodies in a row) does
  not end a long job on a server that answers, even its last request or one sent alone, and a server that fails
  everything still ends it after `max_retries`.
Any wait over `REPORT_WAIT_SECONDS` is logged at WARNING and passed to the client's `on_wait` hook (for a progress
bar).

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

import httpx

from voicekit import errors
from voicekit.engines.ratelimit import (
    REPORT_WAIT_SECONDS,
    human_duration,
    long_wait_error,
    parse_duration,
    reset_sentence,
)

RETRYABLE_STATUSES = frozenset({408, 409, 429, 498})
MAX_HINT_SECONDS = 60.0
"""The default `max_wait`: the longest wait for a rate limit before it is a `QuotaExceededError`."""
RETRY_CREDIT_FACTOR = 3
"""A request's retries, given back by the client's successes, never exceed this many times `max_retries`."""
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


def retry_delay(response: httpx.Response | None, retries_taken: int,
                max_wait: float = MAX_HINT_SECONDS) -> float:
    """How long to wait before the next attempt."""
    hint = retry_after_seconds(response.headers) if response is not None else None
    if hint is not None and 0 < hint <= max_wait:
        return hint
    return backoff_delay(retries_taken)


def status_error(response: httpx.Response, *, secret: str | None = None,
                 max_wait: float = MAX_HINT_SECONDS) -> errors.APIStatusError:
    """The voicekit error for an error response, with Groq's type, code and request id and advice on what to do."""
    message, error_type, code = _error_envelope(response)
    status = response.status_code
    hint = retry_after_seconds(response.headers)
    cls = _CLASS_BY_STATUS.get(status, errors.InternalServerError if status >= 500 else errors.APIStatusError)
    if status == 429 and is_quota(message, hint, max_wait):
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


def is_quota(message: str, hint: float | None, max_wait: float = MAX_HINT_SECONDS) -> bool:
    """A 429 that waiting `max_wait` will not cure: a daily quota, or a wait over `max_wait`."""
    return bool(_DAILY.search(message)) or (hint is not None and hint > max_wait)


def rate_limit_budget_error(error: errors.APIStatusError, waited: float) -> errors.RateLimitError:
    """The error once one request has waited out 429s for its whole `rate_limit_budget`."""
    return errors.RateLimitError(
        f"{error.message} (still rate limited after waiting {human_duration(waited)} for this request; raise "
        "VOICEKIT_RATE_LIMIT_BUDGET or lower the concurrency)", status_code=429, error_type=error.error_type,
        code=error.code, request_id=error.request_id, retry_after=error.retry_after)


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
    seconds = hint
    if seconds is None and (match := _TRY_AGAIN_IN.search(message)):
        seconds = parse_duration(match.group(1))
    if seconds is None:
        return "The quota is used up; it resets within a day (see console.groq.com/settings/limits)."
    return reset_sentence(seconds)


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def _as_float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = ["REPORT_WAIT_SECONDS", "backoff_delay", "is_quota", "is_retryable_status", "long_wait_error",
           "map_transport_errors", "rate_limit_budget_error", "retry_after_seconds", "retry_delay", "status_error"]
