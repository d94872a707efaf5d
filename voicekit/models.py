"""The result models under their older import path: `Audio` lives in `voicekit.audio.model`, `Word`, `Segment`
and `Transcript` in `voicekit.transcript.model`. This module only re-exports them (nothing inside voicekit needs it)."""

from __future__ import annotations

from voicekit.audio.model import Audio, FloatArray
from voicekit.transcript.model import Segment, Transcript, Word

__all__ = ["Audio", "FloatArray", "Segment", "Transcript", "Word"]
