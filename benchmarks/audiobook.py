"""Narrate the Alice EPUB into an M4B audiobook with the local engine (Piper): chapters, duration, real-time factor,
peak memory, file size per hour, and the chapter marks against the stitched chunk times.

    python benchmarks/audiobook.py            # the whole book (12 chapters, about 2.6 h of audio)
    python benchmarks/audiobook.py --quick    # its first three chapters

Reads ../shared/data/epub/pg11-images.epub. Each narration runs in a fresh interpreter with an empty chunk cache
(every chunk is synthesized), so its peak memory is its own: the RSS it adds above that interpreter with voicekit
imported (VmHWM after a reset). Prints two Markdown tables:

1. The book: chapters, audio duration, wall time and real-time factor (audio seconds per wall second) of the whole
   job (synthesis, stitching and encoding) and its peak memory; then a rerun served by the chunk cache (stitching
   and writing only) with its own peak memory, which is the output path's. Side by side, the same book written as
   one FLAC (the lossless alternative): the file size per hour of audio of each, and WAV's for scale.
2. Chapter marks: for each chapter, the mark read back from the M4B (`av.open(path).chapters()`, as a player reads
   it) against where its first chunk's audio lies in the stitched output (the stitcher's spans, recorded per
   chapter, plus the chapters and pauses before it). The difference is in samples; the last column is what the
   marks would be off by if stored in milliseconds, as FFmpeg's MP4 muxer does by default (movie timescale 1000).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common

EPUB = _common.DATA / "epub" / "pg11-images.epub"


def run_case(out: str, chapters: str | None) -> dict[str, Any]:
    """One narration in this interpreter: its result, time, peak memory and each chapter's stitched spans."""
    import voicekit.jobs.narrate as narrate_job
    from voicekit.audio.m4b import read_chapters
    from voicekit.audio.stitch import Stitcher, StitchResult
    from voicekit.jobs.audiobook import narrate_book

    stitched: list[StitchResult] = []

    class RecordingStitcher(Stitcher):
        def close(self) -> StitchResult:
            result = super().close()
            if not stitched or stitched[-1] is not result:
                stitched.append(result)
            return result

    narrate_job.Stitcher = RecordingStitcher  # type: ignore[misc]
    with _common.PeakMemory() as peak:
        wall, book = _common.timed(lambda: narrate_book(EPUB, out, chapters=chapters, engine="local",
                                                        progress=False))
    marks, _, rate = read_chapters(out)
    return {"wall": wall, "peak_mb": peak.above_mb, "duration": book.duration, "rate": rate,
            "characters": book.characters,
            "chapters": [c.model_dump(mode="json") for c in book.chapters],
            "marks": [m.model_dump() for m in marks],
            "first_chunk": [round(r.spans[0].audio_start * r.sample_rate) for r in stitched],
            "stitched_frames": [r.frames for r in stitched], "bytes": Path(out).stat().st_size}


def join_parts_timing(out: str, chapters: str | None) -> dict[str, float]:
    """Narrate again from the chunk cache into a FLAC and an M4B, timing each (every chunk is cached, so Piper is
    never loaded: what is measured is stitching plus writing the output), with their sizes and peak memory."""
    from voicekit.jobs.audiobook import narrate_book

    sizes: dict[str, float] = {}
    for suffix in (".flac", ".m4b"):
        target = Path(out).with_name("again" + suffix)
        with _common.PeakMemory() as peak:
            wall, _ = _common.timed(lambda t=target: narrate_book(EPUB, t, chapters=chapters, engine="local",
                                                                  progress=False))
        sizes[suffix] = target.stat().st_size
        sizes[suffix + "_wall"] = wall
        sizes[suffix + "_peak_mb"] = peak.above_mb
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the first three chapters")
    parser.add_argument("--case", nargs=3, metavar=("KIND", "OUT", "CHAPTERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        kind, out, chapters = args.case
        part = None if chapters == "all" else chapters
        print(json.dumps(run_case(out, part) if kind == "narrate" else join_parts_timing(out, part)))
        return 0
    if not EPUB.is_file():
        print(f"shared test data not found: {EPUB} (the recordings live in ../shared/data beside the checkout)")
        return 1
    chapters = "1-3" if args.quick else "all"
    with tempfile.TemporaryDirectory() as folder, _common.environment(VOICEKIT_CACHE_DIR=str(Path(folder) / "c")):
        started = time.perf_counter()
        out = str(Path(folder) / "alice.m4b")
        result = _common.run_case(__file__, "narrate", out, chapters)
        result["again"] = _common.run_case(__file__, "cached", out, chapters)
        print(f"(benchmark took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    report(result, args.quick)
    return 0


def report(result: dict[str, Any], quick: bool) -> None:
    hours = result["duration"] / 3600
    again = result["again"]
    rate = result["rate"]
    wav_per_hour = rate * 2 * 3600 / 1e6
    _common.print_table(
        f"Alice in Wonderland EPUB -> M4B with Piper ({'first three chapters' if quick else 'whole book'})",
        ["output", "chapters", "audio", "wall (whole job)", "real-time factor", "characters per second",
         "peak memory", "MB per hour",
         "cached rerun: wall", "cached rerun: peak memory"],
        [["M4B (AAC 64 kb/s, mono)", str(len(result["chapters"])), f"{result['duration'] / 60:.1f} min",
          f"{result['wall']:.0f} s", f"{result['duration'] / result['wall']:.1f}x",
          f"{result['characters'] / result['wall']:.0f}", f"{result['peak_mb']:.0f} MB",
          f"{result['bytes'] / 1e6 / hours:.1f}", f"{again['.m4b_wall']:.1f} s", f"{again['.m4b_peak_mb']:.0f} MB"],
         ["FLAC (16-bit, mono), same parts", "", "", "", "", "", "", f"{again['.flac'] / 1e6 / hours:.1f}",
          f"{again['.flac_wall']:.1f} s", f"{again['.flac_peak_mb']:.0f} MB"],
         ["WAV (16-bit, mono), for scale", "", "", "", "", "", "", f"{wav_per_hour:.1f}", "", ""]],
        ["Real-time factor: seconds of audio made per second of wall time, whole job (Piper synthesis, stitching, "
         "FLAC parts, AAC encoding); characters per second is the narrated text's characters per second of wall "
         "time (the plan now measures Piper when planning: voicekit/jobs/estimate.py). Its peak memory is mostly "
         "Piper's (onnxruntime in four worker threads), "
         "whatever the book's length. The cached rerun is served by the chunk cache: no synthesis, only "
         "stitching the chapters again and writing the output, in a fresh interpreter: its memory is the output "
         "path's own."])
    rows, worst, worst_ms = [], 0, 0.0
    position = 0
    gap = result["chapters"][1]["start"] - result["stitched_frames"][0] if len(result["chapters"]) > 1 else 0
    for index, (chapter, mark) in enumerate(zip(result["chapters"], result["marks"], strict=True)):
        expected = position + result["first_chunk"][index]
        position += result["stitched_frames"][index] + gap
        diff = mark["start"] - expected
        ms_error = abs(round(expected / rate * 1000) / 1000 * rate - expected)
        worst, worst_ms = max(worst, abs(diff)), max(worst_ms, ms_error)
        rows.append([chapter["title"], str(mark["start"]), str(expected), str(diff), f"{ms_error:.1f}"])
    _common.print_table(
        "Chapter marks read back from the M4B against the stitched chunk times (samples at "
        f"{rate} Hz)", ["chapter", "mark in file", "first chunk's audio", "difference", "if stored in ms"], rows,
        [f"Max difference: {worst} samples (stored in milliseconds it would be up to {worst_ms:.1f} samples). "
         f"The pause between chapters ({gap} samples) counts in the chapter before."])


if __name__ == "__main__":
    sys.exit(main())
