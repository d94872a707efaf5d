"""Exclusive locks between processes (and between tasks of one process) on small lock files.

A lock is an OS lock (`flock`) on a file: the system releases it when its holder dies, even by `kill -9`, so a
crashed job never leaves a path locked. The holder removes the lock file when it lets go; a waiter that locked a
file already removed (its inode is no longer at the path) opens the path again, so two holders never coexist.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - without flock the lock file is only created, not locked
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.05


class Busy(Exception):
    """The lock is held by someone else."""


def try_lock(path: Path) -> int | None:
    """Lock `path` (creating it) and return the open descriptor, or None when someone else holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return None
            raise
        if _still_linked(fd, path):
            return fd
        os.close(fd)


def unlock(fd: int, path: Path) -> None:
    """Remove the lock file and let go of the lock."""
    with contextlib.suppress(OSError):
        path.unlink()
    os.close(fd)


@contextlib.contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the lock on `path` for the block; waits for it, or raises `Busy` at once with `wait=False`."""
    while (fd := try_lock(path)) is None:
        if not wait:
            raise Busy(str(path))
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        unlock(fd, path)


@contextlib.asynccontextmanager
async def alocked(path: Path) -> AsyncIterator[None]:
    """Hold the lock on `path` for the block, waiting for it without blocking the event loop."""
    while (fd := try_lock(path)) is None:
        await asyncio.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        unlock(fd, path)


def _still_linked(fd: int, path: Path) -> bool:
    """Whether the locked file is still the one at `path` (not removed by a holder that just finished)."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
