"""Narrate Pride and Prejudice against the loopback Groq server: speed-up, requests, cut points, chunker speed,
memory, and clicks at the joins.

    /work/venv/bin/python benchmarks/narrate.py            # everything (about four minutes on 2 quiet cores)
    /work/venv/bin/python benchmarks/narrate.py --quick    # no whole-book run, no Piper joins, one repeat

Reads ../shared/data/text/gutenberg_1342_pride_and_prejudice.txt. Prints four Markdown tables:

1. Wall time at 300 ms per request (server latency; synthetic speech from a pool, so the server is not the
   bottleneck) on chapter 1: a plain sequential loop of `GroqClient.speech` over the plan's chunks, next to
   `voicekit.narrate` (engine groq, `AsyncGroqClient(max_concurrency=C)`, options concurrency=C, cache off) for
   C = 1, 4, 8, and once more at C = 8 with the server making its synthetic speech per request. Medians of
   `--repeat` runs, interleaved. "ideal" is ceil(requests / C) x 0.3 s. Target: the speed-up approaches C.
2. The plan (`plan_narration`): requests against ceil(characters / 200) (target <= 1.3x) and against the bound
   when no chunk may span two paragraphs; share of chunks ending at sentence or clause punctuation (target
   >= 95 %); front-end throughput on the whole book in MB/s (target >= 1 MB/s), best of 3, wall and CPU time.
3. Peak memory of narrating a 100 KB slice and the whole 700 KB book, each in a fresh interpreter while the server
   runs in this one (5 ms latency): the RSS the narration adds above that interpreter with voicekit imported and
   the text read (VmHWM after a reset). Target: flat, under 300 MB.

4. Clicks at joins: the largest |x[n] - x[n-1]| within 2 ms of a chunk edge in the finished file next to the largest
   anywhere else (`voicekit.audio.stitch.file_join_clicks`). A join is clean when its jump is no larger. The join
   positions come from the stitcher's spans (`StitchResult.join_frames()`); `Narration` does not expose them, so the
   benchmark records the job's `StitchResult` by wrapping `Stitcher.close` (`RecordingStitcher`). Rows: the synthetic
   outputs above, and chapter 1 spoken by the Piper voice (real speech, whose edges do not start at zero).

The server's synthetic speech is served from a pool in tables 1 and 3 (`_common.PooledSpeech`: the same signal,
0.06 s per character), because generating it costs about 50 ms of CPU per chunk, which made the server the
bottleneck at C = 8 and for a 5,000-chunk book.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common

import voicekit
import voicekit.jobs.narrate as narrate_job
from voicekit.audio.stitch import Stitcher, StitchResult, file_join_clicks
from voicekit.testing import GroqServer, ServerOptions
from voicekit.testing.speech import SpeechSource
from voicekit.text.chunk import ChunkOptions
from voicekit.text.document import parse_document
from voicekit.text.frontend import FrontendOptions, prepare

LATENCY = 0.3
MEMORY_LATENCY = 0.005
CONCURRENCY = (1, 4, 8)
LIMIT = 200
SLICE_BYTES = 100_000
LOOP = "plain loop of GroqClient.speech"
NARRATE = "voicekit.narrate"
NARRATE_SLOW_SERVER = "voicekit.narrate, server synthesizing per request"
PUNCTUATED = re.compile(r"[.!?…;:,—–-][\"'”’)\]»]*$")
"""A chunk ending at sentence or clause punctuation (closing quotes and brackets aside), as benchmarks/chunker.py."""


# ------------------------------------------------------------------------------------------------ inputs


def book() -> str:
    """The whole book, decoded as a reader would hand it over (BOM dropped, CRLF kept: the job reads both)."""
    return _common.BOOK.read_bytes().decode("utf-8-sig")


def chapters(text: str, first: int = 1, last: int = 2) -> str:
    """Chapters `first` to `last`, with the book's line ends made plain."""
    plain = text.replace("\r\n", "\n")
    return plain[plain.index(f"Chapter {first}\n") : plain.index(f"Chapter {last + 1}\n")]


def hundred_kb(text: str) -> str:
    """About 100 KB from Chapter 1 on, ending at a paragraph break (the slice benchmarks/chunker.py uses)."""
    plain = text.replace("\r\n", "\n")
    piece = plain[plain.index("Chapter 1\n") :].encode("utf-8")[:SLICE_BYTES].decode("utf-8", errors="ignore")
    return piece[: piece.rindex("\n\n")]


# ------------------------------------------------------------------------------------------------ harness


class RecordingStitcher(Stitcher):
    """The job's own `Stitcher`, keeping what `close()` returned so the joins can be measured afterwards."""

    results: list[StitchResult] = []

    def close(self) -> StitchResult:
        result = super().close()
        RecordingStitcher.results.append(result)
        return result


def record_stitches() -> None:
    """Make the narrate job stitch with `RecordingStitcher` (see the module docstring, table 4)."""
    narrate_job.Stitcher = RecordingStitcher  # type: ignore[attr-defined]


def narrate_once(server: GroqServer, text: str, out: Path, concurrency: int) -> tuple[float, voicekit.Narration]:
    """One narration through the loopback server, cache and progress bar off."""
    client = voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url, max_concurrency=concurrency)
    return _common.timed(lambda: voicekit.narrate(text, out, engine="groq", client=client, concurrency=concurrency,
                                                  cache=False, progress=False))


def sequential_once(server: GroqServer, texts: list[str]) -> float:
    """A plain loop of single `GroqClient.speech` requests over the same chunks, one after another."""
    with voicekit.GroqClient(api_key=server.api_key, base_url=server.base_url, max_concurrency=1) as client:
        seconds, _ = _common.timed(lambda: [client.speech(text) for text in texts])
    return seconds


@dataclass
class Clicks:
    label: str
    joins: int
    at_join: float
    inner: float

    def row(self) -> list[str]:
        verdict = "clean" if self.at_join <= self.inner else f"{self.at_join / max(self.inner, 1e-9):.2f}x inner"
        return [self.label, str(self.joins), f"{self.at_join:.4f}", f"{self.inner:.4f}", verdict]


def measure_clicks(label: str, result: StitchResult) -> Clicks:
    assert result.path is not None
    joins = result.join_frames()
    at_join, inner = file_join_clicks(result.path, joins)
    return Clicks(label, len(joins), at_join, inner)


# ------------------------------------------------------------------------------------------------ table 1


def latency_table(text: str, repeats: int, folder: Path) -> Clicks:
    """Table 1; returns the joins of the last C=8 output for table 4."""
    out = folder / "chapters.wav"
    walls: dict[tuple[str, int], list[float]] = {}
    requests: dict[tuple[str, int], int] = {}
    pooled, per_request = _common.PooledSpeech(), SpeechSource("synthetic")

    def run(name: str, concurrency: int, work: Any) -> None:
        before = server.log.count("speech")
        walls.setdefault((name, concurrency), []).append(work())
        requests[(name, concurrency)] = server.log.count("speech") - before

    with _common.loopback(ServerOptions(latency=LATENCY, speech_backend="synthetic")) as server:
        plan = voicekit.plan_narration(text, engine="groq")
        texts = [chunk.text for chunk in plan.chunks]
        for _ in range(repeats):
            server.app.services.speech = pooled
            run(LOOP, 1, lambda: sequential_once(server, texts))
            for concurrency in CONCURRENCY:
                run(NARRATE, concurrency, lambda c=concurrency: narrate_once(server, text, out, c)[0])
            server.app.services.speech = per_request
            run(NARRATE_SLOW_SERVER, 8, lambda: narrate_once(server, text, out, 8)[0])
    print_latency(walls, requests, f"chapter 1 ({len(text):,} characters, {len(texts)} chunks)", repeats)
    return measure_clicks("chapter 1, synthetic speech, 300 ms, C=8", RecordingStitcher.results[-1])


def print_latency(walls: dict[tuple[str, int], list[float]], requests: dict[tuple[str, int], int], what: str,
                  repeats: int) -> None:
    base = _common.median(walls[(LOOP, 1)])
    rows = []
    for (name, concurrency), times in walls.items():
        ideal = math.ceil(requests[(name, concurrency)] / concurrency) * LATENCY
        wall = _common.median(times)
        rows.append([name, str(concurrency), str(requests[(name, concurrency)]), f"{wall:.2f}", f"{ideal:.2f}",
                     f"{wall / ideal:.2f}", f"{base / wall:.2f}x", f"{base / wall / concurrency:.0%}"])
    _common.print_table(
        f"1. Wall time at {LATENCY * 1000:.0f} ms per request, {what}, median of {repeats}",
        ["run", "C", "requests", "wall (s)", "ideal (s)", "wall / ideal", "speed-up vs loop", "speed-up / C"], rows,
        ["Speech comes from `_common.PooledSpeech` except in the last row, where the server makes the synthetic "
         "signal per request as it does by default (~50 ms of CPU each, serialized by the server's GIL)."])


# ------------------------------------------------------------------------------------------------ table 2


def plan_row(name: str, text: str) -> list[str]:
    """Requests, bounds and cut quality of the job's plan for `text`."""
    plan = voicekit.plan_narration(text, engine="groq")
    bound = math.ceil(plan.characters / LIMIT)
    chunks = prepare(parse_document(text, "text"), FrontendOptions(chunk=ChunkOptions(max_chars=LIMIT))).chunks
    per_block: dict[int, int] = {}
    for chunk in chunks:
        per_block[chunk.block] = per_block.get(chunk.block, 0) + chunk.chars + 1
    block_bound = sum(math.ceil((chars - 1) / LIMIT) for chars in per_block.values())
    punctuated = sum(1 for chunk in plan.chunks if PUNCTUATED.search(chunk.text))
    return [name, f"{plan.characters:,}", str(plan.requests), str(bound), f"{plan.requests / bound:.2f}x",
            f"{block_bound} ({plan.requests / block_bound:.2f}x)", f"{punctuated / plan.requests:.1%}",
            f"{plan.characters / plan.requests:.0f}", str(max(c.chars for c in plan.chunks)),
            str(plan.oversize_splits)]


def throughput(text: str, repeat: int = 3) -> tuple[float, float]:
    """MB/s of `plan_narration` on `text`: best wall time and best CPU time of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        voicekit.plan_narration(text, engine="groq")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    size = len(text.encode("utf-8")) / 1e6
    return size / min(walls), size / min(cpus)


def plan_table(text: str) -> None:
    with _common.environment(GROQ_API_KEY="gsk_plan_only"):
        rows = [plan_row("chapter 1", chapters(text, 1, 1)), plan_row("100 KB slice", hundred_kb(text)),
                plan_row("whole book", text)]
        wall, cpu = throughput(text)
    _common.print_table(
        "2. The plan (plan_narration, max 200 characters)",
        ["input", "characters", "requests", "ceil(chars/200)", "ratio", "bound, chunks within paragraphs",
         "ends at . ! ? ; : , — etc.", "mean chars", "max chars", "oversize splits"], rows,
        [f"Front end (`plan_narration`: parse, directions, normalize, sentences, chunks) on the whole book "
         f"({len(text.encode()) / 1e6:.2f} MB): {wall:.2f} MB/s wall, {cpu:.2f} MB/s CPU (best of 3). "
         "Target >= 1 MB/s."])


# ------------------------------------------------------------------------------------------------ table 3


def memory_case(which: str, folder: str) -> dict[str, Any]:
    """In a fresh interpreter: narrate `which` (slice or book) at concurrency 4; peak RSS, time and joins."""
    record_stitches()
    text = hundred_kb(book()) if which == "slice" else book()
    out = Path(folder) / f"{which}.wav"
    client = voicekit.AsyncGroqClient(max_concurrency=4)  # GROQ_API_KEY and GROQ_BASE_URL from the parent
    with _common.PeakMemory() as peak:
        started = time.perf_counter()
        narration = voicekit.narrate(text, out, engine="groq", client=client, concurrency=4, cache=False,
                                     progress=False)
        wall = time.perf_counter() - started
    clicks = measure_clicks(which, RecordingStitcher.results[-1])
    return {"kb": len(text.encode()) / 1000, "chunks": narration.chunks, "audio_h": narration.duration / 3600,
            "wall": wall, "peak_mb": peak.above_mb, "baseline_mb": peak.baseline_mb,
            "file_mb": out.stat().st_size / 1e6, "joins": clicks.joins, "at_join": clicks.at_join,
            "inner": clicks.inner}


def memory_table(quick: bool, folder: Path) -> list[Clicks]:
    cases = [("slice", "100 KB slice")] + ([] if quick else [("book", "whole book")])
    rows, clicks = [], []
    with _common.loopback(ServerOptions(latency=MEMORY_LATENCY, speech_backend="synthetic")) as server:
        server.app.services.speech = _common.PooledSpeech()
        for which, label in cases:
            r = _common.run_case(__file__, which, str(folder))
            rows.append([label, f"{r['kb']:.0f}", str(r["chunks"]), f"{r['audio_h']:.2f}", f"{r['wall']:.1f}",
                         f"{r['audio_h'] * 3600 / r['wall']:.0f}x", f"{r['baseline_mb']:.0f}",
                         f"**{r['peak_mb']:.1f}**", f"{r['file_mb']:.0f}"])
            clicks.append(Clicks(f"{label}, synthetic speech, {MEMORY_LATENCY * 1000:.0f} ms, C=4", r["joins"],
                                 r["at_join"], r["inner"]))
            for leftover in folder.glob(f"{which}.wav*"):
                leftover.unlink()
    _common.print_table(
        f"3. Peak memory, subprocess per case, {MEMORY_LATENCY * 1000:.0f} ms latency, C=4, WAV output",
        ["input", "KB", "chunks", "audio (h)", "wall (s)", "x real time", "interpreter (MB)",
         "peak RSS above interpreter (MB)", "output (MB)"], rows,
        ["Target: flat and under 300 MB. The server runs in this process, so its memory is not counted. "
         "`_common.PooledSpeech` stands in for the server's `synthetic_speech`, which takes ~50 ms per 200-character "
         "chunk (a Python loop over characters): 4 minutes of server CPU for the book, which then bounds the run."])
    return clicks


# ------------------------------------------------------------------------------------------------ table 4


def piper_clicks(text: str, folder: Path) -> Clicks:
    """Chapter 1 spoken by the Piper voice behind the server, stitched by the job."""
    with _common.loopback(ServerOptions(latency=0.0, speech_backend="piper")) as server:
        narrate_once(server, chapters(text, 1, 1), folder / "piper.wav", 2)
    return measure_clicks("chapter 1, Piper speech, 0 ms, C=2", RecordingStitcher.results[-1])


def clicks_table(rows: list[Clicks]) -> None:
    _common.print_table(
        "4. Clicks at joins (largest |x[n] - x[n-1]| within 2 ms of a chunk edge vs elsewhere)",
        ["output", "joins", "jump at joins", "jump inside chunks", "verdict"], [c.row() for c in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="no whole-book run, no Piper joins, one repeat")
    parser.add_argument("--repeat", type=int, default=2, help="runs per case of table 1 (median)")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(memory_case(*args.case)))
        return 0
    if not _common.BOOK.exists():
        print(f"skipped: {_common.BOOK} not found")
        return 0
    record_stitches()
    text = book()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        clicks = [latency_table(chapters(text, 1, 1), 1 if args.quick else args.repeat, folder)]
        plan_table(text)
        clicks += memory_table(args.quick, folder)
        if not args.quick:
            clicks.append(piper_clicks(text, folder))
        clicks_table(clicks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
