"""Submitting a batch job: each recording decoded and cut exactly as `transcribe` does, each window stored under
its content hash (an object already there is not uploaded again, a few windows are encoded and stored at once), and
its request line written into JSONL input files that keep within the line and byte limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicekit import errors
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.segment import Window, segment_windows
from voicekit.engines.catalog import TRANSCRIPTION_MODELS
from voicekit.engines.languages import language_code
from voicekit.jobs.batch_state import (
    RATE,
    BatchOptions,
    JobState,
    RecordingRecord,
    WindowRecord,
    file_sha256,
    window_seconds,
)
from voicekit.storage import WindowStore, content_key

LINE_URL = {False: "/v1/audio/transcriptions", True: "/v1/audio/translations"}
UPLOAD_THREADS = 4
"""Windows encoded and stored at once during submission."""


class PartWriter:
    """JSONL input files in the results folder, each within the line and byte limits."""

    def __init__(self, folder: Path, max_lines: int, max_bytes: int) -> None:
        self.folder, self.max_lines, self.max_bytes = folder, max_lines, max_bytes
        self.paths: list[Path] = []
        self.counts: list[tuple[int, int]] = []
        self._handle: Any = None

    def add(self, line: str) -> None:
        data = (line + "\n").encode()
        if len(data) > self.max_bytes:
            raise errors.InputError(f"one request line is {len(data)} bytes, over the {self.max_bytes}-byte "
                                    "input file limit")
        if self._handle is None or self.counts[-1][0] >= self.max_lines or \
                self.counts[-1][1] + len(data) > self.max_bytes:
            self._open()
        self._handle.write(data)
        lines, size = self.counts[-1]
        self.counts[-1] = (lines + 1, size + len(data))

    def _open(self) -> None:
        self.close()
        path = self.folder / f"input-{len(self.paths):03d}.jsonl"
        self.paths.append(path)
        self.counts.append((0, 0))
        self._handle = path.open("wb")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class _Stager:
    """Stores windows (skipping those already stored) and writes their request lines."""

    state: JobState
    store: WindowStore
    writer: PartWriter
    pool: ThreadPoolExecutor

    def stage(self, index: int, path: Path, output: Path) -> RecordingRecord:
        """Decode and cut one recording as the synchronous path does, store its windows, write its lines."""
        options = self.state.options
        record = RecordingRecord(path=str(path), size=path.stat().st_size, sha256=file_sha256(path),
                                 decoded_seconds=0.0, output=str(output))
        decode = DecodeOptions(sample_rate=RATE, channel=options.channel, block_seconds=10.0)
        pending: list[tuple[Window, Future[tuple[str, int, bool]]]] = []
        with stream_audio(path, decode) as stream:
            for window in segment_windows(iter(stream), RATE, options.segment):
                pending.append((window, self.pool.submit(self._store, window)))
                if len(pending) >= 2 * UPLOAD_THREADS:
                    self._write(index, record, *pending.pop(0))
            for item in pending:
                self._write(index, record, *item)
            record.decoded_seconds = stream.output_frames / RATE
        return record

    def _store(self, window: Window) -> tuple[str, int, bool]:
        """Encode the window as the synchronous path does and store it unless an equal object is there."""
        data = window.flac()
        key = content_key(data)
        uploaded = not self.store.exists(key)
        if uploaded:
            self.store.put(key, data)
        return key, len(data), uploaded

    def _write(self, index: int, record: RecordingRecord, window: Window, stored: Future[tuple[str, int, bool]]
               ) -> None:
        key, size, uploaded = stored.result()
        custom_id = f"r{index}-w{window.index}"
        record.windows.append(WindowRecord(custom_id=custom_id, key=key, start_sample=window.start_sample,
                                           end_sample=window.end_sample, overlap_before=window.overlap_before,
                                           bytes=size))
        self.state.bytes_stored += size
        if uploaded:
            self.state.objects_uploaded += 1
            self.state.bytes_uploaded += size
        url = self.store.url(key, self.state.url_seconds)
        self.writer.add(json.dumps({"custom_id": custom_id, "method": "POST",
                                    "url": LINE_URL[self.state.options.translate],
                                    "body": _line_body(self.state.options, url)}, ensure_ascii=False))


def _line_body(options: BatchOptions, url: str) -> dict[str, object]:
    """The request body the synchronous client sends, with the audio by `url` (granularities as a JSON array)."""
    body: dict[str, object] = {"model": options.model_name, "url": url, "response_format": "verbose_json"}
    if not options.translate:
        body["timestamp_granularities"] = ["segment", "word"]
        if options.language:
            body["language"] = options.language
    if options.prompt is not None:
        body["prompt"] = options.prompt
    return body


def _outputs(paths: Sequence[Path], options: BatchOptions) -> list[Path]:
    """Each recording's transcript path: in `output_dir` or beside it, named by its stem (made unique, and never
    the path of any recording of the job)."""
    taken: set[Path] = set()
    inputs = {path.resolve() for path in paths}
    outputs: list[Path] = []
    for path in paths:
        folder = Path(options.output_dir) if options.output_dir else path.parent
        target = folder / f"{path.stem}.{options.format}"
        number = 1
        while target in taken or target.resolve() in inputs:
            target = folder / f"{path.stem}-{number}.{options.format}"
            number += 1
        taken.add(target)
        outputs.append(target)
    return outputs


def check_submission(paths: Sequence[Path], options: BatchOptions) -> None:
    """Refuse, before any work, what cannot run: missing files, a language or model that cannot be used."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise errors.InputError(f"no such recording: {', '.join(missing)}")
    if not paths:
        raise errors.InputError("give at least one recording to transcribe")
    if options.language is not None and language_code(options.language) is None:
        raise errors.InputError(f"unknown language {options.language!r}: use an ISO-639-1 code such as en")
    spec = TRANSCRIPTION_MODELS.get(options.model_name)
    if spec is None:
        raise errors.UnsupportedError(f"{options.model_name} is not a batch transcription model: use "
                                      f"{' or '.join(TRANSCRIPTION_MODELS)}")
    if options.translate and not spec.translates:
        raise errors.UnsupportedError(f"{spec.name} cannot translate; use model='whisper-large-v3'")
    window_seconds(options.completion_window)


def stage_all(state: JobState, store: WindowStore, paths: Sequence[Path], folder: Path) -> PartWriter:
    """Stage every recording in turn (windows stored a few at a time), writing the input files."""
    opts = state.options
    writer = PartWriter(folder, opts.max_lines_per_file, opts.max_bytes_per_file)
    with ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="voicekit-store") as pool:
        stager = _Stager(state, store, writer, pool)
        try:
            for index, (path, output) in enumerate(zip(paths, _outputs(paths, opts), strict=True)):
                state.recordings.append(stager.stage(index, path, output))
        finally:
            writer.close()
    return writer
