"""The notebooks run top to bottom on the local engines, with no key and no network, in a kernel of this Python.

Each notebook runs in a copy of its folder beside the real `samples/` (a symlink), so whatever it writes stays in
the test's temporary folder. The kernel is a kernelspec made here that starts `sys.executable`, and a first cell
added to the copy checks that it does. Then the outputs are read: players, tables, plots and measured figures.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("piper")
pytest.importorskip("faster_whisper")

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "voicekit-test-python"

pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding `notebooks/` (the cwd of the kernel) and a `samples` link, with a kernelspec for this
    Python and an isolated cache, IPython profile and no Groq key."""
    kernel_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    kernel_dir.mkdir(parents=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "voicekit tests", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    return tmp_path / "notebooks"


def run_notebook(name: str, folder: Path) -> Any:
    """Execute `notebooks/NAME` in `folder` and return it with its outputs; the first cell checks the kernel."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "commit it cleared"
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"))
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=300,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    assert Path(text_of(nb.cells[0]).strip()).resolve() == Path(sys.executable).resolve()
    return nb


def text_of(cell: Any) -> str:
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream" and
                   out.get("name") == "stdout")


def html_of(cell: Any) -> str:
    return shown(cell, "text/html")


def has_png(cell: Any) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.outputs
               if out.output_type in ("execute_result", "display_data"))


def cell_with(nb: Any, source: str) -> Any:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and source in c.source]
    return cell


def shown(cell: Any, mime: str) -> str:
    """Everything the cell displayed as `mime` (text/plain, text/markdown, ...)."""
    return "".join(out.get("data", {}).get(mime, "") for out in cell.outputs
                   if out.output_type in ("execute_result", "display_data"))


def word_error_rate(cell: Any) -> float:
    found = re.search(r"word error rate: ([0-9.]+)%", shown(cell, "text/markdown"))
    assert found, cell.outputs
    return float(found.group(1)) / 100


def test_narrate_a_document(workspace: Path) -> None:
    nb = run_notebook("01-narrate-a-document.ipynb", workspace)
    plan = html_of(cell_with(nb, "plan_narration"))
    assert "<b>Plan</b> · engine piper" in plan and plan.count("<tr>") > 5
    narration = html_of(cell_with(nb, "voicekit.narrate("))
    assert "<b>Narration</b>" in narration and "<audio" in narration
    assert (workspace / "out" / "article.wav").stat().st_size > 100_000
    assert has_png(cell_with(nb, "voicekit.plot(narration)"))
    assert "<audio" in html_of(cell_with(nb, "voicekit.speak("))


def test_transcribe_a_meeting(workspace: Path) -> None:
    nb = run_notebook("02-transcribe-a-meeting.ipynb", workspace)
    meeting = html_of(cell_with(nb, "Audio.load"))
    assert "Preview: only the first 0:30.00" in meeting and 'href="../samples/meeting.ogg"' in meeting
    transcript = html_of(cell_with(nb, "voicekit.transcribe("))
    assert transcript.count("<tr>") > 15 and "<audio" in transcript
    assert has_png(cell_with(nb, "voicekit.plot(meeting)")) and has_png(cell_with(nb, "voicekit.plot(transcript)"))
    assert re.search(r"^00:00:0\d,\d{3} --> 00:00:\d\d,\d{3}$", shown(cell_with(nb, "meeting.srt"), "text/plain"), re.M)
    assert word_error_rate(cell_with(nb, "jiwer.wer(")) < 0.15


def test_round_trip(workspace: Path) -> None:
    nb = run_notebook("03-round-trip.ipynb", workspace)
    assert "<audio" in html_of(cell_with(nb, "await voicekit.anarrate("))
    assert "<table" in html_of(cell_with(nb, "await voicekit.atranscribe("))
    assert word_error_rate(cell_with(nb, "process_words")) < 0.25
    alignment = shown(cell_with(nb, "process_words"), "text/markdown")  # jiwer's REF/HYP lines, then the rate
    assert "REF:" in alignment and "the lighthouse was built in" in alignment
    assert has_png(cell_with(nb, "voicekit.plot(narration)"))
