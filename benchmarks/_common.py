"""What the job benchmarks share: the shared data, peak memory of one case in a fresh interpreter, medians, tables,
and a loopback Groq server whose address the jobs (and their subprocesses) find in the environment.

Not a benchmark itself. The scripts beside it import it as `_common` (Python puts a script's folder on the path).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from voicekit import Audio
from voicekit.testing import GroqServer, ServerOptions
from voicekit.testing.speech import OUTPUT_RATE, SECONDS_PER_CHAR, SpeechSource, synthetic_speech

T = TypeVar("T")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BOOK = DATA / "text" / "gutenberg_1342_pride_and_prejudice.txt"
ADDRESS = DATA / "audio" / "en_long_bush_columbia_address_3m19s.ogg"
WAV_BYTES_PER_HOUR = 16000 * 2 * 3600
"""16 kHz mono 16-bit PCM: 115.2 MB per hour of audio."""


# ------------------------------------------------------------------------------------------------ memory


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) in MB; getrusage's maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start VmHWM again from the current RSS (Linux: write 5 to clear_refs), so imports do not hide the peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


class PeakMemory:
    """`with PeakMemory() as peak: work()` then `peak.above_mb`: the most RSS the work added above the start."""

    def __init__(self) -> None:
        self.baseline_mb = 0.0
        self.above_mb = 0.0

    def __enter__(self) -> PeakMemory:
        self.baseline_mb = rss_mb("VmRSS")
        reset_peak_rss()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.above_mb = rss_mb("VmHWM") - self.baseline_mb


def run_case(script: str, *args: str) -> dict[str, Any]:
    """Run `script --case ARGS...` in a fresh interpreter (same environment) and return the JSON of its last line."""
    done = subprocess.run([sys.executable, script, "--case", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"case {args} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------------------------------------ timing


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """`(wall seconds, result)` of one call."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# ------------------------------------------------------------------------------------------------ tables


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], notes: Sequence[str] = ()) -> None:
    """A Markdown table under a bold title, with notes below it."""
    print(f"\n**{title}**\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for note in notes:
        print(f"\n{note}")
    sys.stdout.flush()


# ------------------------------------------------------------------------------------------------ server


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the block (subprocesses inherit them), then put the old values back."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def loopback(options: ServerOptions) -> Iterator[GroqServer]:
    """A running `GroqServer`, with GROQ_API_KEY and GROQ_BASE_URL pointing at it and an empty VOICEKIT_CACHE_DIR."""
    with tempfile.TemporaryDirectory() as cache, GroqServer(options) as server, \
            environment(GROQ_API_KEY=server.api_key, GROQ_BASE_URL=server.base_url, VOICEKIT_CACHE_DIR=cache):
        yield server


# ------------------------------------------------------------------------------------------------ speech


class PooledSpeech(SpeechSource):
    """The server's synthetic speech, cut from one pre-made signal instead of made per request.

    `server.app.services.speech = PooledSpeech()` after the server starts. Same signal shape and the same 0.06 s
    per character as `voicekit.testing.speech.synthetic_speech`, starting at a character boundary (where the signal
    is 0), chosen from the text's CRC so neighbouring chunks differ. It costs a copy instead of the ~50 ms of CPU
    that `synthetic_speech` spends on a 200-character chunk (a Python loop over characters), which would otherwise
    make the server, not the client, the bottleneck.
    """

    POOL_CHARS = 400

    def __init__(self) -> None:
        super().__init__("synthetic")
        letters = "".join(c for c in BOOK.read_text(encoding="utf-8-sig")[2000:8000] if c.isalnum() or c == " ")
        self.pool = synthetic_speech(letters[: self.POOL_CHARS]).samples
        self.per_char = round(SECONDS_PER_CHAR * OUTPUT_RATE)

    def speak(self, text: str, *, english: bool = True) -> Audio:
        frames = min(len(text), self.POOL_CHARS // 2) * self.per_char
        offset = zlib.crc32(text.encode()) % (self.POOL_CHARS // 2) * self.per_char
        return Audio(self.pool[offset : offset + frames].copy(), OUTPUT_RATE)
