"""Requests already sent, seen through to the end.

A job's requests each run in their own task, awaited through `asyncio.shield`: when the job fails or is cancelled
(Ctrl-C), it stops sending (`stopped`) but waits for what was already sent (`finish`), so that everything paid for is
finished and cached, and a rerun sends only the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class SentRequests:
    """The requests of one job that are in flight, and whether the job still sends new ones."""

    def __init__(self) -> None:
        self.stopped = False
        self._tasks: set[asyncio.Task[Any]] = set()

    async def send(self, request: Coroutine[Any, Any, T]) -> T:
        """Run `request` in its own task, tracked until it settles; cancelling the caller does not cancel it."""
        task = asyncio.ensure_future(request)
        self._tasks.add(task)
        task.add_done_callback(self._settled)
        return await asyncio.shield(task)

    def _settled(self, task: asyncio.Task[Any]) -> None:
        """A request is done: forget it (its error, if any, reached whoever awaited it, or is moot)."""
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()

    async def finish(self) -> None:
        """Send nothing more, and wait for the requests already sent so that their results are cached."""
        self.stopped = True
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @asynccontextmanager
    async def seen_through(self) -> AsyncIterator[None]:
        """The job's block: when it fails, or is cancelled (Ctrl-C), nothing more is sent and the requests already
        sent finish (and are cached) before the error goes on."""
        try:
            yield
        except Exception:
            await self.finish()
            raise
        except BaseException:  # cancelled: the wait itself is shielded from the cancellation
            await asyncio.shield(self.finish())
            raise
