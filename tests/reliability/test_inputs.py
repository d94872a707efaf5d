"""Findings 6, 7 and 10: bad samples are refused or repaired before any model runs, pathological text is planned
in proportion to its length and flagged, UTF-16 documents are text, and wrong argument types are voicekit errors."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability_helpers import client_of

import voicekit
from voicekit import errors
from voicekit.testing import GroqServer
from voicekit.text.chunk import ChunkOptions, chunk_pieces
from voicekit.text.rules import digit_windows

RATE = 16000


def _speechy(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_an_array_with_nan_or_inf_is_refused_before_any_request(server: GroqServer, bad: float) -> None:
    samples = _speechy(4.0)
    samples[1000:1010] = bad
    with client_of(server) as client, pytest.raises(errors.AudioError, match="10 NaN or infinite"):
        voicekit.transcribe(samples, sample_rate=RATE, client=client, progress=False)
    assert server.log.count() == 0


def test_nan_samples_in_a_file_are_repaired_to_silence_with_a_warning(server: GroqServer, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    samples = _speechy(4.0)
    samples[RATE: RATE + 400] = np.nan
    path = tmp_path / "float.wav"
    sf.write(path, samples, RATE, subtype="FLOAT")
    with caplog.at_level(logging.WARNING, logger="voicekit"), client_of(server) as client:
        transcript = voicekit.transcribe(path, client=client, progress=False)
    assert any("400 NaN or infinite samples were replaced" in r.getMessage() for r in caplog.records)
    assert transcript.text and server.log.count("transcriptions", status=200) >= 1


def test_an_all_zero_recording_runs_no_model_and_says_so(server: GroqServer, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "zeros.wav"
    sf.write(path, np.zeros(5 * RATE, dtype=np.float32), RATE)
    with caplog.at_level(logging.WARNING, logger="voicekit"), client_of(server) as client:
        transcript = voicekit.transcribe(path, client=client, progress=False)
    assert transcript.text == "" and server.log.count() == 0
    assert any("is silent" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_document_with_a_bom_is_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    text = "Café au lait, s'il vous plaît. The keeper smiled."
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
    path.write_bytes(bom + text.encode(encoding))
    plan = voicekit.plan_narration(path, engine="local")
    assert " ".join(c.text for c in plan.chunks).startswith("Café au lait")


@pytest.mark.parametrize("call", [lambda: voicekit.narrate(None), lambda: voicekit.narrate(123),  # type: ignore
                                  lambda: voicekit.speak(None), lambda: voicekit.plan_narration(b"bytes")])  # type: ignore
def test_wrong_argument_types_are_voicekit_errors(call: object) -> None:
    with pytest.raises(errors.InputError):
        call()  # type: ignore[operator]


def test_a_table_that_costs_far_more_requests_than_its_length_is_flagged(tmp_path: Path) -> None:
    rows = ["| item | weight | unit |", "|---|---|---|"] + [f"| x{i} | {i * 37} | kg |" for i in range(400)]
    table = tmp_path / "table.md"
    table.write_text("\n".join(rows))
    prose = " ".join(f"The keeper climbed the stairs for the {i}th time that night, and the lamp turned." for i in
                     range(60))
    assert any("times the" in w for w in voicekit.plan_narration(table, engine="local").warnings)
    assert not any("times the" in w for w in voicekit.plan_narration(prose, engine="local").warnings)


def test_digit_windows_of_a_line_without_whitespace_are_one_window() -> None:
    """"1,1,1,..." on one line is one window (each digit's look-around used to rescan the whole line)."""
    line = "1," * 50_000
    assert digit_windows(line) == [(0, len(line))]
    rng = np.random.default_rng(3)
    for _ in range(300):
        text = "".join(rng.choice(list("ab 1,.\n"), size=int(rng.integers(0, 300))))
        margin = int(rng.choice([0, 1, 3, 10, 48]))
        assert digit_windows(text, margin) == _windows_by_definition(text, margin)


def _windows_by_definition(text: str, margin: int) -> list[tuple[int, int]]:
    """Each digit run widened by `margin`, then to whitespace, merged where they meet (the rule, spelled out)."""
    windows: list[tuple[int, int]] = []
    for run in re.finditer(r"[0-9]+", text):
        start = max(0, run.start() - margin)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = min(len(text), run.end() + margin)
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def test_a_huge_token_is_cut_into_full_chunks() -> None:
    token = "ab/" * 20_000
    chunks = chunk_pieces([token], ChunkOptions(max_chars=200))
    assert "".join(c.text for c in chunks) == token
    assert all(c.chars <= 200 for c in chunks) and len(chunks) <= len(token) // 100 + 1
