"""End to end on the local engines: narrate a document with Piper, transcribe the file back with the local Whisper,
and compare what was heard with what was meant to be said (the plan's chunks, directions removed).

Whisper writes numbers as digits ("1872") where the narration said words ("eighteen seventy-two"), so the transcript
goes through the same normalizer as the document before the two are compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import jiwer
import pytest
import soundfile

import voicekit

pytest.importorskip("piper", reason="the local engines need the `local` extra")
pytest.importorskip("faster_whisper", reason="the local engines need the `local` extra")

DOC = """# The Lighthouse

[cheerful] Good morning! The old lighthouse on the northern cape was built in 1872, and a keeper lived there \
alone for 23 years.

He climbed 217 steps every evening to light the lamp. Visitors still come in the summer to see the lens.
"""


def words(text: str) -> str:
    """Lower case words: hyphens split words, other punctuation goes."""
    return " ".join(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("-", " ")))


@pytest.mark.slow
def test_a_local_narration_transcribes_back_to_what_was_meant(tmp_path: Path) -> None:
    doc, out, captions = tmp_path / "lighthouse.md", tmp_path / "lighthouse.wav", tmp_path / "lighthouse.srt"
    doc.write_text(DOC, encoding="utf-8")
    plan = voicekit.plan_narration(doc)
    narration = voicekit.narrate(doc, captions=captions, progress=False)
    assert plan.cost_usd == 0.0 and narration.path == out and narration.chunks == len(plan.chunks)
    assert narration.requests == narration.chunks and narration.cost_usd == 0.0
    assert any("[cheerful]" in warning for warning in narration.warnings), "Piper takes no directions"
    info = soundfile.info(str(out))
    assert info.samplerate == narration.sample_rate == 22050
    assert info.duration == pytest.approx(narration.duration, abs=1e-3) and 8 < info.duration < 40
    expected = words(" ".join(chunk.text for chunk in plan.chunks))
    assert "eighteen seventy two" in expected and "[" not in expected
    heard = voicekit.transcribe(out, engine="local", language="en", progress=False)
    error = jiwer.wer(expected, words(voicekit.normalize_text(heard.text)))
    assert error < 0.1, (error, heard.text)
    assert heard.duration == pytest.approx(info.duration, abs=0.1)
    cue_times = re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)", captions.read_text())
    ends = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for *_, h, m, s, ms in cue_times]
    assert len(cue_times) >= narration.chunks and ends == sorted(ends) and ends[-1] <= info.duration
    again = voicekit.narrate(doc, progress=False)
    assert (again.requests, again.cached) == (0, narration.chunks)
