"""How `voicekit narrate FILE --plan` scales with a document on one line: this checkout against another one (by
default the integrator's `/work/main`, the code before the fix), each in a fresh interpreter, time per size.

    python benchmarks/frontend_scaling.py                    # 0.25, 1 and 5 MB
    python benchmarks/frontend_scaling.py --quick            # 0.25 and 1 MB
    python benchmarks/frontend_scaling.py --other /path/to/checkout

A case that takes longer than `--timeout` seconds is shown as `>N`. To compare with the code before a change,
export it (`git archive COMMIT voicekit | tar -x -C /tmp/base`) and pass `--other /tmp/base`. Linear cost means the
time grows with the size (5 MB about 5x 1 MB); the digit rules once rescanned a line without whitespace for every
number on it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BOOK, print_table

HERE = Path(__file__).resolve().parents[1]


def _prose(size: int) -> str:
    text = " ".join(BOOK.read_text(encoding="utf-8-sig").split())
    return (text * (size // len(text) + 1))[:size]


CASES = {
    "prose on one line": _prose,
    "1,1,1,... (no whitespace)": lambda size: ("1," * (size // 2 + 1))[:size],
    "dates 1/2/2020": lambda size: ("1/2/2020 " * (size // 9 + 1))[:size],
}


def _plan_seconds(checkout: Path, path: Path, timeout: float) -> float | None:
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    environment.pop("GROQ_API_KEY", None)
    started = time.perf_counter()
    try:
        # cwd: the document's folder, so that `-m voicekit` finds the checkout named by PYTHONPATH, not the cwd's
        subprocess.run([sys.executable, "-m", "voicekit", "narrate", str(path), "--plan", "--json", "--engine",
                        "local"], env=environment, cwd=path.parent, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only 0.25 and 1 MB")
    parser.add_argument("--other", type=Path, default=Path("/work/main"), help="the checkout to compare with")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is given up")
    args = parser.parse_args()
    sizes = [250_000, 1_000_000] if args.quick else [250_000, 1_000_000, 5_000_000]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            for size in sizes:
                path = Path(folder) / "doc.txt"
                path.write_text(make(size), encoding="utf-8")
                mine = _plan_seconds(HERE, path, args.timeout)
                other = _plan_seconds(args.other, path, args.timeout) if args.other.is_dir() else None
                shown = [f"{s:.1f}" if s is not None else f">{args.timeout:.0f}" for s in (mine, other)]
                if not args.other.is_dir():
                    shown[1] = "-"
                rows.append([name, f"{size / 1e6:g} MB", *shown])
    print_table("`narrate --plan` on one line (seconds, fresh interpreter, local engine)",
                ["document", "size", "this checkout", f"other ({args.other})"], rows)


if __name__ == "__main__":
    main()
