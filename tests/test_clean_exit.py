"""A process that ran the heaviest engine paths exits cleanly: status 0, no segmentation fault.

A thread still inside a native model (CTranslate2, onnxruntime) when the interpreter exits crashes the process after
its work is done (status 139, seen after pytest's summary on a busy machine). The paths run in a subprocess, as
the suite's own process would end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import shared_data

SCRIPT = Path(__file__).with_name("engine_exit_paths.py")


@pytest.mark.slow
def test_the_engine_paths_end_in_a_clean_exit(tmp_path: Path) -> None:
    pytest.importorskip("piper")
    pytest.importorskip("faster_whisper")
    recording = shared_data("audio", "en_jfk_16k_mono.wav")
    paths = [str(SCRIPT.parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "VOICEKIT_CACHE_DIR": str(tmp_path)}
    environment.pop("GROQ_API_KEY", None)
    done = subprocess.run([sys.executable, "-X", "faulthandler", str(SCRIPT), str(recording)],
                          capture_output=True, text=True, env=environment, check=False)
    report = f"status {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
    assert "engine paths done" in done.stdout, report
    assert "Segmentation fault" not in done.stderr and "Fatal Python error" not in done.stderr, report
