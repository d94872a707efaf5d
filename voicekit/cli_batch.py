"""The command line of batch transcription: `voicekit transcribe FILES... --batch --storage ...` and
`voicekit batch status|wait|fetch|clean|cancel JOB`. Parse, call `voicekit.jobs.batch`, print."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from voicekit import errors
from voicekit.cli_io import count, status
from voicekit.jobs.batch import BatchJob, FetchReport, transcribe_batch
from voicekit.jobs.batch_state import BatchOptions
from voicekit.storage import StorageSpec


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """The `transcribe` flags that submit recordings as a batch job instead of transcribing them now."""
    group = parser.add_argument_group("batch (half price, results within the completion window)")
    group.add_argument("--batch", action="store_true", help="submit through Groq's Batch API and return at once")
    group.add_argument("--storage", help="where Groq fetches the windows: s3://bucket/prefix or an https:// base "
                                         "URL you serve")
    group.add_argument("--storage-folder", type=Path, help="with an https storage: the local folder served at it")
    group.add_argument("--s3-endpoint-url", help="an S3-compatible endpoint (default: boto3's settings)")
    group.add_argument("--job", type=Path, help="the job file to write (default: voicekit-batch.json)")
    group.add_argument("--completion-window", default="24h", help="24h (default) to 7d")


def add_batch_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "batch", help="follow a batch job: status, wait, fetch, clean, cancel",
        description="Follow a job submitted with `voicekit transcribe FILES... --batch`. The job file holds "
                    "everything needed, on this machine or another with the same storage and GROQ_API_KEY.")
    parser.add_argument("action", choices=["status", "wait", "fetch", "clean", "cancel"])
    parser.add_argument("job", type=Path, help="the job file")
    parser.add_argument("--finish-sync", action="store_true",
                        help="fetch: transcribe failed or expired windows synchronously (full price for those)")
    parser.add_argument("--skip-changed", action="store_true",
                        help="fetch: write the other recordings when some changed since submission")
    parser.add_argument("--output-dir", type=Path, help="fetch: write transcripts here instead")
    parser.add_argument("--poll", type=float, default=30.0, help="wait: seconds between polls (default 30)")
    parser.set_defaults(run=run_batch)


def run_batch_submit(args: argparse.Namespace) -> int:
    """`voicekit transcribe FILES... --batch`."""
    if not args.storage:
        raise errors.InputError("--batch needs --storage s3://bucket/prefix or --storage https://... with "
                                "--storage-folder: the place Groq will fetch the windows from")
    if args.output is not None:
        raise errors.InputError("with --batch, use --output-dir (one transcript per recording)")
    options = BatchOptions(**_given(model=args.model, language=args.language, translate=args.translate,
                                    prompt=args.prompt, channel=args.channel, format=args.format,
                                    completion_window=args.completion_window,
                                    output_dir=str(args.output_dir) if args.output_dir else None,
                                    progress=sys.stderr.isatty()))
    spec = StorageSpec(args.storage, str(args.storage_folder) if args.storage_folder else None,
                       args.s3_endpoint_url)
    job = transcribe_batch(args.input, storage=spec, job=args.job or Path("voicekit-batch.json"), options=options)
    state = job.state
    windows = sum(len(r.windows) for r in state.recordings)
    status(f"submitted {count(len(state.recordings), 'recording')} as {count(windows, 'request')} in "
           f"{count(len(state.parts), 'batch', 'batches')}: "
           f"{', '.join(job.batch_ids)}")
    status(f"stored {count(state.objects_uploaded, 'new window')} ({state.bytes_uploaded / 1e6:.1f} MB) at "
           f"{state.storage_address}; job file {job.path}")
    status(f"next: voicekit batch wait {job.path} && voicekit batch fetch {job.path}")
    return 0


def run_batch(args: argparse.Namespace) -> int:
    """`voicekit batch ACTION JOB`."""
    job = BatchJob.load(args.job)
    if args.action == "status":
        for part in job.status():
            print(f"{part.batch_id}: {part.status}, {part.completed} of {part.lines} done, {part.failed} failed")
    elif args.action == "wait":
        job.wait(poll_seconds=args.poll, progress=True)
        status("every batch is finished: voicekit batch fetch " + str(job.path))
    elif args.action == "cancel":
        from voicekit._sync import run_sync

        run_sync(job.acancel())
        status("cancelling; what finished can still be fetched")
    elif args.action == "clean":
        objects, files = job.clean()
        status(f"removed {objects} stored windows and {files} files on Groq")
    else:
        return _fetch(job, args)
    return 0


def _fetch(job: BatchJob, args: argparse.Namespace) -> int:
    if not job.finished:
        job.status()
    report = job.fetch(skip_changed=args.skip_changed, output_dir=args.output_dir)
    if args.finish_sync and report.incomplete:
        done = job.finish_sync()
        status(f"transcribed {count(done, 'window')} synchronously")
        report = job.fetch(skip_changed=args.skip_changed, output_dir=args.output_dir)
    _print_report(report)
    return 1 if report.incomplete else 0


def _print_report(report: FetchReport) -> None:
    for path in report.written:
        status(f"wrote {path}")
    for recording, problems in report.incomplete.items():
        kinds = sorted(set(problems.values()))
        print(f"incomplete: {recording}: {len(problems)} windows ({', '.join(kinds)}); wait, or fetch with "
              "--finish-sync", file=sys.stderr)
    if report.cost is not None:
        for line in report.cost.lines():
            status(line)


def _given(**options: Any) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}
