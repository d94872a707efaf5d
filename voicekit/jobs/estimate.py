"""How long a local narration will take, measured on this machine as it is now.

Piper's speed depends on the machine and on what else runs on it (a shared machine can be several times slower
than an idle one), so a constant cannot promise an estimate within a factor of 1.5. The plan instead times the
voice being loaded and one calibration passage spoken, once per process, and scales by the document's characters.

Measured on the project's 2-core machine under load (load average 22), `samples/article.md` (1074 characters):
the voice loaded in 6.7 s, the passage ran at 33 characters per second, the plan said 39 s, the run took 35 s.
"""

from __future__ import annotations

import functools
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CALIBRATION_TEXT = ("A short passage read once to time this machine, with numbers written as words and a pause or "
                    "two, as a chapter has them.")


@dataclass(frozen=True)
class LocalSpeed:
    """What one Piper voice costs on this machine now: loading it, and characters spoken per second of wall time."""

    load_seconds: float
    chars_per_second: float

    def seconds(self, characters: int) -> float:
        """The wall time of narrating `characters`: the voice loaded, then every character spoken."""
        return self.load_seconds + characters / self.chars_per_second


def local_speed(voice: str, concurrency: int) -> LocalSpeed:
    """The speed of `voice` with `concurrency` chunks in flight, as far as this machine's cores let them run
    at once (more chunks in flight than cores speak no faster)."""
    return _measured_speed(voice, max(1, min(concurrency, os.cpu_count() or 1)))


@functools.cache
def _measured_speed(voice: str, streams: int) -> LocalSpeed:
    """Time `voice` being loaded (with a one-word warm-up), then `streams` copies of `CALIBRATION_TEXT` spoken at
    once, as the narration's worker threads speak its chunks; measured once per process."""
    from voicekit.engines.local import PiperSynthesizer

    started = time.perf_counter()
    synthesizer = PiperSynthesizer(voice=voice)
    synthesizer.synthesize_sync("Hello.")
    loaded = time.perf_counter()
    with ThreadPoolExecutor(max_workers=streams) as pool:
        list(pool.map(synthesizer.synthesize_sync, [CALIBRATION_TEXT] * streams))
    spoken = time.perf_counter()
    return LocalSpeed(load_seconds=loaded - started,
                      chars_per_second=streams * len(CALIBRATION_TEXT) / max(spoken - loaded, 1e-3))
