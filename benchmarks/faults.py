"""Narrate and transcribe under faults: 20 % of audio requests fail (5xx, 498, connection reset, truncated body in
equal parts) and a 429 storm refuses everything for 1 s in every 4 s, against the loopback server. Goal: every run
finishes, and its output is byte-identical to a clean run's.

    python benchmarks/faults.py            # 10 runs of each job
    python benchmarks/faults.py --quick    # 3 runs of each

The client runs with its defaults (4 retries for faults, 429s paced on a 900 s budget); the cache is off so that
every chunk and window goes through the faults. Beside it, Groq's own SDK as a script would use it (its default
2 retries): the narration's same chunks from 4 threads (any failed chunk fails the job), and the recording in one
transcription request (the SDK has no long-recording job; identical means identical to the SDK's own clean run).
Synthetic speech and transcripts keep the outputs deterministic.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import BOOK, DATA, median, print_table

import voicekit
from voicekit._sync import run_sync
from voicekit.testing import GroqServer, ServerOptions

RECORDING = DATA / "audio" / "en_long_bush_columbia_address_3m19s.ogg"
FAULTS = {"5xx": 0.05, "498": 0.05, "reset": 0.05, "truncate": 0.05}


def _server(faulty: bool, seed: int) -> GroqServer:
    extra: dict[str, object] = {"fault_rates": FAULTS, "fault_seed": seed, "storm_period": 4.0,
                                "storm_length": 1.0} if faulty else {}
    return GroqServer(ServerOptions(speech_backend="synthetic", transcription_backend="synthetic",
                                    **extra)).start()  # type: ignore[arg-type]


def _narrate(server: GroqServer, folder: Path, text: str) -> bytes:
    client = voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url)
    try:
        out = folder / "out.wav"
        voicekit.narrate(text, out, client=client, progress=False, cache=False)
        return out.read_bytes()
    finally:
        run_sync(client.aclose())


def _transcribe(server: GroqServer, folder: Path, text: str) -> bytes:
    client = voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url)
    try:
        out = folder / "out.json"
        voicekit.transcribe(RECORDING, client=client, progress=False, cache=False).save(out)
        return out.read_bytes()
    finally:
        run_sync(client.aclose())


def _sdk_narrate(server: GroqServer, folder: Path, text: str) -> bytes:
    """The same chunks voicekit sends, through one `groq.Groq` client (its default 2 retries) from 4 threads, as a
    script would; its output is the answers in order (any failed request fails the job)."""
    import groq

    os.environ["GROQ_API_KEY"] = server.api_key
    chunks = [chunk.text for chunk in voicekit.plan_narration(text, engine="groq").chunks]
    client = groq.Groq(api_key=server.api_key, base_url=server.base_url)
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda chunk: client.audio.speech.create(
                model="canopylabs/orpheus-v1-english", voice="autumn", input=chunk, response_format="wav").read(),
                chunks))
    finally:
        client.close()
    return b"".join(answers)


def _sdk_transcribe(server: GroqServer, folder: Path, text: str) -> bytes:
    """The whole recording in one request through `groq.Groq` (the SDK's way for a file under the upload limit)."""
    import groq

    client = groq.Groq(api_key=server.api_key, base_url=server.base_url)
    try:
        with RECORDING.open("rb") as audio:
            result = client.audio.transcriptions.create(file=(RECORDING.name, audio.read()),
                                                        model="whisper-large-v3-turbo", response_format="verbose_json")
    finally:
        client.close()
    answer = result.model_dump()
    answer.pop("x_groq", None)  # a per-request id
    return json.dumps(answer, sort_keys=True).encode()


def _one(job: Callable[[GroqServer, Path, str], bytes], faulty: bool, seed: int,
         text: str) -> tuple[bytes | None, float, dict[str, int], str]:
    """Run one job; its output (None on failure), seconds, what the server saw, and the error if any."""
    server = _server(faulty, seed)
    try:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            try:
                output, error = job(server, Path(folder), text), ""
            except Exception as exc:  # noqa: BLE001 - voicekit's errors, and the SDK's
                output, error = None, f"{type(exc).__name__}: {exc}"[:100]
            seconds = time.perf_counter() - started
        entries = server.log.entries
        seen = {"requests": len(entries), "429": sum(e.status == 429 for e in entries),
                "faults": sum(e.fault is not None for e in entries)}
        return output, seconds, seen, error
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs of each job instead of 10")
    runs = 3 if parser.parse_args().quick else 10
    text = " ".join(BOOK.read_text(encoding="utf-8-sig")[3000:15000].split())
    rows = []
    jobs = [("narrate", _narrate), ("narrate: groq SDK, same chunks", _sdk_narrate), ("transcribe", _transcribe),
            ("transcribe: groq SDK, one request", _sdk_transcribe)]
    for name, job in jobs:
        clean, clean_seconds, clean_seen, clean_error = _one(job, False, 0, text)
        assert clean is not None, clean_error
        results = [_one(job, True, seed, text) for seed in range(1, runs + 1)]
        finished = sum(output is not None for output, *_ in results)
        identical = sum(output == clean for output, *_ in results)
        errors = sorted({error for *_, error in results if error})
        rows.append([name, "clean", "1/1", "1/1", str(clean_seen["requests"]), "0", "0", f"{clean_seconds:.1f}", ""])
        rows.append([name, "20 % faults + 429 storm", f"{finished}/{runs}", f"{identical}/{runs}",
                     f"{median([seen['requests'] for _, _, seen, _ in results]):.0f}",
                     f"{median([seen['faults'] for _, _, seen, _ in results]):.0f}",
                     f"{median([seen['429'] for _, _, seen, _ in results]):.0f}",
                     f"{median([seconds for _, seconds, _, _ in results]):.1f}", "; ".join(errors)])
    print_table(f"Jobs under faults ({runs} runs each, medians per run)",
                ["job", "server", "finished", "identical to clean", "requests", "faults", "429s", "seconds",
                 "errors"], rows,
                [f"Narration: {len(text)} characters of Pride and Prejudice; transcription: {RECORDING.name}. "
                 "Faults: 5 % each of 503, 498, reset and truncated body; storms: 429 for 1 s in every 4 s."])


if __name__ == "__main__":
    main()
