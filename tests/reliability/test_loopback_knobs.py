"""The loopback server's reliability knobs, as a user reaches them: `python -m voicekit.testing` with faults by
kind, 429 storms, a daily quota, long resets in the headers, and the request log at `GET /_log` and in a file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from reliability_helpers import ROOT, client_of, start

from voicekit._sync import run_sync
from voicekit.testing.__main__ import build_parser, options_from
from voicekit.testing.faults import FaultProfile


def test_the_command_line_reaches_every_knob(tmp_path: Path) -> None:
    args = build_parser().parse_args([
        "--faults", "0.2", "--fault", "truncate=0.05", "--fault-seed", "3", "--storm", "30:2.5", "--rpd", "500",
        "--rpd-window", "3600", "--advertise-reset", "18000", "--log-file", str(tmp_path / "log.jsonl")])
    options = options_from(args)
    assert options.fault_rates == {"5xx": 0.05, "498": 0.05, "reset": 0.05, "truncate": 0.1}
    assert (options.fault_seed, options.storm_period, options.storm_length) == (3, 30.0, 2.5)
    assert (options.requests_per_day, options.day_window, options.advertised_reset) == (500, 3600.0, 18000.0)
    assert options.log_file == tmp_path / "log.jsonl"


def test_the_fault_profile_is_seeded_and_draws_every_kind() -> None:
    first, second = FaultProfile.mixed(0.8, seed=1), FaultProfile.mixed(0.8, seed=1)
    kinds = [fault.kind if fault else None for fault in (first.draw() for _ in range(400))]
    again = [fault.kind if fault else None for fault in (second.draw() for _ in range(400))]
    assert kinds == again
    assert {"status", "drop", "truncate", None} <= set(kinds)
    with pytest.raises(ValueError, match="add up"):
        FaultProfile({"5xx": 0.7, "reset": 0.6})


def test_a_storm_refuses_audio_requests_while_it_lasts() -> None:
    server = start(storm_period=1000.0, storm_length=1000.0)
    try:
        with httpx.Client(base_url=server.base_url + "/openai/v1",
                          headers={"Authorization": f"Bearer {server.api_key}"}) as http:
            answer = http.post("/audio/speech", json={"model": "canopylabs/orpheus-v1-english", "voice": "troy",
                                                      "input": "Hi.", "response_format": "wav"})
            assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 900
            assert http.get("/models").status_code == 200  # the model list is not an audio request
    finally:
        server.stop()


@pytest.mark.slow
def test_the_server_process_serves_its_log_at_a_url_and_in_a_file(tmp_path: Path) -> None:
    log_file = tmp_path / "requests.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "voicekit.testing", "--port", "0", "--speech", "synthetic",
                                "--transcription", "synthetic", "--fault", "5xx=1.0", "--log-file", str(log_file)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = next(line.split("=", 1)[1].strip() for line in process.stdout if "GROQ_BASE_URL=" in line)
        answer = httpx.post(url + "/openai/v1/audio/speech", headers={"Authorization": "Bearer gsk_test_loopback_key"},
                            json={"model": "canopylabs/orpheus-v1-english", "voice": "troy", "input": "Hi."})
        assert answer.status_code == 503
        entries = httpx.get(url + "/_log").json()
        assert [(e["endpoint"], e["status"], e["fault"]) for e in entries] == [("speech", 503, "status")]
        deadline = time.monotonic() + 10
        while not log_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [json.loads(line)["status"] for line in log_file.read_text().splitlines()] == [503]
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_the_in_process_log_is_json_too() -> None:
    server = start()
    try:
        with client_of(server) as client:
            run_sync(client.speech("Hello.", voice="troy"))
        entries = json.loads(server.log.to_json())
        assert [(e["endpoint"], e["status"], e["chars"]) for e in entries] == [("speech", 200, 6)]
    finally:
        server.stop()
