"""Concurrent work that comes out in order, with a bounded number of results waiting.

Both jobs need the same thing: chunks or windows are processed concurrently (the engine's limiter bounds the requests
in flight), but they must be stitched or merged in their original order, and memory must not grow with the input.
`ordered_map` keeps at most `lookahead` items started ahead of the one being consumed; when the consumer stops or a
task fails, every other task is cancelled, and what finished has already been kept by the task itself (the cache).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def ordered_map(items: Iterable[T], work: Callable[[T], Awaitable[R]],
                      lookahead: int) -> AsyncIterator[tuple[T, R]]:
    """Yield `(item, await work(item))` in the order of `items`, running up to `lookahead` at once."""
    if lookahead < 1:
        raise ValueError(f"lookahead must be at least 1, not {lookahead}")
    source = iter(items)
    pending: deque[tuple[T, asyncio.Task[R]]] = deque()
    loop = asyncio.get_running_loop()
    producing: asyncio.Future[object] | None = None

    async def start_next() -> bool:
        # Producing an item may be real work (decoding the next window): a worker thread keeps the loop free.
        nonlocal producing
        producing = loop.run_in_executor(None, next, source, _END)
        item = await asyncio.shield(producing)
        if item is _END:
            return False
        pending.append((item, asyncio.ensure_future(work(item))))  # type: ignore[arg-type]
        return True

    try:
        while len(pending) < lookahead and await start_next():
            pass
        while pending:
            item, task = pending.popleft()
            result = await task
            await start_next()
            yield item, result
    finally:
        if producing is not None and not producing.done():
            # The source must not be closed while a worker thread is still inside it (a decoder would crash).
            await asyncio.wait([producing])
        for _, task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*(task for _, task in pending), return_exceptions=True)


_END = object()
