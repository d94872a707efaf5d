"""normalize_text agrees with NVIDIA NeMo's English test cases on at least 90 % of each gated class.

The comparison (canonical forms, deliberate differences and their reasons) lives in
``benchmarks/normalize_nemo.py``, so the benchmark's table and these thresholds measure the same thing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from shared_data import shared_data

ROOT = Path(__file__).resolve().parents[2]
NEMO = shared_data("tn", "nemo_en", module_level=True)


def _load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("normalize_nemo_benchmark", ROOT / "benchmarks" / "normalize_nemo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


BENCHMARK = _load_benchmark()


@pytest.mark.parametrize("name", BENCHMARK.GATED)
def test_agreement_per_class(name: str) -> None:
    path = NEMO / f"test_cases_{name}.txt"
    result = BENCHMARK.score(name, BENCHMARK.load_cases(path))
    assert result.cases > 0
    # Deliberate differences may not hide a class: most of its cases must be counted.
    assert len(result.deliberate) <= result.cases // 4
    disagreements = "\n".join(f"{w!r}: NeMo {s!r} / voicekit {g!r}" for w, s, g in result.genuine)
    assert result.agreement >= BENCHMARK.GATE, f"{name}: {result.agreement:.1f} %\n{disagreements}"


@pytest.mark.parametrize(
    ("spoken", "canonical"),
    [
        ("One hundred and twenty-three.", "one hundred twenty three"),
        ("a hundred dollars", "one hundred dollars"),
        ("one fifty nine PM", "one fifty nine pm"),
    ],
)
def test_canonical_form_ignores_what_is_not_heard(spoken: str, canonical: str) -> None:
    assert BENCHMARK.canonical(spoken) == canonical


def test_deliberate_differences_are_recognised_only_where_they_apply() -> None:
    result = BENCHMARK.score("cardinal", [("13000", "one three zero zero zero"), ("13", "fourteen")])
    assert [case[0] for case in result.deliberate] == ["13000"]
    assert [case[0] for case in result.genuine] == ["13"]


@pytest.mark.parametrize("name", list(BENCHMARK.OWN_CASES))
def test_own_reading_categories_read_as_written_down(name: str) -> None:
    result = BENCHMARK.score(name, BENCHMARK.OWN_CASES[name])
    disagreements = "\n".join(f"{w!r}: expected {s!r} / voicekit {g!r}" for w, s, g in result.genuine)
    assert result.agree == result.cases, disagreements
