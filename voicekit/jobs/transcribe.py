"""Transcribe a recording of any length: decode (streamed) -> windows at quiet points -> Whisper -> exact merge.

Windows run concurrently through the engine (paced by the Groq client's limiter), come back in order, and go into
the incremental `Merger`; only about `concurrency` windows are held at once, whatever the recording's length. Each
finished window is cached, so a killed run resumes with only the missing windows and an identical rerun sends nothing.

The source is opened once (a pipe can be read only once). The transcript's duration is what actually decoded: a
truncated file gives the transcript of what is there, a shorter duration and a logged warning, never a result that
claims the whole length. Segments with nothing to read (Whisper's " . . ." for faint noise) are not kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import soxr
from pydantic import Field, field_validator

from voicekit import errors
from voicekit._sync import run_sync
from voicekit.audio.io import AudioSource, AudioStream, DecodeOptions, stream_audio
from voicekit.audio.model import Audio
from voicekit.audio.samples import check_array
from voicekit.audio.segment import SegmentOptions, Window, segment_windows
from voicekit.cache import Cache
from voicekit.config import Settings
from voicekit.engines.base import TranscriptionEngine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.languages import language_code
from voicekit.engines.registry import EngineName, check_engine_name, open_transcription_engine
from voicekit.jobs.options import JobOptions
from voicekit.jobs.ordered import ordered_map
from voicekit.jobs.progress import progress_bar
from voicekit.jobs.sent import SentRequests
from voicekit.transcript.gaps import speech_gaps, splice
from voicekit.transcript.merge import MergeOptions, Merger, WindowSpan
from voicekit.transcript.model import Transcript
from voicekit.transcript.words import WORD_FORM, normalize_transcript

logger = logging.getLogger(__name__)

RATE = 16000
SHORTFALL_SECONDS = 0.5
"""A file that decodes this much shorter than its header says is reported as cut short (a truncated download)."""
MAX_PROMPT_CHARS = 896
"""The longest prompt the API takes."""
PROMPT_TAIL_CHARS = 600
"""With `carry_prompt`, at most this much of the previous window's text becomes the next prompt."""

Source = AudioSource | Audio | npt.NDArray[np.floating[Any]]


class TranscribeOptions(JobOptions):
    """Everything `transcribe` can be told. The defaults suit a meeting recording."""

    job: ClassVar[str] = "transcribe"

    engine: EngineName | TranscriptionEngine = "auto"
    """A name (groq, local, or auto: groq when GROQ_API_KEY is set) or a `TranscriptionEngine` object."""
    model: str | None = None
    """The Groq model (default whisper-large-v3-turbo; whisper-large-v3 for translation), or the local Whisper model
    (tiny.en, the one installed; another name fails at once, listing the installed ones)."""
    language: str | None = None
    """ISO-639-1 code such as "en". None detects it from the first window of speech (not from leading silence,
    which is never sent) and keeps it for the rest."""
    translate: bool = False
    """Translate the speech into English text (Groq whisper-large-v3 only)."""
    prompt: str | None = Field(default=None, max_length=MAX_PROMPT_CHARS)
    """Text that guides spelling and style (names, jargon), in the recording's language."""
    carry_prompt: bool = False
    """Pass the end of each window's text as the next window's prompt. Windows then run one at a time."""
    channel: Literal["mix"] | int = "mix"
    """Mix all channels, or transcribe one channel (0-based)."""
    concurrency: int | None = Field(default=None, ge=1)
    """Windows in flight at once (default: VOICEKIT_CONCURRENCY, 4; for the local engine at least its batch size,
    8, so that its batches fill)."""
    cache: bool = True
    """Keep finished windows so a rerun requests only what is missing."""
    fill_gaps: bool = False
    """Transcribe again, on its own, any stretch of speech of 1.5 s or more that a window's transcript skipped
    (Whisper sometimes ends a window early). Each such retry is one more request. Off by default: measured on the
    shared English recordings (benchmarks/accuracy.py) it costs accuracy now that each window is decoded whole."""
    progress: bool = True
    """Show a progress bar in audio time with the estimated cost."""
    speakers: str | None = None
    """Who said what: "channels" transcribes each channel on its own and labels it by channel; "auto", a number
    ("2") or a range ("2-4") tells voices apart in the mix (offline, needs `voicekit[speakers]`). None: no labels."""
    speaker_names: tuple[str, ...] | None = None
    """Names for the speakers: one per channel, or for the voices in order of first appearance."""
    segment: SegmentOptions = SegmentOptions()
    merge: MergeOptions = MergeOptions()

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, engine: EngineName | TranscriptionEngine) -> EngineName | TranscriptionEngine:
        return check_engine_name(engine) if isinstance(engine, str) else engine


class _Stopped(Exception):
    """A window's request was not sent because the run had already stopped."""


@dataclass
class _Run:
    """The state one transcription shares between its windows. A window's request runs in its own task: once
    sent it is finished and cached even when the run fails or is cancelled meanwhile (it is paid for), and after
    that no request is sent (`voicekit.jobs.sent`)."""

    transcriber: TranscriptionEngine
    options: TranscribeOptions
    cache: Cache
    language: str | None
    previous_text: str = ""
    requests: int = 0
    billed: float = 0.0
    sent: SentRequests = field(default_factory=SentRequests)


async def atranscribe(source: Source, *, sample_rate: int | None = None, options: TranscribeOptions | None = None,
                      client: AsyncGroqClient | None = None, **overrides: Any) -> Transcript:
    """Transcribe `source`: a path, the bytes of a file, a binary file, an `Audio`, or a numpy array with
    `sample_rate`. Keyword overrides are `TranscribeOptions` fields (`language="en"`, `engine="local"`, ...);
    `engine` may be a name or a `TranscriptionEngine` object (left open for its owner)."""
    opts = TranscribeOptions.resolve(options, overrides)
    _check_language(opts)
    if opts.speakers is not None:
        return await _transcribe_speakers(source, sample_rate, opts, client)
    concurrency = 1 if opts.carry_prompt else (opts.concurrency or Settings().concurrency)
    async with open_transcription_engine(opts.engine, model=opts.model, translate=opts.translate,
                                         concurrency=concurrency, client=client) as engine:
        # An engine that knows one language only (the local English model) needs no window to run alone to find it.
        run = _Run(engine, opts, Cache() if opts.cache else Cache.disabled(),
                   opts.language or engine.limits.language)
        in_flight = concurrency if opts.concurrency or opts.carry_prompt else max(concurrency,
                                                                                  engine.limits.batch_size)
        with _open_input(source, sample_rate, opts.channel) as samples:
            transcript = await _transcribe_windows(run, samples, in_flight)
    transcript = transcript.model_copy(update={"model": engine.model})
    # A file's transcript knows where its audio is (a notebook then shows a player beside the segments).
    return transcript.model_copy(update={"source": str(source)}) if isinstance(source, str | Path) else transcript


async def _transcribe_speakers(source: Source, sample_rate: int | None, opts: TranscribeOptions,
                               client: AsyncGroqClient | None) -> Transcript:
    """The job with speaker labels (`voicekit.speakers.job`), around the plain job."""
    from voicekit.speakers.job import transcribe_speakers

    plain = opts.model_copy(update={"speakers": None, "speaker_names": None})

    async def transcribe_one(**channel: Any) -> Transcript:
        return await atranscribe(source, sample_rate=sample_rate, options=plain, client=client, **channel)

    return await transcribe_speakers(transcribe_one, source, sample_rate, opts.speakers or "", opts.speaker_names,
                                     opts.merge.paragraph_gap)


def transcribe(source: Source, *, sample_rate: int | None = None, options: TranscribeOptions | None = None,
               client: AsyncGroqClient | None = None, **overrides: Any) -> Transcript:
    """Blocking `atranscribe`; works in scripts and inside a running notebook loop."""
    return run_sync(atranscribe(source, sample_rate=sample_rate, options=options, client=client, **overrides))


async def _transcribe_windows(run: _Run, samples: _Input, concurrency: int) -> Transcript:
    """Window, transcribe and merge. Without a language, the first window runs alone so that its language fixes
    the rest's."""
    merger = Merger(run.options.merge)
    async with run.sent.seen_through():
        await _merge_windows(run, samples, concurrency, merger)
    duration = samples.decoded_duration()
    if merger.windows == 0:
        return Transcript(text="", duration=duration)
    return merger.result(duration=duration)


async def _merge_windows(run: _Run, samples: _Input, concurrency: int, merger: Merger) -> None:
    """Every window's transcript into `merger`, in order, with the progress bar."""
    windows = _Announced(segment_windows(samples.blocks, RATE, run.options.segment), run.transcriber)
    total = samples.expected
    with windows, progress_bar(total=total, unit="s", desc="transcribing", enabled=run.options.progress,
                               engine=run.transcriber) as bar:
        first = next(windows, None) if run.language is None else None
        if first is not None:
            _take(run, merger, first, await _window_transcript(run, first))
            _advance(bar, run, first)
        async for window, transcript in ordered_map(windows, lambda w: _window_transcript(run, w), concurrency):
            _take(run, merger, window, transcript)
            _advance(bar, run, window)
        if total is not None:
            bar.update(max(0.0, total - bar.n))


class _Announced:
    """The job's windows, announced to the engine: `windows_started` on entering, `windows_ended` once the last
    has been cut (or the job stops first), so that an engine that batches windows (the local one) waits for more
    only while they can come. The windows are cut in a worker thread (`ordered_map`), so the end is passed to the
    event loop."""

    def __init__(self, windows: Iterator[Window], engine: TranscriptionEngine) -> None:
        self.windows, self.engine = windows, engine
        self.loop = asyncio.get_running_loop()  # here, on the loop: iteration runs in worker threads
        self.ended = False

    def __enter__(self) -> _Announced:
        self.engine.windows_started()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end()

    def __iter__(self) -> _Announced:
        return self

    def __next__(self) -> Window:
        window = next(self.windows, None)
        if window is None:
            self.loop.call_soon_threadsafe(self.end)
            raise StopIteration
        return window

    def end(self) -> None:
        """Tell the engine once (on the event loop)."""
        if not self.ended:
            self.ended = True
            self.engine.windows_ended()


def _take(run: _Run, merger: Merger, window: Window, transcript: Transcript) -> None:
    """Merge one window; the first window with speech in it fixes the language for the windows after it."""
    merger.add(WindowSpan.from_window(window), transcript)
    if run.language is None and transcript.segments:
        run.language = language_code(transcript.language)


async def _window_transcript(run: _Run, window: Window) -> Transcript:
    """One window's transcript: from the cache, or from the engine (and then cached). The request runs in its own
    task, shielded, so that cancelling the waiter (Ctrl-C, another window failed) does not throw away a transcript
    already paid for."""
    prompt = _prompt(run)
    key = Cache.key("window", **run.transcriber.cache_identity(), language=run.language, prompt=prompt,
                    translate=run.options.translate, fill_gaps=run.options.fill_gaps, words=WORD_FORM,
                    audio=_fingerprint(window.samples))
    cached = run.cache.get_json(key)
    if cached is not None:
        transcript = Transcript.model_validate(cached)
    else:
        transcript = await run.sent.send(_request(run, window, prompt, key))
    run.previous_text = transcript.text
    return transcript


async def _request(run: _Run, window: Window, prompt: str | None, key: str) -> Transcript:
    """Transcribe one window (none once the run has stopped) and cache it."""
    if run.sent.stopped:
        raise _Stopped
    async with run.cache.claim(key):  # another process transcribing this window: wait for it, then read it
        cached = run.cache.get_json(key)
        if cached is not None:
            return Transcript.model_validate(cached)
        if run.sent.stopped:
            raise _Stopped
        transcript = await _engine_transcript(run, window.samples, prompt)
        if run.options.fill_gaps:
            transcript = await _fill_gaps(run, window.samples, transcript)
        run.cache.put_json(key, transcript.model_dump(mode="json"))
    return transcript


async def _engine_transcript(run: _Run, samples: npt.NDArray[np.float32], prompt: str | None) -> Transcript:
    run.requests += 1
    run.billed += run.transcriber.billed_seconds(len(samples) / RATE)
    transcript = await run.transcriber.transcribe_window(Audio(samples, RATE), language=run.language, prompt=prompt)
    # Every provider's words enter the job here and leave in the one normal form (bare, punctuation attached).
    return readable(normalize_transcript(transcript))


def readable(transcript: Transcript) -> Transcript:
    """The transcript without segments that have nothing to read: Whisper writes " . . ." for faint noise, and
    those segments pass its own silence rule (their log-probability is high), so they would reach the result."""
    kept = [segment for segment in transcript.segments if _has_words(segment.text)]
    if len(kept) == len(transcript.segments):
        return transcript
    if any(segment.words for segment in transcript.segments):
        words = [word for segment in kept for word in segment.words]
    else:
        words = [word for word in transcript.words if _has_words(word.word)]
    return transcript.model_copy(update={"segments": kept, "words": words,
                                         "text": "".join(segment.text for segment in kept).strip()})


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


async def _fill_gaps(run: _Run, samples: npt.NDArray[np.float32], transcript: Transcript) -> Transcript:
    """Transcribe each skipped stretch of speech on its own and splice it in (see `voicekit.transcript.gaps`)."""
    for start, end in speech_gaps(samples, RATE, transcript):
        piece = samples[int(start * RATE): int(end * RATE)]
        transcript = splice(transcript, await _engine_transcript(run, piece, None), start, end)
    return transcript


def _prompt(run: _Run) -> str | None:
    """The user's prompt, whole, followed with `carry_prompt` by as much of the end of the previous window's text
    as fits in the API's 896 characters (at most `PROMPT_TAIL_CHARS`)."""
    own = run.options.prompt or ""
    if not run.options.carry_prompt or not run.previous_text:
        return run.options.prompt
    room = min(PROMPT_TAIL_CHARS, MAX_PROMPT_CHARS - len(own) - 1)
    carried = run.previous_text.strip()[-room:] if room > 0 else ""
    return f"{own} {carried}".strip() or None


def _advance(bar: Any, run: _Run, window: Window) -> None:
    done = window.end if bar.total is None else min(window.end, bar.total)
    bar.update(max(0.0, done - bar.n))
    cost = run.transcriber.cost_usd(run.billed)
    if cost > 0:
        bar.set_postfix_str(f"{run.requests} requests, ${cost:.4f}")


def _fingerprint(samples: npt.NDArray[np.float32]) -> str:
    return hashlib.sha256(np.ascontiguousarray(samples, dtype=np.float32).tobytes()).hexdigest()


def _check_language(options: TranscribeOptions) -> None:
    if options.language is not None and language_code(options.language) is None:
        raise errors.InputError(f"unknown language '{options.language}': use --language with an ISO-639-1 code such as "
                                "en, de or es (or leave it out to detect it)")


@dataclass
class _Input:
    """16 kHz mono float32 blocks of the source, with what is known of its length."""

    blocks: Iterator[npt.NDArray[np.float32]]
    expected: float | None
    """The length the source claims (a file's header), for the progress bar; None when unknown."""
    stream: AudioStream | None = None

    def decoded_duration(self) -> float | None:
        """The length actually decoded, once every block was read: a truncated file is shorter than its header
        says, and its transcript must not claim to cover what was never heard (the shortfall is logged)."""
        if self.stream is None:
            return self.expected
        decoded = self.stream.output_frames / RATE
        if self.stream.stopped_early or (self.expected and decoded < self.expected - SHORTFALL_SECONDS):
            logger.warning("the recording decoded to %.2f s of the %s s its header promised; the transcript covers "
                           "only what decoded (%s)", decoded, self.expected, self.stream.stopped_early or "cut short")
        return decoded

    def __enter__(self) -> _Input:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _open_input(source: Source, sample_rate: int | None, channel: Literal["mix"] | int,
                block_seconds: float = 10.0) -> _Input:
    """Open any source once (a pipe can be read only once): arrays directly, files and bytes as a stream."""
    if isinstance(source, Audio | np.ndarray):
        blocks, duration = _array_blocks(source, sample_rate, channel, block_seconds)
        return _Input(blocks, duration)
    stream = stream_audio(source, DecodeOptions(sample_rate=RATE, channel=channel, block_seconds=block_seconds))
    return _Input(iter(stream), stream.info.duration, stream)


def _array_blocks(source: Audio | npt.NDArray[np.floating[Any]], sample_rate: int | None,
                  channel: Literal["mix"] | int,
                  block_seconds: float) -> tuple[Iterator[npt.NDArray[np.float32]], float]:
    """Blocks of an in-memory recording, shape (frames,) or (frames, channels), and its length in seconds."""
    if isinstance(source, Audio):
        samples, sample_rate = source.samples, source.sample_rate
    elif sample_rate is None:
        raise errors.InputError("a numpy array needs its sample_rate: transcribe(array, sample_rate=16000)")
    else:
        samples = np.asarray(source, dtype=np.float32)
    samples = _one_channel(samples, channel)
    if len(samples) == 0:
        raise errors.AudioError("the audio array is empty: it holds no samples")
    check_array(samples)
    if sample_rate != RATE:
        samples = soxr.resample(samples, sample_rate, RATE)
    step = int(block_seconds * RATE)
    blocks = (np.asarray(samples[i:i + step], dtype=np.float32) for i in range(0, len(samples), step))
    return blocks, len(samples) / RATE


def _one_channel(samples: npt.NDArray[np.float32], channel: Literal["mix"] | int) -> npt.NDArray[np.float32]:
    """The mean of all channels, or the one asked for; a channel that does not exist is an `InputError`."""
    if samples.ndim not in (1, 2):
        raise errors.InputError(f"audio arrays are (frames,) or (frames, channels), not shape {samples.shape}")
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    if channel != "mix" and not 0 <= channel < channels:
        raise errors.InputError(f"channel {channel} does not exist; the audio has {channels} channel(s), "
                                f"numbered from 0")
    if samples.ndim == 1:
        return samples
    return samples.mean(axis=1) if channel == "mix" else samples[:, channel]
