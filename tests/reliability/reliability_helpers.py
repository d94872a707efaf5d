"""What the reliability tests share: the loopback server with synthetic backends and the command line run as a
subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voicekit._sync import run_sync
from voicekit.engines.groq import AsyncGroqClient
from voicekit.testing import GroqServer, ServerOptions

ROOT = Path(__file__).resolve().parents[2]


def start(**options: object) -> GroqServer:
    return GroqServer(ServerOptions(speech_backend="synthetic", transcription_backend="synthetic",
                                    **options)).start()  # type: ignore[arg-type]


def cli_env(server: GroqServer | None, cache: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GROQ_API_KEY", "GROQ_BASE_URL")}
    environment["VOICEKIT_CACHE_DIR"] = str(cache)
    environment["PYTHONPATH"] = str(ROOT)
    if server is not None:
        environment.update(GROQ_API_KEY=server.api_key, GROQ_BASE_URL=server.base_url)
    return environment


def run_cli(*args: str, server: GroqServer | None, cache: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m voicekit ARGS` to the end."""
    return subprocess.run([sys.executable, "-m", "voicekit", *args], env=cli_env(server, cache), cwd=cwd,
                          text=True, capture_output=True, timeout=300)


def start_cli(*args: str, server: GroqServer | None, cache: Path, cwd: Path) -> subprocess.Popen[str]:
    """`python -m voicekit ARGS`, running."""
    return subprocess.Popen([sys.executable, "-m", "voicekit", *args], env=cli_env(server, cache), cwd=cwd,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@contextlib.contextmanager
def client_of(server: GroqServer, **options: object) -> Iterator[AsyncGroqClient]:
    """An async client for the server (usable by the blocking jobs), closed at the end."""
    client = AsyncGroqClient(api_key=server.api_key, base_url=server.base_url, **options)  # type: ignore[arg-type]
    try:
        yield client
    finally:
        run_sync(client.aclose())


@contextlib.contextmanager
def disk_of(mount: Path, kilobytes: int) -> Iterator[Path]:
    """A real file system (tmpfs) of `kilobytes` at `mount`; the test is skipped where mounting is not allowed."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
