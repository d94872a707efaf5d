"""Options for every job, validated once, in one place.

`JobOptions` is the base of `NarrateOptions` and `TranscribeOptions`: unknown options are refused (a misspelling
such as `concurency=3` never passes silently), and every refusal is an `OptionError` (a `voicekit` error) naming the
option and saying what to do, whether the options are built directly or through `JobOptions.resolve` (the one way
keyword overrides are applied). Output paths are checked by `check_output` before any work is spent.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from voicekit import outputs
from voicekit.audio.stitch import AUDIO_FORMATS, resolve_format
from voicekit.errors import InputError, OptionError

Options = TypeVar("Options", bound="JobOptions")

_BRANCH_NAMES = {"str", "int", "float", "bool", "none", "list", "dict"}
"""Names pydantic puts in an error's location for the branch of a union; they are not option names."""


class JobOptions(BaseModel):
    """The base of every job's options: frozen, unknown names refused, errors raised as `OptionError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    job: ClassVar[str] = "the job"
    """The job's name, for messages."""

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise option_error(type(self), exc) from None

    @classmethod
    def resolve(cls: type[Options], options: Options | None = None,
                overrides: Mapping[str, Any] | None = None) -> Options:
        """`options` (default: all defaults) with `overrides` applied, validated as a whole."""
        if options is not None and not isinstance(options, cls):
            raise OptionError(f"{cls.job}: options= must be a {cls.__name__}, not {type(options).__name__}")
        base = options if options is not None else cls()
        if not overrides:
            return base
        values = {name: getattr(base, name) for name in base.model_fields_set}
        return cls(**{**values, **overrides})


def option_error(kind: type[BaseModel], exc: ValidationError) -> OptionError:
    """One `OptionError` for all that is wrong, each problem naming its option."""
    names = list(kind.model_fields)
    seen: set[str] = set()
    problems = []
    for error in exc.errors():
        where = _option_name(error)
        if where in seen:
            continue
        seen.add(where)
        problems.append(_problem(where, error, names))
    job = getattr(kind, "job", kind.__name__)
    return OptionError(f"{job}: " + "; ".join(problems))


def _option_name(error: ErrorDetails) -> str:
    parts = []
    for part in error["loc"]:
        text = str(part)
        if not text.isidentifier() or text in _BRANCH_NAMES:
            break
        parts.append(text)
    return ".".join(parts) or "options"


def _problem(where: str, error: ErrorDetails, names: list[str]) -> str:
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(where.rpartition(".")[2], names, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"the options are: {', '.join(names)}"
        return f"unknown option {where!r} ({hint})"
    given = repr(error.get("input"))
    given = given if len(given) <= 60 else given[:57] + "..."
    cause = error.get("ctx", {}).get("error")
    if error["type"] == "value_error" and cause is not None:
        return f"option {where!r}: {cause}"
    return f"option {where!r}: {error['msg'][0].lower()}{error['msg'][1:]} (got {given})"


def check_output(path: str | Path, formats: Mapping[str, str] | tuple[str, ...], format: str | None = None,
                 *, what: str = "output") -> str:
    """The format an output will be written in, checked before any work: `format` or the path's extension must be
    one of `formats`, the folder must exist, and the path must not be a folder. Raises `InputError` saying what to
    do."""
    target = Path(path)
    if target.is_dir():
        _check_place(target, what)
    name = (format if format is not None else target.suffix).lower().lstrip(".")
    if name not in formats:
        given = f"the format {format}" if format is not None else f"the extension {target.suffix or '(none)'}"
        raise InputError(f"cannot write the {what} {target} with {given}: use one of "
                         f"{', '.join('.' + f for f in formats)}")
    extension = target.suffix.lower().lstrip(".")
    if format is not None and extension in formats and extension != name:
        _disagree(target, name, what)
    _check_place(target, what)
    return name


def _check_place(target: Path, what: str) -> None:
    """The output is not a folder, its folder exists and is writable (see `voicekit.outputs.check_output`)."""
    outputs.check_output(target)


def check_audio_output(path: str | Path, format: str | None = None) -> str:
    """The audio format an output will be written in (from `format` or the extension, as the writer reads it:
    `.wave` and `.oga` too), checked with its folder before any work."""
    _check_place(Path(path), "audio")
    name = resolve_format(path, format)
    if format is not None and Path(path).suffix:
        try:
            by_extension = resolve_format(path, None)
        except InputError:  # an extension that names no audio format: the format decides
            by_extension = name
        if by_extension != name:
            _disagree(Path(path), name, "audio")
    return check_output(path, AUDIO_FORMATS, name, what="audio")


def _disagree(target: Path, format: str, what: str) -> None:
    """Refuse an output whose extension names another format than the one asked for (MP3 bytes in a .wav)."""
    raise InputError(f"the {what} {target} has the extension {target.suffix} but the format asked for is {format}: "
                     f"make them agree (or leave --format out and the extension decides)")
