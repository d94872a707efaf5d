"""The `voicekit` command, run as a user would: in a subprocess, offline, against the loopback server."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
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
    assert "2 chunks: 2 synthesized" in narrated.stderr and narrated.stdout == ""
    assert (tmp_path / "note.vtt").read_text().startswith("WEBVTT")
    again = run("narrate", str(doc), env=cache)
    assert "0 synthesized, 2 from the cache" in again.stderr
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
    named = run("narrate", str(doc), "-o", str(tmp_path / "named.ogg"), "--format", "ogg", env=cache)
    assert named.returncode == 0, named.stderr
    assert soundfile.info(str(tmp_path / "named.ogg")).format == "OGG"
    # OGG bytes in a .wav would fool every player: the extension and --format must agree
    refused = run("narrate", str(doc), "-o", str(tmp_path / "named.wav"), "--format", "ogg", env=cache)
    assert refused.returncode == 1 and ".wav" in refused.stderr and "--format" in refused.stderr
    assert not (tmp_path / "named.wav").exists()


def test_transcribe_with_a_local_model_that_is_not_installed_fails_at_once_naming_the_installed_ones(
        cache: dict[str, str]) -> None:
    done = run("transcribe", str(SAMPLES / "meeting.ogg"), "--engine", "local", "--model", "large-v3",
               env=cache)
    assert done.returncode == 1
    assert "no Whisper model 'large-v3'" in done.stderr and "tiny.en" in done.stderr


def groq(server: GroqServer, cache: dict[str, str]) -> dict[str, str]:
    return {"GROQ_API_KEY": server.api_key, "GROQ_BASE_URL": server.base_url, **cache}


def run_bytes(*args: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if k != "GROQ_API_KEY"}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "voicekit", *args], capture_output=True, env=environment,
                          input=stdin, timeout=300, check=False)


def test_help_says_the_exit_statuses_and_each_command_has_examples() -> None:
    top = run("--help").stdout
    assert all(code in top for code in ("exit status:", "0 done", "1 failed", "2 the", "130 interrupted"))
    for command in ("narrate", "transcribe", "speak"):
        assert "examples:" in run(command, "--help").stdout


def test_narrate_reads_standard_input_and_writes_audio_to_standard_output(server: GroqServer,
                                                                          cache: dict[str, str]) -> None:
    done = run_bytes("narrate", "-", "-o", "-", "--format", "wav", env=groq(server, cache),
                     stdin=b"The meeting moved to Friday.\n")
    assert done.returncode == 0, done.stderr
    audio, rate = soundfile.read(io.BytesIO(done.stdout))
    assert rate == 24000 and len(audio) > rate // 2  # the bytes are a whole WAV, header and all
    status = done.stderr.decode()
    assert status.startswith("wrote standard output (") and status.count("\n") == 1 and "1 chunk:" in status


def test_speak_writes_any_format_to_standard_output(server: GroqServer, cache: dict[str, str]) -> None:
    for format, container in (("flac", "FLAC"), ("ogg", "OGG"), ("wav", "WAV")):
        done = run_bytes("speak", "Hello there.", "-o", "-", "--format", format, env=groq(server, cache))
        assert done.returncode == 0, done.stderr
        assert soundfile.info(io.BytesIO(done.stdout)).format == container


def test_transcribe_reads_any_container_from_standard_input(tmp_path: Path, server: GroqServer,
                                                            cache: dict[str, str]) -> None:
    spoken = run_bytes("speak", "Hello there, reader.", "-o", "-", "--format", "ogg", env=groq(server, cache))
    done = run_bytes("transcribe", "-", "-o", "-", "--format", "srt", env=groq(server, cache), stdin=spoken.stdout)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("1\n00:00:") and done.stderr == b""


def test_a_closed_pipe_ends_quietly_with_status_0(tmp_path: Path, server: GroqServer,
                                                  cache: dict[str, str]) -> None:
    recording = tmp_path / "hello.wav"
    assert run("speak", "Hello there.", "-o", str(recording), env=groq(server, cache)).returncode == 0
    environment = {**os.environ, **groq(server, cache)}
    with subprocess.Popen([sys.executable, "-m", "voicekit", "transcribe", str(recording)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # as `| head` does once it has read enough: every write after this fails
        errors = reader.stderr.read()
        assert reader.wait(timeout=300) == 0 and errors == b""


def test_many_recordings_share_one_run_and_a_bad_one_does_not_stop_the_rest(
        tmp_path: Path, server: GroqServer, cache: dict[str, str]) -> None:
    talks, out = tmp_path / "talks", tmp_path / "out"
    talks.mkdir()
    out.mkdir()
    for name in ("one", "two"):
        assert run("speak", f"Talk {name}.", "-o", str(talks / f"{name}.wav"), env=groq(server, cache)).returncode == 0
    (talks / "broken.mp3").write_bytes(b"not audio at all")
    single = tmp_path / "three.flac"
    assert run("speak", "Talk three.", "-o", str(single), env=groq(server, cache)).returncode == 0
    done = run("transcribe", str(talks), str(single), "--output-dir", str(out), "--format", "srt,txt",
               env=groq(server, cache))
    assert done.returncode == 1 and done.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "one.srt", "one.txt", "three.srt", "three.txt", "two.srt", "two.txt"]
    lines = done.stderr.splitlines()
    assert [line for line in lines if "error" in line] == [line for line in lines if "broken.mp3" in line]
    assert lines[-1] == "1 recording of 4 failed" and "Traceback" not in done.stderr
    everything = run("transcribe", str(talks / "one.wav"), "--output-dir", str(out), "--format", "all",
                     env=groq(server, cache))
    assert everything.returncode == 0, everything.stderr
    assert {p.suffix for p in out.glob("one.*")} == {".txt", ".srt", ".vtt", ".json", ".tsv"}  # rttm: --speakers


def test_plans_show_the_price_without_a_key(cache: dict[str, str]) -> None:
    for engine, price in (("groq", 22), ("openai", 15)):
        done = run("narrate", str(SAMPLES / "article.md"), "--plan", "--json", "--engine", engine,
                   env={**cache, "OPENAI_API_KEY": ""})
        assert done.returncode == 0, done.stderr
        plan = json.loads(done.stdout)
        assert plan["engine"] == engine and plan["cost_usd"] == pytest.approx(plan["characters"] * price / 1e6,
                                                                              rel=1e-3)
        assert plan["estimated_seconds"] > 0


def test_transcribe_plan_sends_nothing_and_needs_no_key(server: GroqServer, cache: dict[str, str]) -> None:
    server.log.reset()
    done = run("transcribe", str(SAMPLES / "meeting.ogg"), "--plan", "--json", "--engine", "groq", env=cache)
    assert done.returncode == 0, done.stderr
    [plan] = json.loads(done.stdout)
    assert plan["engine"] == "groq" and plan["requests"] >= 4 and plan["billed_seconds"] >= plan["sent_seconds"]
    assert plan["cost_usd"] == pytest.approx(plan["billed_seconds"] / 3600 * 0.04, rel=1e-3)
    table = run("transcribe", str(SAMPLES / "meeting.ogg"), "--plan", "--engine", "groq", env=cache)
    assert "requests" in table.stdout and "billed" in table.stdout and table.returncode == 0
    assert server.log.count() == 0


def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path: Path, cache: dict[str, str]) -> None:
    doc = tmp_path / "long.md"
    doc.write_text("\n\n".join(f"Paragraph {n} of a long chapter, read aloud slowly." for n in range(40)))
    with GroqServer(ServerOptions(speech_backend="synthetic", latency=1.0)) as slow:
        environment = {**{k: v for k, v in os.environ.items() if k != "GROQ_API_KEY"}, **groq(slow, cache)}
        with subprocess.Popen([sys.executable, "-m", "voicekit", "narrate", str(doc), "-o", str(tmp_path / "l.wav")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, text=True) as job:
            while slow.log.count() == 0 and job.poll() is None:  # wait until requests are being sent
                time.sleep(0.05)
            job.send_signal(signal.SIGINT)
            out, err = job.communicate(timeout=120)
    assert job.returncode == 130, err
    assert "interrupted" in err and "run the same command again" in err and out == ""
    assert "Traceback" not in err and not (tmp_path / "l.wav").exists()


def test_speak_names_its_default_output_after_the_format(tmp_path: Path) -> None:
    """`speak TEXT --format flac` writes speech.flac: neither FLAC bytes in speech.wav nor a refusal."""
    done = run("speak", "Hello.", "--format", "flac", "--engine", "local", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert soundfile.info(str(tmp_path / "speech.flac")).format == "FLAC" and not (tmp_path / "speech.wav").exists()
    assert done.stdout == "" and done.stderr.startswith("wrote speech.flac")
