"""An archive through the Batch API against the same archive through the synchronous path: requests, bytes stored,
billed audio seconds, cost, identical transcripts, and wall time to submit.

    python benchmarks/batch.py                       # synthetic transcripts (deterministic, fast)
    python benchmarks/batch.py --backend whisper --limit 4   # faster-whisper on the 4 smallest (and copies)

The archive: every recording in ../shared/data/audio (12, 3 s to 3 min 19 s, wav/flac/ogg/mp3, mono and stereo) and
a copy of each at 90 % gain written as 16 kHz FLAC (different bytes, different windows): 24 recordings. Both paths run
against one loopback Groq server; the windows live in moto's S3 server on 127.0.0.1 (a real S3-compatible store,
presigned URLs that the loopback server fetches).

- batch: `voicekit.transcribe_batch(files, storage="s3://...")`, then `wait`, then `fetch`. Billed seconds are the
  server's own count for the batch (every completed line at max(duration, 10 s)), costed at 50 % of the price.
- synchronous: `voicekit.transcribe(path, language="en", fill_gaps=False, cache=False)` for each recording (gap
  filling off: a batch does not make the extra requests it would). Billed seconds from the server's request log.
- "same transcripts" compares each recording's text and segment times between the two paths.
- A second submission of the same archive shows that nothing is uploaded twice.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
import boto3
import numpy as np
import soundfile
from botocore.config import Config
from moto.server import ThreadedMotoServer

import voicekit
from voicekit._sync import run_sync
from voicekit.audio.io import DecodeOptions, read_audio
from voicekit.engines.catalog import TRANSCRIPTION_MODELS, WHISPER_TURBO
from voicekit.storage import StorageSpec
from voicekit.testing import GroqServer, ServerOptions

AUDIO = _common.DATA / "audio"
BUCKET = "benchmark-archive"
EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")


def build_archive(folder: Path, limit: int | None = None) -> list[Path]:
    """The shared recordings (the `limit` smallest files when given), and a 90 %-gain 16 kHz FLAC copy of each."""
    originals = sorted(p for p in AUDIO.iterdir() if p.suffix in EXTENSIONS)
    if limit is not None:
        originals = sorted(originals, key=lambda p: p.stat().st_size)[:limit]
    if not originals:
        sys.exit(f"no recordings in {AUDIO}")
    files: list[Path] = []
    for path in originals:
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        audio = read_audio(path, DecodeOptions(sample_rate=16000))
        variant = folder / f"{path.stem}-quieter.flac"
        soundfile.write(variant, (audio.samples * np.float32(0.9)).astype(np.float32), 16000, subtype="PCM_16")
        files += [copy, variant]
    return files


def s3_server() -> tuple[ThreadedMotoServer, Any, str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                          aws_secret_access_key="bench", config=Config(signature_version="s3v4"))
    client.create_bucket(Bucket=BUCKET)
    return server, client, endpoint


def run_batch(files: list[Path], work: Path, groq: GroqServer, client: voicekit.AsyncGroqClient, s3: Any,
              endpoint: str) -> dict[str, Any]:
    spec = StorageSpec(f"s3://{BUCKET}/archive", endpoint_url=endpoint)
    options = voicekit.BatchOptions(language="en", format="json", progress=False,
                                    output_dir=str(work / "batch-out"))
    before = len(groq.log.entries)
    started = time.perf_counter()
    job = voicekit.transcribe_batch(files, storage=spec, job=work / "job.json", options=options, client=client,
                                    s3_client=s3)
    submit = time.perf_counter() - started
    job.wait(poll_seconds=0.1, progress=False)
    report = job.fetch()
    total = time.perf_counter() - started
    again_started = time.perf_counter()
    again = voicekit.transcribe_batch(files, storage=spec, job=work / "again.json", options=options, client=client,
                                      s3_client=s3)
    again_submit = time.perf_counter() - again_started
    run_sync(again.acancel())
    billed = sum(groq.batches.get(i).billed_seconds for i in job.batch_ids)
    return {"job": job, "report": report, "submit": submit, "total": total, "billed": billed,
            "lines": sum(p.lines for p in job.state.parts), "api_calls": len(groq.log.entries) - before,
            "again_uploaded": again.state.objects_uploaded, "again_submit": again_submit}


def run_sync_path(files: list[Path], groq: GroqServer, client: voicekit.AsyncGroqClient) -> dict[str, Any]:
    before = len(groq.log.entries)
    started = time.perf_counter()
    transcripts = [voicekit.transcribe(path, client=client, language="en", fill_gaps=False, cache=False,
                                       progress=False) for path in files]
    entries = groq.log.entries[before:]
    return {"transcripts": transcripts, "wall": time.perf_counter() - started,
            "requests": sum(e.endpoint == "transcriptions" for e in entries),
            "billed": sum(e.audio_seconds for e in entries), "bytes": sum(e.bytes_in for e in entries)}


def same(batch_json: Path, sync: voicekit.Transcript) -> bool:
    batch = voicekit.Transcript.model_validate_json(batch_json.read_text())
    return batch.text == sync.text and [(s.start, s.end, s.text) for s in batch.segments] == [
        (s.start, s.end, s.text) for s in sync.segments]


def table(files: list[Path], batch: dict[str, Any], sync: dict[str, Any]) -> str:
    state = batch["job"].state
    price = {name: spec.usd_per_hour / 3600 for name, spec in TRANSCRIPTION_MODELS.items()}
    outputs = {Path(r.path): Path(state.options.output_dir) / Path(r.output).name for r in state.recordings}
    identical = sum(same(outputs[path], t) for path, t in zip(files, sync["transcripts"], strict=True))
    audio = sum(r.decoded_seconds for r in state.recordings)
    rows = [
        ("recordings / audio", f"{len(files)} / {audio / 60:.1f} min", f"{len(files)} / {audio / 60:.1f} min"),
        ("transcription requests", f"{batch['lines']} lines in {len(state.parts)} batch",
         f"{sync['requests']}"),
        ("other API calls", f"{batch['api_calls']} (upload, create, polls, downloads)", "0"),
        ("bytes stored / uploaded", f"{state.bytes_stored / 1e6:.2f} MB in S3 ({state.objects_uploaded} objects)",
         f"{sync['bytes'] / 1e6:.2f} MB multipart"),
        ("billed audio seconds", f"{batch['billed']:.1f}", f"{sync['billed']:.1f}"),
    ]
    for model in TRANSCRIPTION_MODELS:
        batch_usd, sync_usd = batch["billed"] * price[model] * 0.5, sync["billed"] * price[model]
        rows.append((f"cost, {model}", f"${batch_usd:.5f} ({batch_usd / sync_usd:.0%})", f"${sync_usd:.5f}"))
    rows += [
        ("cost summary (job)", f"${batch['report'].cost.total_usd:.5f} ({WHISPER_TURBO})", ""),
        ("same transcripts", f"{identical} of {len(files)} recordings word for word", ""),
        ("wall time to submit", f"{batch['submit']:.2f} s", "-"),
        ("wall time to transcripts", f"{batch['total']:.2f} s (loopback batch runs at once)",
         f"{sync['wall']:.2f} s"),
        ("resubmission", f"{batch['again_uploaded']} objects uploaded, submit {batch['again_submit']:.2f} s", ""),
    ]
    lines = ["| measure | batch | synchronous |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["synthetic", "whisper"], default="synthetic")
    parser.add_argument("--limit", type=int, help="only the N smallest recordings (and their copies)")
    args = parser.parse_args()
    s3_process, s3, endpoint = s3_server()
    try:
        with tempfile.TemporaryDirectory(prefix="vk-batch-bench-") as tmp, \
                GroqServer(ServerOptions(transcription_backend=args.backend)) as groq:
            work = Path(tmp)
            (work / "archive").mkdir()
            files = build_archive(work / "archive", args.limit)
            # A real model behind one lock answers slowly under concurrency: give requests time.
            client = voicekit.AsyncGroqClient(api_key=groq.api_key, base_url=groq.base_url, timeout=900)
            try:
                batch = run_batch(files, work, groq, client, s3, endpoint)
                sync = run_sync_path(files, groq, client)
            finally:
                run_sync(client.aclose())
            print(f"backend: {groq.transcription_backend}; model {WHISPER_TURBO}; storage moto S3 on 127.0.0.1\n")
            print(table(files, batch, sync))
    finally:
        s3_process.stop()


if __name__ == "__main__":
    main()
