"""Every file voicekit writes is checked before work is spent, locked while it is written, and appears whole.

Rules every output keeps (audio, transcripts, captions, plan JSON):

- **Checked first.** `check_output` refuses, before any request or model run, an output that is one of the job's
  own inputs (the same file by `os.path.samefile`, or the same resolved path: `narrate x.wav` whose default output
  is `x.wav` itself), a folder, or a path whose folder is missing or not writable.
- **One writer per path.** `reserve` holds an exclusive lock on `<folder>/.<name>.lock` for the whole job (an OS
  lock: it is released when the process dies, even by `kill -9`). A second job to the same path, in this process or
  another, is refused at once with `OutputBusyError` (or waits, with `wait=True`).
- **Whole or nothing.** `temporary_path` names a unique temporary file in the output's own folder
  (`<name>.<random>.partial`), so two writers never share one; `atomic_path` / `write_text` write there and
  `os.replace` it over the output only when complete. Any exit on the way (an error, a full disk, Ctrl-C's
  `KeyboardInterrupt` or `CancelledError`) removes the temporary file and leaves an earlier output untouched.
- **Nothing stale.** Only `kill -9` (or a power cut) leaves a lock file or a temporary file behind. A stale lock
  file is no lock (the OS released it): the next job to that path takes it and removes it when done. Holding the
  lock, it also removes the path's leftover temporary files (`<name>.*.partial`): no running job can own them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from glob import escape as glob_escape
from pathlib import Path

from voicekit import errors, locks

__all__ = ["OutputBusyError", "atomic_path", "check_output", "reserve", "temporary_path", "write_text"]

PARTIAL_SUFFIX = ".partial"

PathLike = str | os.PathLike[str]


class OutputBusyError(errors.InputError):
    """Another running voicekit job is writing the same output path."""


def check_output(path: PathLike, *, inputs: Iterable[object] = ()) -> Path:
    """The output path, after refusing what can be known to fail before any work: the path is one of `inputs`
    (paths; anything else, such as a document's text, is ignored), a folder, or in a folder that is missing or
    not writable. Raises `InputError` naming what to do."""
    target = Path(path)
    for source in inputs:
        if isinstance(source, (str, os.PathLike)) and _same_file(Path(source), target):
            raise errors.InputError(
                f"the output {str(target)!r} is the job's own input: writing it would destroy the input; "
                "choose another output path (-o)")
    if target.is_dir():
        raise errors.InputError(f"the output path {str(target)!r} is a folder: give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise errors.InputError(f"the folder {str(folder)!r} does not exist: create it or choose another output path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise errors.InputError(f"cannot write into the folder {str(folder)!r}: it is not writable; choose another "
                                "output path")
    if target.exists() and not os.access(target, os.W_OK) and not os.access(folder, os.W_OK):
        raise errors.InputError(f"cannot replace {str(target)!r}: it is not writable")
    return target


def _same_file(source: Path, target: Path) -> bool:
    """Whether writing `target` would write over `source` (the same file, a hard link, or the same path)."""
    with contextlib.suppress(OSError):
        if source.exists() and target.exists():
            return os.path.samefile(source, target)
    with contextlib.suppress(OSError, RuntimeError):
        return source.resolve() == target.resolve()
    return os.path.abspath(source) == os.path.abspath(target)


def lock_path(path: PathLike) -> Path:
    """The lock file beside an output: `<folder>/.<name>.lock`."""
    target = Path(path)
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def reserve(*paths: PathLike | None, inputs: Iterable[object] = (), wait: bool = False) -> Iterator[list[Path]]:
    """Check every output (see `check_output`) and hold its lock for the `with` block; None entries are skipped.
    Two outputs of one job on the same path are refused like an output on an input.

    A path another job holds raises `OutputBusyError` at once, or with `wait=True` blocks until it is free.
    Yields the checked paths. The locks are released, and their files removed, on every exit.
    """
    sources = list(inputs)
    targets: list[Path] = []
    for path in paths:
        if path is None:
            continue
        target = check_output(path, inputs=sources)
        if any(_same_file(earlier, target) for earlier in targets):
            raise errors.InputError(f"{str(target)!r} is given for two outputs of one job: choose two paths")
        targets.append(target)
    with contextlib.ExitStack() as stack:
        for target in targets:
            stack.enter_context(_locked(target, wait))
            _remove_stale_temporaries(target)
        yield targets


def _remove_stale_temporaries(target: Path) -> None:
    """Remove `<name>.<random>.partial` files beside `target` that a killed writer left; the caller holds the
    path's lock, so no running job is writing them."""
    for leftover in target.parent.glob(f"{glob_escape(target.name)}.*{PARTIAL_SUFFIX}"):
        discard(leftover)


@contextlib.contextmanager
def _locked(target: Path, wait: bool) -> Iterator[None]:
    """An exclusive OS lock on the output's lock file for the block (see `voicekit.locks`)."""
    try:
        with locks.locked(lock_path(target), wait=wait):
            yield
    except locks.Busy:
        raise OutputBusyError(
            f"another voicekit job is writing {str(target)!r} right now; wait for it to finish or choose another "
            "output path") from None


def temporary_path(path: PathLike) -> Path:
    """A fresh temporary name in the output's own folder, unique to this writer: `<name>.<random>.partial`."""
    target = Path(path)
    return target.with_name(f"{target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")


def create_temporary(path: PathLike) -> Path:
    """Create (empty, exclusively) a temporary file beside `path` and return its name; `InputError` when the
    folder cannot take it."""
    target = Path(path)
    check_output(target)
    for _ in range(8):
        temp = temporary_path(target)
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise errors.InputError(f"cannot write the output {str(target)!r}: {exc.strerror or exc}") from exc
    raise errors.InputError(f"cannot find a free temporary name beside {str(target)!r}")  # pragma: no cover


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """A temporary path beside `path` to write into; renamed over `path` when the block ends normally, removed
    on any other exit (exceptions, a full disk, `KeyboardInterrupt`, `CancelledError`)."""
    target = Path(path)
    temp = create_temporary(target)
    try:
        yield temp
        _flush_to_disk(temp)
        os.replace(temp, target)
    except BaseException:
        discard(temp)
        raise


def write_bytes(path: PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically (see `atomic_path`); a failure leaves any earlier file untouched."""
    target = Path(path)
    with atomic_path(target) as temp:
        with open(temp, "wb") as out:
            out.write(data)
    return target


def write_text(path: PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically, newlines as given (see `atomic_path`)."""
    return write_bytes(path, text.encode(encoding))


def discard(temp: PathLike) -> None:
    """Remove a temporary file if it is still there."""
    with contextlib.suppress(OSError):
        os.unlink(temp)


def _flush_to_disk(temp: Path) -> None:
    """fsync the finished temporary file, so a crash right after the rename cannot leave an empty output."""
    with contextlib.suppress(OSError):
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
