"""Narrate a document into one audio file: parse -> normalize -> chunk -> synthesize (concurrent) -> stitch.

Chunks are synthesized concurrently through the engine (paced by the Groq client's limiter) and stitched in order as
they arrive, so only about `concurrency` chunks of audio are held at once, whatever the document's length. Every
finished chunk is cached under its engine, model, voice and exact text: a killed run resumes with only the missing
chunks, an identical rerun sends nothing, and a failure loses nothing already paid for.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator

from voicekit import errors, guards, outputs
from voicekit._sync import run_sync
from voicekit.audio.model import AUDIO_FORMATS
from voicekit.audio.stitch import Stitcher, StitchOptions, StitchResult
from voicekit.cache import Cache
from voicekit.config import Settings
from voicekit.engines.base import SpeechEngine
from voicekit.engines.catalog import LOCAL_SPEECH_MODELS, RequestPace
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.registry import (
    EngineName,
    check_engine_name,
    open_planning_speech_engine,
    open_speech_engine,
)
from voicekit.jobs.estimate import local_speed
from voicekit.jobs.narration import Narration, Plan, PlannedChunk
from voicekit.jobs.options import JobOptions, check_audio_output, check_output
from voicekit.jobs.ordered import ordered_map
from voicekit.jobs.progress import progress_bar
from voicekit.jobs.sent import SentRequests
from voicekit.text.chunk import Chunk, ChunkOptions
from voicekit.text.directions import is_soft
from voicekit.text.document import Block, DocumentKind, load_document, parse_document
from voicekit.text.frontend import FrontendOptions, prepare
from voicekit.text.sanity import request_warnings
from voicekit.text.written import spoken_text, spoken_weights
from voicekit.transcript.cues import Token, cues_of_tokens, text_tokens
from voicekit.transcript.formats import cues_to_srt, cues_to_vtt
from voicekit.transcript.model import Segment, Transcript

logger = logging.getLogger("voicekit")

_DOCUMENT_NAME = re.compile(r"[^\s\[\]]+\.(txt|text|md|markdown|html?|xhtml)", re.IGNORECASE)
"""A one-word string ending in a document extension is meant as a path, not as the text to speak."""


CAPTION_FORMATS = ("srt", "vtt", "json")
"""The caption formats narration writes beside its audio."""


class NarrateOptions(JobOptions):
    """Everything `narrate` can be told. The defaults suit a chapter read aloud."""

    job: ClassVar[str] = "narrate"

    engine: EngineName | SpeechEngine = "auto"
    """A name (groq, local, or auto: groq when GROQ_API_KEY is set) or a `SpeechEngine` object."""
    model: str | None = None
    """The engine's model (default: the engine's own, canopylabs/orpheus-v1-english on Groq)."""
    voice: str | None = None
    """The voice (see `voicekit voices`); each engine has a default."""
    kind: DocumentKind = "auto"
    """How to read the document: text, markdown, html, or auto (from the extension or the content)."""
    max_chars: int | None = Field(default=None, ge=20)
    """The longest chunk, counted on exactly the string that is sent. None: the engine's limit (its model's
    `max_chars` in the catalog); a larger value is capped by that limit."""
    reapply_direction: bool = False
    """Start a chunk that continues a sentence with the vocal direction still in force."""
    join_paragraphs: bool | None = None
    """Let a chunk run on from one paragraph (or list item) into the next. Fewer requests (Pride and Prejudice:
    1.24x the minimum instead of 1.46x), but a paragraph break inside a chunk gets no paragraph pause. None: on for
    Groq, whose limits count requests, off for the local engine."""
    keep_citations: bool = False
    """Read bracketed citations such as [12] aloud instead of dropping them."""
    concurrency: int | None = Field(default=None, ge=1)
    """Chunks in flight at once (default: VOICEKIT_CONCURRENCY, 4)."""
    cache: bool = True
    """Keep finished chunks so a rerun requests only what is missing."""
    progress: bool = True
    """Show a progress bar (chunks, and seconds of audio made)."""
    format: str | None = None
    """The output's audio format (one of `AUDIO_FORMATS`); default: from the output's extension (WAV for the default
    output)."""
    stitch: StitchOptions = StitchOptions()

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, engine: EngineName | SpeechEngine) -> EngineName | SpeechEngine:
        return check_engine_name(engine) if isinstance(engine, str) else engine

    @field_validator("format")
    @classmethod
    def _known_format(cls, format: str | None) -> str | None:
        if format is not None and format.lower() not in AUDIO_FORMATS:
            raise ValueError(f"unknown audio format {format!r}: use one of {', '.join(AUDIO_FORMATS)}")
        return format.lower() if format is not None else None


class _Stopped(Exception):
    """A chunk's request was not sent because the run had already failed."""


@dataclass
class NarrationRun:
    """One narration's engine, cache and counts. At most `concurrency` requests are in flight at once; a request
    already sent is finished and cached even when the run fails meanwhile (it is paid for). One run may stitch
    several outputs (the audiobook job stitches a chapter at a time); the counts add up over all of them."""

    synthesizer: SpeechEngine
    cache: Cache
    concurrency: int
    requests: int = 0
    cached: int = 0
    characters: int = 0
    sending: asyncio.Semaphore = field(init=False)
    sent: SentRequests = field(default_factory=SentRequests)

    def __post_init__(self) -> None:
        self.sending = asyncio.Semaphore(self.concurrency)


def plan_narration(source: str | Path, *, options: NarrateOptions | None = None, **overrides: Any) -> Plan:
    """The chunks, request count, characters, cost and time of narrating `source`, without any request."""
    opts = NarrateOptions.resolve(options, overrides)
    guards.document_source(source)
    return run_sync(_plan(source, opts))


async def _plan(source: str | Path, opts: NarrateOptions) -> Plan:
    async with open_planning_speech_engine(opts.engine, model=opts.model, voice=opts.voice) as engine:
        chunks, warnings = _chunks(source, opts, engine)
        characters = sum(chunk.chars for chunk, _ in chunks)
        seconds, pace_warnings = estimate_seconds(engine.limits.pace, len(chunks), characters, voice=engine.voice,
                                                  concurrency=opts.concurrency or Settings().concurrency)
        return Plan(engine=engine.name, model=engine.model, voice=engine.voice,
                    chunks=[PlannedChunk(text=c.text, chars=c.chars, written=c.written) for c, _ in chunks],
                    requests=len(chunks),
                    characters=characters, cost_usd=round(engine.cost_usd(characters), 6),
                    estimated_seconds=round(seconds, 1), oversize_splits=sum(c.oversize_split for c, _ in chunks),
                    warnings=warnings + pace_warnings)


def estimate_seconds(pace: RequestPace, requests: int, characters: int, *, concurrency: int = 4,
                     voice: str | None = None) -> tuple[float, list[str]]:
    """Wall time at the engine's pace, and a warning when the job is beyond the plan's daily limits.

    On this machine: the voice loaded and the characters spoken at the speed measured now, once per process
    (`voicekit.jobs.estimate`). Through an API, Groq meters each per-minute limit as a bucket that starts full
    and refills at limit/60 a second, and voicekit's client sends a request once the bucket holds it and what is
    still in flight (`voicekit.engines.ratelimit`). So a job within the limits runs at once, and beyond them waits
    60/limit seconds for each request (or character) over the limit, plus half a request for one in flight;
    meanwhile rounds of `concurrency` requests take a request's time each, so the estimate is the longer of the
    two. The buckets are assumed full at the start (a job right after another may wait up to a minute more).
    Measured with `python benchmarks/plan_estimate.py` (figures in its docstring)."""
    if pace.on_this_machine:
        return local_speed(voice or LOCAL_SPEECH_MODELS["piper"].default_voice, concurrency).seconds(characters), []
    average = characters / requests if requests else 0.0
    waited = max(_over_limit(requests, 1.0, pace.rpm), _over_limit(characters, average, pace.tpm))
    seconds = max(waited + pace.request_seconds, math.ceil(requests / max(1, concurrency)) * pace.request_seconds)
    days = max(requests / pace.rpd if pace.rpd else 0.0, characters / pace.tpd if pace.tpd else 0.0)
    if days <= 1:
        return seconds, []
    return seconds, [f"beyond {pace.plan}'s daily limits ({pace.rpd} requests, {pace.tpd} tokens): about "
                     f"{math.ceil(days)} days on {pace.plan}"]


def _over_limit(amount: float, unit: float, per_minute: int | None) -> float:
    """Seconds of waiting for `amount` (sent `unit` at a time) beyond a full bucket of `per_minute`: the client
    waits for a request's share plus what is still in flight, which is half a request on average (a run of
    `samples/article.md` on the free plan's limits waited 6 s one time and 12 s another)."""
    if not per_minute or amount <= per_minute:
        return 0.0
    return (amount - per_minute + unit / 2) * 60 / per_minute


async def anarrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
                   options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
                   **overrides: Any) -> Narration:
    """Narrate `source` (a path, or the document's text) into `out` (default: beside the source, or in the cache
    folder for text), with optional SRT/VTT `captions`. Keyword overrides are `NarrateOptions` fields; `engine`
    may be a name or a `SpeechEngine` object (left open for its owner). Outputs are checked before any work."""
    opts = NarrateOptions.resolve(options, overrides)
    guards.document_source(source)
    concurrency = opts.concurrency or Settings().concurrency
    async with open_speech_engine(opts.engine, model=opts.model, voice=opts.voice, concurrency=concurrency,
                                  client=client) as engine:
        target = _output_path(source, out, opts.format)
        outputs.check_output(target, inputs=[source] if _is_file(source) else [])  # before the document is read
        chunks, warnings = _chunks(source, opts, engine)
        for warning in warnings:
            logger.warning("%s", warning)
        with outputs.reserve(target, captions, inputs=[source] if _is_file(source) else []):
            check_audio_output(target, opts.format)
            if captions is not None:
                check_output(captions, CAPTION_FORMATS, what="captions")
            run = NarrationRun(engine, Cache() if opts.cache else Cache.disabled(), concurrency)
            result = await synthesize_and_stitch(run, chunks, target, opts)
            caption_path = _write_captions(captions, chunks, result) if captions is not None else None
    return Narration(path=target, duration=result.duration, sample_rate=result.sample_rate, chunks=len(chunks),
                     requests=run.requests, cached=run.cached, characters=sum(c.chars for c, _ in chunks),
                     cost_usd=round(engine.cost_usd(run.characters), 6), captions=caption_path, warnings=warnings)


def narrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
            options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
            **overrides: Any) -> Narration:
    """Blocking `anarrate`; works in scripts and inside a running notebook loop."""
    return run_sync(anarrate(source, out, captions=captions, options=options, client=client, **overrides))


async def synthesize_and_stitch(run: NarrationRun, chunks: list[tuple[Chunk, str]], target: Path,
                                 opts: NarrateOptions) -> StitchResult:
    """Stitch the chunks into `target` (in `opts.format`, else by its extension) in order as they arrive; on a
    failure, the requests already sent are finished and cached before the error is raised, and the output is
    removed (the Stitcher's `.partial` file)."""
    async with run.sent.seen_through():
        with progress_bar(total=len(chunks), unit="chunk", desc="narrating", enabled=opts.progress,
                          engine=run.synthesizer) as bar, \
                Stitcher(target, format=opts.format, options=opts.stitch) as stitcher:
            async for (chunk, pause), audio in ordered_map(chunks, lambda c: _chunk_audio(run, c[0]),
                                                           run.concurrency * 2):
                span = stitcher.add(audio, pause_after=pause, soft=is_soft(chunk.direction))
                bar.update(1)
                bar.set_postfix_str(f"{span.audio_end:.0f} s of audio")
            return stitcher.close()


async def _chunk_audio(run: NarrationRun, chunk: Chunk) -> Any:
    """One chunk's audio: from the cache, or from the engine (and then cached). The request runs in its own task,
    shielded, so that cancelling the waiter (another chunk failed) does not throw away audio already paid for."""
    key = Cache.key("chunk", **run.synthesizer.cache_identity(), text=chunk.text)
    audio = run.cache.get_audio(key)
    if audio is not None:
        run.cached += 1
        return audio
    return await run.sent.send(_request(run, chunk, key))


async def _request(run: NarrationRun, chunk: Chunk, key: str) -> Any:
    """Synthesize one chunk (at most `run.concurrency` at once, none once the run has stopped) and cache it."""
    async with run.sending:
        if run.sent.stopped:
            raise _Stopped
        async with run.cache.claim(key):  # another process making this chunk: wait for it, then read it
            if (audio := run.cache.get_audio(key)) is not None:
                run.cached += 1
                return audio
            audio = await run.synthesizer.synthesize(chunk.text)
            run.requests += 1
            run.characters += chunk.chars
            run.cache.put_audio(key, audio)
    return audio


def _chunks(source: str | Path, opts: NarrateOptions,
            engine: SpeechEngine) -> tuple[list[tuple[Chunk, str]], list[str]]:
    """The document's chunks with their pauses, and warnings (see `block_chunks`)."""
    return block_chunks(_blocks(source, opts.kind), opts, engine)


def block_chunks(blocks: list[Block], opts: NarrateOptions,
                 engine: SpeechEngine) -> tuple[list[tuple[Chunk, str]], list[str]]:
    """The chunks of these blocks, each with the pause after it, at most the engine's chunk length (or
    `max_chars`, capped by the engine's limit), and warnings about what was removed (directions the engine cannot
    take). Blocks with nothing to speak raise `InputError`. The audiobook job calls this once per chapter."""
    limits = engine.limits
    join = opts.join_paragraphs if opts.join_paragraphs is not None else limits.paced_by_requests
    chunking = ChunkOptions(max_chars=chunk_limit(opts.max_chars, engine), reapply_direction=opts.reapply_direction,
                            join_blocks=join)
    frontend = FrontendOptions(chunk=chunking, language=limits.language, keep_citations=opts.keep_citations,
                               directions=limits.takes_directions)
    prepared = prepare(blocks, frontend)
    if not prepared.chunks:
        raise errors.InputError("the document has nothing to speak (it is empty or holds only directions or markup)")
    warnings = list(prepared.warnings)
    warnings += request_warnings(len(prepared.chunks), sum(len(block.text) for block in blocks), chunking.max_chars)
    return _with_pauses(prepared.chunks, blocks), warnings


def chunk_limit(max_chars: int | None, engine: SpeechEngine) -> int:
    """The longest chunk: the engine's chunk length, or `max_chars` when given, never over the engine's limit."""
    limits = engine.limits
    wanted = max_chars if max_chars is not None else limits.chunk_chars
    return min(wanted, limits.max_chars) if limits.max_chars is not None else wanted


def _with_pauses(chunks: list[Chunk], blocks: list[Block]) -> list[tuple[Chunk, str]]:
    """Each chunk with the pause that follows it: heading, paragraph, sentence, or the short one inside a
    sentence."""
    def pause(chunk: Chunk) -> str:
        if chunk.ends_block:
            return "heading" if blocks[chunk.block].kind == "heading" else "paragraph"
        return "sentence" if chunk.ends_sentence else "chunk"

    return [(chunk, pause(chunk)) for chunk in chunks]


def _blocks(source: str | Path, kind: DocumentKind) -> list[Block]:
    """The blocks of a path, or of a string that is the document itself. A one-word string naming a document
    file that does not exist, and text holding NUL bytes, are refused rather than read aloud."""
    if _is_file(source):
        return load_document(source, kind)
    if not isinstance(source, str) or not source.strip():
        raise errors.InputError("there is no document: pass a path or the text itself")
    if _DOCUMENT_NAME.fullmatch(source.strip()):
        raise errors.InputError(f"cannot read {source.strip()}: no such file (pass the text itself, or a path that "
                                "exists)")
    if "\x00" in source:
        raise errors.InputError("the text looks like binary data (it holds NUL bytes): give text, Markdown or HTML")
    return parse_document(source, kind)


def _is_file(source: str | Path) -> bool:
    """Whether `source` names a document file (a Path, or one line of text with an extension that exists)."""
    if isinstance(source, Path):
        return True
    if "\n" in source or len(source) > 1024 or not Path(source).suffix:
        return False
    try:
        return Path(source).is_file()
    except OSError:  # a name too long for the file system is text
        return False


def _output_path(source: str | Path, out: str | Path | None, format: str | None) -> Path:
    """`out`, or beside a source file with the format's extension, or in the cache folder for text."""
    if out is not None:
        return Path(out)
    suffix = f".{format or 'wav'}"
    if _is_file(source):
        return Path(source).with_suffix(suffix)
    digest = hashlib.sha256(str(source).encode()).hexdigest()[:16]
    folder = Settings().cache_dir / "narrations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}{suffix}"


def _write_captions(path: str | Path, chunks: list[tuple[Chunk, str]], result: StitchResult) -> Path:
    """Captions of the output (SRT or VTT by extension; other transcript formats by theirs): each chunk's written
    text (`Chunk.written`, else its words without directions), timed over the chunk's span by what was said (each
    written word by the spoken characters it stands for, `voicekit.text.written.spoken_weights`), and cut into cues by
    the subtitle rules (`voicekit.transcript.cues`), a chunk always starting a new cue."""
    target = Path(path)
    texts = [(chunk.written if chunk.written is not None else spoken_text(chunk.text), spoken_text(chunk.text), span)
             for (chunk, _), span in zip(chunks, result.spans, strict=True)]
    texts = [(text, said, span) for text, said, span in texts if text.strip() and not span.silent]
    suffix = target.suffix.lower()
    if suffix in (".srt", ".vtt"):
        tokens: list[Token] = []
        for text, said, span in texts:
            words = text_tokens(text, span.start, span.end, weights=spoken_weights(text, said))
            tokens += [replace(words[0], first=True), *words[1:]] if words else []
        cues = cues_of_tokens(tokens, limit=result.duration)
        outputs.write_text(target, cues_to_vtt(cues) if suffix == ".vtt" else cues_to_srt(cues))
        return target
    segments = [Segment(id=i, start=span.start, end=span.end, text=" " + text.strip())
                for i, (text, _, span) in enumerate(texts)]
    Transcript(text=" ".join(s.text.strip() for s in segments), duration=result.duration,
               segments=segments).save(target)
    return target
