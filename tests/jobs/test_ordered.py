"""`ordered_map`: results in order, bounded lookahead, and a source never left running in a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from voicekit.jobs.ordered import ordered_map


def test_results_come_in_order_although_they_finish_out_of_order() -> None:
    async def work(n: int) -> int:
        await asyncio.sleep(0.05 * (5 - n))
        return n * n

    async def run() -> list[tuple[int, int]]:
        return [pair async for pair in ordered_map(range(5), work, lookahead=5)]

    assert asyncio.run(run()) == [(n, n * n) for n in range(5)]


def test_no_more_than_lookahead_items_are_started_ahead() -> None:
    started: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        await asyncio.sleep(0.01)
        return n

    async def run() -> None:
        async for n, _ in ordered_map(range(20), work, lookahead=3):
            assert max(started) <= n + 3

    asyncio.run(run())


def test_a_cancelled_consumer_waits_for_the_source_to_leave_its_thread() -> None:
    inside = threading.Event()

    def slow_source() -> Iterator[int]:
        yield 0
        inside.set()
        time.sleep(0.3)  # decoding the next window
        inside.clear()
        yield 1

    async def work(n: int) -> int:
        return n

    async def consume() -> None:
        async for _ in ordered_map(slow_source(), work, lookahead=1):
            await asyncio.sleep(0)

    async def run() -> None:
        task = asyncio.create_task(consume())
        while not inside.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not inside.is_set()  # the source could now be closed safely

    asyncio.run(run())


def test_lookahead_must_be_positive() -> None:
    async def run() -> None:
        async for _ in ordered_map([1], asyncio.sleep, lookahead=0):
            pass

    with pytest.raises(ValueError, match="at least 1"):
        asyncio.run(run())
