"""Narrate an EPUB book into an audiobook: one M4B with a chapter per chapter, one file per chapter, or one audio
file, composed from the narrate job's pieces chapter by chapter.

```
book.epub --read_epub--> chapters of blocks (+ skipped matter, tags, cover)
  each chapter: --chunks (narrate's front end)--> --synthesize (cached, concurrent) + stitch--> <out>.parts/NNN-KEY.flac
  all chapters: --read back a block at a time--> M4B (AAC, chapters, tags, cover) | split files | WAV/FLAC + .cue
```

Rules the job keeps:

- **The plan comes first and costs nothing**: `plan_book` gives each chapter's requests, characters, cost, audio
  length and wall-time estimate, and lists the matter skipped; `chapters="3-5"` (or "1,4,7-9") narrates a part, and
  a chapter number the book does not have is refused before any work.
- **Resume per chapter**: each finished chapter is kept as a FLAC in `<out>.parts/` whose name carries a key of
  everything that shapes its audio (engine, server, model, voice, stitch options, chunk texts and pauses). A run
  killed in chapter 7 finds chapters 1-6 there and neither synthesizes, reads from the chunk cache nor stitches them
  again; chapter 7's finished chunks come from the chunk cache. The folder is removed once the output is written.
- **Chapter marks are exact**: a chapter starts at the first sample of its stitched audio; the pause between
  chapters (`CHAPTER_PAUSE_S`) belongs to the end of the chapter before it.
- **Memory is flat**: chapter audio is stitched to disk as it arrives and read back a block at a time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import soundfile as sf
from pydantic import BaseModel, field_validator

from voicekit import errors, outputs
from voicekit._sync import run_sync
from voicekit.audio.m4b import MP4_EXTENSIONS, AudiobookTags, ChapterMark, M4BWriter
from voicekit.audio.model import AUDIO_FORMATS
from voicekit.audio.stitch import libsndfile_format
from voicekit.cache import Cache
from voicekit.config import Settings
from voicekit.engines.base import SpeechEngine
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.registry import open_planning_speech_engine, open_speech_engine
from voicekit.jobs.narrate import (
    NarrateOptions,
    NarrationRun,
    block_chunks,
    estimate_seconds,
    synthesize_and_stitch,
)
from voicekit.jobs.narrate import anarrate as anarrate_document
from voicekit.jobs.narrate import plan_narration as plan_document
from voicekit.jobs.narration import Narration, Plan
from voicekit.jobs.options import check_audio_output, check_output
from voicekit.text.chunk import Chunk
from voicekit.text.epub import Book, BookChapter, SkippedMatter, is_epub, read_epub

logger = logging.getLogger("voicekit")

__all__ = ["SPLITS", "Audiobook", "BookOptions", "BookPlan", "ChapterPlan", "anarrate", "anarrate_book",
           "book_output", "narrate", "narrate_book", "parse_chapters", "plan_book", "plan_narration"]

CHAPTER_PAUSE_S = 2.0
"""Silence after each chapter but the last, counted in the chapter it follows."""
SPOKEN_CHARS_PER_SECOND = 15.0
"""About how many characters a narrator speaks per second of audio (for the plan's audio length)."""
READ_BLOCK_FRAMES = 65_536
Split = Literal["chapters"]
SPLITS: tuple[Split, ...] = ("chapters",)
"""The ways a book can be split into several files (the CLI's `--split` choices)."""
MP4_FORMATS = tuple(extension.lstrip(".") for extension in MP4_EXTENSIONS)
"""The MP4 formats an audiobook is written in, with chapters, tags and cover (m4b, m4a, mp4)."""
BOOK_FORMATS = (*MP4_FORMATS, *AUDIO_FORMATS)
"""Every format an audiobook can be written in; the `AUDIO_FORMATS` get a CUE sheet beside them for chapters."""
_SOUND_NAMES = (*AUDIO_FORMATS, "wave", "oga")
"""The formats and extensions `check_audio_output` reads as one of `AUDIO_FORMATS`."""
_CHAPTER_PART = re.compile(r"\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?")
"""One part of a chapter choice: "3", "3-5" or "5-"."""


class BookOptions(NarrateOptions):
    """`NarrateOptions`, and what applies to an EPUB book only. Validated as every job's options are: a misspelled
    name or a value that cannot be used raises `OptionError` naming the option."""

    job: ClassVar[str] = "narrate"

    chapters: str | None = None
    """Narrate only these chapters: "3", "3-5", "1,4,7-9" or "5-" (to the end), numbered as in the plan. None:
    every chapter. A chapter the book does not have is refused before any work."""
    split: Split | None = None
    """"chapters": one file per chapter, in a folder named after the output, instead of one audiobook."""
    keep_all: bool = False
    """Also narrate the matter skipped by default (cover, table of contents, licence pages)."""

    @field_validator("chapters", mode="before")
    @classmethod
    def _chapter_choice(cls, chapters: object) -> object:
        if isinstance(chapters, int) and not isinstance(chapters, bool):
            chapters = str(chapters)
        if isinstance(chapters, str) and chapters.strip():
            _check_chapter_syntax(chapters)
        return chapters

    @field_validator("format")
    @classmethod
    def _known_format(cls, format: str | None) -> str | None:
        """A book is also written as M4B (and M4A, MP4); see `BOOK_FORMATS`."""
        if format is not None and format.lower().lstrip(".") not in BOOK_FORMATS:
            raise ValueError(f"unknown audiobook format {format!r}: use one of {', '.join(BOOK_FORMATS)}")
        return format.lower().lstrip(".") if format is not None else None

    @classmethod
    def of(cls, options: NarrateOptions | None, overrides: dict[str, Any]) -> BookOptions:
        """`options` (book options, or the document options a caller already has) with `overrides` applied."""
        if options is not None and isinstance(options, NarrateOptions) and not isinstance(options, BookOptions):
            options = cls(**{name: getattr(options, name) for name in options.model_fields_set})
        return cls.resolve(options, overrides)


BOOK_OPTIONS = tuple(name for name in BookOptions.model_fields if name not in NarrateOptions.model_fields)
"""The options that apply to EPUB books only."""


class ChapterPlan(BaseModel):
    """What narrating one chapter sends and costs."""

    number: int
    title: str
    requests: int
    characters: int
    cost_usd: float
    audio_seconds: float
    """The audio's length, estimated from the characters."""
    estimated_seconds: float
    """Wall time at the engine's pace (its plan's per-minute limits, or its speed on this machine)."""


class BookPlan(BaseModel):
    """A book's narration plan, chapter by chapter, computed without any request."""

    title: str
    author: str | None
    engine: str
    model: str | None
    voice: str | None
    chapters: list[ChapterPlan]
    skipped: list[SkippedMatter]
    requests: int
    characters: int
    cost_usd: float
    audio_seconds: float
    estimated_seconds: float
    warnings: list[str] = []


class ChapterResult(BaseModel):
    """One narrated chapter: where it is in the output (samples), and where its audio came from."""

    number: int
    title: str
    start: int
    end: int
    chunks: int
    resumed: bool
    """The chapter's finished audio was found in the parts folder (nothing was synthesized or stitched)."""
    path: Path
    """The file holding the chapter (the audiobook, or its own file when split)."""


class Audiobook(BaseModel):
    """A finished audiobook."""

    path: Path
    """The audiobook file, or the folder of chapter files when split."""
    files: list[Path]
    title: str
    sample_rate: int
    duration: float
    chapters: list[ChapterResult]
    skipped: list[SkippedMatter]
    requests: int
    """Chunks synthesized by the engine in this run."""
    cached: int
    """Chunks taken from the chunk cache in this run."""
    characters: int
    cost_usd: float
    warnings: list[str] = []


# ---------------------------------------------------------------------------------------------- choosing chapters


def _check_chapter_syntax(spec: str) -> None:
    """`InputError` unless `spec` is chapter numbers and ranges separated by commas."""
    if not all(_CHAPTER_PART.fullmatch(part) for part in spec.split(",")):
        raise errors.InputError(f"cannot read the chapters {spec!r}: use numbers and ranges such as 3-5 or 1,4,7-9")


def parse_chapters(spec: str | None, count: int) -> list[int]:
    """Chapter numbers from "3", "3-5", "1,4,7-9" or "5-" (to the end); None is every chapter. A number outside
    1..count, an empty or reversed range, or anything else raises `InputError`."""
    if spec is None or not spec.strip():
        return list(range(1, count + 1))
    _check_chapter_syntax(spec)
    chosen: list[int] = []
    for part in spec.split(","):
        match = _CHAPTER_PART.fullmatch(part)
        assert match is not None
        first = int(match.group(1))
        last = (int(match.group(3)) if match.group(3) else count) if match.group(2) else first
        if not 1 <= first <= last <= count:
            raise errors.InputError(f"the book has chapters 1 to {count}; {part.strip()!r} is not among them "
                                    "(see the plan: voicekit narrate BOOK.epub --plan)")
        chosen += [n for n in range(first, last + 1) if n not in chosen]
    return chosen


def _selected(book: Book, chapters: str | None) -> list[BookChapter]:
    numbers = set(parse_chapters(chapters, len(book.chapters)))
    return [chapter for chapter in book.chapters if chapter.number in numbers]


# ---------------------------------------------------------------------------------------------- the plan


def _chapter_chunks(chapters: list[BookChapter], opts: NarrateOptions,
                    engine: SpeechEngine) -> tuple[list[list[tuple[Chunk, str]]], list[str]]:
    """Each chapter's chunks with their pauses (narrate's front end, a chapter at a time), and the warnings."""
    all_chunks, warnings = [], []
    for chapter in chapters:
        chunks, notes = block_chunks(list(chapter.blocks), opts, engine)
        all_chunks.append(chunks)
        warnings += [f"chapter {chapter.number}: {note}" for note in notes]
    return all_chunks, warnings


def _chapter_plan(chapter: BookChapter, chunks: list[tuple[Chunk, str]], engine: SpeechEngine) -> ChapterPlan:
    characters = sum(chunk.chars for chunk, _ in chunks)
    seconds, _ = estimate_seconds(engine.limits.pace, len(chunks), characters, voice=engine.voice)
    return ChapterPlan(number=chapter.number, title=chapter.title, requests=len(chunks), characters=characters,
                       cost_usd=round(engine.cost_usd(characters), 6),
                       audio_seconds=round(characters / SPOKEN_CHARS_PER_SECOND, 1),
                       estimated_seconds=round(seconds, 1))


def plan_book(source: str | Path, *, options: NarrateOptions | None = None, **overrides: Any) -> BookPlan:
    """Each chosen chapter's requests, characters, cost and length, and the matter skipped, without any request.
    Keyword overrides are `BookOptions` fields (`chapters`, `keep_all`, the engine...)."""
    return run_sync(_plan(source, BookOptions.of(options, overrides)))


async def _plan(source: str | Path, opts: BookOptions) -> BookPlan:
    async with open_planning_speech_engine(opts.engine, model=opts.model, voice=opts.voice) as engine:
        book = read_epub(source, keep_all=opts.keep_all)
        chosen = _selected(book, opts.chapters)
        chunk_lists, warnings = _chapter_chunks(chosen, opts, engine)
        plans = [_chapter_plan(chapter, chunks, engine) for chapter, chunks in zip(chosen, chunk_lists, strict=True)]
        requests, characters = sum(p.requests for p in plans), sum(p.characters for p in plans)
        seconds, pace_warnings = estimate_seconds(engine.limits.pace, requests, characters, voice=engine.voice)
        return BookPlan(title=book.title, author=book.author, engine=engine.name, model=engine.model,
                        voice=engine.voice, chapters=plans, skipped=book.skipped, requests=requests,
                        characters=characters, cost_usd=round(engine.cost_usd(characters), 6),
                        audio_seconds=round(sum(p.audio_seconds for p in plans), 1),
                        estimated_seconds=round(seconds, 1), warnings=warnings + pace_warnings)


# ---------------------------------------------------------------------------------------------- narration


def book_output(source: str | Path, out: str | Path | None, format: str | None = None) -> tuple[Path, str]:
    """The audiobook's path (default: beside the EPUB, with the format's extension, .m4b) and its format (one of
    `BOOK_FORMATS`, from `format` or the extension), checked by the jobs' output checks before any work."""
    target = Path(out) if out is not None else Path(source).with_suffix(f".{format or 'm4b'}")
    name = (format if format is not None else target.suffix).lower().lstrip(".")
    if name in _SOUND_NAMES:
        return target, check_audio_output(target, format)
    return target, check_output(target, BOOK_FORMATS, format, what="audiobook")


def _part_key(engine: SpeechEngine, opts: NarrateOptions, chunks: list[tuple[Chunk, str]]) -> str:
    """A digest of everything that shapes a chapter's stitched audio: the engine's cache identity (provider,
    server, model, voice, pace), the stitch options, and the chunks' texts and pauses."""
    digest = hashlib.sha256()
    for part in (sorted(engine.cache_identity().items()), opts.stitch.model_dump_json()):
        digest.update(repr(part).encode() + b"\0")
    for chunk, pause in chunks:
        digest.update(chunk.text.encode() + b"\0" + pause.encode() + b"\0")
    return digest.hexdigest()[:16]


async def _chapter_part(run: NarrationRun, chapter: BookChapter, chunks: list[tuple[Chunk, str]], parts: Path,
                        opts: NarrateOptions) -> tuple[Path, bool]:
    """The chapter's stitched FLAC in the parts folder: found from an earlier run, or narrated now."""
    path = parts / f"{chapter.number:03d}-{_part_key(run.synthesizer, opts, chunks)}.flac"
    if path.is_file():
        logger.info("chapter %d: finished audio found in %s", chapter.number, parts)
        return path, True
    await synthesize_and_stitch(run, chunks, path, opts.model_copy(update={"format": "flac"}))
    return path, False


def _blocks_of(path: Path) -> Iterator[Any]:
    with sf.SoundFile(str(path)) as part:
        yield from part.blocks(blocksize=READ_BLOCK_FRAMES, dtype="float32", always_2d=False)


def _marks(parts: list[tuple[BookChapter, Path]], rate: int) -> list[ChapterMark]:
    """Where each chapter sits in one output file: its part's frames, plus the pause after all but the last."""
    gap = round(CHAPTER_PAUSE_S * rate)
    marks, position = [], 0
    for index, (chapter, path) in enumerate(parts):
        frames = sf.info(str(path)).frames + (gap if index < len(parts) - 1 else 0)
        marks.append(ChapterMark(title=chapter.title, start=position, end=position + frames))
        position += frames
    return marks


def _write_joined(target: Path, format: str, parts: list[tuple[BookChapter, Path]], marks: list[ChapterMark],
                  rate: int, tags: AudiobookTags) -> None:
    """All parts, a block at a time, with the chapter pause between them, into one M4B or sound file."""
    if format in MP4_FORMATS:
        with M4BWriter(target, sample_rate=rate, chapters=marks, tags=tags) as writer:
            _copy(parts, marks, writer.write)
        return
    kind, subtype = libsndfile_format(format)
    try:
        with outputs.atomic_path(target) as partial, \
                sf.SoundFile(str(partial), "w", samplerate=rate, channels=1, format=kind, subtype=subtype) as out:
            _sound_tags(out, tags)
            _copy(parts, marks, out.write)
    except (OSError, sf.LibsndfileError) as exc:  # a full disk; the temporary file is already removed
        raise errors.InputError(f"cannot write the output {str(target)!r}: {exc}; free some space or choose "
                                "another output path (any earlier file there is untouched)") from exc


def _copy(parts: list[tuple[BookChapter, Path]], marks: list[ChapterMark], write: Callable[[Any], Any]) -> None:
    for (_, path), mark in zip(parts, marks, strict=True):
        written = 0
        for block in _blocks_of(path):
            write(block)
            written += block.size
        silence = mark.end - mark.start - written
        for begin in range(0, silence, READ_BLOCK_FRAMES):
            write(np.zeros(min(READ_BLOCK_FRAMES, silence - begin), dtype=np.float32))


def _sound_tags(out: sf.SoundFile, tags: AudiobookTags) -> None:
    """The tags libsndfile can store in WAV, FLAC, OGG and MP3 (title, artist, album, track number, genre)."""
    for name, value in (("title", tags.title), ("artist", tags.author), ("album", tags.album or tags.title),
                        ("genre", tags.genre), ("tracknumber", str(tags.track) if tags.track else None)):
        if value:
            try:
                setattr(out, name, value)
            except (RuntimeError, sf.LibsndfileError):  # a format without this tag
                pass


def cue_sheet(audio_name: str, marks: list[ChapterMark], rate: int, tags: AudiobookTags) -> str:
    """A CUE sheet naming the chapters of a WAV/FLAC/OGG/MP3 audiobook (times in CD frames of 1/75 s, the format's
    resolution, rounded down so that a chapter never starts before its audio)."""
    def quoted(text: str) -> str:
        return '"' + text.replace('"', "'") + '"'

    lines = [f"PERFORMER {quoted(tags.author)}"] if tags.author else []
    lines += [f"TITLE {quoted(tags.title or audio_name)}", f"FILE {quoted(audio_name)} WAVE"]
    for number, mark in enumerate(marks, start=1):
        frames = mark.start * 75 // rate
        stamp = f"{frames // 75 // 60:02d}:{frames // 75 % 60:02d}:{frames % 75:02d}"
        lines += [f"  TRACK {number:02d} AUDIO", f"    TITLE {quoted(mark.title)}", f"    INDEX 01 {stamp}"]
    return "\n".join(lines) + "\n"


def _safe_name(title: str) -> str:
    return re.sub(r"[^\w .,'()&-]+", "", title).strip(" .")[:80] or "chapter"


def _write_split(target: Path, format: str, parts: list[tuple[BookChapter, Path]], rate: int,
                 book: Book) -> list[Path]:
    """One file per chapter in the folder named as `target` without its extension, tagged with the chapter's
    title, the book as album, and the track number."""
    folder = target.with_suffix("")
    folder.mkdir(exist_ok=True)
    suffix = target.suffix or f".{format}"
    files = []
    for track, (chapter, path) in enumerate(parts, start=1):
        file = folder / f"{chapter.number:02d} - {_safe_name(chapter.title)}{suffix}"
        frames = sf.info(str(path)).frames
        tags = AudiobookTags(title=chapter.title, author=book.author, album=book.title, language=book.language,
                             track=track, tracks=len(parts), cover=book.cover)
        mark = ChapterMark(title=chapter.title, start=0, end=frames)
        _write_joined(file, format, [(chapter, path)], [mark], rate, tags)
        files.append(file)
    return files


def _rate_of(parts: list[tuple[BookChapter, Path]]) -> int:
    rates = {sf.info(str(path)).samplerate for _, path in parts}
    if len(rates) != 1:
        raise errors.AudioError(f"the chapters were narrated at different sample rates ({sorted(rates)}): "
                                "set stitch.sample_rate so that they match")
    return int(rates.pop())


async def anarrate_book(source: str | Path, out: str | Path | None = None, *,
                        options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
                        **overrides: Any) -> Audiobook:
    """Narrate the EPUB `source` into `out` (default: beside it as .m4b): an M4B with the book's chapters, title,
    author and cover; with `split="chapters"` one file per chapter in a folder named after `out`; a .flac, .wav,
    .ogg or .mp3 `out` gets the chapters one after the other, their titles and times in a CUE sheet beside it
    (and, exact to the sample, in the result). Keyword overrides are `BookOptions` fields (`chapters`, `split`,
    `keep_all`, and every `NarrateOptions` field); `engine` may be a name or a `SpeechEngine` object (left open
    for its owner). The options, the output and the chapters are checked before any work."""
    opts = BookOptions.of(options, overrides)
    target, format = book_output(source, out, opts.format)
    cue = target.with_suffix(".cue") if format not in MP4_FORMATS and opts.split != "chapters" else None
    # The lock beside the book's path also covers the chapter files of `split="chapters"` (its folder's name).
    with outputs.reserve(target, cue, inputs=[source]):
        return await _narrate_book(source, target, format, opts, client)


async def _narrate_book(source: str | Path, target: Path, format: str, opts: BookOptions,
                        client: AsyncGroqClient | None) -> Audiobook:
    """`anarrate_book` once its outputs are checked and locked."""
    book = read_epub(source, keep_all=opts.keep_all)
    chosen = _selected(book, opts.chapters)
    concurrency = opts.concurrency or Settings().concurrency
    async with open_speech_engine(opts.engine, model=opts.model, voice=opts.voice, concurrency=concurrency,
                                  client=client) as engine:
        chunk_lists, warnings = _chapter_chunks(chosen, opts, engine)
        for warning in warnings:
            logger.warning("%s", warning)
        run = NarrationRun(engine, Cache() if opts.cache else Cache.disabled(), concurrency)
        parts_folder = target.with_name(target.name + ".parts")
        parts_folder.mkdir(exist_ok=True)
        parts, resumed = await _narrate_chapters(run, chosen, chunk_lists, parts_folder, opts)
    result = _assemble(book, target, format, parts, resumed, chunk_lists, opts.split)
    shutil.rmtree(parts_folder, ignore_errors=True)
    characters = sum(chunk.chars for chunks in chunk_lists for chunk, _ in chunks)
    return result.model_copy(update={"requests": run.requests, "cached": run.cached, "characters": characters,
                                      "cost_usd": round(engine.cost_usd(run.characters), 6), "warnings": warnings})


async def _narrate_chapters(run: NarrationRun, chosen: list[BookChapter], chunk_lists: list[list[tuple[Chunk, str]]],
                            parts_folder: Path, opts: NarrateOptions) -> tuple[list[tuple[BookChapter, Path]],
                                                                                list[bool]]:
    """Each chapter's part, in order, and whether it was found from an earlier run."""
    parts: list[tuple[BookChapter, Path]] = []
    resumed: list[bool] = []
    for chapter, chunks in zip(chosen, chunk_lists, strict=True):
        path, found = await _chapter_part(run, chapter, chunks, parts_folder, opts)
        parts.append((chapter, path))
        resumed.append(found)
    return parts, resumed


def _assemble(book: Book, target: Path, format: str, parts: list[tuple[BookChapter, Path]], resumed: list[bool],
              chunk_lists: list[list[tuple[Chunk, str]]], split: Split | None) -> Audiobook:
    """Write the output from the chapter parts and describe it."""
    rate = _rate_of(parts)
    if split == "chapters":
        files = _write_split(target, format, parts, rate, book)
        marks = [ChapterMark(title=c.title, start=0, end=sf.info(str(p)).frames) for c, p in parts]
        where, path = files, target.with_suffix("")
    else:
        marks = _marks(parts, rate)
        tags = AudiobookTags(title=book.title, author=book.author, language=book.language, cover=book.cover)
        _write_joined(target, format, parts, marks, rate, tags)
        if format not in MP4_FORMATS:
            outputs.write_text(target.with_suffix(".cue"), cue_sheet(target.name, marks, rate, tags))
        where, path = [target] * len(parts), target
    results = [ChapterResult(number=chapter.number, title=chapter.title, start=mark.start, end=mark.end,
                             chunks=len(chunks), resumed=found, path=file)
               for (chapter, _), mark, chunks, found, file in zip(parts, marks, chunk_lists, resumed, where,
                                                                  strict=True)]
    frames = sum(mark.end - mark.start for mark in marks)
    return Audiobook(path=path, files=sorted(set(where)), title=book.title, sample_rate=rate,
                     duration=round(frames / rate, 6), chapters=results, skipped=book.skipped, requests=0, cached=0,
                     characters=0, cost_usd=0.0)


def narrate_book(source: str | Path, out: str | Path | None = None, *, options: NarrateOptions | None = None,
                 client: AsyncGroqClient | None = None, **overrides: Any) -> Audiobook:
    """Blocking `anarrate_book`; works in scripts and inside a running notebook loop."""
    return run_sync(anarrate_book(source, out, options=options, client=client, **overrides))


# ---------------------------------------------------------------------------------------------- one front door


def _document_options(source: str | Path, options: NarrateOptions | None,
                      overrides: dict[str, Any]) -> NarrateOptions | None:
    """The options for a document that is not a book: book options given (as keywords or set in `BookOptions`)
    raise `OptionError`; `BookOptions` without them become plain `NarrateOptions`."""
    given = [name for name in BOOK_OPTIONS if name in overrides or (
        isinstance(options, BookOptions) and name in options.model_fields_set)]
    if given:
        where = source if isinstance(source, Path) or len(source) <= 60 else source[:57] + "..."
        raise errors.OptionError(f"narrate: {', '.join(given)} apply to EPUB books only; {where!s} is not one")
    if isinstance(options, BookOptions):
        return NarrateOptions(**{name: getattr(options, name) for name in options.model_fields_set})
    return options


def plan_narration(source: str | Path, *, options: NarrateOptions | None = None,
                   **overrides: Any) -> Plan | BookPlan:
    """The plan of narrating `source`: chapter by chapter for an EPUB (`plan_book`), else the document's chunks."""
    if is_epub(source):
        return plan_book(source, options=options, **overrides)
    return plan_document(source, options=_document_options(source, options, overrides), **overrides)


async def anarrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
                   options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
                   **overrides: Any) -> Narration | Audiobook:
    """Narrate a document (`voicekit.jobs.narrate.anarrate`) or, for an EPUB, a book (`anarrate_book`, which takes
    the `BookOptions` `chapters`, `split` and `keep_all` too)."""
    if is_epub(source):
        if captions is not None:
            raise errors.UnsupportedError("captions are not written for a book: leave captions out")
        return await anarrate_book(source, out, options=options, client=client, **overrides)
    document = _document_options(source, options, overrides)
    return await anarrate_document(source, out, captions=captions, options=document, client=client, **overrides)


def narrate(source: str | Path, out: str | Path | None = None, *, captions: str | Path | None = None,
            options: NarrateOptions | None = None, client: AsyncGroqClient | None = None,
            **overrides: Any) -> Narration | Audiobook:
    """Blocking `anarrate`; works in scripts and inside a running notebook loop."""
    return run_sync(anarrate(source, out, captions=captions, options=options, client=client, **overrides))
