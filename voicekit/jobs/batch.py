"""Transcribe an archive through Groq's Batch API at half price, resumable across days and machines.

`transcribe_batch(files, storage=...)` decodes and cuts every recording into windows exactly as `transcribe` does
(streamed, the same `segment_windows`, the same 16-bit FLAC), stores each window under its content hash where the
user said (an object already there is not uploaded again), writes JSONL input files within the limits (lines and
bytes; split when over), uploads them, creates one batch per file and returns at once with a `BatchJob` whose job
file holds everything needed to continue. Then:

- `status()` asks Groq about each batch; `wait()` polls until every batch is finished, with a progress display (a
  killed wait loses nothing: run it again);
- `fetch()` downloads output and error files, merges each complete recording with the synchronous merge, and
  writes its transcript; a recording that changed since submission is refused, by name;
- `finish_sync()` transcribes the windows that failed or expired through the synchronous API (full price for those
  only); `clean()` removes the job's stored windows and its files on Groq.

Two differences from `transcribe` remain, both stated where they apply: without a `language`, each window detects
its own (the synchronous path fixes it from the first window: give the language for identical results), and the
synchronous path's gap filling (a second request for speech a window's transcript skipped) is not done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicekit import errors, outputs
from voicekit._sync import run_sync
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.groq_batch import AsyncBatchClient, BatchInfo
from voicekit.engines.languages import language_code
from voicekit.jobs.batch_results import (
    SYNC_FILE,
    CostSummary,
    ResultIndex,
    cost_summary,
    load_index,
    merge_recording,
    missing_windows,
)
from voicekit.jobs.batch_state import (
    BatchOptions,
    JobState,
    PartRecord,
    WindowRecord,
    file_sha256,
    load_state,
    results_dir,
    save_state,
    window_seconds,
)
from voicekit.jobs.batch_submit import PartWriter, check_submission, stage_all
from voicekit.jobs.progress import progress_bar
from voicekit.jobs.transcribe import readable
from voicekit.storage import StorageSpec, WindowStore, open_storage, url_lifetime
from voicekit.transcript.model import Transcript

logger = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 30.0


@dataclass
class FetchReport:
    """What `fetch` did: transcripts written, recordings still waiting for windows (and why), and the cost."""

    written: list[Path] = field(default_factory=list)
    incomplete: dict[str, dict[str, str]] = field(default_factory=dict)
    """recording path -> {custom_id: "pending" | an error code such as "batch_expired" | "HTTP 500"}."""
    cost: CostSummary | None = None


async def atranscribe_batch(files: Sequence[str | Path], *, storage: str | StorageSpec, job: str | Path,
                            options: BatchOptions | None = None, client: AsyncGroqClient | None = None,
                            s3_client: Any = None, **overrides: Any) -> BatchJob:
    """Submit `files` as one batch job (see the module docstring); the job file is written to `job`."""
    opts = (options or BatchOptions()).model_copy(update=overrides) if overrides else (options or BatchOptions())
    opts = BatchOptions.model_validate(opts.model_dump())
    paths = [Path(f) for f in files]
    check_submission(paths, opts)
    if Path(job).exists():
        raise errors.InputError(f"the job file {job} already exists: continue that job with `voicekit batch wait|"
                                f"fetch {job}`, or choose another job file")
    spec = storage if isinstance(storage, StorageSpec) else StorageSpec(storage)
    store = open_storage(spec, s3_client=s3_client)
    owned = client is None
    client = client or AsyncGroqClient()  # no key is an error now, before any window is stored
    try:
        await asyncio.to_thread(store.check)
        job_path = Path(job)
        state = JobState(created_at=time.time(), storage_address=spec.address, storage_folder=spec.folder,
                         storage_endpoint_url=spec.endpoint_url,
                         url_seconds=url_lifetime(window_seconds(opts.completion_window)), options=opts)
        started = time.perf_counter()
        folder = results_dir(job_path)
        folder.mkdir(parents=True, exist_ok=True)
        writer = await asyncio.to_thread(stage_all, state, store, paths, folder)
        batch_job = BatchJob(job_path, state, client=client, s3_client=s3_client)
        await batch_job._submit_parts(writer)
        state.submit_seconds = time.perf_counter() - started
        batch_job.save()
    finally:
        if owned:
            await client.aclose()
    if owned:
        batch_job.client = None
    return batch_job


def transcribe_batch(files: Sequence[str | Path], *, storage: str | StorageSpec, job: str | Path,
                     options: BatchOptions | None = None, client: AsyncGroqClient | None = None,
                     s3_client: Any = None, **overrides: Any) -> BatchJob:
    """Blocking `atranscribe_batch`: submit and return at once with the job (its batches run on Groq)."""
    return run_sync(atranscribe_batch(files, storage=storage, job=job, options=options, client=client,
                                      s3_client=s3_client, **overrides))


# ---------------------------------------------------------------------------------------------------- the job

class BatchJob:
    """A submitted batch job, backed by its job file. `BatchJob.load(path)` continues it anywhere."""

    def __init__(self, path: Path, state: JobState, *, client: AsyncGroqClient | None = None,
                 s3_client: Any = None) -> None:
        self.path = path
        self.state = state
        self.client = client
        self.s3_client = s3_client

    @classmethod
    def load(cls, path: str | Path, *, client: AsyncGroqClient | None = None, s3_client: Any = None) -> BatchJob:
        """The job saved at `path` (on this machine or another one with the same storage and key)."""
        return cls(Path(path), load_state(Path(path)), client=client, s3_client=s3_client)

    @property
    def batch_ids(self) -> list[str]:
        return [part.batch_id for part in self.state.parts]

    @property
    def results(self) -> Path:
        return results_dir(self.path)

    def save(self) -> None:
        save_state(self.state, self.path)

    def storage(self) -> WindowStore:
        spec = StorageSpec(self.state.storage_address, self.state.storage_folder, self.state.storage_endpoint_url)
        return open_storage(spec, s3_client=self.s3_client)

    async def _with_client(self, work: Any) -> Any:
        """Run `work(batches)` with the job's client, or with one made from the environment and closed after."""
        client = self.client or AsyncGroqClient()
        try:
            return await work(AsyncBatchClient(client))
        finally:
            if self.client is None:
                await client.aclose()

    async def _submit_parts(self, writer: PartWriter) -> None:
        """Upload each input file and create its batch, saving the job file after each."""
        async def submit(batches: AsyncBatchClient) -> None:
            total = len(writer.paths)
            for number, (path, (lines, size)) in enumerate(zip(writer.paths, writer.counts, strict=True), 1):
                uploaded = await batches.upload_file(f"{self.path.stem}-{path.name}", path.read_bytes())
                batch = await batches.create_batch(
                    uploaded.id, endpoint=self.state.options.endpoint,
                    completion_window=self.state.options.completion_window,
                    metadata={"voicekit_job": self.path.name, "part": f"{number}/{total}"})
                self.state.parts.append(PartRecord(input_file_id=uploaded.id, batch_id=batch.id, lines=lines,
                                                   bytes=size, status=batch.status))
                self.save()

        await self._with_client(submit)

    # --------------------------------------------------------------------------------------- status and wait

    async def astatus(self) -> list[PartRecord]:
        """Ask Groq about every batch of the job (finished ones are not asked again) and save what it said."""
        async def refresh(batches: AsyncBatchClient) -> None:
            for part in self.state.parts:
                if part.status not in ("completed", "failed", "expired", "cancelled"):
                    _update(part, await batches.retrieve_batch(part.batch_id))
            self.save()

        await self._with_client(refresh)
        return list(self.state.parts)

    def status(self) -> list[PartRecord]:
        return run_sync(self.astatus())

    @property
    def finished(self) -> bool:
        return all(p.status in ("completed", "failed", "expired", "cancelled") for p in self.state.parts)

    async def await_(self, *, poll_seconds: float = DEFAULT_POLL_SECONDS, progress: bool | None = None) -> None:
        """Poll until every batch is finished, showing requests done. Interrupted, it loses nothing: the state
        is on Groq and in the job file, and a new wait continues."""
        total = sum(part.lines for part in self.state.parts)
        enabled = self.state.options.progress if progress is None else progress
        with progress_bar(total=total, unit="requests", desc="batch", enabled=enabled) as bar:
            while True:
                parts = await self.astatus()
                done = sum(p.completed + p.failed for p in parts)
                bar.update(max(0, done - bar.n))
                bar.set_postfix_str(", ".join(sorted({p.status for p in parts})))
                if self.finished:
                    return
                await asyncio.sleep(poll_seconds)

    def wait(self, *, poll_seconds: float = DEFAULT_POLL_SECONDS, progress: bool | None = None) -> None:
        run_sync(self.await_(poll_seconds=poll_seconds, progress=progress))

    async def acancel(self) -> None:
        """Cancel every batch still running (what finished stays available to fetch)."""
        async def cancel(batches: AsyncBatchClient) -> None:
            for part in self.state.parts:
                if part.status not in ("completed", "failed", "expired", "cancelled", "cancelling"):
                    _update(part, await batches.cancel_batch(part.batch_id))
            self.save()

        await self._with_client(cancel)

    # ------------------------------------------------------------------------------------------------ fetch

    async def afetch(self, *, skip_changed: bool = False, output_dir: str | Path | None = None) -> FetchReport:
        """Download the finished batches' files, then merge and write every recording whose windows all have
        transcripts. A recording that changed since submission is refused by name (`skip_changed` merges the
        others); one absent on this machine is merged from its stored windows' results."""
        changed = self.changed_recordings()
        if changed and not skip_changed:
            raise errors.InputError("these recordings changed since the job was submitted, so their windows no "
                                    f"longer match them: {', '.join(changed)}. Submit them again as a new job, "
                                    "or fetch with skip_changed=True (--skip-changed) to write the others.")
        await self._download()
        index = load_index(self.state, self.results)
        report = FetchReport(cost=cost_summary(self.state, index))
        for recording in self.state.recordings:
            if recording.path in changed:
                continue
            missing = missing_windows(recording, index)
            if missing:
                report.incomplete[recording.path] = {cid: index.problem(cid) for cid in missing}
                continue
            transcript = merge_recording(recording, index, self.state)
            target = Path(output_dir) / Path(recording.output).name if output_dir else Path(recording.output)
            target.parent.mkdir(parents=True, exist_ok=True)
            # Never over a recording of the job, nor under another job writing it; the file appears whole.
            with outputs.reserve(target, inputs=[r.path for r in self.state.recordings]):
                report.written.append(transcript.save(target, self.state.options.format))
        return report

    def fetch(self, *, skip_changed: bool = False, output_dir: str | Path | None = None) -> FetchReport:
        return run_sync(self.afetch(skip_changed=skip_changed, output_dir=output_dir))

    def changed_recordings(self) -> list[str]:
        """The recordings present on this machine whose bytes differ from those submitted."""
        changed = []
        for recording in self.state.recordings:
            path = Path(recording.path)
            if path.is_file() and (path.stat().st_size != recording.size or file_sha256(path) != recording.sha256):
                changed.append(recording.path)
        return changed

    async def _download(self) -> None:
        """Each finished batch's output and error files, once, into the results folder."""
        wanted = [(f, p) for p in self.state.parts for f in (p.output_file_id, p.error_file_id) if f]
        wanted = [(f, p) for f, p in wanted if not (self.results / f"{f}.jsonl").is_file()]
        if not wanted:
            return

        async def download(batches: AsyncBatchClient) -> None:
            for file_id, _ in wanted:
                data = await batches.file_content(file_id)
                outputs.write_bytes(self.results / f"{file_id}.jsonl", data)  # whole or not at all

        self.results.mkdir(parents=True, exist_ok=True)
        await self._with_client(download)

    # ----------------------------------------------------------------------------------- finish and clean

    async def afinish_sync(self) -> int:
        """Transcribe through the synchronous API every window of a finished batch that has no transcript
        (failed, expired or cancelled lines), at full price; return how many. Run `fetch` afterwards."""
        await self._download()
        index = load_index(self.state, self.results)
        finished = {p.batch_id for p in self.state.parts if p.status in ("completed", "failed", "expired",
                                                                          "cancelled")}
        todo = [window for window, batch_id in self._windows_with_parts()
                if batch_id in finished and not _has_transcript(index, window.custom_id)]
        if not todo:
            return 0
        store = self.storage()

        async def run(batches: AsyncBatchClient) -> None:
            transcripts = await asyncio.gather(*(self._sync_window(batches.client, store, w) for w in todo))
            with (self.results / SYNC_FILE).open("a", encoding="utf-8") as out:
                for window, transcript in zip(todo, transcripts, strict=True):
                    out.write(json.dumps({"custom_id": window.custom_id,
                                          "transcript": transcript.model_dump(mode="json")}) + "\n")
            self.state.finished_sync.extend(w.custom_id for w in todo)
            self.save()

        await self._with_client(run)
        return len(todo)

    def finish_sync(self) -> int:
        return run_sync(self.afinish_sync())

    def _windows_with_parts(self) -> Iterator[tuple[WindowRecord, str]]:
        """Every window with the batch its line went to (lines fill the parts in order)."""
        windows = (w for r in self.state.recordings for w in r.windows)
        for part in self.state.parts:
            for _, window in zip(range(part.lines), windows, strict=False):
                yield window, part.batch_id

    async def _sync_window(self, groq: AsyncGroqClient, store: WindowStore, window: WindowRecord) -> Transcript:
        """One window through the synchronous API, read back exactly as `transcribe` reads it."""
        options = self.state.options
        data = await asyncio.to_thread(store.get, window.key)
        upload = ("window.flac", data)
        if options.translate:
            result = await groq.translate(upload, model=options.model_name, prompt=options.prompt,
                                          audio_seconds=window.seconds)
        else:
            result = await groq.transcribe(upload, model=options.model_name, language=options.language,
                                           prompt=options.prompt, audio_seconds=window.seconds)
        return readable(result.model_copy(update={"language": language_code(result.language) or result.language}))

    async def aclean(self) -> tuple[int, int]:
        """Remove the job's stored windows and its files on Groq; return (objects removed, files removed).

        Objects are named by content: an identical window of another job in the same place goes too."""
        keys = [w.key for r in self.state.recordings for w in r.windows]
        removed = await asyncio.to_thread(self.storage().delete, keys)
        file_ids = [f for p in self.state.parts for f in (p.input_file_id, p.output_file_id, p.error_file_id) if f]

        async def delete(batches: AsyncBatchClient) -> int:
            return sum([await batches.delete_file(f) for f in file_ids])

        deleted: int = await self._with_client(delete)
        self.state.cleaned = True
        self.save()
        return removed, deleted

    def clean(self) -> tuple[int, int]:
        return run_sync(self.aclean())

    def cost(self) -> CostSummary:
        """The cost so far, from what was downloaded."""
        return cost_summary(self.state, load_index(self.state, self.results))


def _update(part: PartRecord, batch: BatchInfo) -> None:
    part.status = batch.status
    if batch.request_counts is not None:
        part.completed, part.failed = batch.request_counts.completed, batch.request_counts.failed
    part.output_file_id, part.error_file_id = batch.output_file_id, batch.error_file_id
    part.errors = batch.error_list()


def _has_transcript(index: ResultIndex, custom_id: str) -> bool:
    place = index.places.get(custom_id)
    return place is not None and place.ok


def index_of(job: BatchJob) -> ResultIndex:
    """The job's result index (for reports and tests)."""
    return load_index(job.state, job.results)
