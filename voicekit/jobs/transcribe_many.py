"""Transcribe many recordings at once, as whisper's command line does: one engine, one display, one report.

`transcribe_many(["a.m4a", "b.mp3", "talks/"], output_dir="out", formats=["srt", "txt"])` expands folders to the
audio files inside them (by extension, sorted, not recursive), names every output `<output_dir>/<stem>.<format>`
(beside each recording without `output_dir`), and checks all of it before any work: two recordings that would
write the same output are refused, as are a missing or read-only output folder and an unknown format. Every file
then shares one engine (one client, one rate limiter, one cache); up to `concurrency` files run at once, so that a
folder of short clips keeps that many requests in flight (and the local engine decodes windows of several files in
one batch). Files are reported in the order given; one that fails is reported (`on_file`) and the rest go on. The
result says which files were written and which failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicekit import errors, outputs
from voicekit._sync import run_sync
from voicekit.audio.io import probe
from voicekit.config import Settings
from voicekit.engines.languages import language_code
from voicekit.engines.registry import open_transcription_engine
from voicekit.jobs.options import check_output
from voicekit.jobs.ordered import ordered_map
from voicekit.jobs.progress import progress_bar
from voicekit.jobs.transcribe import TranscribeOptions, atranscribe
from voicekit.transcript.formats import FORMATS

logger = logging.getLogger(__name__)

AUDIO_EXTENSIONS = frozenset({".wav", ".wave", ".flac", ".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".oga", ".opus",
                              ".webm", ".mkv", ".mov", ".mpeg", ".mpga", ".aiff", ".aif", ".wma", ".amr", ".3gp"})
"""The extensions a folder's files are taken as recordings by (named files are tried whatever their extension)."""


@dataclass(frozen=True)
class FileOutcome:
    """One recording's outcome: the files written, or why it failed."""

    source: Path
    written: tuple[Path, ...] = ()
    error: str | None = None
    duration: float | None = None
    segments: int = 0


@dataclass
class ManyTranscripts:
    """What a many-file run did, one outcome per recording in the order given."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.error is not None]

    @property
    def ok(self) -> bool:
        """Whether every recording was transcribed and written."""
        return not self.failed


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """The recordings: each path named, and the audio files directly inside each folder named (sorted). A path that
    does not exist, or a folder without audio files, is an `InputError`."""
    sources: list[Path] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
            if not inside:
                kinds = ", ".join(sorted(AUDIO_EXTENSIONS))
                raise errors.InputError(f"the folder {path} holds no audio files ({kinds})")
            sources += inside
        elif path.exists():
            sources.append(path)
        else:
            raise errors.InputError(f"{path}: no such file or folder. Check the path.")
    return sources


def parse_formats(text: str, *, speakers: bool = False) -> list[str]:
    """`"srt,txt"` -> ["srt", "txt"]; `"all"` -> every transcript format (RTTM, which lists speakers, only with
    `speakers`). An unknown name, or RTTM without speakers, is an `OptionError`."""
    every = [name for name in FORMATS if speakers or name != "rttm"]
    names = every if text.strip().lower() == "all" else [
        name.strip().lower().lstrip(".") for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise errors.OptionError(f"unknown transcript format {', '.join(unknown) or '(none)'}: use one or more of "
                                 f"{', '.join(FORMATS)} separated by commas, or all")
    if "rttm" in names and not speakers:
        raise errors.OptionError("rttm lists who spoke when: add --speakers auto (or channels), or choose another "
                                 "format")
    return list(dict.fromkeys(names))


def output_paths(sources: Sequence[Path], formats: Sequence[str],
                 output_dir: str | Path | None = None) -> dict[Path, list[Path]]:
    """Each recording's outputs, `<output_dir>/<stem>.<format>` (beside the recording without `output_dir`), each
    checked before any work (see `check_output`). Two recordings that would write one output are refused."""
    if output_dir is not None and not Path(output_dir).is_dir():
        raise errors.InputError(f"the output folder {output_dir} does not exist: create it or choose another "
                                "(--output-dir)")
    owners: dict[Path, Path] = {}
    planned: dict[Path, list[Path]] = {}
    for source in dict.fromkeys(sources):
        folder = Path(output_dir) if output_dir is not None else source.parent
        targets = [folder / f"{source.stem}.{name}" for name in formats]
        for target in targets:
            other = owners.setdefault(target.resolve(), source)
            if other != source:
                raise errors.InputError(f"{other} and {source} would both be written to {target}: transcribe them "
                                        "into different folders (--output-dir), or rename one")
            check_output(target, FORMATS, target.suffix.lstrip("."), what="transcript")
            outputs.check_output(target, inputs=sources)
        planned[source] = targets
    return planned


async def atranscribe_many(inputs: Sequence[str | Path], *, formats: Sequence[str] = ("txt",),
                           output_dir: str | Path | None = None, options: TranscribeOptions | None = None,
                           on_file: Callable[[FileOutcome], None] | None = None,
                           **overrides: Any) -> ManyTranscripts:
    """Transcribe every recording in `inputs` (files and folders) into `formats`, with one engine for all. Inputs,
    outputs and options are checked before any work; then a recording that fails is reported through `on_file`
    (as is each one written) and the rest go on. Keyword overrides are `TranscribeOptions` fields."""
    opts = TranscribeOptions.resolve(options, overrides)
    if opts.language is not None and language_code(opts.language) is None:
        raise errors.OptionError(f"unknown language '{opts.language}': use --language with an ISO-639-1 code such "
                                 "as en, de or es (or leave it out to detect it)")
    sources = expand_inputs(inputs)
    planned = output_paths(sources, [name.lower() for name in formats], output_dir)
    concurrency = opts.concurrency or Settings().concurrency
    result = ManyTranscripts()
    async with open_transcription_engine(opts.engine, model=opts.model, translate=opts.translate,
                                         concurrency=concurrency) as engine:  # model and key checked first
        each = opts.model_copy(update={"engine": engine, "progress": False})
        durations = {source: _duration(source) for source in planned}
        total = sum(d for d in durations.values() if d is not None)
        with progress_bar(total=total, unit="s", desc=f"transcribing {len(planned)} files",
                          enabled=opts.progress) as bar:
            async for (source, _), outcome in ordered_map(planned.items(), lambda item: _one(*item, each),
                                                          concurrency):
                result.files.append(outcome)
                bar.update(durations[source] or 0.0)
                if on_file is not None:
                    on_file(outcome)
    return result


def transcribe_many(inputs: Sequence[str | Path], *, formats: Sequence[str] = ("txt",),
                    output_dir: str | Path | None = None, options: TranscribeOptions | None = None,
                    on_file: Callable[[FileOutcome], None] | None = None, **overrides: Any) -> ManyTranscripts:
    """Blocking `atranscribe_many`."""
    return run_sync(atranscribe_many(inputs, formats=formats, output_dir=output_dir, options=options,
                                     on_file=on_file, **overrides))


def _duration(source: Path) -> float | None:
    """The recording's length from its header (for the display); None when it cannot be read (the file's own run
    then reports why)."""
    try:
        return probe(source).duration
    except (errors.VoicekitError, OSError):
        return None


async def _one(source: Path, targets: list[Path], options: TranscribeOptions) -> FileOutcome:
    """Transcribe one recording and write its outputs; a failure becomes the outcome's `error`."""
    try:
        with outputs.reserve(*targets, inputs=[source]):
            transcript = await atranscribe(source, options=options)
            for target in targets:
                transcript.save(target, target.suffix.lstrip("."))
    except (errors.VoicekitError, OSError) as exc:
        logger.debug("%s failed", source, exc_info=True)
        message = " ".join(str(exc).split()) or type(exc).__name__
        return FileOutcome(source, error=message if str(source) in message else f"{source}: {message}")
    return FileOutcome(source, tuple(targets), duration=transcript.duration, segments=len(transcript.segments))
