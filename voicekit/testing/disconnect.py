"""A client that has gone: the server stops the work it asked for.

An HTTP client that gives up (a timeout, a cancelled job) closes its connection, and its retry arrives on another
one. Work still done for the closed connection only delays the retry (the local engines run one request at a time),
so the handler hands the endpoints a `Gone` check: work that has not started yet, or is waiting its turn, is
skipped with `ClientGone` once the client has closed its end.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable

Gone = Callable[[], bool]
"""Asks whether the client of the request being served has closed its connection."""

TURN_CHECK_SECONDS = 0.05
"""How often a request waiting for its turn at a local engine looks whether its client is still there."""


class ClientGone(Exception):
    """The client closed its connection before its request's work started: the work is skipped."""


def never_gone() -> bool:
    """The check of a request that is not read from a socket (always there)."""
    return False


def connection_closed(connection: socket.socket) -> bool:
    """True when the peer has closed `connection` (its end reads as end-of-file, or the socket is broken).

    A request's body has been read whole before this is asked, so a readable socket holds either the next
    pipelined request (the client is there) or end-of-file (it has gone).
    """
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class Turns:
    """When a request's work may start: engines take one request at a time, and the server can hold every
    request back (`open` cleared: a busy server, for tests that need requests waiting their turn).
    """

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.waiting = 0
        """Requests waiting for their turn now (held, or queued behind an engine's lock)."""
        self._count = threading.Lock()

    def take(self, lock: threading.Lock | None, gone: Gone) -> None:
        """Wait until the server lets work start and `lock` (the engine's, if it has one) is acquired, giving up
        with `ClientGone` as soon as the client has gone, before or while waiting. The caller releases `lock`.
        """
        with self._count:
            self.waiting += 1
        try:
            self._take(lock, gone)
        finally:
            with self._count:
                self.waiting -= 1

    def _take(self, lock: threading.Lock | None, gone: Gone) -> None:
        while True:
            if gone():
                raise ClientGone
            if not self.open.wait(TURN_CHECK_SECONDS):
                continue
            if lock is None:
                return
            if lock.acquire(timeout=TURN_CHECK_SECONDS):
                if gone():
                    lock.release()
                    raise ClientGone
                return
