"""The Groq client under 429 storms and faults, against the loopback server, next to Groq's own SDK.

    /work/venv/bin/python benchmarks/client.py              # every case, median of 3 (about two minutes)
    /work/venv/bin/python benchmarks/client.py --repeat 1   # one run per case

Each run sends N = 30 short speech requests (30 to 90 characters of Pride and Prejudice each; synthetic speech,
50 ms server latency) four at a time to a fresh `GroqServer` (full buckets, its own faults):

- voicekit: one `AsyncGroqClient(max_concurrency=4)` and `asyncio.gather` over the requests (VOICEKIT_MAX_RETRIES,
  default 4 retries; pacing from the `x-ratelimit-*` headers; a 429's retry-after pauses the whole client);
- groq SDK: one `groq.Groq` client (its default 2 retries) shared by 4 threads.

Cases: limits with short windows (requests per minute, speech characters per minute), injected 429 storms with a
retry-after, 503s, 500s and dropped connections. Columns: requests the server saw, requests that finally succeeded
or failed, answers that were 429 and other errors (5xx or no answer), the wall time, and the ideal time: what the
limit implies when the bucket starts full, ((work - bucket) / refill rate), but never less than ceil(N / 4) x the
latency, plus for the 429 storm the retry-after of its 3 rounds of 4 refusals. Speech comes from
`_common.PooledSpeech` so that the server's synthesis does not weigh on the client's timings. Medians of `--repeat`
runs. Targets: every request succeeds; the limits cost few 429s and little time above the ideal.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import _common

import voicekit
from voicekit.testing import Fault, GroqServer, ServerOptions

N = 30
CONCURRENCY = 4
LATENCY = 0.05
MODEL = "canopylabs/orpheus-v1-english"


@dataclass(frozen=True)
class Case:
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    faults: tuple[tuple[Fault, int], ...] = ()
    forced_wait: float = 0.0
    """Seconds every client must wait on top: the retry-after of injected 429s, one per round of C requests."""

    def ideal(self, texts: list[str]) -> float:
        """Seconds the limit implies for `texts` from a full bucket, at least the latency of ceil(N / C) rounds,
        plus the forced wait."""
        return self.forced_wait + self._limit_time(texts)

    def _limit_time(self, texts: list[str]) -> float:
        floor = math.ceil(len(texts) / CONCURRENCY) * LATENCY
        if "requests_per_minute" in self.options:
            limit, window, work = self.options["requests_per_minute"], self.options["requests_window"], len(texts)
        elif "tokens_per_minute" in self.options:
            limit, window = self.options["tokens_per_minute"], self.options["tokens_window"]
            work = sum(len(text) for text in texts)
        else:
            return floor
        return max(floor, float((work - limit) / (limit / window)))


CASES = [
    Case("no limit, no fault"),
    Case("10 requests per 2 s", {"requests_per_minute": 10, "requests_window": 2.0}),
    Case("20 requests per 5 s", {"requests_per_minute": 20, "requests_window": 5.0}),
    Case("600 characters per 2 s", {"tokens_per_minute": 600, "tokens_window": 2.0}),
    Case("429 storm: 12 x 429, retry-after 1 s", faults=((Fault.status(429, retry_after=1), 12),), forced_wait=3.0),
    Case("503 x 8", faults=((Fault.status(503), 8),)),
    Case("500 x 4, then 4 dropped connections", faults=((Fault.status(500), 4), (Fault.drop(), 4))),
    Case("10 requests per 2 s, and 503 x 6", {"requests_per_minute": 10, "requests_window": 2.0},
         ((Fault.status(503), 6),)),
]


def request_texts() -> list[str]:
    """N sentences of 30 to 90 characters from the book (a fixed list, so every run sends the same)."""
    text = _common.BOOK.read_bytes().decode("utf-8-sig").replace("\r\n", " ")
    sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", text[5000:])]
    return [s for s in sentences if 30 <= len(s) <= 90][:N]


def voicekit_run(server: GroqServer, texts: list[str]) -> tuple[int, int]:
    """`(successes, failures)` of the texts sent through one `AsyncGroqClient`."""
    async def send_all() -> list[Any]:
        async with voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url,
                                            max_concurrency=CONCURRENCY) as client:
            return await asyncio.gather(*(client.speech(text) for text in texts), return_exceptions=True)

    results = asyncio.run(send_all())
    failed = sum(isinstance(result, BaseException) for result in results)
    return len(results) - failed, failed


def sdk_run(server: GroqServer, texts: list[str]) -> tuple[int, int]:
    """`(successes, failures)` of the texts sent through one `groq.Groq` client from 4 threads."""
    import groq

    client = groq.Groq(api_key=server.api_key, base_url=server.base_url)

    def send(text: str) -> bool:
        try:
            client.audio.speech.create(model=MODEL, voice="autumn", input=text, response_format="wav").read()
        except groq.APIError:
            return False
        return True

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(send, texts))
    client.close()
    return sum(results), len(results) - sum(results)


def one_run(case: Case, who: str, texts: list[str]) -> dict[str, float]:
    """One fresh server, one client, one case."""
    with _common.loopback(ServerOptions(latency=LATENCY, speech_backend="synthetic", **case.options)) as server:
        for fault, times in case.faults:
            server.inject(fault, times=times, endpoint="speech")
        run = voicekit_run if who == "voicekit" else sdk_run
        server.app.services.speech = _common.PooledSpeech()
        wall, (ok, failed) = _common.timed(lambda: run(server, texts))
        statuses = [entry.status for entry in server.log.entries if entry.endpoint == "speech"]
    return {"sent": len(statuses), "ok": ok, "failed": failed, "429": statuses.count(429),
            "errors": sum(1 for s in statuses if s is None or s >= 500), "wall": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case and client (median)")
    args = parser.parse_args()
    if not _common.BOOK.exists():
        print(f"skipped: {_common.BOOK} not found")
        return 0
    texts = request_texts()
    rows = []
    for case in CASES:
        ideal = case.ideal(texts)
        for who in ("voicekit", "groq SDK"):
            runs = [one_run(case, who, texts) for _ in range(args.repeat)]
            m = {key: _common.median([run[key] for run in runs]) for key in runs[0]}
            rows.append([case.name, who, f"{m['sent']:.0f}", f"{m['ok']:.0f}", f"{m['failed']:.0f}",
                         f"**{m['429']:.0f}**", f"{m['errors']:.0f}", f"{m['wall']:.2f}", f"{ideal:.2f}",
                         f"{m['wall'] / ideal:.2f}"])
    _common.print_table(
        f"The Groq client: {N} speech requests, {CONCURRENCY} at a time, {LATENCY * 1000:.0f} ms latency, "
        f"median of {args.repeat}",
        ["case", "client", "sent", "succeeded", "failed", "answered 429", "answered 5xx / dropped", "wall (s)",
         "ideal (s)", "wall / ideal"], rows,
        [f"Texts: {sum(len(t) for t in texts):,} characters in all. voicekit retries 4 times (VOICEKIT_MAX_RETRIES), "
         "the SDK 2 times (its default)."])
    return 0


if __name__ == "__main__":
    sys.exit(main())
