"""How close `--plan`'s time estimate lands to the real run, as a user runs both: `voicekit ... --plan --json`, then
the job itself, each in a fresh process (start-up included, as the user waits for it).

Cases: `narrate samples/article.md` offline (Piper, timed when planning: `voicekit.jobs.estimate`), and through
the loopback server with Groq's free plan limits for Orpheus (10 requests and 1,200 characters a minute) and 0.3 s
per request; `transcribe samples/meeting.ogg` offline (faster-whisper tiny.en, `LOCAL_WHISPER_PACE`), and the
shared recordings folder through the loopback server with the free plan's Whisper limits (20 requests a minute,
7,200 audio seconds an hour). The strongest alternative is the estimate before: a constant 115 characters a second
for Piper, and requests at the per-minute limit from an empty bucket for Groq. A ratio within 0.67-1.5 is the goal.

    python benchmarks/plan_estimate.py

Two runs on the project's shared 2-core machine (load average 2-3), real seconds / plan seconds:
narrate local 6.2/4.1 and 2.9/4.3; transcribe local 7.7/7.9 and 6.1/7.9; narrate through the loopback server
13.6/10.0 twice; transcribe the 12 shared recordings through it 6.3/6.0 and 6.8/6.0. The estimate before said 66 s
and 63 s for the two loopback cases. Piper's own speed swings most: the same narration took 2.9 s to 10.5 s within
half an hour, which is why the plan times it when planning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DATA, loopback, print_table

from voicekit.testing import ServerOptions

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "samples" / "article.md"
MEETING = ROOT / "samples" / "meeting.ogg"
FREE_SPEECH = ServerOptions(speech_backend="synthetic", transcription_backend="synthetic", latency=0.3,
                            requests_per_minute=10, tokens_per_minute=1200)
FREE_WHISPER = ServerOptions(speech_backend="synthetic", transcription_backend="synthetic", latency=0.3,
                             requests_per_minute=20, audio_seconds_per_hour=7200)


def voicekit(*args: str) -> tuple[float, str]:
    """Wall seconds and standard output of one `python -m voicekit` run (status 0 required)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "voicekit", *args], capture_output=True, text=True,
                          env=dict(os.environ), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"voicekit {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def narrate_case(engine: str, out: Path) -> list[str]:
    _, text = voicekit("narrate", str(ARTICLE), "--plan", "--json", "--engine", engine)
    plan = json.loads(text)
    wall, _ = voicekit("narrate", str(ARTICLE), "-o", str(out / f"{engine}.wav"), "--engine", engine, "--no-cache")
    before = plan["characters"] / 115.0 if engine == "local" else plan["requests"] * 60 / 10  # 115: the old PIPER_PACE
    return [f"narrate article.md ({engine})", f"{plan['requests']}", f"{plan['estimated_seconds']:.1f}",
            f"{before:.1f}", f"{wall:.1f}", f"{wall / plan['estimated_seconds']:.2f}"]


def transcribe_case(engine: str, source: Path, out: Path) -> list[str]:
    _, text = voicekit("transcribe", str(source), "--plan", "--json", "--engine", engine)
    plans = json.loads(text)
    requests = sum(p["requests"] for p in plans)
    estimate = sum(p["estimated_seconds"] for p in plans) if engine == "local" else None
    _, table = voicekit("transcribe", str(source), "--plan", "--engine", engine)
    if estimate is None:  # the whole run's estimate (one rate limit for all files) ends the table's last line
        estimate = float(table.strip().splitlines()[-1].split("about ")[-1].split(" s")[0])
    wall, _ = voicekit("transcribe", str(source), "--output-dir", str(out), "--engine", engine, "--no-cache")
    before = requests * 60 / 20 if engine == "groq" else sum(p["sent_seconds"] for p in plans) / 50
    return [f"transcribe {source.name} ({engine})", f"{requests}", f"{estimate:.1f}", f"{before:.1f}",
            f"{wall:.1f}", f"{wall / estimate:.2f}"]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        os.environ["VOICEKIT_CACHE_DIR"] = str(out / "cache")
        rows.append(narrate_case("local", out))
        rows.append(transcribe_case("local", MEETING, out))
        with loopback(FREE_SPEECH):
            rows.append(narrate_case("groq", out))
        with loopback(FREE_WHISPER):
            rows.append(transcribe_case("groq", DATA / "audio", out))
    print_table("--plan's time estimate against the real run (fresh processes, seconds)",
                ["case", "requests", "plan says", "before (empty bucket / constant)", "real run", "real / plan"],
                rows, ["Loopback: Groq's free-plan limits, 0.3 s a request. The machine is shared: run twice."])


if __name__ == "__main__":
    main()
