"""Settings from the environment: GROQ_API_KEY, GROQ_BASE_URL and VOICEKIT_*.

`GROQ_BASE_URL` has the official SDK's meaning: the host root (`https://api.groq.com`). A value that already ends in
`/openai/v1` is accepted too; `api_root` always gives the `/openai/v1` root that requests are made under.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voicekit.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.groq.com"
API_PREFIX = "/openai/v1"


class Settings(BaseSettings):
    """voicekit's settings; every field can be set from the environment variable named beside it."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    groq_api_key: SecretStr | None = Field(default=None, validation_alias="GROQ_API_KEY")
    """GROQ_API_KEY: the key for Groq's API. Without it, jobs run on the local engines."""
    groq_base_url: str = Field(default=DEFAULT_BASE_URL, validation_alias="GROQ_BASE_URL")
    """GROQ_BASE_URL: the API host root, as in the official SDK."""
    timeout: float = Field(default=60.0, gt=0, validation_alias=AliasChoices("VOICEKIT_TIMEOUT", "timeout"))
    """VOICEKIT_TIMEOUT: seconds to wait for one response."""
    concurrency: int = Field(default=4, ge=1, validation_alias=AliasChoices("VOICEKIT_CONCURRENCY", "concurrency"))
    """VOICEKIT_CONCURRENCY: requests in flight at once."""
    max_retries: int = Field(default=4, ge=0, validation_alias=AliasChoices("VOICEKIT_MAX_RETRIES", "max_retries"))
    """VOICEKIT_MAX_RETRIES: retries of one request after a retryable failure."""
    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir("voicekit")),
        validation_alias=AliasChoices("VOICEKIT_CACHE_DIR", "cache_dir"),
    )
    """VOICEKIT_CACHE_DIR: where finished chunks and windows are kept."""

    def __init__(self, **values: Any) -> None:
        """Read the environment; a variable with a value that cannot be used raises `ConfigurationError`."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}={e['input']!r}: {e['msg']}"
                                 for e in exc.errors())
            raise ConfigurationError(f"a setting cannot be used ({problems}): fix it or unset it") from None

    @field_validator("groq_api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def api_root(self) -> str:
        """The URL that endpoint paths are appended to, ending in `/openai/v1`."""
        return api_root(self.groq_base_url)


def api_root(base_url: str) -> str:
    """`https://api.groq.com` and `https://api.groq.com/openai/v1/` both give `https://api.groq.com/openai/v1`."""
    root = base_url.strip().rstrip("/")
    return root if root.endswith(API_PREFIX) else root + API_PREFIX


def load_settings() -> Settings:
    """Read the settings from the environment now."""
    return Settings()
