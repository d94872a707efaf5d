"""Where a batch job's windows live so that Groq can fetch them by URL: a place the user names, nothing else.

Two kinds, chosen by the address the user gives:

- `s3://bucket/prefix`: any S3-compatible store (AWS, MinIO, R2, ...) through boto3 (the `batch` extra), with
  presigned GET URLs that stay valid through the completion window. The endpoint comes from `endpoint_url` or
  boto3's own settings (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, profiles), credentials from boto3's usual chain.
  Presigned URLs live at most 7 days (SigV4), and no longer than the credentials that signed them.
- `https://host/path`: a base URL the user already serves. voicekit writes each object into a local folder (the
  user's to sync to that URL) and builds the object's URL from the base. Plain `http://` is accepted only for
  loopback hosts (a local test server).

Objects are named by the SHA-256 of their bytes, so a resumed or repeated job finds them and uploads nothing twice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from voicekit import errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_PRESIGN_SECONDS = 7 * 86400
"""The longest a SigV4 presigned URL may live."""
URL_MARGIN_SECONDS = 3600
"""URLs stay valid this much longer than the completion window, for the lines Groq runs at its very end."""


def content_key(data: bytes, suffix: str = ".flac") -> str:
    """The object name of `data`: its SHA-256 in hex, with `suffix`."""
    return hashlib.sha256(data).hexdigest() + suffix


class WindowStore(Protocol):
    """A place objects can be put, found, reached by URL and removed."""

    @property
    def address(self) -> str:
        """The address the user gave (`s3://...` or `https://...`), as kept in a job file."""
        ...

    def check(self) -> None:
        """Refuse at once, saying what to fix, a place that cannot be written (before any work is spent)."""
        ...

    def exists(self, key: str) -> bool: ...

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def url(self, key: str, expires_seconds: int) -> str: ...

    def delete(self, keys: Iterable[str]) -> int:
        """Remove the objects that exist; return how many were removed."""
        ...


def url_lifetime(window_seconds: int) -> int:
    """How long a presigned URL must live: the completion window and a margin, within SigV4's 7 days."""
    return min(window_seconds + URL_MARGIN_SECONDS, MAX_PRESIGN_SECONDS)


class S3Store:
    """Objects under `s3://bucket/prefix`, read by Groq through presigned GET URLs."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 client: S3Client | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self._client = client or _s3_client(endpoint_url)

    @property
    def address(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def check(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise _storage_error(self.address, exc) from exc

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self._name(key))
        except BotoCoreError as exc:
            raise _storage_error(self.address, exc) from exc
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise _storage_error(self.address, exc) from exc
        return True

    def put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                                    ContentType=_content_type(key))
        except (BotoCoreError, ClientError) as exc:
            raise _storage_error(self.address, exc) from exc

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
            return body.read()
        except (BotoCoreError, ClientError) as exc:
            raise _storage_error(self.address, exc) from exc

    def url(self, key: str, expires_seconds: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._name(key)},
            ExpiresIn=min(expires_seconds, MAX_PRESIGN_SECONDS))

    def delete(self, keys: Iterable[str]) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        removed = 0
        present = [key for key in dict.fromkeys(keys) if self.exists(key)]
        for start in range(0, len(present), 1000):  # DeleteObjects takes at most 1000 keys
            batch = present[start:start + 1000]
            try:
                self._client.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": self._name(key)} for key in batch], "Quiet": True})
            except (BotoCoreError, ClientError) as exc:
                raise _storage_error(self.address, exc) from exc
            removed += len(batch)
        return removed


class FolderStore:
    """Objects written into a local folder that the user serves (or syncs) at `base_url`."""

    def __init__(self, base_url: str, folder: str | os.PathLike[str]) -> None:
        _check_base_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @property
    def address(self) -> str:
        return self.base_url

    def check(self) -> None:
        if not os.access(self.folder, os.W_OK):
            raise errors.InputError(f"cannot write into {self.folder}: choose a folder you can write")

    def exists(self, key: str) -> bool:
        return (self.folder / key).is_file()

    def put(self, key: str, data: bytes) -> None:
        """Write atomically: a reader (or a sync) never sees half an object."""
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self.folder / key)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return (self.folder / key).read_bytes()
        except OSError as exc:
            raise errors.InputError(f"{self.folder / key} is not there: was the folder moved or cleaned?") from exc

    def url(self, key: str, expires_seconds: int) -> str:
        return f"{self.base_url}/{key}"

    def delete(self, keys: Iterable[str]) -> int:
        removed = 0
        for key in dict.fromkeys(keys):
            path = self.folder / key
            if path.is_file():
                path.unlink()
                removed += 1
        return removed


@dataclass(frozen=True)
class StorageSpec:
    """What a job file keeps to reopen its storage on any machine (never a credential)."""

    address: str
    folder: str | None = None
    endpoint_url: str | None = None


def open_storage(spec: StorageSpec, *, s3_client: Any = None) -> WindowStore:
    """The store at `spec.address`: `s3://bucket/prefix`, or an https base URL with the local `folder` behind it."""
    parts = urlsplit(spec.address)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise errors.InputError(f"{spec.address!r} names no bucket: use s3://bucket/prefix")
        return S3Store(parts.netloc, parts.path, endpoint_url=spec.endpoint_url, client=s3_client)
    if parts.scheme in ("https", "http"):
        if spec.folder is None:
            raise errors.InputError(f"an https storage address needs the local folder that is served at it: "
                                    f"--storage-folder DIR (voicekit writes the windows there; you sync it to "
                                    f"{spec.address})")
        return FolderStore(spec.address, spec.folder)
    raise errors.InputError(f"unknown storage {spec.address!r}: use s3://bucket/prefix or an https:// base URL "
                            "you serve")


def _check_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    raise errors.InputError(f"{base_url!r} is not an https:// base URL (plain http is only for 127.0.0.1)")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _s3_client(endpoint_url: str | None) -> S3Client:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:
        raise errors.MissingDependencyError("s3:// storage needs boto3: pip install 'voicekit[batch]'") from exc
    client: S3Client = boto3.client("s3", endpoint_url=endpoint_url,
                                    config=Config(signature_version="s3v4", retries={"mode": "standard"}))
    return client


def _content_type(key: str) -> str:
    return "audio/flac" if key.endswith(".flac") else "application/octet-stream"


def _storage_error(address: str, exc: Exception) -> errors.VoicekitError:
    return errors.ConfigurationError(f"the storage at {address} refused the request ({exc}); check the bucket, "
                                     "the credentials (boto3's usual chain) and the endpoint URL")
