"""Bad invocations of the `voicekit` command: each ends in one line on stderr and a non-zero status, never a
traceback, and leaves no file under the output's name. Run in-process (an exception escaping `main` fails the
test as a traceback would), offline, and before any engine does work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from voicekit.cli import main

DOC = "# A chapter\n\nThe keeper climbed the stairs at 6 p.m. and lit the lamp.\n"


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a document, an empty document, a short recording and a text file posing as audio."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "doc.md").write_text(DOC, encoding="utf-8")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not audio", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    noise = np.random.default_rng(7).normal(0, 0.05, 16000).astype(np.float32)
    soundfile.write(tmp_path / "rec.wav", noise, 16000)
    (tmp_path / "other").mkdir()
    soundfile.write(tmp_path / "other" / "rec.wav", noise, 16000)
    return tmp_path


LONG_PROMPT = "word " * 200
BAD: list[tuple[tuple[str, ...], dict[str, str], int, str, str | None]] = [
    # (arguments, environment, status, words the message holds, an output that must not exist)
    (("narrate", "doc.md", "--concurrency", "0"), {}, 2, "concurrency", "doc.wav"),
    (("narrate", "doc.md", "--concurrency", "-3"), {}, 2, "concurrency", "doc.wav"),
    (("narrate", "doc.md", "--concurrency", "many"), {}, 2, "concurrency", "doc.wav"),
    (("narrate", "-"), {}, 2, "-o", None),
    (("narrate", "doc.md", "-o", "-"), {}, 2, "--format", "doc.wav"),
    (("narrate", "doc.md", "-o", "-", "--format", "wav", "--json"), {}, 2, "--json", "doc.wav"),
    (("narrate", "doc.md", "--format", "mp3", "-o", "x.wav"), {}, 1, ".wav", "x.wav"),
    (("narrate", "doc.md", "-o", "out.m4a"), {}, 1, ".m4a", "out.m4a"),
    (("narrate", "doc.md", "-o", "nodir/out.wav"), {}, 1, "does not exist", "nodir/out.wav"),
    (("narrate", "doc.md", "-o", "folder"), {}, 1, "folder", None),
    (("narrate", "doc.md", "--captions", "out.txt"), {}, 1, ".srt", "doc.wav"),
    (("narrate", "doc.md", "--captions", "nodir/c.srt"), {}, 1, "does not exist", "doc.wav"),
    (("narrate", "missing.md"), {}, 1, "missing.md", "missing.wav"),
    (("narrate", "empty.md"), {}, 1, "no text", "empty.wav"),
    (("narrate", "doc.md", "--engine", "groq"), {}, 1, "GROQ_API_KEY", "doc.wav"),
    (("narrate", "doc.md", "--voice", "nobody"), {}, 1, "nobody", "doc.wav"),
    (("narrate", "doc.md", "--engine", "local", "--model", "tts-1"), {}, 1, "tts-1", "doc.wav"),
    (("narrate", "doc.md"), {"VOICEKIT_CONCURRENCY": "abc"}, 1, "VOICEKIT_CONCURRENCY", "doc.wav"),
    (("narrate", "doc.md"), {"VOICEKIT_TIMEOUT": "-1"}, 1, "VOICEKIT_TIMEOUT", "doc.wav"),
    (("narrate", "doc.md", "--engine", "cloud"), {}, 2, "cloud", "doc.wav"),
    (("narrate", "doc.md", "--format", "aiff"), {}, 2, "aiff", "doc.wav"),
    (("narrate",), {}, 2, "input", None),
    (("speak", "Hello.", "-o", "x.m4a"), {}, 1, ".m4a", "x.m4a"),
    (("speak", "Hello.", "-o", "-"), {}, 2, "--format", None),
    (("speak", "Hello.", "-o", "y.wav", "--format", "ogg"), {}, 1, ".wav", "y.wav"),
    (("speak", "Hello.", "-o", "nodir/x.wav"), {}, 1, "does not exist", "nodir/x.wav"),
    (("speak", "Hello.", "-o", "folder"), {}, 1, "folder", None),
    (("speak", "", "-o", "empty.wav"), {}, 1, "no text", "empty.wav"),
    (("speak", "Hello.", "--engine", "groq", "-o", "g.wav"), {}, 1, "GROQ_API_KEY", "g.wav"),
    (("speak", "Hello.", "--voice", "nobody", "-o", "v.wav"), {}, 1, "nobody", "v.wav"),
    (("speak", "Hello.", "-o", "c.wav"), {"VOICEKIT_CONCURRENCY": "abc"}, 1, "VOICEKIT_CONCURRENCY", "c.wav"),
    (("transcribe", "missing.wav"), {}, 1, "missing.wav", None),
    (("transcribe", "rec.wav", "-o", "nodir/x.srt"), {}, 1, "does not exist", "nodir/x.srt"),
    (("transcribe", "rec.wav", "-o", "x.docx"), {}, 1, ".docx", "x.docx"),
    (("transcribe", "rec.wav", "-o", "folder"), {}, 1, "folder", None),
    (("transcribe", "rec.wav", "--format", "pdf"), {}, 2, "pdf", None),
    (("transcribe", "rec.wav", "--concurrency", "0", "-o", "a.srt"), {}, 2, "concurrency", "a.srt"),
    (("transcribe", "rec.wav", "--format", "srt", "-o", "x.vtt"), {}, 1, ".vtt", "x.vtt"),
    (("transcribe", "rec.wav", "other/rec.wav", "-o", "x.srt"), {}, 2, "--output-dir", "x.srt"),
    (("transcribe", "rec.wav", "--format", "srt,vtt", "-o", "x.srt"), {}, 2, "--output-dir", "x.srt"),
    (("transcribe", "rec.wav", "other/rec.wav", "--output-dir", "folder"), {}, 1, "rename", "folder/rec.txt"),
    (("transcribe", "rec.wav", "--output-dir", "nodir"), {}, 1, "nodir", None),
    (("transcribe", "rec.wav", "--output-dir", "folder", "--format", "srt,doc"), {}, 2, "doc", "folder/rec.srt"),
    (("transcribe", "rec.wav", "missing.wav", "--output-dir", "folder"), {}, 1, "missing.wav", "folder/rec.txt"),
    (("transcribe", "folder", "--output-dir", "folder"), {}, 1, "no audio", None),
    (("transcribe", "rec.wav", "other", "--language", "xx"), {}, 2, "--language", "rec.txt"),
    (("transcribe", "rec.wav", "other", "--engine", "local", "--model", "large-v9"), {}, 1, "large-v9", "rec.txt"),
    (("transcribe", "rec.wav", "-", "--output-dir", "folder"), {}, 2, "standard input", "folder/rec.txt"),
    (("transcribe", "rec.wav", "--language", "xx", "-o", "b.srt"), {}, 1, "xx", "b.srt"),
    (("transcribe", "rec.wav", "--translate", "--engine", "local", "-o", "c.srt"), {}, 1, "translate", "c.srt"),
    (("transcribe", "rec.wav", "--engine", "local", "--model", "large-v9", "-o", "d.srt"), {}, 1, "large-v9",
     "d.srt"),
    (("transcribe", "rec.wav", "--prompt", LONG_PROMPT, "-o", "e.srt"), {}, 2, "prompt", "e.srt"),
    (("transcribe", "notes.txt", "-o", "f.srt"), {}, 1, "notes.txt", "f.srt"),
    (("transcribe", "rec.wav", "-o", "g.srt"), {"VOICEKIT_CONCURRENCY": "abc"}, 1, "VOICEKIT_CONCURRENCY",
     "g.srt"),
    (("transcribe", "rec.wav", "--engine", "groq", "-o", "h.srt"), {}, 1, "GROQ_API_KEY", "h.srt"),
    (("voices", "--engine", "nope"), {}, 2, "nope", None),
    (("models",), {}, 1, "GROQ_API_KEY", None),
    (("bogus",), {}, 2, "bogus", None),
]


def _status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        return int(exit_.code or 0)


@pytest.mark.parametrize(("args", "env", "status", "words", "output"), BAD,
                         ids=[" ".join(a)[:60] + (f" {e}" if e else "") for a, e, *_ in BAD])
def test_a_bad_invocation_is_one_line_and_a_status(place: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                                   env: dict[str, str], status: int, words: str,
                                                   output: str | None) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _status(list(args)) == status
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("voicekit") and ": error: " in lines[0]
    assert words in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    if output is not None:
        assert not (place / output).exists()


def test_there_are_at_least_thirty_bad_invocations() -> None:
    assert len(BAD) >= 30

