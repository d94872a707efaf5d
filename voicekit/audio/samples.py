"""Samples no model should see: NaN, infinities, and recordings that are nothing but zeros.

- A decoded file (`AudioStream`) is read in blocks and cannot be refused before it is sent without reading it
  twice, so its NaN and infinite samples are **repaired** to 0 (silence) as they are decoded, and a WARNING says
  how many were; a recording whose every sample is zero (or was repaired) is reported as silent. Silence is never
  sent to a model, so neither case runs one.
- An array the caller passes is checked whole before anything runs: NaN or infinite samples are **refused** with
  `AudioError` (the caller holds the array and can fix it); an all-zero array is reported as silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicekit.errors import AudioError

FloatArray = npt.NDArray[np.float32]

logger = logging.getLogger("voicekit")


@dataclass
class SampleGuard:
    """Repairs the blocks of one recording as they pass and remembers what it saw."""

    what: str
    repaired: int = 0
    """NaN or infinite samples set to 0."""
    heard: bool = False
    """Whether any sample was not zero."""

    def repair(self, block: FloatArray) -> FloatArray:
        """`block` with NaN and infinite samples set to 0 (a copy only when there were any)."""
        finite = np.isfinite(block)
        if not finite.all():
            self.repaired += int(block.size - np.count_nonzero(finite))
            block = np.where(finite, block, np.float32(0.0)).astype(np.float32)
        if not self.heard and np.any(block):
            self.heard = True
        return block

    def report(self) -> None:
        """Log what was repaired and whether the recording was silent (call once, at the end)."""
        if self.repaired:
            logger.warning("%s: %d NaN or infinite samples were replaced by silence before transcription",
                           self.what, self.repaired)
        if not self.heard:
            logger.warning("%s is silent (every sample is zero): there is nothing to transcribe", self.what)


def check_array(samples: FloatArray, what: str = "the audio array") -> None:
    """Refuse NaN or infinite samples with `AudioError`; log a warning for an all-zero array."""
    finite = np.isfinite(samples)
    if not finite.all():
        bad = int(samples.size - np.count_nonzero(finite))
        raise AudioError(f"{what} holds {bad} NaN or infinite samples: replace them (numpy.nan_to_num) and try "
                         "again")
    if samples.size and not np.any(samples):
        logger.warning("%s is silent (every sample is zero): there is nothing to transcribe", what)
