"""Make `meeting.ogg`: the scripted two-person meeting in `meeting.txt`, spoken by the local Piper voice.

One packaged voice becomes two people: each speaker's turns are synthesized at their own pace (Piper's
`length_scale`) and then shifted in pitch by resampling (the samples are read as if recorded at `pitch` times
their rate, so a pitch above 1 sounds higher; the pace is corrected for it beforehand). Turns are evened in
loudness, separated by short pauses, with one long pause in the middle (a transcriber should skip it), over faint
steady noise so that the silences sound like a room. The result is 16 kHz mono Ogg Vorbis, about 1 MB.

`meeting.txt` is the reference transcript: one turn a line, `Name: what they say`.

    python samples/make_meeting.py [OUT]        # default: meeting.ogg beside this script
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from voicekit import Audio
from voicekit.engines.local import PiperSynthesizer

HERE = Path(__file__).resolve().parent
RATE = 16000
TURN_PAUSE = (0.45, 0.9)
"""Seconds of silence between turns, drawn from this range."""
LONG_PAUSE = 3.5
"""One pause this long before the second topic."""
LONG_PAUSE_BEFORE = "Good. Let us move on"
TARGET_RMS_DB = -22.0
NOISE_DB = -62.0


@dataclass(frozen=True)
class Voice:
    pace: float
    """Piper's length_scale after the pitch shift: above 1 speaks slower."""
    pitch: float
    """Pitch factor: above 1 sounds higher."""


VOICES = {"Maya": Voice(pace=1.0, pitch=1.18), "Tom": Voice(pace=1.08, pitch=0.9)}


def read_script(path: Path) -> list[tuple[str, str]]:
    """The turns of the script: (speaker, text) for every `Name: text` line."""
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            speaker, text = line.split(":", 1)
            turns.append((speaker.strip(), text.strip()))
    return turns


def speak_turn(text: str, voice: Voice) -> np.ndarray:
    """One turn at 16 kHz in `voice`, at `TARGET_RMS_DB`."""
    synthesizer = PiperSynthesizer(length_scale=voice.pace * voice.pitch)
    audio = synthesizer.synthesize_sync(text)
    samples = soxr.resample(audio.samples, audio.sample_rate * voice.pitch, RATE)
    rms = float(np.sqrt(np.mean(samples**2))) or 1.0
    return np.asarray(samples * (10 ** (TARGET_RMS_DB / 20) / rms), dtype=np.float32)


def make_meeting(script: Path, seed: int = 5) -> Audio:
    """The whole meeting as one 16 kHz mono `Audio`."""
    rng = np.random.default_rng(seed)
    pieces: list[np.ndarray] = [np.zeros(int(0.6 * RATE), dtype=np.float32)]
    for speaker, text in read_script(script):
        if text.startswith(LONG_PAUSE_BEFORE):
            pieces.append(np.zeros(int(LONG_PAUSE * RATE), dtype=np.float32))
        pieces.append(speak_turn(text, VOICES[speaker]))
        pieces.append(np.zeros(int(rng.uniform(*TURN_PAUSE) * RATE), dtype=np.float32))
    samples = np.concatenate(pieces)
    samples += rng.normal(0.0, 10 ** (NOISE_DB / 20), len(samples)).astype(np.float32)
    return Audio(np.clip(samples, -1.0, 1.0), RATE)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE / "meeting.ogg"
    audio = make_meeting(HERE / "meeting.txt")
    audio.save(out)
    print(f"wrote {out}: {audio.duration:.1f} s, {out.stat().st_size / 1e6:.2f} MB")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
