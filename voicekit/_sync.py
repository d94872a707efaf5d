"""The synchronous API's one bridge to the async core.

Coroutines run on a private event loop in a daemon thread, so a sync call works the same in a script and inside
Jupyter's already running loop. The caller blocks on a `concurrent.futures.Future`: the coroutine's result or its
exception reaches the caller, and Ctrl-C cancels the coroutine and then waits for it to finish cleaning up (remove
its temporary files, cache the requests already answered) before `KeyboardInterrupt` reaches the caller; a second
Ctrl-C stops waiting.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

CLEANUP_SECONDS = 120.0
"""How long an interrupted call waits for its coroutine's cleanup (requests already sent finish and are cached)."""

logger = logging.getLogger("voicekit")
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_loop.run_forever, name="voicekit-loop", daemon=True)
            thread.start()
        return _loop


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on voicekit's private loop and return its result (or raise its exception)."""
    loop = _background_loop()
    if threading.current_thread().name == "voicekit-loop":
        coroutine.close()
        raise RuntimeError("a synchronous voicekit call was made from voicekit's own event loop; await the async API")
    finished = threading.Event()
    future = asyncio.run_coroutine_threadsafe(_signalling(coroutine, finished), loop)
    try:
        return future.result()
    except KeyboardInterrupt:
        future.cancel()
        if not finished.wait(0.5):  # a second Ctrl-C interrupts either wait
            logger.warning("interrupted: finishing the requests already sent so that they are kept (Ctrl-C again "
                           "to stop at once)")
            finished.wait(CLEANUP_SECONDS)
        raise
    except BaseException:
        future.cancel()
        raise


async def _signalling(coroutine: Coroutine[Any, Any, T], finished: threading.Event) -> T:
    """Run `coroutine`; set `finished` once it has returned, raised, or finished its cleanup after a cancel."""
    try:
        return await coroutine
    finally:
        finished.set()
