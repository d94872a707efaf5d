"""What transcribing a recording would send and cost, without sending anything: `plan_transcription`.

The recording is decoded and cut into windows exactly as `transcribe` cuts them (`segment_windows`: long silences
are not sent), so the plan's requests and audio seconds are the run's. Each request is billed as at least the
engine's minimum (10 s on Groq). A provider named without its key set still plans: prices and limits are public.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from voicekit._sync import run_sync
from voicekit.audio.io import AudioSource, DecodeOptions, stream_audio
from voicekit.audio.segment import segment_windows
from voicekit.config import Settings
from voicekit.engines.catalog import AudioPace, transcription_pace
from voicekit.engines.registry import open_planning_transcription_engine
from voicekit.jobs.transcribe import RATE, TranscribeOptions


class TranscriptionPlan(BaseModel):
    """A recording's transcription, as planned."""

    engine: str
    model: str
    audio_seconds: float
    """The recording's length."""
    sent_seconds: float
    """The audio in the windows that would be sent (long silences are left out)."""
    billed_seconds: float
    """What the provider bills: every request counts at least its minimum."""
    requests: int
    cost_usd: float
    estimated_seconds: float
    """Wall time, at the engine's pace (see `estimate_transcription_seconds`)."""


def plan_transcription(source: AudioSource, *, options: TranscribeOptions | None = None,
                       **overrides: Any) -> TranscriptionPlan:
    """Decode and window `source` as `transcribe` would, and say the requests, audio, cost and time; send nothing.
    Keyword overrides are `TranscribeOptions` fields."""
    opts = TranscribeOptions.resolve(options, overrides)
    return run_sync(_plan(source, opts))


async def _plan(source: AudioSource, opts: TranscribeOptions) -> TranscriptionPlan:
    async with open_planning_transcription_engine(opts.engine, model=opts.model,
                                                  translate=opts.translate) as engine:
        requests, sent, billed = 0, 0.0, 0.0
        with stream_audio(source, DecodeOptions(sample_rate=RATE, channel=opts.channel)) as stream:
            for window in segment_windows(stream, RATE, opts.segment):
                seconds = len(window.samples) / RATE
                requests, sent, billed = requests + 1, sent + seconds, billed + engine.billed_seconds(seconds)
            audio = stream.output_frames / RATE
        concurrency = opts.concurrency or Settings().concurrency
        return TranscriptionPlan(
            engine=engine.name, model=engine.model, audio_seconds=round(audio, 2), sent_seconds=round(sent, 2),
            billed_seconds=round(billed, 2), requests=requests, cost_usd=round(engine.cost_usd(billed), 6),
            estimated_seconds=round(estimate_transcription_seconds(
                transcription_pace(engine.name), requests, sent, billed, concurrency=concurrency), 1))


def estimate_transcription_seconds(pace: AudioPace, requests: int, sent: float, billed: float, *,
                                   concurrency: int) -> float:
    """Wall time: on this machine, start-up then the sent audio at the measured speed; through an API, the waits
    beyond full buckets of requests a minute and billed audio seconds an hour (voicekit's client waits for a
    request's share plus what is in flight, half a request on average, `voicekit.engines.ratelimit`), or, if
    longer, a request's time per round of `concurrency` requests (the buckets refill while those run)."""
    if pace.speed:
        return pace.start_seconds + sent / pace.speed
    waits = [0.0]
    if pace.rpm and requests > pace.rpm:
        waits.append((requests - pace.rpm + 0.5) * 60 / pace.rpm)
    if pace.audio_seconds_per_hour and billed > pace.audio_seconds_per_hour:
        average = billed / requests
        waits.append((billed - pace.audio_seconds_per_hour + average / 2) * 3600 / pace.audio_seconds_per_hour)
    return max(max(waits) + pace.request_seconds, math.ceil(requests / max(1, concurrency)) * pace.request_seconds)
