"""The diarization error rate, by hand-worked cases and against pyannote.metrics where it is installed."""

from __future__ import annotations

import random

import pytest

from voicekit.speakers.score import Span, der


def test_a_perfect_hypothesis_scores_zero_whatever_its_labels_are_called() -> None:
    reference = [(0.0, 5.0, "A"), (5.0, 9.0, "B"), (9.0, 12.0, "A")]
    hypothesis = [(0.0, 5.0, "x"), (5.0, 9.0, "y"), (9.0, 12.0, "x")]
    result = der(reference, hypothesis, collar=0.0)
    assert result.total == pytest.approx(12.0)
    assert result.rate == 0.0


def test_miss_false_alarm_and_confusion_are_counted_apart() -> None:
    reference = [(0.0, 4.0, "A"), (4.0, 8.0, "B")]
    # 0-1 missed, 1-4 right, 4-6 given to A (confusion), 6-8 right, 8-9 said where nobody speaks (false alarm)
    hypothesis = [(1.0, 6.0, "x"), (6.0, 9.0, "y")]
    result = der(reference, hypothesis, collar=0.0)
    assert (result.miss, result.false_alarm, result.confusion) == pytest.approx((1.0, 1.0, 2.0))
    assert result.rate == pytest.approx(4.0 / 8.0)


def test_the_collar_leaves_a_quarter_second_around_reference_boundaries_unscored() -> None:
    reference = [(0.0, 4.0, "A"), (4.0, 8.0, "B")]
    hypothesis = [(0.0, 4.2, "x"), (4.2, 8.0, "y")]  # the change 0.2 s late: inside the collar
    assert der(reference, hypothesis, collar=0.25).rate == 0.0
    assert der(reference, hypothesis, collar=0.0).confusion == pytest.approx(0.2)
    scored = der(reference, hypothesis, collar=0.25).total
    assert scored == pytest.approx(8.0 - 0.25 - 0.5 - 0.25)


def test_overlap_counts_each_reference_speaker() -> None:
    reference = [(0.0, 4.0, "A"), (2.0, 6.0, "B")]
    hypothesis = [(0.0, 4.0, "x"), (4.0, 6.0, "y")]  # misses B during the overlap
    result = der(reference, hypothesis, collar=0.0)
    assert result.total == pytest.approx(8.0)
    assert result.miss == pytest.approx(2.0)
    assert der(reference, hypothesis, collar=0.0, skip_overlap=True).rate == 0.0


def _random_spans(rng: random.Random, names: str) -> list[Span]:
    """Turns one after another, each by someone other than the one before, sometimes overlapping it."""
    spans: list[Span] = []
    t, previous = 0.0, ""
    for _ in range(rng.randint(3, 12)):
        t += rng.uniform(-0.8, 1.5)
        t = max(t, spans[-1][0] + 0.1) if spans else max(t, 0.0)
        length = rng.uniform(0.3, 4.0)
        name = rng.choice([n for n in names if n != previous])
        spans.append((round(t, 2), round(t + length, 2), name))
        t, previous = t + length, name
    return spans


@pytest.mark.parametrize("seed", range(20))
def test_agrees_with_pyannote_metrics(seed: int) -> None:
    core = pytest.importorskip("pyannote.core")
    metrics = pytest.importorskip("pyannote.metrics.diarization")
    rng = random.Random(seed)
    reference, hypothesis = _random_spans(rng, "ABC"), _random_spans(rng, "xyzw")

    def annotation(spans: list[Span]) -> object:
        result = core.Annotation()
        for index, (start, end, name) in enumerate(spans):
            result[core.Segment(start, end), index] = name
        return result

    everything = core.Timeline([core.Segment(0.0, 1000.0)])
    # pyannote's collar is the whole width around a boundary: 0.5 there is 0.25 on each side here
    theirs = metrics.DiarizationErrorRate(collar=0.5)(annotation(reference), annotation(hypothesis), uem=everything)
    assert der(reference, hypothesis, collar=0.25).rate == pytest.approx(theirs, abs=1e-6)
