"""Candidate pairs -> verified pairs -> clusters: the last step of the near-duplicate system.

* **Buckets**: texts with an equal key in some band (:func:`candidate_pairs`). Each band's
  keys are sorted once (stable, so a bucket lists its texts in increasing order); a bucket
  of more than ``MAX_BUCKET_PAIRS`` texts is chained (each member paired with the next), so
  a huge bucket costs linear, not quadratic, pairs and still ends in one cluster.
* **Verification**: a candidate pair is kept when its estimated Jaccard similarity (the
  share of equal signature values) reaches the threshold, which removes LSH's false
  positives.
* **Clusters**: the connected components of the verified pairs
  (``scipy.sparse.csgraph.connected_components``); a cluster is named by its least key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from claimset.neardup.config import NearDuplicateConfig
from claimset.neardup.signature import EMPTY, band_keys, keys_of, signatures

MAX_BUCKET_PAIRS = 64


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """``(p, 2)`` int64 pairs ``i < j`` of rows of ``keys`` sharing a bucket in some band."""
    found = (_band_pairs(keys[:, b]) for b in range(keys.shape[1]))
    pairs = [p for p in found if p is not None]
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs).astype(np.int64), axis=0)


def _band_pairs(key: np.ndarray) -> np.ndarray | None:
    """The pairs of rows sharing a bucket of one band (None if no bucket is shared)."""
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    sizes = np.diff(np.append(starts, len(ks)))
    shared = sizes > 1
    starts, sizes = starts[shared], sizes[shared]
    if not len(starts):
        return None
    # Sorted positions of every bucket member but the last: the left side of its pairs.
    left = np.repeat(starts, sizes - 1) + _ramp(sizes - 1)
    # Members after it in the bucket it pairs with: all of them, or the next if chained.
    after = np.repeat(starts + sizes, sizes - 1) - left - 1
    after[np.repeat(sizes > MAX_BUCKET_PAIRS, sizes - 1)] = 1
    right = np.repeat(left, after) + 1 + _ramp(after)
    return np.stack([order[np.repeat(left, after)], order[right]], axis=1)


def _ramp(counts: np.ndarray) -> np.ndarray:
    """``0, 1, .., c - 1`` for every ``c`` in ``counts``, concatenated."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)


def verified_pairs(
    keys: np.ndarray, texts_of: Callable[[np.ndarray], pl.Series], cfg: NearDuplicateConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose estimated similarity reaches the threshold, and that similarity.

    Only the texts in candidate pairs (``texts_of(rows)``) get their signatures recomputed,
    so the caller keeps the band keys of every text, never every signature.
    """
    pairs = candidate_pairs(keys)
    if not len(pairs):
        return pairs, np.empty(0, dtype=np.float64)
    docs, local = np.unique(pairs, return_inverse=True)
    sig = signatures(texts_of(docs), cfg)
    local = local.reshape(pairs.shape)
    sim = (sig[local[:, 0]] == sig[local[:, 1]]).mean(axis=1)
    wordless = (sig == EMPTY).all(axis=1)
    ok = (sim >= cfg.threshold) & ~wordless[local[:, 0]]
    return pairs[ok], sim[ok]


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Component label (0 ..) of each of ``n`` nodes joined by ``pairs`` (``(p, 2)`` ints)."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    graph = scipy.sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def least_per_component(names: Sequence[str], labels: np.ndarray) -> list[str]:
    """For each node, the least of ``names`` in its component (code-point order)."""
    df = pl.DataFrame({"name": list(names), "c": labels}, schema={"name": pl.String, "c": pl.Int64})
    return df.select(pl.col("name").min().over("c"))["name"].to_list()


def clusters_from_keys(
    ids: Sequence[str],
    keys: np.ndarray,
    texts_of: Callable[[np.ndarray], pl.Series],
    cfg: NearDuplicateConfig,
) -> list[str]:
    """For each text (rows of ``keys``, named by ``ids``), the least id of its cluster."""
    if len(ids) == 0:
        return []
    pairs, _ = verified_pairs(keys, texts_of, cfg)
    return least_per_component(ids, components(len(ids), pairs))


def cluster_ids(ids: Sequence[str], texts: pl.Series, cfg: NearDuplicateConfig) -> list[str]:
    """For each text, the least id of its near-duplicate cluster (all steps in memory)."""
    return clusters_from_keys(ids, band_keys(texts, cfg), texts.gather, cfg)


def near_duplicate_pairs(
    texts: Sequence[str], cfg: NearDuplicateConfig
) -> list[tuple[int, int, float]]:
    """Verified pairs ``(i, j, similarity)``, ``i < j``, sorted, similarity rounded to 6
    places (the estimated Jaccard similarity of the two signatures)."""
    if not texts:
        return []
    series = pl.Series(list(texts), dtype=pl.String)
    sig = signatures(series, cfg)
    pairs, sim = verified_pairs(keys_of(sig, cfg), lambda rows: series.gather(rows), cfg)
    return sorted(
        (int(i), int(j), round(float(s), 6)) for (i, j), s in zip(pairs, sim, strict=True)
    )
