"""Clustering speaker embeddings: counts from the data within the range asked for."""

from __future__ import annotations

import numpy as np
import pytest

from voicekit.speakers.cluster import ClusterOptions, cluster_embeddings


def _voices(counts: list[int], spread: float = 0.35, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors scattered around one random centre per voice (256 dimensions), in turns."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(counts), 256))
    rows, truth = [], []
    for voice, count in enumerate(counts):
        for _ in range(count):
            noisy = centres[voice] / np.linalg.norm(centres[voice]) + spread * rng.normal(size=256) / 16
            rows.append(noisy / np.linalg.norm(noisy))
            truth.append(voice)
    return np.array(rows, dtype=np.float32), np.array(truth)


@pytest.mark.parametrize("method", ["ahc", "spectral"])
@pytest.mark.parametrize("counts", [[30], [20, 25], [15, 20, 12], [25, 4]])
def test_finds_the_voices_and_numbers_them_in_order_of_appearance(method: str, counts: list[int]) -> None:
    embeddings, truth = _voices(counts)
    labels = cluster_embeddings(embeddings, ClusterOptions(method=method))  # type: ignore[arg-type]
    assert labels.tolist() == truth.tolist()


def test_the_range_asked_for_wins_over_the_data() -> None:
    embeddings, _ = _voices([20, 20, 20])
    assert len(set(cluster_embeddings(embeddings, ClusterOptions(min_speakers=2, max_speakers=2)).tolist())) == 2
    embeddings, _ = _voices([40])
    assert len(set(cluster_embeddings(embeddings, ClusterOptions(min_speakers=2, max_speakers=3)).tolist())) == 2
    assert set(cluster_embeddings(embeddings, ClusterOptions(max_speakers=1)).tolist()) == {0}


def test_too_few_windows_are_one_speaker() -> None:
    embeddings, _ = _voices([1, 1])
    assert cluster_embeddings(embeddings).tolist() == [0, 0]
    assert cluster_embeddings(embeddings[:0]).tolist() == []
