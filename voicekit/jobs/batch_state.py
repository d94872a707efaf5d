"""The job file of a batch transcription: everything needed to continue it on another day or another machine.

It holds the options, where the windows are stored (never a credential), each recording's fingerprint and windows
(content hash, offsets in samples, custom_id) and each submitted part (input file, batch, last known status).
It is JSON, written atomically, and its results folder (`NAME.results/` beside it) holds what was downloaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voicekit import errors
from voicekit.audio.segment import SegmentOptions
from voicekit.engines.catalog import WHISPER, WHISPER_TURBO
from voicekit.transcript.merge import MergeOptions, WindowSpan

JOB_VERSION = 1
MAX_LINES_PER_FILE = 50_000
"""The batch guide's limit on requests per input file."""
MAX_BYTES_PER_FILE = 100 * 1024 * 1024
"""The safe bound on an input file's size (the guide says 200 MB, the API reference and SDK 100 MB)."""
RATE = 16000
_WINDOW = re.compile(r"^(\d+)([hd])$")
OutputFormat = Literal["txt", "srt", "vtt", "json", "tsv"]


class BatchOptions(BaseModel):
    """How a batch transcription runs. Transcription choices mean what they mean in `TranscribeOptions`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = None
    """whisper-large-v3-turbo (default) or whisper-large-v3 (needed to translate)."""
    language: str | None = None
    """ISO-639-1 code; None lets each window detect its own (the synchronous path fixes it from the first
    window instead: give the language for identical results)."""
    translate: bool = False
    prompt: str | None = Field(default=None, max_length=896)
    channel: Literal["mix"] | int = "mix"
    completion_window: str = "24h"
    """24h to 7d: how long Groq may take; unfinished lines then expire (and are not billed)."""
    endpoint: str = "/v1/chat/completions"
    """The batch-level `endpoint`: the only documented value (each line's own `url` routes it)."""
    max_lines_per_file: int = Field(default=MAX_LINES_PER_FILE, ge=1, le=MAX_LINES_PER_FILE)
    max_bytes_per_file: int = Field(default=MAX_BYTES_PER_FILE, ge=256, le=MAX_BYTES_PER_FILE)
    format: OutputFormat = "txt"
    """The format of every written transcript."""
    output_dir: str | None = None
    """Where transcripts are written (default: beside each recording)."""
    progress: bool = True
    segment: SegmentOptions = SegmentOptions()
    merge: MergeOptions = MergeOptions()

    @property
    def model_name(self) -> str:
        return self.model or (WHISPER if self.translate else WHISPER_TURBO)


class WindowRecord(BaseModel):
    """One window as submitted: its line, its object and where it lies in the recording (in samples)."""

    custom_id: str
    key: str
    start_sample: int
    end_sample: int
    overlap_before: int = 0
    bytes: int

    @property
    def seconds(self) -> float:
        return (self.end_sample - self.start_sample) / RATE

    def span(self) -> WindowSpan:
        return WindowSpan(self.start_sample, self.end_sample, RATE, self.overlap_before)


class RecordingRecord(BaseModel):
    """One recording: its fingerprint when submitted, what decoded, its windows and its output."""

    path: str
    size: int
    sha256: str
    decoded_seconds: float
    output: str
    windows: list[WindowRecord] = []


class PartRecord(BaseModel):
    """One input file and its batch, with what was last heard of it."""

    input_file_id: str
    batch_id: str
    lines: int
    bytes: int
    status: str = "validating"
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, object]] = []


class JobState(BaseModel):
    """The job file's content."""

    model_config = ConfigDict(extra="forbid")

    version: int = JOB_VERSION
    created_at: float
    storage_address: str
    storage_folder: str | None = None
    storage_endpoint_url: str | None = None
    url_seconds: int
    options: BatchOptions
    recordings: list[RecordingRecord] = []
    parts: list[PartRecord] = []
    objects_uploaded: int = 0
    bytes_uploaded: int = 0
    bytes_stored: int = 0
    submit_seconds: float = 0.0
    finished_sync: list[str] = []
    """custom_ids transcribed through the synchronous API (billed at full price)."""
    cleaned: bool = False


def results_dir(job_path: Path) -> Path:
    """The folder beside the job file that holds its input parts, downloads and synchronous results."""
    name = job_path.name[:-5] if job_path.name.endswith(".json") else job_path.name
    return job_path.with_name(name + ".results")


def save_state(state: JobState, path: Path) -> None:
    """Write the job file atomically (a killed process leaves the old file or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(state.model_dump_json(indent=1))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_state(path: Path) -> JobState:
    """Read a job file; a missing or damaged one is an `InputError` that says so."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise errors.InputError(f"cannot read the job file {path}: {exc.strerror or exc}") from exc
    try:
        state = JobState.model_validate_json(text)
    except ValidationError as exc:
        raise errors.InputError(f"{path} is not a voicekit batch job file ({exc.error_count()} problems)") from exc
    if state.version != JOB_VERSION:
        raise errors.InputError(f"{path} is a version {state.version} job file; this voicekit reads version "
                                f"{JOB_VERSION}")
    return state


def file_sha256(path: Path, block: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def window_seconds(value: str) -> int:
    """A completion window (`24h` .. `7d`) in seconds; anything else is an `InputError`."""
    match = _WINDOW.match(value)
    seconds = int(match.group(1)) * (3600 if match.group(2) == "h" else 86400) if match else 0
    if not 86400 <= seconds <= 7 * 86400:
        raise errors.InputError(f"completion_window {value!r}: use a duration from 24h to 7d, e.g. 24h, 3d, 7d")
    return seconds
