"""A content-addressed store of finished results, so a killed run resumes and an identical rerun costs nothing.

Each entry is named by `Cache.key(kind, **parts)`: the sha256 of the canonical JSON of everything that determines
the result (engine, model, voice, the exact text sent, options...). Entries live under a two-level fan-out:

```
<root>/ab/abcdef0123...(64 hex).flac    chunk audio: 16-bit FLAC (WAV for empty audio), lossless in int16 terms
<root>/ab/abcdef0123...(64 hex).json    JSON results such as window transcripts
```

Rules the cache keeps:

- **Lossless.** Audio is quantized once to int16 (`round(x * 32768)`, clipped) and stored as 16-bit PCM; reading
  gives `k / 32768`. Audio that came from a 16-bit source (Groq's WAV, Piper) therefore reads back bit-identical,
  and a second store of what was read stores the same int16 samples.
- **Atomic.** A write goes to a temporary file in the entry's own folder and is moved into place with
  `os.replace`, so a reader sees either no entry or a whole one, from any number of threads and processes.
  Concurrent writers of one key both succeed; the last rename wins, and both wrote the same content.
- **Self-checking.** Every audio entry carries the sha256 of its int16 samples and every JSON entry its own key;
  an entry that is truncated, corrupt or misplaced is a miss and is removed.
- **Nothing secret.** Keys are hashes. Key parts that look like credentials (a `SecretStr`, or a name such as
  `api_key`) are refused with `InputError`; the caller passes model, voice, text and options only.
- **Off means off.** `Cache.disabled()` (or `enabled=False`) stores nothing and finds nothing.
- **One payer per entry.** `claim(key)` (async) holds an OS lock on `<root>/ab/<key>.lock` while the caller makes the
  entry: a second process (or task) that claims the same key waits, then finds the entry and pays nothing. A dead
  holder's lock is released by the system.
- **A full disk is not fatal.** A write that fails for lack of space, quota or permission (ENOSPC, EDQUOT, EROFS,
  EACCES, EPERM) logs one warning and turns storing off for this `Cache`: the job goes on without caching.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
from pydantic import BaseModel, SecretBytes, SecretStr

from voicekit import locks
from voicekit.audio.model import Audio
from voicekit.config import Settings
from voicekit.errors import InputError

__all__ = ["KEY_VERSION", "Cache", "dequantize", "quantize"]

KEY_VERSION = 1
"""Part of every key: raising it retires every earlier entry at once."""

_KEY = re.compile(r"[0-9a-f]{64}")
_FAN_OUT = re.compile(r"[0-9a-f]{2}")
_SUFFIXES = (".flac", ".wav", ".json")
_TEMP_SUFFIX = ".tmp"
_SECRET_NAMES = re.compile(r"(api[_-]?key|authorization|password|secret|token|bearer)", re.IGNORECASE)
_INT16_SCALE = 32768.0
_LOCK_SUFFIX = ".lock"
_DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})

logger = logging.getLogger("voicekit")


# --- keys ---------------------------------------------------------------------------------------------------------


def _refuse_secret(name: str, value: object) -> None:
    """A credential never goes into a key: refuse secret values and names that look like credentials."""
    if isinstance(value, (SecretStr, SecretBytes)) or _SECRET_NAMES.search(name):
        raise InputError(f"cache key part {name!r} looks like a credential: pass only model, voice, text and options")


def _canonical(value: object, name: str = "") -> Any:
    """A JSON-ready form of `value` with one spelling per meaning (sorted keys, sets sorted, models dumped)."""
    _refuse_secret(name, value)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v, str(k)) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v, name) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v, name) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, bytes):
        return {"bytes": hashlib.sha256(value).hexdigest()}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InputError(f"cache key part {name!r} of type {type(value).__name__} has no canonical form")


def _check_key(key: str) -> str:
    """Only 64 lowercase hex digits name an entry (no path can be smuggled in)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InputError(f"not a cache key: {key!r} (make keys with Cache.key)")
    return key


# --- audio encoding -----------------------------------------------------------------------------------------------


def quantize(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
    """Float samples to int16 by `round(x * 32768)`, clipped to [-32768, 32767]: the inverse of `dequantize`."""
    scaled = np.rint(np.asarray(samples, dtype=np.float64) * _INT16_SCALE)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def dequantize(samples: npt.NDArray[np.int16]) -> npt.NDArray[np.float32]:
    """int16 samples to float32 `k / 32768`, exactly as soundfile reads 16-bit files."""
    floats: npt.NDArray[np.float32] = samples.astype(np.float32)
    floats /= np.float32(_INT16_SCALE)
    return floats


def _digest(pcm: npt.NDArray[np.int16], sample_rate: int) -> str:
    """The checksum an audio entry carries: sha256 of its rate, channels and little-endian int16 samples."""
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    header = f"{sample_rate}:{channels}:".encode()
    return hashlib.sha256(header + pcm.astype("<i2").tobytes()).hexdigest()


def _encode_audio(audio: Audio) -> tuple[bytes, str]:
    """The bytes of an audio entry and its suffix: FLAC, or WAV when empty (libsndfile cannot read an empty FLAC)."""
    pcm = quantize(audio.samples)
    suffix = ".flac" if pcm.shape[0] else ".wav"
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", samplerate=audio.sample_rate, channels=audio.channels, subtype="PCM_16",
                      format=suffix[1:].upper()) as out:
        out.comment = json.dumps({"sha256": _digest(pcm, audio.sample_rate), "meta": audio.meta}, sort_keys=True)
        out.write(pcm)
    return buffer.getvalue(), suffix


def _decode_audio(data: bytes) -> Audio | None:
    """The audio in an entry's bytes, or None when they are not a whole, unaltered entry."""
    try:
        with sf.SoundFile(io.BytesIO(data)) as entry:
            stamp = json.loads(entry.comment or "null")
            pcm = entry.read(dtype="int16", always_2d=entry.channels > 1)
            rate = int(entry.samplerate)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError):
        return None
    if not isinstance(stamp, dict) or stamp.get("sha256") != _digest(pcm, rate):
        return None
    meta = stamp.get("meta") or {}
    return Audio(samples=dequantize(pcm), sample_rate=rate, meta={str(k): str(v) for k, v in meta.items()})


# --- the store ----------------------------------------------------------------------------------------------------


class Cache:
    """Finished chunk audio and window results, by content key, under `root`.

    `root` defaults to `Settings().cache_dir` (VOICEKIT_CACHE_DIR, else the user cache folder). The folder is made
    on the first write. Safe to share between threads and processes.
    """

    def __init__(self, root: Path | str | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.root = Path(root) if root is not None else Settings().cache_dir
        self.storing = enabled
        """False once a write failed for lack of space or permission: entries are still read, none stored."""

    @classmethod
    def disabled(cls) -> Cache:
        """A cache that stores nothing and finds nothing."""
        return cls(Path(os.devnull), enabled=False)

    def __repr__(self) -> str:
        return f"Cache(root={str(self.root)!r}, enabled={self.enabled})"

    @staticmethod
    def key(kind: str, /, **parts: object) -> str:
        """The sha256 (hex) of the canonical JSON of `kind` and `parts`.

        Pass everything the result depends on (engine, model, voice, the exact text sent, options) and nothing
        else: same parts, same key, on any machine; any change to any part, another key. Part order does not
        matter; pydantic models, dataclasses, paths, sets and numpy scalars are accepted. Credentials are refused.
        """
        if not kind:
            raise InputError("a cache key needs a kind, such as 'speech' or 'transcript'")
        body = {"kind": kind, "v": KEY_VERSION, "parts": _canonical(parts)}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # -- claims

    @contextlib.asynccontextmanager
    async def claim(self, key: str) -> AsyncIterator[None]:
        """Hold `key`'s entry lock while making it: another process or task claiming the same key waits until
        this one is done, then finds the entry (look it up again inside the claim). A no-op when disabled, or
        when the lock file cannot be made (a full or read-only cache: no caching, no waiting)."""
        _check_key(key)
        if not self.enabled:
            yield
            return
        path = self._path(key, _LOCK_SUFFIX)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = locks.alocked(path)
            await lock.__aenter__()
        except OSError as exc:
            self._stop_storing(exc)
            yield
            return
        try:
            yield
        finally:
            await lock.__aexit__(None, None, None)

    # -- audio

    def get_audio(self, key: str) -> Audio | None:
        """The audio stored under `key`, or None (a miss; a damaged entry is removed and is a miss too)."""
        _check_key(key)
        if not self.enabled:
            return None
        for suffix in (".flac", ".wav"):
            path = self._path(key, suffix)
            data = self._read(path)
            if data is None:
                continue
            audio = _decode_audio(data)
            if audio is None:
                self._discard(path, data)
            return audio
        return None

    def put_audio(self, key: str, audio: Audio) -> None:
        """Store `audio` under `key` (as 16-bit PCM: see `quantize`), replacing any earlier entry atomically."""
        _check_key(key)
        if not self.storing:
            return
        data, suffix = _encode_audio(audio)
        self._write(self._path(key, suffix), data)

    # -- JSON

    def get_json(self, key: str) -> dict[str, Any] | None:
        """The JSON object stored under `key`, or None (a damaged entry is removed and is a miss)."""
        _check_key(key)
        if not self.enabled:
            return None
        path = self._path(key, ".json")
        data = self._read(path)
        if data is None:
            return None
        try:
            envelope = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            envelope = None
        if not isinstance(envelope, dict) or envelope.get("key") != key or not isinstance(envelope.get("data"), dict):
            self._discard(path, data)
            return None
        result: dict[str, Any] = envelope["data"]
        return result

    def put_json(self, key: str, data: dict[str, Any]) -> None:
        """Store the JSON object `data` under `key`, atomically. Values must be JSON-serializable."""
        _check_key(key)
        if not isinstance(data, dict):
            raise InputError(f"put_json stores a dict, not {type(data).__name__}")
        if not self.storing:
            return
        try:
            text = json.dumps({"key": key, "data": data}, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InputError(f"cannot store this result as JSON: {exc}") from exc
        self._write(self._path(key, ".json"), text.encode("utf-8"))

    # -- housekeeping

    def size(self) -> int:
        """Bytes held by the cache's entries (and any temporary files left by killed writers)."""
        return sum(path.stat().st_size for path in self._files() if path.exists())

    def count(self) -> int:
        """Number of entries."""
        return sum(1 for path in self._files() if path.suffix in _SUFFIXES)

    def clear(self) -> int:
        """Remove every entry and leftover temporary file; return how many files were removed.

        Only the cache's own files (`??/<64 hex>.flac|.wav|.json` and their temporaries) are touched, so a root
        shared with other files is safe.
        """
        removed = 0
        for path in list(self._files()):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        for folder in self._fan_out_folders():
            with contextlib.suppress(OSError):
                folder.rmdir()
        return removed

    # -- files

    def _path(self, key: str, suffix: str) -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def _fan_out_folders(self) -> Iterator[Path]:
        if not self.enabled or not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.is_dir() and _FAN_OUT.fullmatch(folder.name):
                yield folder

    def _files(self) -> Iterator[Path]:
        """The cache's own files: entries and temporaries, nothing else."""
        for folder in self._fan_out_folders():
            for path in folder.iterdir():
                entry = _KEY.fullmatch(path.name[:64]) is not None and path.name[64:] in _SUFFIXES
                if entry or (path.name.endswith(_TEMP_SUFFIX) and _KEY.fullmatch(path.name[:64])):
                    yield path

    @staticmethod
    def _read(path: Path) -> bytes | None:
        """The entry's bytes, or None when there is no entry."""
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _write(self, path: Path, data: bytes) -> None:
        """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`. A full or
        read-only disk stops storing (see the module docstring) instead of failing the job."""
        try:
            _write_atomically(path, data)
        except OSError as exc:
            if exc.errno not in _DISK_ERRORS:
                raise
            self._stop_storing(exc)

    def _stop_storing(self, exc: OSError) -> None:
        if self.storing:
            logger.warning("the cache at %s cannot be written (%s): going on without caching", self.root,
                           exc.strerror or exc)
        self.storing = False

    @staticmethod
    def _discard(path: Path, data: bytes) -> None:
        """Remove a damaged entry, unless a writer has meanwhile replaced it with a good one (other bytes)."""
        with contextlib.suppress(OSError):
            if path.read_bytes() == data:
                path.unlink()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`; the temporary
    file is removed on any failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
