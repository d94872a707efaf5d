"""The `voicekit` command, run as a user would: in a subprocess, offline, against the loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile

import voicekit
from voicekit.testing import GroqServer, ServerOptions

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "GROQ_API_KEY"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "voicekit", *args], capture_output=True, text=True, env=environment,
                          cwd=cwd, input=stdin, timeout=300, check=False)


@pytest.fixture
def cache(tmp_path: Path) -> dict[str, str]:
    return {"VOICEKIT_CACHE_DIR": str(tmp_path / "cache")}


@pytest.fixture(scope="module")
def server() -> Iterator[GroqServer]:
    with GroqServer(ServerOptions(speech_backend="synthetic", transcription_backend="synthetic")) as running:
        yield running


def test_help_teaches_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("narrate", "transcribe", "speak", "voices", "models"):
        assert command in result.stdout
    assert "GROQ_API_KEY" in result.stdout and "examples:" in result.stdout
    narrate_help = run("narrate", "--help").stdout
    assert "--plan" in narrate_help and "--captions" in narrate_help and "cached" in narrate_help


def test_version() -> None:
    assert run("--version").stdout.strip() == f"voicekit {voicekit.__version__}"


def test_speak_offline_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    result = run("speak", "Hello from the command line.", "-o", str(out))
    assert result.returncode == 0, result.stderr
    info = soundfile.info(str(out))
    assert info.samplerate == 22050 and 0.8 < info.duration < 6


def test_speak_through_groq_uses_the_loopback_server(tmp_path: Path, server: GroqServer) -> None:
    out = tmp_path / "hello.wav"
    env = {"GROQ_API_KEY": server.api_key, "GROQ_BASE_URL": server.base_url}
    result = run("speak", "[cheerful] Good morning!", "--voice", "autumn", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert soundfile.info(str(out)).samplerate == 24000


def test_voices_lists_groq_and_local() -> None:
    result = run("voices")
    assert "canopylabs/orpheus-v1-english: autumn diana hannah austin daniel troy" in result.stdout
    assert "piper (local): joe" in result.stdout


def test_models_needs_a_key_and_lists_with_one(server: GroqServer) -> None:
    denied = run("models")
    assert denied.returncode == 1 and "GROQ_API_KEY" in denied.stderr
    listed = run("models", env={"GROQ_API_KEY": server.api_key, "GROQ_BASE_URL": server.base_url})
    assert "whisper-large-v3-turbo" in listed.stdout.split()


@pytest.mark.parametrize(("args", "message"), [
    (("speak", ""), "no text to speak"),
    (("speak", "x" * 300, "--engine", "groq"), "GROQ_API_KEY"),
    (("speak", "Hello.", "--voice", "nobody"), "nobody"),
    (("narrate", "/nonexistent/book.md"), "book.md"),
    (("transcribe", "/nonexistent/meeting.m4a"), "meeting.m4a"),
])
def test_bad_input_gets_a_clear_error_and_status_1(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 1
    assert result.stderr.startswith("voicekit: error:") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    assert run("narrate").returncode == 2
    assert run("transcribe", "x.wav", "--format", "docx").returncode == 2


def test_the_key_never_reaches_the_output(tmp_path: Path, server: GroqServer) -> None:
    secret = "gsk_live_cli_secret_value_123456"
    result = run("speak", "Hello.", "-o", str(tmp_path / "x.wav"),
                 env={"GROQ_API_KEY": secret, "GROQ_BASE_URL": server.base_url, "VOICEKIT_MAX_RETRIES": "0"})
    assert result.returncode == 1 and "GROQ_API_KEY" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_narrate_plan_json_sends_nothing(server: GroqServer, cache: dict[str, str]) -> None:
    server.log.reset()
    env = {"GROQ_API_KEY": server.api_key, "GROQ_BASE_URL": server.base_url, **cache}
    result = run("narrate", str(SAMPLES / "article.md"), "--plan", "--json", env=env)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["requests"] == len(plan["chunks"]) > 3
    assert all(chunk["chars"] == len(chunk["text"]) <= 200 for chunk in plan["chunks"])
    assert plan["characters"] == sum(chunk["chars"] for chunk in plan["chunks"])
    assert plan["cost_usd"] == pytest.approx(plan["characters"] * 22 / 1e6, rel=1e-3)
    assert "[cheerful]" in plan["chunks"][1]["text"] or any("[cheerful]" in c["text"] for c in plan["chunks"])
    assert server.log.count() == 0


@pytest.mark.slow  # Piper and Whisper in two CLI processes: about 9 s here
def test_narrate_and_transcribe_back_offline(tmp_path: Path, cache: dict[str, str]) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("# A note\n\nThe meeting moved to 3pm on Friday. Bring 2 copies of the report.\n")
    narrated = run("narrate", str(doc), "--captions", str(tmp_path / "note.vtt"), env=cache)
    assert narrated.returncode == 0, narrated.stderr
    assert "2 chunks: 2 synthesized" in narrated.stdout
    assert (tmp_path / "note.vtt").read_text().startswith("WEBVTT")
    again = run("narrate", str(doc), env=cache)
    assert "0 synthesized, 2 from the cache" in again.stdout
    heard = run("transcribe", str(tmp_path / "note.wav"), env=cache)
    assert heard.returncode == 0, heard.stderr
    text = heard.stdout.lower()
    assert "meeting" in text and "friday" in text and "report" in text
    srt = run("transcribe", str(tmp_path / "note.wav"), "-o", str(tmp_path / "note.srt"), env=cache)
    assert srt.returncode == 0 and (tmp_path / "note.srt").read_text().startswith("1\n00:00:")


def test_narrate_format_flag_picks_the_container(tmp_path: Path, cache: dict[str, str]) -> None:
    doc = tmp_path / "short.txt"
    doc.write_text("A short note, read aloud.\n")
    result = run("narrate", str(doc), "--format", "flac", env=cache)
    assert result.returncode == 0, result.stderr
    assert soundfile.info(str(tmp_path / "short.flac")).format == "FLAC"
    named = run("narrate", str(doc), "-o", str(tmp_path / "named.wav"), "--format", "ogg", env=cache)
    assert named.returncode == 0, named.stderr
    assert soundfile.info(str(tmp_path / "named.wav")).format == "OGG"


def test_transcribe_with_a_local_model_that_is_not_installed_fails_at_once_naming_the_installed_ones(
        cache: dict[str, str]) -> None:
    done = run("transcribe", str(SAMPLES / "meeting.ogg"), "--engine", "local", "--model", "large-v3",
               env=cache)
    assert done.returncode == 1
    assert "no Whisper model 'large-v3'" in done.stderr and "tiny.en" in done.stderr
