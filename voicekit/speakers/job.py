"""`transcribe(..., speakers=...)`: the transcription job with speaker labels, around the plain job.

The plain job is passed in (`transcribe_one`), so this module does not import the job module that calls it.

- `speakers="channels"`: each channel transcribed on its own (the plain job with `channel=N`), merged in time
  order and labelled by channel (`voicekit.speakers.channels`).
- `"auto"`, a number or a range: the voices of the mix are told apart offline, in a thread while the transcription
  runs, and the transcript's words labelled by time (`voicekit.speakers.assign`). A missing package, unreadable
  weights, or a source that cannot be read twice (a file object) fail before anything is transcribed or sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from voicekit import errors
from voicekit.audio.io import probe
from voicekit.audio.model import Audio
from voicekit.speakers.assign import label_transcript, parse_speakers
from voicekit.speakers.channels import channel_names, merge_channels
from voicekit.speakers.diarize import check_installed, diarize_source
from voicekit.transcript.model import Transcript

__all__ = ["transcribe_speakers"]

TranscribeOne = Callable[..., Awaitable[Transcript]]
"""The plain job: `await transcribe_one(channel=...)` (or with no argument, the mix)."""


async def transcribe_speakers(transcribe_one: TranscribeOne, source: Any, sample_rate: int | None, speakers: str,
                              names: Sequence[str] | None, paragraph_gap: float | None) -> Transcript:
    """The transcript of `source` with a speaker on every segment and word (see the module docstring)."""
    bounds = parse_speakers(speakers)
    if bounds is None:
        labels = channel_names(_channel_count(source), names)
        parts = [await transcribe_one(channel=index) for index in range(len(labels))]
        transcript = merge_channels(parts, labels, paragraph_gap)
        return transcript.model_copy(update={"source": parts[0].source})
    _check_rereadable(source, "telling voices apart reads the recording a second time")
    check_installed()
    voices = asyncio.ensure_future(asyncio.to_thread(diarize_source, source, sample_rate, bounds))
    try:
        transcript = await transcribe_one()
    except BaseException:
        await asyncio.gather(voices, return_exceptions=True)
        raise
    return label_transcript(transcript, await voices, names)


def _check_rereadable(source: Any, why: str) -> None:
    if not isinstance(source, Audio | np.ndarray | str | Path | bytes | bytearray | memoryview):
        raise errors.InputError(f"{why}: pass a path, bytes, an Audio or an array, not a file object")


def _channel_count(source: Any) -> int:
    """How many channels the source has (a file's header, an array's shape)."""
    _check_rereadable(source, "speakers='channels' reads the recording once per channel")
    if isinstance(source, Audio):
        return source.channels
    if isinstance(source, np.ndarray):
        return 1 if source.ndim == 1 else int(source.shape[1])
    return probe(source).channels
