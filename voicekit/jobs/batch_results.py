"""Reading a batch job's results: which window has a transcript, which failed, and each recording's merge.

Results are JSONL files in the job's results folder: Groq's output files (one line per successful request), its
error files (failed, expired and cancelled requests) and `sync.jsonl` (windows finished through the synchronous
API). Only the position of each `custom_id`'s line is kept in memory, whatever the archive's size; a recording's
windows are read back one at a time while it is merged.

A window's transcript is read exactly as the synchronous path reads its answer (`parse_transcription`, the language
as a code, segments with nothing to read left out), and the recording is merged with the same `Merger`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

from voicekit import errors
from voicekit.engines.catalog import TRANSCRIPTION_MODELS, billed_seconds
from voicekit.engines.groq import parse_transcription
from voicekit.engines.languages import language_code
from voicekit.jobs.batch_state import JobState, RecordingRecord
from voicekit.jobs.transcribe import readable
from voicekit.transcript.merge import Merger
from voicekit.transcript.model import Transcript

SYNC_FILE = "sync.jsonl"
BATCH_DISCOUNT = 0.5
"""Batch requests cost half the synchronous price (audio included)."""


@dataclass(frozen=True)
class Located:
    """Where a window's result line is, and whether it holds a transcript."""

    path: Path
    offset: int
    ok: bool
    sync: bool


@dataclass
class ResultIndex:
    """custom_id -> where its result is; a transcript beats an error, a synchronous result beats both."""

    places: dict[str, Located] = field(default_factory=dict)

    def add_file(self, path: Path, *, sync: bool = False) -> None:
        """Index every line of one results file."""
        with path.open("rb") as handle:
            offset = 0
            for raw in iter(handle.readline, b""):
                item = json.loads(raw)
                ok = sync or _succeeded(item)
                custom_id = str(item.get("custom_id"))
                known = self.places.get(custom_id)
                if known is None or (ok and not known.ok) or sync:
                    self.places[custom_id] = Located(path, offset, ok, sync)
                offset += len(raw)

    def transcript(self, custom_id: str) -> Transcript:
        """The window's transcript, read from its line."""
        place = self.places[custom_id]
        with place.path.open("rb") as handle:
            handle.seek(place.offset)
            item = json.loads(handle.readline())
        if place.sync:
            return Transcript.model_validate(item["transcript"])
        return window_transcript(item["response"])

    def problem(self, custom_id: str) -> str:
        """What happened to a window without a transcript: `pending`, or the error's code or status."""
        place = self.places.get(custom_id)
        if place is None:
            return "pending"
        with place.path.open("rb") as handle:
            handle.seek(place.offset)
            item = json.loads(handle.readline())
        error, response = item.get("error") or {}, item.get("response") or {}
        return str(error.get("code") or f"HTTP {response.get('status_code')}")


def _succeeded(item: dict[str, Any]) -> bool:
    response = item.get("response")
    return isinstance(response, dict) and response.get("status_code") == 200 and not item.get("error")


def window_transcript(response: dict[str, Any]) -> Transcript:
    """One output line's transcript, read as the synchronous client reads the same answer."""
    body = response.get("body")
    headers = {"x-request-id": str(response.get("request_id") or "")}
    answer = httpx.Response(200, json=body, headers=headers) if isinstance(body, dict) else httpx.Response(
        200, text=str(body), headers=headers)
    transcript = parse_transcription(answer, "verbose_json" if isinstance(body, dict) else "text")
    transcript = transcript.model_copy(update={"language": language_code(transcript.language)
                                               or transcript.language})
    return readable(transcript)


def load_index(state: JobState, folder: Path) -> ResultIndex:
    """Index the downloaded output and error files, then the synchronous results."""
    index = ResultIndex()
    for part in state.parts:
        for file_id in (part.error_file_id, part.output_file_id):
            path = folder / f"{file_id}.jsonl"
            if file_id and path.is_file():
                index.add_file(path)
    if (folder / SYNC_FILE).is_file():
        index.add_file(folder / SYNC_FILE, sync=True)
    return index


def missing_windows(recording: RecordingRecord, index: ResultIndex) -> list[str]:
    """The recording's windows that have no transcript yet."""
    return [w.custom_id for w in recording.windows if not (w.custom_id in index.places
                                                            and index.places[w.custom_id].ok)]


def merge_recording(recording: RecordingRecord, index: ResultIndex, state: JobState) -> Transcript:
    """The recording's transcript: its windows' transcripts through the synchronous merge, in order."""
    if not recording.windows:
        return Transcript(text="", duration=recording.decoded_seconds, source=recording.path)
    merger = Merger(state.options.merge)
    for window in recording.windows:
        merger.add(window.span(), index.transcript(window.custom_id))
    return merger.result(duration=recording.decoded_seconds).model_copy(update={"source": recording.path})


class CostPart(BaseModel):
    """What one part of the job cost."""

    requests: int = 0
    billed_seconds: float = 0.0
    usd: float = 0.0


class CostSummary(BaseModel):
    """The job's cost by part, beside what the synchronous path would have cost for every window."""

    model: str
    batch: CostPart
    sync: CostPart
    total_usd: float
    all_sync_usd: float

    def lines(self) -> list[str]:
        return [f"batch: {self.batch.requests} requests, {self.batch.billed_seconds:.1f} s billed, "
                f"${self.batch.usd:.4f} (50 % of {self.model}'s price)",
                f"synchronous: {self.sync.requests} requests, {self.sync.billed_seconds:.1f} s billed, "
                f"${self.sync.usd:.4f} (full price)",
                f"total ${self.total_usd:.4f}; every window synchronously would cost ${self.all_sync_usd:.4f}"]


def cost_summary(state: JobState, index: ResultIndex) -> CostSummary:
    """Batch lines that succeeded at half price, windows finished synchronously at full price (only completed
    requests of a batch are billed)."""
    model = state.options.model_name
    spec = TRANSCRIPTION_MODELS.get(model)
    if spec is None:
        raise errors.UnsupportedError(f"no price is known for {model}")
    per_second = spec.usd_per_hour / 3600
    batch, sync, everything = CostPart(), CostPart(), 0.0
    for recording in state.recordings:
        for window in recording.windows:
            billed = billed_seconds(window.seconds)
            everything += billed
            place = index.places.get(window.custom_id)
            if place is None or not place.ok:
                continue
            part = sync if place.sync else batch
            part.requests += 1
            part.billed_seconds += billed
    batch.usd = batch.billed_seconds * per_second * BATCH_DISCOUNT
    sync.usd = sync.billed_seconds * per_second
    return CostSummary(model=model, batch=batch, sync=sync, total_usd=batch.usd + sync.usd,
                       all_sync_usd=everything * per_second)
