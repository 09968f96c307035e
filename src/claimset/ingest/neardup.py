"""Near-duplicate clusters: MinHash signatures + LSH banding, from a C kernel.

* **Signatures** use one-permutation hashing (Li, Owen & Zhang 2012) with rotation
  densification (Shrivastava 2017): every word k-shingle is hashed once, the hash picks one
  of ``num_perm`` bins and the minimum per bin is that bin's value. Two documents agree on
  a bin with probability close to their Jaccard similarity, as with classic MinHash, at the
  cost of one hash per shingle instead of ``num_perm``; ``datasketch.MinHash.update``
  hashes every shingle ``num_perm`` times in Python and would take longer than the rest of
  ingest together.
* **Kernel** (``_sketch.c``, one pass per text over its UTF-8 bytes; the exact definition
  is in its header and, one word at a time in Python, in ``tests/ingest/reference_sketch.py``):
  a word is a maximal run of bytes > 0x20 (space), its hash mixes its length with its first
  8 bytes (ASCII A-Z lower-cased, little-endian) and the seed; a shingle's hash is a
  polynomial in its k word hashes; a text of 1..k-1 words uses its word hashes instead; an
  empty bin takes the value of the next filled bin to its right (circularly) plus an offset;
  a text without words keeps all bins empty (``2**64 - 1``).
* **LSH**: the band layout (``b`` bands of ``r`` rows) is the one ``datasketch.MinHashLSH``
  chooses for the threshold (minimising false positive + false negative probability); a
  band's key hashes its ``r`` values; the buckets come from one stable sort per band
  instead of a Python insert and query per document. A candidate pair joins a cluster only
  if its estimated similarity (share of equal signature values) reaches the threshold;
  clusters are the connected components of verified pairs.
* **Memory**: for the whole corpus only the ``b`` band keys per article are kept
  (:func:`band_keys`: the kernel turns each text's signature into its keys at once);
  full signatures are recomputed for the articles in candidate pairs only
  (:func:`clusters_from_keys`).

All hashing is fixed 64-bit integer arithmetic on the bytes (no library hash), so clusters
are reproducible on every machine and version; article ids never depend on them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest import _sketch
from claimset.ingest.config import NearDuplicateConfig
from claimset.ingest.utf8 import Utf8Column, as_utf8
from claimset.parallel import parallel_map

_MIX = 0x9E3779B97F4A7C15  # the kernel's odd 64-bit mixing constant (golden ratio)
_MAX_BUCKET_PAIRS = 64  # members of a larger bucket are chained, not paired all-to-all
_Bytes: TypeAlias = "pa.Buffer | bytes"  # the texts' UTF-8 bytes, as the kernel reads them


def band_layout(threshold: float, num_perm: int) -> list[tuple[int, int]]:
    """The (start, end) signature ranges of the ``b`` x ``r`` bands for ``threshold``.

    Same objective as ``datasketch.lsh._optimal_param`` with equal false positive/negative
    weights (a unit test checks both agree), evaluated for all (b, r) at once with numpy
    because datasketch's scipy loop takes over a second per call.
    """
    b, r = optimal_bands(threshold, num_perm)
    return [(i * r, (i + 1) * r) for i in range(b)]


@functools.lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, steps: int = 2001) -> tuple[int, int]:
    """(b, r) minimising P(false positive) + P(false negative) at ``threshold``."""
    best, best_err = (1, 1), float("inf")
    lo = np.linspace(0.0, threshold, steps)[None, :]
    hi = np.linspace(threshold, 1.0, steps)[None, :]
    r_all = np.arange(1, num_perm + 1, dtype=np.float64)[:, None]
    lo_r, hi_r = 1 - lo**r_all, 1 - hi**r_all  # row r-1: for r rows per band
    for b in range(1, num_perm + 1):
        rows = num_perm // b
        fp = np.asarray(np.trapezoid(1 - lo_r[:rows] ** b, lo, axis=1))
        fn = np.asarray(np.trapezoid(1 - (1 - hi_r[:rows] ** b), hi, axis=1))
        err = fp + fn
        i = int(np.argmin(err))
        if err[i] < best_err - 1e-12:
            best, best_err = (b, i + 1), float(err[i])
    return best


def signatures(
    texts: pl.Series, cfg: NearDuplicateConfig, chunk_bytes: int = 1 << 20
) -> np.ndarray:
    """``(len(texts), num_perm)`` uint64 signatures over word shingles (nulls as empty)."""
    out = np.empty((len(texts), cfg.num_perm), dtype=np.uint64)
    seed = _seed_mix(cfg)

    def fill(data: _Bytes, offsets: np.ndarray, rows: np.ndarray) -> None:
        _sketch.signatures(data, offsets, cfg.num_perm, cfg.shingle_words, seed, rows)

    _by_blocks(texts, out, fill, chunk_bytes)
    return out


def band_keys(
    texts: pl.Series | Utf8Column,
    cfg: NearDuplicateConfig,
    chunk_bytes: int = 1 << 20,
    n_workers: int | None = None,
) -> np.ndarray:
    """``(len(texts), bands)`` uint64 LSH bucket keys: only these are kept for every text.

    The same keys :func:`candidate_pairs` derives from full signatures; the kernel turns
    each text's signature into its keys at once, so that the ``num_perm`` x 8 bytes per
    text of the signatures never exist for more than one text.
    """
    b, r = optimal_bands(cfg.threshold, cfg.num_perm)
    out = np.empty((len(texts), b), dtype=np.uint64)
    seed = _seed_mix(cfg)

    def fill(data: _Bytes, offsets: np.ndarray, rows: np.ndarray) -> None:
        _sketch.band_keys(data, offsets, cfg.num_perm, cfg.shingle_words, seed, r, b, rows)

    _by_blocks(texts, out, fill, chunk_bytes, n_workers)
    return out


def _seed_mix(cfg: NearDuplicateConfig) -> int:
    """The seed as the kernel mixes it into every word hash: ``seed * MIX`` mod 2^64."""
    return (cfg.seed * _MIX) % (1 << 64)


def _by_blocks(
    texts: pl.Series | Utf8Column,
    out: np.ndarray,
    fill: Callable[[_Bytes, np.ndarray, np.ndarray], None],
    chunk_bytes: int,
    n_workers: int | None = None,
) -> None:
    """Call ``fill(data, offsets, out[lo:hi])`` for row blocks of about ``chunk_bytes``.

    ``data`` and ``offsets`` are the texts' Arrow large_string buffers (nulls as empty
    texts), offsets sliced to the block. Blocks run on threads (the kernel releases the
    GIL); every row's values depend on that row alone, so the result does not depend on the
    block size or the number of threads.
    """
    n = len(texts)
    if n == 0:
        return
    col = as_utf8(texts)
    data, offsets = col.data, col.offsets
    cuts = np.searchsorted(
        offsets[1:], np.arange(offsets[0] + chunk_bytes, offsets[-1], chunk_bytes), side="right"
    )
    edges = np.unique(np.concatenate([[0], cuts, [n]])).tolist()
    parallel_map(
        lambda e: fill(data, offsets[e[0] : e[1] + 1], out[e[0] : e[1]]),
        list(itertools.pairwise(edges)),
        n_workers,
        min_items=2,
    )


def candidate_pairs(sig: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """``(p, 2)`` array of doc pairs that share at least one LSH band bucket."""
    n, m = sig.shape
    r = ranges[0][1] - ranges[0][0] if ranges else 0
    if r < 1 or ranges != [(i * r, (i + 1) * r) for i in range(len(ranges))]:
        raise ValueError(f"ranges must be a band_layout (b bands of r rows), got {ranges}")
    keys = np.empty((n, len(ranges)), dtype=np.uint64)
    _sketch.signature_keys(np.ascontiguousarray(sig, dtype=np.uint64), m, r, len(ranges), keys)
    return pairs_from_keys(keys)


def pairs_from_keys(keys: np.ndarray) -> np.ndarray:
    """``(p, 2)`` array of doc pairs (rows of ``keys``) that share a bucket in some band.

    Buckets come from a stable sort of each band's keys, so each bucket lists its docs in
    increasing order; a bucket of more than ``_MAX_BUCKET_PAIRS`` docs is chained. The
    pairs of all buckets of a band are generated at once (no Python loop per bucket), and
    bands are sorted on threads (numpy sorts without the GIL).
    """
    found = parallel_map(lambda b: _band_pairs(keys[:, b]), range(keys.shape[1]), min_items=2)
    pairs = [p for p in found if p is not None]
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs).astype(np.int64), axis=0)


def _band_pairs(key: np.ndarray) -> np.ndarray | None:
    """The pairs of docs sharing a bucket of one band (None if no bucket is shared)."""
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
    after[np.repeat(sizes > _MAX_BUCKET_PAIRS, sizes - 1)] = 1
    right = np.repeat(left, after) + 1 + _ramp(after)
    return np.stack([order[np.repeat(left, after)], order[right]], axis=1)


def _ramp(counts: np.ndarray) -> np.ndarray:
    """``0, 1, .., c - 1`` for every ``c`` in ``counts``, concatenated."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)


def cluster_ids(article_ids: list[str], texts: pl.Series, cfg: NearDuplicateConfig) -> list[str]:
    """For each article, the smallest article_id of its near-duplicate cluster."""
    return clusters_from_keys(article_ids, band_keys(texts, cfg), texts.gather, cfg)


def clusters_from_keys(
    article_ids: list[str],
    keys: np.ndarray,
    texts_of: Callable[[np.ndarray], pl.Series],
    cfg: NearDuplicateConfig,
) -> list[str]:
    """Clusters from the band keys of every article (rows of ``keys``, as ``article_ids``).

    Only the texts of the articles in candidate pairs (``texts_of(rows)``) get their full
    signatures recomputed, to verify each pair's estimated similarity.
    """
    n = len(article_ids)
    if n == 0:
        return []
    pairs = pairs_from_keys(keys)
    if len(pairs):
        docs, local = np.unique(pairs, return_inverse=True)
        sig = signatures(texts_of(docs), cfg)
        local = local.reshape(pairs.shape)
        sim = (sig[local[:, 0]] == sig[local[:, 1]]).mean(axis=1)
        pairs = pairs[sim >= cfg.threshold]
    # Connected components by union-find over the verified pairs (few, so plain Python);
    # an article in no verified pair is its own cluster.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    clusters = list(article_ids)
    for group in members.values():
        # min over str orders by code point, as over the ids' UTF-8 bytes.
        first = min(article_ids[i] for i in group)
        for i in group:
            clusters[i] = first
    return clusters
