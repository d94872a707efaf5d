"""Bad input gets a clear error before any request, and nothing already synthesized is lost. Against the loopback
server (helpers in test_narrate_job)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from narration import DOC, Loopback, narrate

from voicekit import errors
from voicekit.cache import Cache
from voicekit.engines.catalog import ORPHEUS_ARABIC
from voicekit.jobs.narrate import plan_narration


def _binary_file(tmp_path: Path) -> Path:
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 16)
    return path


@pytest.mark.parametrize(("make_source", "options", "error", "message"), [
    (lambda _: "", {}, errors.InputError, "no document"),
    (lambda _: "  \n\n \t ", {}, errors.InputError, "no document"),
    (lambda _: "[cheerful]\n\n[gravelly whisper] [sigh]", {}, errors.InputError, "nothing to speak"),
    (lambda _: "<html><body><script>var x = 1;</script></body></html>", {}, errors.InputError, "nothing to speak"),
    (lambda _: "All is well. [cheerful and then the text goes on.", {}, errors.InputError, "unclosed"),
    (_binary_file, {}, errors.InputError, "binary"),
    (lambda _: "Hello\x00\x01\x02 there, world.", {}, errors.InputError, "binary"),
    (lambda _: "chapter-one.md", {}, errors.InputError, "chapter-one.md"),
    (lambda _: DOC, {"voice": "nobody"}, errors.UnknownVoiceError, "nobody"),
    (lambda _: DOC, {"model": ORPHEUS_ARABIC, "voice": "autumn"}, errors.UnknownVoiceError, "autumn"),
    (lambda _: DOC, {"engine": "local", "voice": "nobody"}, errors.UnknownVoiceError, "nobody"),
], ids=["empty", "blank", "only-directions", "only-markup", "unclosed-direction", "binary-file", "binary-text",
        "missing-file", "unknown-voice", "voice-of-another-model", "unknown-local-voice"])
def test_bad_input_gets_a_clear_error_before_any_request(
        loop: Loopback, tmp_path: Path, make_source: Callable[[Path], str | Path], options: dict[str, object],
        error: type[Exception], message: str) -> None:
    out = tmp_path / "out.wav"
    with pytest.raises(error, match=re.escape(message)):
        narrate(loop, out, source=make_source(tmp_path), **options)
    assert loop.server.log.count() == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == []


@pytest.mark.parametrize(("make_out", "message"), [
    (lambda tmp: tmp / "no" / "such" / "folder" / "out.wav", "does not exist"),
    (lambda tmp: tmp / "keeper.md" / "out.wav", "does not exist"),
    (lambda tmp: tmp, "folder"),
    (lambda tmp: tmp / "out.docx", ".docx"),
], ids=["missing-folder", "under-a-file", "a-folder", "unknown-format"])
def test_an_output_that_cannot_be_written_fails_before_any_request_and_loses_nothing(
        loop: Loopback, tmp_path: Path, make_out: Callable[[Path], Path], message: str) -> None:
    (tmp_path / "keeper.md").write_text(DOC, encoding="utf-8")
    done = narrate(loop, tmp_path / "done.wav")
    cached = Cache().count()
    loop.server.log.reset()
    with pytest.raises(errors.InputError, match=re.escape(message)):
        narrate(loop, make_out(tmp_path), source=DOC + "\nAnd one more sentence that was never narrated before.")
    assert loop.server.log.count() == 0
    assert Cache().count() == cached == done.chunks
    again = narrate(loop, tmp_path / "again.wav")
    assert again.requests == 0 and loop.server.log.count() == 0




def test_one_long_line_of_text_is_text_not_a_file_name() -> None:
    plan = plan_narration("Hello there. " * 40, engine="local")
    assert plan.requests >= 3 and plan.characters > 400
