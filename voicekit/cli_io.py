"""Standard input and output for the `voicekit` command: `-` as a file name, audio written to a pipe, status lines.

Data goes to standard output, status lines to standard error. Audio for `-o -` is made in a temporary file and then
copied to standard output: a WAV header can then hold its true length (a pipe cannot seek back to patch it), every
format works the same, and memory does not grow with the audio's length.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from voicekit import errors

DASH = "-"
"""The file name that means standard input (for an input) or standard output (for an output)."""


def is_dash(path: str | Path | None) -> bool:
    """Whether `path` is `-`."""
    return path is not None and str(path) == DASH


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 chunk`, `2 chunks` (`plural` for a noun that does not take an s)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


class _Planned(Protocol):
    engine: str
    model: str | None
    voice: str | None
    requests: int
    characters: int
    cost_usd: float
    warnings: list[str]


def plan_footer(plan: _Planned, how_long: str) -> list[str]:
    """The end of a printed plan: engine, model and voice; requests, characters, cost and `how_long`; its notes."""
    return ["", f"engine {plan.engine}, model {plan.model}, voice {plan.voice}",
            f"{count(plan.requests, 'request')}, {count(plan.characters, 'character')}, about ${plan.cost_usd:.4f}, "
            f"{how_long}", *(f"note: {warning}" for warning in plan.warnings)]


def status(message: str) -> None:
    """A status line ("wrote ..."): on standard error, so that standard output holds only data."""
    print(message, file=sys.stderr)


def stdout_format(format: str | None, what: str) -> str:
    """The format of `-o -`: it has no extension, so `--format` must say it (a usage error otherwise)."""
    if format is None:
        raise errors.OptionError(f"-o - writes the {what} to standard output, which has no extension: "
                                 "say the format with --format")
    return format


@contextmanager
def audio_to_stdout(format: str) -> Iterator[Path]:
    """A temporary path to write the audio to (in `format`); once the block ends without error, its bytes are
    copied to standard output and the file removed."""
    with tempfile.TemporaryDirectory(prefix="voicekit-") as folder:
        target = Path(folder) / f"audio.{format}"
        yield target
        with target.open("rb") as audio:
            shutil.copyfileobj(audio, sys.stdout.buffer)
        sys.stdout.buffer.flush()
