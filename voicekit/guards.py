"""Checks of what a caller passes to the public functions, so that a wrong type is a `voicekit.errors` exception
saying what to pass, never a `TypeError` or `AttributeError` from deep inside."""

from __future__ import annotations

import os

from voicekit import errors


def document_source(source: object) -> str | os.PathLike[str]:
    """`source` when it is a document: a path (str or `os.PathLike`) or the text itself; else `InputError`. A
    `Path` that names no file is refused here, before its output is looked at."""
    if isinstance(source, os.PathLike) and not os.path.isfile(source):
        raise errors.InputError(f"cannot read {os.fspath(source)}: no such file")
    if isinstance(source, (str, os.PathLike)):
        return source
    raise errors.InputError(f"there is no document: pass a path or the text itself, not {type(source).__name__}")


def speech_text(text: object) -> str:
    """`text` when it is a string; else `InputError`."""
    if isinstance(text, str):
        return text
    raise errors.InputError(f"speak takes the text to speak as a string, not {type(text).__name__}")
