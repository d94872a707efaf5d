"""Every error voicekit raises, under one root.

```
VoicekitError
├── ConfigurationError              a setting is missing or wrong (no GROQ_API_KEY for the groq engine, ...)
├── InputError (ValueError)         the caller's input cannot be used; nothing was sent
│   ├── TextTooLongError            one request's text is over the model's character limit
│   ├── UnknownVoiceError           the voice is not one of the model's voices
│   ├── OptionError                 an option is unknown or its value is wrong (the message names it)
│   └── UnsupportedError            the model or engine cannot do what was asked
├── AudioError                      a file or a response body is not usable audio (not audio, truncated, empty)
├── EngineError                     a local engine failed
│   └── MissingDependencyError (ImportError)   an optional extra is not installed
└── APIError                        talking to the API failed
    ├── APIConnectionError          the request did not get an HTTP answer
    │   └── APITimeoutError
    ├── InvalidResponseError        the API answered 2xx with a body that breaks its contract
    └── APIStatusError              the API answered 4xx/5xx; carries status, type, code, request_id
        ├── BadRequestError         400
        ├── AuthenticationError     401
        ├── PermissionDeniedError   403
        ├── NotFoundError           404
        ├── RequestTooLargeError    413
        ├── UnprocessableEntityError 422
        ├── RateLimitError          429
        │   └── QuotaExceededError  429 for a daily quota (or a wait over a minute): not retried
        ├── CapacityExceededError   498 (flex tier capacity)
        └── InternalServerError     5xx
```

Every message says what to do next. No message, repr or log line ever contains the API key.
"""

from __future__ import annotations

from typing import ClassVar


class VoicekitError(Exception):
    """The root of every error voicekit raises."""


class ConfigurationError(VoicekitError):
    """A setting is missing or invalid."""


class InputError(VoicekitError, ValueError):
    """The input cannot be used as given. Nothing was sent and nothing already done is lost."""


class TextTooLongError(InputError):
    """One request's text is over the model's character limit."""


class UnknownVoiceError(InputError):
    """The voice is not one of the model's voices."""


class OptionError(InputError):
    """An option is unknown (a misspelled name) or its value is not allowed; the message names the option."""


class UnsupportedError(InputError):
    """The model or engine cannot do what was asked (translation with turbo, a format it lacks)."""


class AudioError(VoicekitError):
    """Audio that cannot be decoded: not audio, truncated, empty."""


class EngineError(VoicekitError):
    """A local engine failed."""


class MissingDependencyError(EngineError, ImportError):
    """An optional extra is not installed; the message names the pip command."""


class APIError(VoicekitError):
    """A request to the API failed."""


class APIConnectionError(APIError):
    """The request got no HTTP answer (connection refused or dropped, protocol error)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class InvalidResponseError(APIError):
    """A 2xx answer whose body breaks the documented contract (a WAV that is not WAV, JSON that is not JSON)."""


class APIStatusError(APIError):
    """The API answered with an error status.

    Attributes are what Groq said: `status_code`, `error_type` and `code` from the error envelope (either may be
    None), `request_id` from the `x-request-id` header, and `retry_after` in seconds when the server gave one.
    """

    status: ClassVar[int | None] = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_type = error_type
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [f"{self.status_code}", self.message]
        if self.code:
            parts.append(f"(code {self.code})")
        if self.request_id:
            parts.append(f"[request {self.request_id}]")
        return " ".join(parts)


class BadRequestError(APIStatusError):
    status = 400


class AuthenticationError(APIStatusError):
    status = 401


class PermissionDeniedError(APIStatusError):
    status = 403


class NotFoundError(APIStatusError):
    status = 404


class RequestTooLargeError(APIStatusError):
    status = 413


class UnprocessableEntityError(APIStatusError):
    status = 422


class RateLimitError(APIStatusError):
    status = 429


class QuotaExceededError(RateLimitError):
    """A daily quota (or any limit whose wait is over a minute) is used up: waiting in-process will not help."""


class CapacityExceededError(APIStatusError):
    status = 498


class InternalServerError(APIStatusError):
    status = 500
