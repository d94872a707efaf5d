"""Decode + resample + segment + encode FLAC on a 10 minute and a 3 hour recording: memory, speed, size.

    /work/venv/bin/python benchmarks/audio_pipeline.py            # all cases (about two minutes)
    /work/venv/bin/python benchmarks/audio_pipeline.py --quick    # the 10 minute cases only

The inputs are built first in a temporary folder by looping a real recording (the 3 min 19 s Columbia address,
with its natural pauses) into a FLAC file at 44.1 kHz stereo (10 min), an AAC m4a at 48 kHz stereo through PyAV
(10 min) and a FLAC at 22.05 kHz stereo (3 h). Each case then runs in a fresh interpreter: the peak RSS it
adds above the interpreter with voicekit imported (VmHWM after a reset, else `resource.getrusage` maxrss) is what
the pipeline costs.
Targets: memory flat whatever the length, and under 200 MB above the interpreter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile as sf
import soxr
from _common import reset_peak_rss, rss_mb

SOURCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "audio"
SOURCE = SOURCE / "en_long_bush_columbia_address_3m19s.ogg"
WAV_BYTES_PER_HOUR = 16000 * 2 * 3600  # 16 kHz mono 16-bit PCM


@dataclass(frozen=True)
class Case:
    name: str
    minutes: float
    suffix: str
    rate: int


CASES = [
    Case("10 min FLAC 44.1 kHz stereo", 10, "flac", 44100),
    Case("10 min m4a (AAC) 48 kHz stereo", 10, "m4a", 48000),
    Case("3 h FLAC 22.05 kHz stereo", 180, "flac", 22050),
]


# ---------------------------------------------------------------------------------------------------- inputs


def looped(minutes: float, rate: int) -> Iterator[np.ndarray]:
    """The source recording at `rate`, stereo, repeated in blocks until `minutes` are out."""
    speech, source_rate = sf.read(SOURCE, dtype="float32", always_2d=True)
    if source_rate != rate:
        speech = soxr.resample(speech, source_rate, rate).astype(np.float32)
    left = round(minutes * 60 * rate)
    while left > 0:
        piece = speech[:left]
        left -= len(piece)
        yield piece


def write_flac(path: Path, minutes: float, rate: int) -> None:
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, format="FLAC", subtype="PCM_16") as out:
        for piece in looped(minutes, rate):
            out.write(piece)


def write_m4a(path: Path, minutes: float, rate: int) -> None:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "stereo"
        for piece in looped(minutes, rate):
            for begin in range(0, len(piece), 1 << 16):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(piece[begin : begin + (1 << 16)].T), format="fltp", layout="stereo"
                )
                frame.sample_rate = rate
                out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def build(case: Case, folder: Path) -> Path:
    path = folder / f"{case.minutes:g}min_{case.rate}.{case.suffix}"
    if not path.exists():
        (write_flac if case.suffix == "flac" else write_m4a)(path, case.minutes, case.rate)
    return path


# ---------------------------------------------------------------------------------------------------- one run


def run_pipeline(path: str) -> dict[str, float]:
    """In a fresh interpreter: the whole audio side of transcription, windows encoded and dropped."""
    from voicekit.audio.io import DecodeOptions, stream_audio
    from voicekit.audio.segment import segment_windows

    baseline = rss_mb("VmRSS")
    reset_peak_rss()
    started = time.perf_counter()
    windows = flac_bytes = 0
    sent_seconds = longest = 0.0
    with stream_audio(path, DecodeOptions(sample_rate=16000)) as stream:
        for window in segment_windows(stream, stream.sample_rate):
            flac_bytes += len(window.flac())
            windows += 1
            sent_seconds += window.duration
            longest = max(longest, window.duration)
    elapsed = time.perf_counter() - started
    return {
        "audio_seconds": stream.output_frames / stream.sample_rate,
        "elapsed": elapsed,
        "peak_above_mb": rss_mb("VmHWM") - baseline,
        "baseline_mb": baseline,
        "windows": windows,
        "sent_seconds": sent_seconds,
        "longest": longest,
        "flac_bytes": flac_bytes,
    }


def measure(path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--run", str(path)], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------------- table


def row(case: Case, result: dict[str, float]) -> str:
    hours = result["audio_seconds"] / 3600
    per_hour = result["flac_bytes"] / (result["sent_seconds"] / 3600)
    return (
        f"| {case.name} | {result['audio_seconds'] / 60:.1f} | {result['windows']:.0f} | "
        f"{result['sent_seconds'] / result['windows']:.1f} / {result['longest']:.1f} | "
        f"{result['peak_above_mb']:.1f} | {result['audio_seconds'] / result['elapsed']:.0f}x | "
        f"{per_hour / 1e6:.1f} MB ({per_hour / WAV_BYTES_PER_HOUR:.0%}) | "
        f"{result['flac_bytes'] / 1e6 / hours:.1f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 10 minute cases")
    parser.add_argument("--workdir", type=Path, help="keep the built inputs here (reused on the next run)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_pipeline(args.run)))
        return
    if not SOURCE.exists():
        sys.exit(f"the source recording {SOURCE} is absent")
    cases = [case for case in CASES if not (args.quick and case.minutes > 10)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            "| input | audio (min) | windows | mean / longest window (s) | peak RSS above interpreter (MB) "
            "| speed (x real time) | FLAC per hour sent (vs 16 kHz 16-bit WAV, 115.2 MB) | FLAC per audio hour |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for case in cases:
            began = time.perf_counter()
            path = build(case, folder)
            built = time.perf_counter() - began
            print(row(case, measure(path)) + f" <!-- input built in {built:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
