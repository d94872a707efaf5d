"""Error mapping and retry timing, on `httpx.Response` objects built from the documented bodies."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from voicekit import errors
from voicekit.engines import retry


def response(status: int, body: object = None, headers: dict[str, str] | None = None,
             text: str | None = None) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, errors.BadRequestError), (401, errors.AuthenticationError), (403, errors.PermissionDeniedError),
     (404, errors.NotFoundError), (413, errors.RequestTooLargeError), (422, errors.UnprocessableEntityError),
     (429, errors.RateLimitError), (498, errors.CapacityExceededError), (500, errors.InternalServerError),
     (503, errors.InternalServerError), (418, errors.APIStatusError)],
)
def test_each_status_has_its_class(status: int, cls: type[errors.APIStatusError]) -> None:
    error = retry.status_error(response(status, {"error": {"message": "m", "type": "t"}}))
    assert type(error) is cls
    assert error.status_code == status


def test_the_envelope_and_request_id_are_kept() -> None:
    error = retry.status_error(response(
        401, {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}},
        headers={"x-request-id": "req_01abc"},
    ))
    assert (error.error_type, error.code, error.request_id) == ("invalid_request_error", "invalid_api_key", "req_01abc")
    assert "GROQ_API_KEY" in str(error)
    assert "req_01abc" in str(error)


def test_terms_acceptance_says_where_to_accept() -> None:
    error = retry.status_error(response(400, {"error": {
        "message": "The model `canopylabs/orpheus-v1-english` requires terms acceptance.",
        "type": "invalid_request_error", "code": "model_terms_required"}}))
    assert "accept this model's terms" in error.message
    assert "console.groq.com" in error.message


def test_a_413_explains_both_limits() -> None:
    error = retry.status_error(response(413, {"error": {"message": "Request Entity Too Large",
                                                        "type": "invalid_request_error",
                                                        "code": "request_too_large"}}))
    assert isinstance(error, errors.RequestTooLargeError)
    assert "200 characters" in error.message and "25 MB" in error.message


def test_a_body_that_is_not_json_still_gives_a_message() -> None:
    error = retry.status_error(response(403, text="<html>error code: 1010</html>"))
    assert "1010" in error.message
    assert error.code is None and error.error_type is None


def test_an_envelope_without_code_is_fine() -> None:
    error = retry.status_error(response(404, {"error": {"message": "The model `x` does not exist"}}))
    assert error.code is None
    assert "voicekit models" in error.message


@pytest.mark.parametrize(
    ("message", "headers"),
    [("Rate limit reached ... on seconds of audio per day (ASD): Limit 28800. Please try again in 2h1m.", {}),
     ("Rate limit reached ... on requests per day (RPD): Limit 2000, Used 2000, Requested 1.", {}),
     ("Rate limit reached ... on requests per minute (RPM)", {"retry-after": "3600"})],
)
def test_daily_quotas_are_quota_errors(message: str, headers: dict[str, str]) -> None:
    error = retry.status_error(response(429, {"error": {"message": message, "code": "rate_limit_exceeded"}}, headers))
    assert isinstance(error, errors.QuotaExceededError)
    assert "resets" in error.message


def test_the_quota_reset_time_comes_from_the_message_when_no_header() -> None:
    error = retry.status_error(response(429, {"error": {"message": "... (ASD) ... Please try again in 1h30m0s."}}))
    assert "1h30m" in error.message


def test_a_minute_limit_is_an_ordinary_rate_limit() -> None:
    error = retry.status_error(response(429, {"error": {"message": "... per minute (RPM) ... try again in 4.77s"}},
                                        {"retry-after": "5"}))
    assert type(error) is errors.RateLimitError
    assert error.retry_after == 5.0


def test_the_key_is_redacted_from_messages() -> None:
    key = "gsk_live_abcdef123456"
    error = retry.status_error(response(401, {"error": {"message": f"Invalid API Key {key}"}}), secret=key)
    assert key not in str(error) and key not in repr(error)


@pytest.mark.parametrize(("status", "retryable"), [
    (408, True), (409, True), (429, True), (498, True), (500, True), (502, True), (503, True),
    (400, False), (401, False), (403, False), (404, False), (413, False), (422, False)])
def test_which_statuses_are_retried(status: int, retryable: bool) -> None:
    assert retry.is_retryable_status(status) is retryable


def test_backoff_follows_the_sdk_formula() -> None:
    rng = random.Random(7)
    for n, ceiling in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0]):
        delay = retry.backoff_delay(n, rng)
        assert 0.75 * ceiling <= delay <= ceiling


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
    ({"retry-after": "2"}, 2.0),
    ({"retry-after": "0.25"}, 0.25),
])
def test_server_hints_within_a_minute_are_obeyed(headers: dict[str, str], expected: float) -> None:
    assert retry.retry_delay(response(429, {}, headers), 3) == pytest.approx(expected)


def test_an_http_date_hint_is_read() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=20)
    hint = retry.retry_after_seconds(httpx.Headers({"retry-after": format_datetime(when, usegmt=True)}))
    assert hint is not None and 18 <= hint <= 21


@pytest.mark.parametrize("value", ["0", "-3", "120", "soon"])
def test_hints_outside_the_range_fall_back_to_backoff(value: str) -> None:
    assert retry.retry_delay(response(503, {}, {"retry-after": value}), 0) <= 0.5


def test_transport_errors_are_mapped_at_one_boundary() -> None:
    with pytest.raises(errors.APITimeoutError), retry.map_transport_errors("POST /x"):
        raise httpx.ReadTimeout("slow")
    with pytest.raises(errors.APIConnectionError, match="RemoteProtocolError"), retry.map_transport_errors("POST /x"):
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_every_httpx_transport_error_is_mapped() -> None:
    """No httpx transport exception class escapes the boundary (httpx's own habit, tests/test_exceptions.py)."""
    classes = [cls for cls in vars(httpx).values()
               if isinstance(cls, type) and issubclass(cls, httpx.TransportError)]
    assert len(classes) > 8
    for cls in classes:
        with pytest.raises(errors.APIConnectionError), retry.map_transport_errors("GET /models"):
            raise cls("boom")
