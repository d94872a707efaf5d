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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

from voicekit import errors
from voicekit._sync import run_sync
from voicekit.audio.stitch import Stitcher, StitchOptions, StitchResult
from voicekit.cache import Cache
from voicekit.config import Settings
from voicekit.engines.base import Synthesizer
from voicekit.engines.catalog import ORPHEUS_ENGLISH, SPEECH_MODELS
from voicekit.engines.choose import EngineName, make_synthesizer, resolve_engine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.jobs.estimate import local_speed
from voicekit.jobs.ordered import ordered_map
from voicekit.jobs.progress import progress_bar
from voicekit.models import Audio, Segment, Transcript
from voicekit.text.chunk import Chunk, ChunkOptions
from voicekit.text.directions import strip_directions_from_text
from voicekit.text.document import Block, DocumentKind, load_document, parse_document
from voicekit.text.frontend import FrontendOptions, prepare

logger = logging.getLogger("voicekit")

FREE_PLAN_RPM = 10
FREE_PLAN_TPM = 1200
FREE_PLAN_RPD = 100
FREE_PLAN_TPD = 3600
_DOCUMENT_NAME = re.compile(r"[^\s\[\]]+\.(txt|text|md|markdown|html?|xhtml)", re.IGNORECASE)
"""A one-word string ending in a document extension is meant as a path, not as the text to speak."""


class NarrateOptions(BaseModel):
    """Everything `narrate` can be told. The defaults suit a chapter read aloud."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    engine: EngineName = "auto"
    """groq, local, or auto: groq when GROQ_API_KEY is set."""
    model: str | None = None
    """The Groq model (default canopylabs/orpheus-v1-english)."""
    voice: str | None = None
    """The voice (see `voicekit voices`); each engine has a default."""
    kind: DocumentKind = "auto"
    """How to read the document: text, markdown, html, or auto (from the extension or the content)."""
    max_chars: int = Field(default=200, ge=20)
    """The longest chunk, counted on exactly the string that is sent (Orpheus takes 200)."""
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
    format: Literal["wav", "flac", "ogg", "mp3"] | None = None
    """The output's audio format; default: from the output's extension (WAV for the default output)."""
    stitch: StitchOptions = StitchOptions()


class PlannedChunk(BaseModel):
    text: str
    chars: int


class Plan(BaseModel):
    """What a narration will send and cost, computed without any request."""

    engine: str
    model: str | None
    voice: str | None
    chunks: list[PlannedChunk]
    requests: int
    characters: int
    """Characters billed: the sum over the chunks, directions included."""
    cost_usd: float
    estimated_seconds: float
    """Wall time at the free plan's per-minute limits (Groq) or at Piper's speed (local)."""
    oversize_splits: int
    """Tokens longer than a chunk (URLs...) that had to be split inside."""
    warnings: list[str] = []

    def _repr_html_(self) -> str:
        """A notebook table of the chunks with the request count, characters, cost and time."""
        from voicekit.notebook import plan_html

        return plan_html(self)


class Narration(BaseModel):
    """A finished narration."""

    path: Path
    duration: float
    sample_rate: int
    chunks: int
    requests: int
    """Chunks synthesized by the engine in this run (the rest came from the cache)."""
    cached: int
    characters: int
    cost_usd: float
    """What this run's requests cost (cached chunks cost nothing again)."""
    captions: Path | None = None
    warnings: list[str] = []

    def audio(self, *, sample_rate: int | None = None) -> Audio:
        """The narrated file decoded into memory (see `Audio.load`)."""
        return Audio.load(self.path, sample_rate=sample_rate)

    def _repr_html_(self) -> str:
        """What was made, and a player of the file (long narrations: a preview of the start)."""
        from voicekit.notebook import narration_html

        return narration_html(self)


class _Stopped(Exception):
    """A chunk's request was not sent because the run had already failed."""


@dataclass
class _Run:
    """One narration's engine, cache and counts. At most `concurrency` requests are in flight at once; a request
    already sent is finished and cached even when the run fails meanwhile (it is paid for)."""

    synthesizer: Synthesizer
    cache: Cache
    model: str | None
    voice: str | None
    concurrency: int
    server: str | None = None
    """The API root the audio comes from (another server may answer the same model and voice differently)."""
    requests: int = 0
    cached: int = 0
    characters: int = 0
    stopped: bool = False
    sending: asyncio.Semaphore = field(init=False)
    in_flight: set[asyncio.Task[Any]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.sending = asyncio.Semaphore(self.concurrency)

    def settled(self, task: asyncio.Task[Any]) -> None:
        """A request task is done: forget it (its error, if any, reached whoever awaited it, or is moot)."""
        self.in_flight.discard(task)
        if not task.cancelled():
            task.exception()

    async def finish_in_flight(self) -> None:
        """Send nothing more, and wait for the requests already sent so that their audio is cached."""
        self.stopped = True
        await asyncio.gather(*self.in_flight, return_exceptions=True)


def plan_narration(source: str | Path, *, options: NarrateOptions | None = None, **overrides: Any) -> Plan:
    """The chunks, request count, characters, cost and time of narrating `source`, without any request."""
    opts = _options(options, overrides)
    engine = resolve_engine(opts.engine)
    model, voice = _model_and_voice(opts, engine)
    chunks, warnings = _chunks(source, opts, engine, model)
    characters = sum(chunk.chars for chunk, _ in chunks)
    spec = SPEECH_MODELS.get(model or "")
    cost = characters / 1e6 * spec.usd_per_million_chars if engine == "groq" and spec else 0.0
    if engine == "groq":
        seconds = max(len(chunks) * 60 / FREE_PLAN_RPM, characters * 60 / FREE_PLAN_TPM)
        if len(chunks) > FREE_PLAN_RPD or characters > FREE_PLAN_TPD:
            days = max(len(chunks) / FREE_PLAN_RPD, characters / FREE_PLAN_TPD)
            warnings.append(f"beyond the free plan's daily limits ({FREE_PLAN_RPD} requests, {FREE_PLAN_TPD} "
                            f"tokens): about {math.ceil(days)} days on the free plan")
    else:
        in_flight = opts.concurrency or Settings().concurrency
        seconds = local_speed(voice or "joe", in_flight).seconds(characters) if characters else 0.0
    return Plan(engine=engine, model=model, voice=voice,
                chunks=[PlannedChunk(text=c.text, chars=c.chars) for c, _ in chunks], requests=len(chunks),
                characters=characters, cost_usd=round(cost, 6), estimated_seconds=round(seconds, 1),
                oversize_splits=sum(c.oversize_split for c, _ in chunks), warnings=warnings)


async def anarrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
                   options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
                   **overrides: Any) -> Narration:
    """Narrate `source` (a path, or the document's text) into `out` (default: beside the source, or in the cache
    folder for text), with optional SRT/VTT `captions`. Keyword overrides are `NarrateOptions` fields."""
    opts = _options(options, overrides)
    engine = resolve_engine(opts.engine, client)
    model, voice = _model_and_voice(opts, engine)
    chunks, warnings = _chunks(source, opts, engine, model)
    for warning in warnings:
        logger.warning("%s", warning)
    target = _output_path(source, out, opts.format)
    concurrency = opts.concurrency or Settings().concurrency
    owned = client is None and engine == "groq"
    client = AsyncGroqClient(max_concurrency=concurrency) if owned else client
    try:
        synthesizer = make_synthesizer(engine, model=model, voice=voice, client=client if engine == "groq" else None)
        run = _Run(synthesizer, Cache() if opts.cache else Cache.disabled(), model, voice, concurrency,
                   _server(client) if engine == "groq" else None)
        result = await _synthesize_and_stitch(run, chunks, target, opts)
    finally:
        if owned and client is not None:
            await client.aclose()
    caption_path = _write_captions(captions, chunks, result) if captions is not None else None
    spec = SPEECH_MODELS.get(model or "")
    cost = run.characters / 1e6 * spec.usd_per_million_chars if engine == "groq" and spec else 0.0
    return Narration(path=target, duration=result.duration, sample_rate=result.sample_rate, chunks=len(chunks),
                     requests=run.requests, cached=run.cached, characters=sum(c.chars for c, _ in chunks),
                     cost_usd=round(cost, 6), captions=caption_path, warnings=warnings)


def narrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
            options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
            **overrides: Any) -> Narration:
    """Blocking `anarrate`; works in scripts and inside a running notebook loop."""
    return run_sync(anarrate(source, out, captions=captions, options=options, client=client, **overrides))


async def _synthesize_and_stitch(run: _Run, chunks: list[tuple[Chunk, str]], target: Path,
                                 opts: NarrateOptions) -> StitchResult:
    """Stitch the chunks in order as they arrive; on a failure, the requests already sent are finished and
    cached before the error is raised, and the output is removed (the Stitcher's `.partial` file)."""
    try:
        with progress_bar(total=len(chunks), unit="chunk", desc="narrating", enabled=opts.progress) as bar, \
                Stitcher(target, format=opts.format, options=opts.stitch) as stitcher:
            async for (_, pause), audio in ordered_map(chunks, lambda c: _chunk_audio(run, c[0]),
                                                       run.concurrency * 2):
                span = stitcher.add(audio, pause_after=pause)
                bar.update(1)
                bar.set_postfix_str(f"{span.audio_end:.0f} s of audio")
            return stitcher.close()
    except Exception:
        await run.finish_in_flight()
        raise
    except BaseException:  # cancelled (Ctrl-C): send nothing more; requests already sent still finish and are cached
        run.stopped = True
        raise


async def _chunk_audio(run: _Run, chunk: Chunk) -> Any:
    """One chunk's audio: from the cache, or from the engine (and then cached). The request runs in its own task,
    shielded, so that cancelling the waiter (another chunk failed) does not throw away audio already paid for."""
    key = Cache.key("chunk", engine=run.synthesizer.name, server=run.server, model=run.model, voice=run.voice,
                    text=chunk.text, options=repr(getattr(run.synthesizer, "length_scale", None)))
    audio = run.cache.get_audio(key)
    if audio is not None:
        run.cached += 1
        return audio
    task = asyncio.ensure_future(_request(run, chunk, key))
    run.in_flight.add(task)
    task.add_done_callback(run.settled)
    return await asyncio.shield(task)


async def _request(run: _Run, chunk: Chunk, key: str) -> Any:
    """Synthesize one chunk (at most `run.concurrency` at once, none once the run has stopped) and cache it."""
    async with run.sending:
        if run.stopped:
            raise _Stopped
        audio = await run.synthesizer.synthesize(chunk.text)
    run.requests += 1
    run.characters += chunk.chars
    run.cache.put_audio(key, audio)
    return audio


def _server(client: AsyncGroqClient | None) -> str | None:
    """The client's API root without any user name or password in it (part of the cache key)."""
    if client is None:
        return None
    parts = urlsplit(client.base_url)
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))


def _options(options: NarrateOptions | None, overrides: dict[str, Any]) -> NarrateOptions:
    base = options or NarrateOptions()
    return NarrateOptions.model_validate({**base.model_dump(), **overrides}) if overrides else base


def _model_and_voice(opts: NarrateOptions, engine: str) -> tuple[str | None, str | None]:
    """The model and voice for this engine; an unknown voice of a known Groq model is refused before any work."""
    if engine == "local":
        return "piper", opts.voice or "joe"
    model = opts.model or ORPHEUS_ENGLISH
    spec = SPEECH_MODELS.get(model)
    voice = opts.voice or (spec.default_voice if spec else None)
    if spec is not None and voice not in spec.voices:
        raise errors.UnknownVoiceError(f"{model} has no voice {voice!r}; choose one of: {', '.join(spec.voices)}")
    return model, voice


def _chunks(source: str | Path, opts: NarrateOptions, engine: str,
            model: str | None) -> tuple[list[tuple[Chunk, str]], list[str]]:
    """The document's chunks, and warnings about what was removed (directions the engine cannot take)."""
    blocks = _blocks(source, opts.kind)
    spec = SPEECH_MODELS.get(model or "")
    takes_directions = engine == "groq" and (spec is None or spec.takes_directions)
    join = opts.join_paragraphs if opts.join_paragraphs is not None else engine == "groq"
    chunking = ChunkOptions(max_chars=opts.max_chars, reapply_direction=opts.reapply_direction, join_blocks=join)
    frontend = FrontendOptions(chunk=chunking,
                               language=spec.language if spec else "en", keep_citations=opts.keep_citations,
                               directions=takes_directions)
    prepared = prepare(blocks, frontend)
    if not prepared.chunks:
        raise errors.InputError("the document has nothing to speak (it is empty or holds only directions or markup)")
    return _with_pauses(prepared.chunks, blocks), list(prepared.warnings)


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
    """SRT or VTT (by extension) saying which text is spoken when in the output file."""
    segments = []
    for i, ((chunk, _), span) in enumerate(zip(chunks, result.spans, strict=True)):
        spoken, _ = strip_directions_from_text(chunk.text)
        if spoken.strip() and not span.silent:
            segments.append(Segment(id=i, start=span.start, end=span.end, text=" " + spoken.strip()))
    captions = Transcript(text=" ".join(s.text.strip() for s in segments), duration=result.duration,
                          segments=segments)
    target = Path(path)
    captions.save(target)
    return target
