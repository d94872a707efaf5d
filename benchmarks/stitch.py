"""Stitch 1,000 and 10,000 narrated chunks into one file: speed, memory, and how clean the joins are.

    /work/venv/bin/python benchmarks/stitch.py            # all cases (about two minutes; 10,000 chunks is 8 h)
    /work/venv/bin/python benchmarks/stitch.py --quick    # the 1,000-chunk cases only

The chunks are synthetic speech-like audio (harmonics of a gliding pitch in 4 Hz syllables, with breath noise),
2 to 4 s long at 24 kHz mono as Orpheus returns them, at levels from -30 to -3 dBFS; every fourth chunk starts and
ends mid-waveform (no silence of its own), which is what the fades are for. A pool of 32 chunks is made before the
clock starts and cycled with a different gain each time, so the time measured is the stitching alone.

Each case runs in a fresh interpreter. "Peak RSS" is the peak the stitching adds above that interpreter with numpy,
soundfile, soxr and voicekit imported and the chunk pool made (VmHWM after a reset, else getrusage maxrss).
"Join jump" is the largest |x[n] - x[n-1]| within 2 ms of any chunk edge in the finished file; "inner jump" the
largest anywhere else (read back from the file a block at a time). A join is clean when its jump is no larger.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CASES = [(1_000, "wav"), (1_000, "flac"), (10_000, "wav")]
RATE = 24_000
POOL = 32


def speech_like(seconds: float, level_db: float, seed: int, abrupt: bool) -> np.ndarray:
    """A chunk of voiced syllables; unless `abrupt`, with 80-200 ms of silence before and after."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    phase = 2 * np.pi * np.cumsum(120 + 20 * np.sin(2 * np.pi * 0.6 * t + rng.uniform(0, 6))) / RATE
    voice = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 14))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 0.5
    speech = (voice + 0.05 * rng.standard_normal(n)) * (0.15 + syllables)
    speech *= 10 ** (level_db / 20) / np.max(np.abs(speech))
    if abrupt:
        return speech.astype(np.float32)
    pad = [np.zeros(round(rng.uniform(0.08, 0.2) * RATE)) for _ in range(2)]
    return np.concatenate([pad[0], speech, pad[1]]).astype(np.float32)


def _rss_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM), or getrusage's maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Make VmHWM start again from the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def run_case(count: int, fmt: str, folder: str) -> dict[str, float]:
    """Stitch `count` chunks into `folder/out.<fmt>` in this process; measure time, peak RSS and joins."""
    from voicekit import Audio
    from voicekit.audio.stitch import Stitcher, file_join_clicks

    rng = np.random.default_rng(0)
    pool = [speech_like(rng.uniform(2, 4), -3.0, seed=i, abrupt=i % 4 == 0) for i in range(POOL)]
    gains = rng.uniform(-27, 0, count)
    pauses = rng.choice(["chunk", "sentence", "sentence", "paragraph"], count)
    path = Path(folder) / f"out.{fmt}"
    _reset_peak()
    base = _rss_kb("VmRSS")
    started = time.perf_counter()
    with Stitcher(path) as stitcher:
        for i in range(count):
            chunk = pool[i % POOL] * np.float32(10 ** (gains[i] / 20))
            stitcher.add(Audio(chunk, RATE), str(pauses[i]))
    result = stitcher.close()
    seconds = time.perf_counter() - started
    peak = _rss_kb("VmHWM") - base
    at_join, inner = file_join_clicks(path, result.join_frames())
    return {"chunks": count, "audio_h": result.duration / 3600, "wall_s": seconds,
            "x_realtime": result.duration / seconds, "peak_mb": peak / 1024, "file_mb": path.stat().st_size / 1e6,
            "join_jump": at_join, "inner_jump": inner}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the 1,000-chunk cases")
    parser.add_argument("--case", nargs=2, metavar=("COUNT", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(run_case(int(args.case[0]), args.case[1], folder)))
        return
    header = (f"{'chunks':>7} {'fmt':>4} {'audio':>7} {'wall':>7} {'x real':>7} {'peak RSS':>9} {'file':>8} "
              f"{'join jump':>9} {'inner jump':>10}")
    print(header)
    print("-" * len(header))
    for count, fmt in CASES:
        if args.quick and count > 1_000:
            continue
        out = subprocess.run([sys.executable, __file__, "--case", str(count), fmt],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{count:>7,} {fmt:>4} {row['audio_h']:>6.2f}h {row['wall_s']:>6.1f}s {row['x_realtime']:>6.0f}x "
              f"{row['peak_mb']:>6.1f} MB {row['file_mb']:>5.0f} MB "
              f"{row['join_jump']:>9.4f} {row['inner_jump']:>10.4f}")


if __name__ == "__main__":
    main()
