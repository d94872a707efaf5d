"""Group speaker embeddings by speaker: spectral clustering with the eigengap count (the default), or
agglomerative clustering.

`ahc` (scipy's average-linkage agglomerative clustering on cosine distance) joins the two closest groups while
their mean similarity is at least `join_above`; the count is what remains, brought into the range asked for by
cutting the same tree at the nearest allowed count. It keeps a speaker who talks only briefly, but on the meetings
of `benchmarks/speakers.py` it found too many speakers half the time, where the eigengap was right 15 times in 16.

`spectral` (default): the affinity is the cosine similarity of the unit-length embeddings, clipped at 0 and pruned
to each row's nearest neighbours (symmetrised); the number of speakers is where the normalised Laplacian's eigenvalues
jump most (the eigengap), within the range asked for; labels come from k-means (scipy) on the rows of the
spectral embedding.

Either way each embedding is then moved to its most similar centroid, and clusters whose centroids are nearly the
same voice (cosine at least `same_voice`) are joined: this is how one speaker is told from two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["ClusterOptions", "cluster_embeddings"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ClusterOptions:
    min_speakers: int = 1
    max_speakers: int = 8
    method: Literal["ahc", "spectral"] = "spectral"
    join_above: float = 0.70
    """`ahc`: groups whose embeddings are this similar on average (cosine) are one speaker."""
    same_voice: float = 0.74
    """Centroids at least this similar (cosine) are one speaker. On the shared recordings, parts of one person's
    speech were at least 0.77 alike and two different people at most 0.69."""
    min_windows: int = 4
    """A cluster of fewer embeddings (about 3 s of speech) is a stray sound or a stretch where two voices mix, not
    a speaker of its own: it joins the most similar cluster."""
    neighbours: float = 0.25
    """Share of the other embeddings each row keeps in the pruned affinity (at least 4)."""
    seed: int = 0


def cluster_embeddings(embeddings: FloatArray, options: ClusterOptions | None = None) -> IntArray:
    """A speaker index (0, 1, ...) for each row of `embeddings` (unit-length rows), numbered in order of first
    appearance."""
    opts = options or ClusterOptions()
    count = len(embeddings)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if count < 3 or opts.max_speakers == 1:
        return np.zeros(count, dtype=np.int64)
    if opts.method == "ahc":
        labels = _refine(embeddings, _ahc(embeddings, opts))
        labels = _merge_same_voices(embeddings, labels, opts.same_voice, opts.min_speakers)
        return _by_first_appearance(_absorb_strays(embeddings, labels, opts.min_windows, opts.min_speakers))
    affinity = _pruned_affinity(embeddings, opts.neighbours)
    eigenvalues, vectors = _laplacian_eigen(affinity)
    high = min(opts.max_speakers, count - 1)
    low = min(max(opts.min_speakers, 1), high)
    # A narrow range (a count given) is searched a little past its top, then merged down to it: k-means told
    # the exact count sometimes splits one voice and joins two others, which merging cannot undo.
    search = min(high + 2, count - 1) if high - low < 2 else high
    k = _eigengap_count(eigenvalues, max(low, 2), search) if search >= 2 else 1
    labels = _kmeans_rows(vectors[:, :k], k, opts.seed) if k > 1 else np.zeros(count, dtype=np.int64)
    labels = _absorb_strays(embeddings, _refine(embeddings, labels), opts.min_windows, low)
    labels = _merge_same_voices(embeddings, labels, opts.same_voice, low)
    return _by_first_appearance(_merge_down_to(embeddings, labels, high))


def _ahc(embeddings: FloatArray, opts: ClusterOptions) -> IntArray:
    """Average-linkage clusters cut at `join_above`, or at the nearest count inside the allowed range."""
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(embeddings.astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=1.0 - opts.join_above, criterion="distance")
    found = len(np.unique(labels))
    wanted = min(max(found, opts.min_speakers), opts.max_speakers, len(embeddings))
    if wanted != found:
        labels = fcluster(tree, t=wanted, criterion="maxclust")
    return np.asarray(labels, dtype=np.int64)


def _pruned_affinity(embeddings: FloatArray, share: float) -> npt.NDArray[np.float64]:
    similarity = np.clip(embeddings.astype(np.float64) @ embeddings.T.astype(np.float64), 0.0, 1.0)
    count = len(similarity)
    keep = max(4, int(round(share * count)))
    if keep < count:
        threshold = -np.partition(-similarity, keep - 1, axis=1)[:, keep - 1:keep]
        similarity = np.where(similarity >= threshold, similarity, 0.0)
    np.fill_diagonal(similarity, 0.0)
    return np.asarray(0.5 * (similarity + similarity.T), dtype=np.float64)


def _laplacian_eigen(affinity: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Ascending eigenvalues and eigenvectors of the symmetric normalised Laplacian."""
    degree = np.maximum(affinity.sum(axis=1), 1e-10)
    scale = 1.0 / np.sqrt(degree)
    laplacian = np.eye(len(affinity)) - scale[:, None] * affinity * scale[None, :]
    values, vectors = np.linalg.eigh(laplacian)
    return values, vectors


def _eigengap_count(eigenvalues: npt.NDArray[np.float64], low: int, high: int) -> int:
    """The k in [low, high] after which the eigenvalues jump most."""
    gaps = [eigenvalues[k] - eigenvalues[k - 1] for k in range(low, high + 1)]
    return low + int(np.argmax(gaps))


def _kmeans_rows(vectors: npt.NDArray[np.float64], k: int, seed: int) -> IntArray:
    from scipy.cluster.vq import kmeans2

    rows = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    best: tuple[float, IntArray] | None = None
    for attempt in range(5):
        centroids, labels = kmeans2(rows, k, minit="++", seed=seed + attempt)
        inertia = float(((rows - centroids[labels]) ** 2).sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels.astype(np.int64))
    assert best is not None
    return best[1]


def _centroids(embeddings: FloatArray, labels: IntArray) -> tuple[IntArray, npt.NDArray[np.float64]]:
    names = np.unique(labels)
    centroids = np.stack([embeddings[labels == name].mean(axis=0) for name in names]).astype(np.float64)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return names, centroids


def _refine(embeddings: FloatArray, labels: IntArray, rounds: int = 3) -> IntArray:
    """Move each embedding to its most similar centroid, a few times (k-means in the embedding space)."""
    for _ in range(rounds):
        names, centroids = _centroids(embeddings, labels)
        moved = names[np.argmax(embeddings @ centroids.T, axis=1)]
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


def _merge_same_voices(embeddings: FloatArray, labels: IntArray, same_voice: float, low: int) -> IntArray:
    """Join the two most similar clusters while their centroids are at least `same_voice` alike (and more
    clusters than `low` remain)."""
    while True:
        names, centroids = _centroids(embeddings, labels)
        if len(names) <= max(low, 1):
            return labels
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -1.0)
        a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        if similarity[a, b] < same_voice:
            return labels
        labels = np.where(labels == names[b], names[a], labels)


def _merge_down_to(embeddings: FloatArray, labels: IntArray, high: int) -> IntArray:
    """Join the two most similar clusters while there are more than `high`."""
    while len(np.unique(labels)) > max(high, 1):
        names, centroids = _centroids(embeddings, labels)
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -np.inf)
        a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        labels = np.where(labels == names[b], names[a], labels)
    return labels


def _absorb_strays(embeddings: FloatArray, labels: IntArray, min_windows: int, low: int) -> IntArray:
    """Clusters of fewer than `min_windows` embeddings join their most similar cluster (while more than `low`
    clusters remain)."""
    while True:
        names, centroids = _centroids(embeddings, labels)
        sizes = np.array([int((labels == name).sum()) for name in names])
        smallest = int(np.argmin(sizes))
        if len(names) <= max(low, 1) or sizes[smallest] >= min_windows:
            return labels
        similarity = centroids @ centroids[smallest]
        similarity[smallest] = -np.inf
        labels = np.where(labels == names[smallest], names[int(np.argmax(similarity))], labels)


def _by_first_appearance(labels: IntArray) -> IntArray:
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order))
    return np.array([order[label] for label in labels.tolist()], dtype=np.int64)
