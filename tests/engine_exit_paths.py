"""The suite's heaviest engine paths in one process, ending as a test run can: a client that gave up while the
loopback server's Whisper was still working for it. `test_clean_exit.py` runs this in a subprocess and asks for a
clean exit (a native thread still inside a model when the interpreter exits ends the process with status 139).

Run: `python -X faulthandler tests/engine_exit_paths.py AUDIO.wav` (a speech recording, 16 kHz mono).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import voicekit
from voicekit import errors
from voicekit.testing import GroqServer, ServerOptions


def local_jobs(recording: Path, folder: Path) -> None:
    """Piper and faster-whisper through the synchronous API (its private event loop and worker threads)."""
    document = folder / "note.md"
    document.write_text("# A note\n\nThe quick brown fox jumps over the lazy dog, twice.\n", encoding="utf-8")
    voicekit.narrate(document, folder / "note.wav", engine="local", progress=False)
    voicekit.transcribe(folder / "note.wav", engine="local", progress=False)
    voicekit.transcribe(recording, engine="local", progress=False)


def abandoned_requests(recording: Path) -> None:
    """Clients that give up at once, while the loopback server's Whisper and Piper work for them."""
    options = ServerOptions(transcription_backend="whisper", speech_backend="piper")
    with GroqServer(options) as server:
        client = voicekit.GroqClient(api_key=server.api_key, base_url=server.base_url, timeout=0.01, max_retries=0)
        for call in (lambda: client.transcribe(recording, language="en"),
                     lambda: client.speech("Nobody waits for this sentence to be spoken.")):
            try:
                call()
            except (errors.APITimeoutError, errors.APIConnectionError):
                pass


def main(recording: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        local_jobs(recording, Path(folder))
    abandoned_requests(recording)
    print("engine paths done", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
