"""Progress bars that render as widgets in notebooks and as text in terminals (tqdm.auto).

A job's bar also says when the job is waiting: the Groq client calls its `on_wait(seconds, reason)` hook before any
wait over a few seconds (a rate limit's pacing, a 429's retry-after, a retry's backoff), and while a bar is open
for an engine with such a client, the bar's postfix reads "waiting 42 s for the rate limit (resets at 10:42:13)". The
client's WARNING log line stays as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, Protocol

from tqdm.auto import tqdm

WaitHook = Callable[[float, str], None]


class _Waiting(Protocol):
    on_wait: WaitHook | None


@contextlib.contextmanager
def progress_bar(*, total: float | None, unit: str, desc: str, enabled: bool,
                 engine: object = None, file: Any = None) -> Iterator[tqdm[Any]]:
    """A progress bar, or a silent one when `enabled` is False. With an `engine` whose `client` reports its waits
    (`on_wait`), each wait is shown in the bar's postfix while the bar is open (`file`: where the bar is written,
    by default standard error)."""
    bar_format = "{l_bar}{bar}| {n:.0f}/{total:.0f} {unit} [{elapsed}<{remaining}{postfix}]" if unit == "s" else None
    with tqdm(total=total, unit=unit, desc=desc, disable=not enabled, dynamic_ncols=True, leave=True,
              bar_format=bar_format, file=file) as bar, _showing_waits(bar, getattr(engine, "client", None)):
        yield bar


@contextlib.contextmanager
def _showing_waits(bar: tqdm[Any], client: object) -> Iterator[None]:
    """While the block runs, `client`'s waits also go to the bar's postfix (any hook it had is still called)."""
    if client is None or not hasattr(client, "on_wait"):
        yield
        return
    waiting: _Waiting = client
    previous = waiting.on_wait

    def show(seconds: float, reason: str) -> None:
        bar.set_postfix_str(wait_text(seconds, reason))
        if previous is not None:
            previous(seconds, reason)

    waiting.on_wait = show
    try:
        yield
    finally:
        waiting.on_wait = previous


def wait_text(seconds: float, reason: str, now: datetime | None = None) -> str:
    """"waiting 42 s for the rate limit (resets at 10:42:13)", or "waiting 6 s before trying again (until ...)"
    for a retry's backoff after a failed request."""
    until = ((now or datetime.now()) + timedelta(seconds=seconds)).strftime("%H:%M:%S")
    if "429" in reason or "limit" in reason:
        return f"waiting {seconds:.0f} s for the rate limit (resets at {until})"
    return f"waiting {seconds:.0f} s before trying again (until {until})"
