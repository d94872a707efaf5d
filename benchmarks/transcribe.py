"""Transcribe long recordings against the loopback Groq server: memory, preprocessing speed, upload size, billing,
speed-up over a sequential loop, and 429s under an audio-seconds limit.

    /work/venv/bin/python benchmarks/transcribe.py            # everything (about five minutes on 2 cores)
    /work/venv/bin/python benchmarks/transcribe.py --quick    # the 10 minute input only, one repeat
    /work/venv/bin/python benchmarks/transcribe.py --workdir /tmp/vk-inputs   # keep the built inputs for next time

The inputs are built as benchmarks/audio_pipeline.py builds them (its `build`): the real 3 min 19 s Columbia address
looped into a 10 minute FLAC at 44.1 kHz stereo and a 3 hour FLAC at 22.05 kHz stereo. The job is
`voicekit.transcribe(path, engine="groq", client=AsyncGroqClient(max_concurrency=C), concurrency=C, cache=False)`
against a `GroqServer` with the synthetic transcription backend (deterministic words, no model), so the engine is not
the bottleneck. Four Markdown tables:

1. The whole job, each input in a fresh interpreter while the server runs in this one (no latency, C = 4): peak RSS
   the job adds above that interpreter with voicekit imported (VmHWM after a reset; target flat and under 200 MB),
   speed, bytes uploaded per audio hour against 16 kHz 16-bit WAV (server log `bytes_in`, multipart included), and
   audio seconds billed over the recording's length (server log `audio_seconds_billed`; target <= 1.05).
2. Preprocessing alone (decode, resample, segment, encode FLAC) in multiples of real time:
   benchmarks/audio_pipeline.py's own measurement (`audio_pipeline.measure`) on the same files.
3. Wall time at 300 ms per request on the 10 minute input: a plain sequential loop over the same windows (decode,
   segment, `Window.flac()`, `GroqClient.transcribe`, one after another) next to the job at C = 1, 4, 8. Medians of
   `--repeat` runs. The lower bound is the larger of the loop's own work (its time minus the latency) and
   ceil(requests / C) x 0.3 s.
4. 429s under an audio-seconds-per-hour limit with a small, fast bucket (300 audio seconds refilled over 10 s,
   i.e. 30 s of audio per second) on the 10 minute input, no latency: the job at C = 4 and 8, and for contrast
   Groq's own SDK (`groq.Groq`, default retries) sending the same windows from 4 threads. "ideal" is the time the
   limit implies: (billed seconds - 300) / 30. Target: the limiter keeps 429s near zero.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import _common
import audio_pipeline

import voicekit
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.segment import segment_windows
from voicekit.testing import GroqServer, ServerOptions

LATENCY = 0.3
CONCURRENCY = (1, 4, 8)
ASH_LIMIT, ASH_WINDOW = 300.0, 10.0
TEN_MINUTES = audio_pipeline.CASES[0]
THREE_HOURS = audio_pipeline.CASES[2]


def job(server: GroqServer, path: Path, concurrency: int) -> tuple[float, voicekit.Transcript]:
    """`voicekit.transcribe` through the loopback server; `(wall seconds, transcript)`."""
    client = voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url, max_concurrency=concurrency)
    return _common.timed(lambda: voicekit.transcribe(path, engine="groq", client=client, concurrency=concurrency,
                                                     cache=False, progress=False))


def window_uploads(path: Path) -> list[tuple[str, bytes, float]]:
    """Every window of `path` as `(name, FLAC bytes, seconds)`, cut as the job cuts them."""
    with stream_audio(path, DecodeOptions(sample_rate=16000)) as stream:
        return [(f"window{w.index}.flac", w.flac(), w.duration) for w in segment_windows(stream, stream.sample_rate)]


def sequential_once(server: GroqServer, path: Path) -> float:
    """A plain loop: decode, segment, encode and send each window, one after another, with `GroqClient`."""
    with voicekit.GroqClient(api_key=server.api_key, base_url=server.base_url, max_concurrency=1) as client:
        started = time.perf_counter()
        with stream_audio(path, DecodeOptions(sample_rate=16000)) as stream:
            for window in segment_windows(stream, stream.sample_rate):
                client.transcribe(("window.flac", window.flac()), audio_seconds=window.duration)
        return time.perf_counter() - started


# ------------------------------------------------------------------------------------------------ table 1


def memory_case(path: str) -> dict[str, Any]:
    """In a fresh interpreter: the whole job on `path` at C = 4 (the server's address comes from the environment)."""
    client = voicekit.AsyncGroqClient(max_concurrency=4)
    with _common.PeakMemory() as peak:
        started = time.perf_counter()
        transcript = voicekit.transcribe(path, engine="groq", client=client, concurrency=4, cache=False,
                                         progress=False)
        wall = time.perf_counter() - started
    return {"audio_s": transcript.duration, "wall": wall, "peak_mb": peak.above_mb, "baseline_mb": peak.baseline_mb,
            "result_mb": transcript_mb(transcript), "json_mb": len(transcript.model_dump_json()) / 1e6,
            "segments": len(transcript.segments), "words": len(transcript.text.split()),
            "end": transcript.segments[-1].end if transcript.segments else 0.0}


def transcript_mb(transcript: voicekit.Transcript) -> float:
    """RSS that one more copy of `transcript` takes (rebuilt from its JSON): what the result alone weighs."""
    data = transcript.model_dump_json()
    before = _common.rss_mb("VmRSS")
    copy = voicekit.Transcript.model_validate_json(data)
    grown = _common.rss_mb("VmRSS") - before
    del copy
    return grown


def memory_table(inputs: list[tuple[str, Path]]) -> None:
    rows = []
    with _common.loopback(ServerOptions(transcription_backend="synthetic")) as server:
        for label, path in inputs:
            server.log.reset()
            r = _common.run_case(__file__, str(path))
            hours = r["audio_s"] / 3600
            requests = server.log.count("transcriptions")
            per_hour = server.log.bytes_in / hours
            rows.append([label, f"{r['audio_s'] / 60:.1f}", str(requests), f"{r['wall']:.1f}",
                         f"{r['audio_s'] / r['wall']:.0f}x", f"{r['baseline_mb']:.0f}", f"**{r['peak_mb']:.1f}**",
                         f"{r['result_mb']:.1f} ({r['json_mb']:.1f} MB as JSON)",
                         f"{per_hour / 1e6:.1f} MB ({per_hour / _common.WAV_BYTES_PER_HOUR:.0%})",
                         f"{server.log.audio_seconds_billed / r['audio_s']:.3f}",
                         f"{r['words']:,} / {r['end'] / 60:.1f} min"])
    _common.print_table(
        "1. The whole transcribe job, subprocess per input, synthetic transcripts, no latency, C=4",
        ["input", "audio (min)", "requests", "wall (s)", "x real time", "interpreter (MB)",
         "peak RSS above interpreter (MB)",
         "the Transcript alone (MB)", "uploaded per audio hour (vs 16 kHz WAV)", "billed s / length",
         "words / last segment end"], rows,
        ["Targets: peak flat and under 200 MB; billed / length <= 1.05. The server runs in this process, so its "
         "memory is not counted. \"The Transcript alone\": the RSS one more copy of the result takes (rebuilt from "
         "its JSON): the part of the peak that has to grow with the recording."])


# ------------------------------------------------------------------------------------------------ table 2


def preprocessing_table(inputs: list[tuple[str, Path]]) -> None:
    rows = []
    for label, path in inputs:
        r = audio_pipeline.measure(path)
        speed = r["audio_seconds"] / r["elapsed"]
        rows.append([label, str(int(r["windows"])), f"{r['elapsed']:.1f}", f"**{speed:.0f}x**",
                     f"{r['peak_above_mb']:.1f}", f"{r['sent_seconds'] / r['audio_seconds']:.3f}"])
    _common.print_table(
        "2. Preprocessing only (decode, resample to 16 kHz, segment, encode FLAC), via benchmarks/audio_pipeline.py",
        ["input", "windows", "wall (s)", "x real time", "peak RSS above interpreter (MB)", "seconds sent / length"],
        rows)


# ------------------------------------------------------------------------------------------------ table 3


def latency_table(path: Path, repeats: int) -> None:
    walls: dict[int, list[float]] = {}
    requests: dict[int, int] = {}
    with _common.loopback(ServerOptions(latency=LATENCY, transcription_backend="synthetic")) as server:
        for _ in range(repeats):
            for concurrency in (0, *CONCURRENCY):
                before = server.log.count("transcriptions")
                if concurrency == 0:
                    seconds = sequential_once(server, path)
                else:
                    seconds, _ = job(server, path, concurrency)
                walls.setdefault(concurrency, []).append(seconds)
                requests[concurrency] = server.log.count("transcriptions") - before
    base = _common.median(walls[0])
    work = base - requests[0] * LATENCY
    rows = []
    for concurrency, times in walls.items():
        wall = _common.median(times)
        c = max(concurrency, 1)
        ideal = max(work, math.ceil(requests[concurrency] / c) * LATENCY)
        rows.append(["plain loop of GroqClient.transcribe" if concurrency == 0 else "voicekit.transcribe", str(c),
                     str(requests[concurrency]), f"{wall:.2f}", f"{ideal:.2f}", f"{wall / ideal:.2f}",
                     f"{base / wall:.2f}x"])
    _common.print_table(
        f"3. Wall time at {LATENCY * 1000:.0f} ms per request, {TEN_MINUTES.name}, median of {repeats}",
        ["run", "C", "requests", "wall (s)", "lower bound (s)", "wall / bound", "speed-up vs loop"], rows,
        [f"lower bound: the larger of the loop's own work (its time minus {LATENCY * 1000:.0f} ms per request: "
         f"{work:.2f} s of decoding, encoding and request handling, which one interpreter cannot overlap with "
         "itself) and ceil(requests / C) rounds of latency."])


# ------------------------------------------------------------------------------------------------ table 4


def sdk_run(server: GroqServer, uploads: list[tuple[str, bytes, float]]) -> tuple[float, int, int]:
    """Groq's SDK sending `uploads` from 4 threads: `(wall, successes, failures)`."""
    import groq

    client = groq.Groq(api_key=server.api_key, base_url=server.base_url)

    def send(upload: tuple[str, bytes, float]) -> bool:
        try:
            client.audio.transcriptions.create(file=(upload[0], upload[1]), model="whisper-large-v3-turbo",
                                               response_format="verbose_json")
        except groq.APIError:
            return False
        return True

    with ThreadPoolExecutor(4) as pool:
        seconds, results = _common.timed(lambda: list(pool.map(send, uploads)))
    client.close()
    return seconds, sum(results), len(results) - sum(results)


def limit_row(name: str, server: GroqServer, work: Callable[[], tuple[float, int, int]]) -> list[str]:
    wall, ok, failed = work()
    billed = server.log.audio_seconds_billed
    ideal = max(0.0, billed - ASH_LIMIT) / (ASH_LIMIT / ASH_WINDOW)
    return [name, str(server.log.count("transcriptions")), str(ok), str(failed),
            f"**{server.log.count('transcriptions', status=429)}**", f"{billed:.0f}", f"{wall:.1f}", f"{ideal:.1f}",
            f"{wall / ideal:.2f}" if ideal else "-"]


def job_run(server: GroqServer, path: Path, concurrency: int) -> tuple[float, int, int]:
    """The job under the limit: `(wall, windows answered 200, 1 if the job failed else 0)`."""
    started = time.perf_counter()
    try:
        job(server, path, concurrency)
    except voicekit.VoicekitError as exc:
        print(f"the job failed: {exc}", file=sys.stderr)
        return time.perf_counter() - started, server.log.count("transcriptions", status=200), 1
    return time.perf_counter() - started, server.log.count("transcriptions", status=200), 0


def limit_table(path: Path) -> None:
    uploads = window_uploads(path)
    options = ServerOptions(transcription_backend="synthetic", audio_seconds_per_hour=ASH_LIMIT,
                            audio_window=ASH_WINDOW)
    rows = []
    for concurrency in (4, 8, 0):
        with _common.loopback(options) as server:
            if concurrency:
                rows.append(limit_row(f"voicekit.transcribe, C={concurrency}", server,
                                      partial(job_run, server, path, concurrency)))
            else:
                rows.append(limit_row("groq SDK, 4 threads", server, partial(sdk_run, server, uploads)))
    _common.print_table(
        f"4. Under an audio-seconds limit of {ASH_LIMIT:.0f} per {ASH_WINDOW:.0f} s (server bucket), "
        f"{TEN_MINUTES.name}, no latency",
        ["run", "requests", "succeeded", "failed", "answered 429", "billed s", "wall (s)", "ideal (s)",
         "wall / ideal"], rows,
        ["Each run gets a fresh server (a full bucket). Target: 429s near zero for voicekit."])


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 10 minute input only, one repeat")
    parser.add_argument("--repeat", type=int, default=2, help="runs per case of table 3 (median)")
    parser.add_argument("--workdir", type=Path, help="keep the built inputs here (reused on the next run)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(memory_case(args.case)))
        return 0
    if not _common.ADDRESS.exists():
        print(f"skipped: {_common.ADDRESS} not found")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        cases = [TEN_MINUTES] + ([] if args.quick else [THREE_HOURS])
        started = time.perf_counter()
        inputs = [(case.name, audio_pipeline.build(case, folder)) for case in cases]
        print(f"inputs built in {time.perf_counter() - started:.0f} s")
        memory_table(inputs)
        preprocessing_table(inputs)
        latency_table(inputs[0][1], 1 if args.quick else args.repeat)
        limit_table(inputs[0][1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
