"""Diarization error rate, by the standard definition (NIST md-eval), for people who score diarization.

DER = (missed speech + false alarm + speaker confusion) / total reference speech, each in seconds:

- Time is cut at every boundary of either side; in each piece, `ref` is the number of reference speakers talking
  and `hyp` the number of hypothesis speakers. The piece adds `max(ref - hyp, 0)` of miss, `max(hyp - ref, 0)` of
  false alarm, and `min(ref, hyp) - correct` of confusion, where `correct` counts the speakers talking on both
  sides under the one-to-one mapping of hypothesis labels to reference labels that maximises the total time they
  share (found with scipy's assignment solver, as md-eval and pyannote.metrics do).
- A `collar` (0.25 s by default) on each side of every reference boundary is not scored; overlapping speech is
  scored unless `skip_overlap`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DerResult", "Span", "der"]

Span = tuple[float, float, str]
"""(start, end, speaker) in seconds."""


@dataclass(frozen=True)
class DerResult:
    total: float
    """Seconds of scored reference speech (overlap counted once per speaker)."""
    miss: float
    false_alarm: float
    confusion: float

    @property
    def rate(self) -> float:
        return (self.miss + self.false_alarm + self.confusion) / self.total if self.total > 0 else 0.0


def _uem(reference: Sequence[Span], collar: float) -> list[tuple[float, float]]:
    """The scored time: everything but `collar` seconds on each side of a reference boundary."""
    if not reference:
        return []
    start = min(s for s, _, _ in reference)
    end = max(e for _, e, _ in reference)
    holes = sorted((t - collar, t + collar) for s, e, _ in reference for t in (s, e)) if collar > 0 else []
    kept: list[tuple[float, float]] = []
    cursor = min(start - collar, 0.0)
    for a, b in holes:
        if a > cursor:
            kept.append((cursor, a))
        cursor = max(cursor, b)
    kept.append((cursor, max(end, cursor) + 1e9))
    return [(a, b) for a, b in kept if b > a]


def _active(spans: Sequence[Span], a: float, b: float) -> set[str]:
    return {name for s, e, name in spans if s < b and e > a}


def der(reference: Sequence[Span], hypothesis: Sequence[Span], *, collar: float = 0.25,
        skip_overlap: bool = False) -> DerResult:
    """The diarization error rate of `hypothesis` against `reference` (see the module docstring)."""
    from scipy.optimize import linear_sum_assignment

    bounds = sorted({t for s, e, _ in [*reference, *hypothesis] for t in (s, e)}
                    | {t for a, b in _uem(reference, collar) for t in (a, b) if abs(t) < 1e8})
    pieces: list[tuple[float, set[str], set[str]]] = []
    uem = _uem(reference, collar)
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        mid = (a + b) / 2
        if b <= a or not any(u <= mid < v for u, v in uem):
            continue
        ref, hyp = _active(reference, a, b), _active(hypothesis, a, b)
        if skip_overlap and len(ref) > 1:
            continue
        pieces.append((b - a, ref, hyp))
    ref_names = sorted({n for _, _, n in reference})
    hyp_names = sorted({n for _, _, n in hypothesis})
    shared = np.zeros((len(ref_names), len(hyp_names)))
    for length, ref, hyp in pieces:
        for r in ref:
            for h in hyp:
                shared[ref_names.index(r), hyp_names.index(h)] += length
    rows, cols = linear_sum_assignment(-shared) if shared.size else ([], [])
    mapping = {hyp_names[c]: ref_names[r] for r, c in zip(rows, cols, strict=True)}
    total = miss = false_alarm = confusion = 0.0
    for length, ref, hyp in pieces:
        total += length * len(ref)
        miss += length * max(len(ref) - len(hyp), 0)
        false_alarm += length * max(len(hyp) - len(ref), 0)
        correct = len({mapping[h] for h in hyp if h in mapping} & ref)
        confusion += length * (min(len(ref), len(hyp)) - correct)
    return DerResult(total, miss, false_alarm, confusion)
