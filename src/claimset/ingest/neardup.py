"""Near-duplicate clusters: MinHash signatures + LSH banding, vectorised.

* **Signatures** use one-permutation hashing (Li, Owen & Zhang 2012) with rotation
  densification (Shrivastava 2017): every word 5-shingle is hashed once (polars, vectorised),
  the hash picks one of ``num_perm`` bins and the minimum per bin is that bin's value. Two
  documents agree on a bin with probability close to their Jaccard similarity, as with
  classic MinHash, at the cost of one hash per shingle instead of ``num_perm``;
  ``datasketch.MinHash.update`` hashes every shingle ``num_perm`` times in Python and would
  take longer than the rest of ingest together.
* **LSH**: the band layout (``b`` bands of ``r`` rows) is the one ``datasketch.MinHashLSH``
  chooses for the threshold (minimising false positive + false negative probability); the
  buckets are formed with one polars group-by over all bands instead of a Python insert and
  query per document. A candidate pair joins a cluster only if its estimated similarity
  (share of equal signature values) reaches the threshold; clusters are the connected
  components of verified pairs.

Shingle hashes come from polars' seeded ``hash``: stable for the pinned polars version
(requirements.lock), so clusters are reproducible; article ids never depend on it.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl

from claimset.ingest.config import NearDuplicateConfig
from claimset.ingest.parallel import parallel_map

_EMPTY = np.iinfo(np.uint64).max
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) for hash mixing
_MAX_BUCKET_PAIRS = 64  # members of a larger bucket are chained, not paired all-to-all


def band_layout(threshold: float, num_perm: int) -> list[tuple[int, int]]:
    """The (start, end) signature ranges of the ``b`` x ``r`` bands for ``threshold``.

    Same objective as ``datasketch.lsh._optimal_param`` with equal false positive/negative
    weights (a unit test checks both agree), evaluated for all (b, r) at once with numpy
    because datasketch's scipy loop takes over a second per call.
    """
    b, r = optimal_bands(threshold, num_perm)
    return [(i * r, (i + 1) * r) for i in range(b)]


def optimal_bands(threshold: float, num_perm: int, steps: int = 2001) -> tuple[int, int]:
    """(b, r) minimising P(false positive) + P(false negative) at ``threshold``."""
    best, best_err = (1, 1), float("inf")
    for b in range(1, num_perm + 1):
        r = np.arange(1, num_perm // b + 1, dtype=np.float64)[:, None]
        lo = np.linspace(0.0, threshold, steps)[None, :]
        hi = np.linspace(threshold, 1.0, steps)[None, :]
        fp = np.asarray(np.trapezoid(1 - (1 - lo**r) ** b, lo, axis=1))
        fn = np.asarray(np.trapezoid(1 - (1 - (1 - hi**r) ** b), hi, axis=1))
        err = fp + fn
        i = int(np.argmin(err))
        if err[i] < best_err - 1e-12:
            best, best_err = (b, i + 1), float(err[i])
    return best


def signatures(
    texts: pl.Series, cfg: NearDuplicateConfig, chunk_bytes: int = 2 << 20
) -> np.ndarray:
    """``(len(texts), num_perm)`` uint64 signatures over word shingles, in bounded-memory chunks."""
    n = len(texts)
    sig = np.full((n, cfg.num_perm), _EMPTY, dtype=np.uint64)
    if n == 0:
        return sig
    cum = np.cumsum(texts.str.len_bytes().fill_null(0).to_numpy().astype(np.int64))
    cuts = np.searchsorted(cum, np.arange(chunk_bytes, int(cum[-1]), chunk_bytes), side="right")
    edges = np.unique(np.concatenate([[0], cuts, [n]])).tolist()
    # numpy releases the GIL: chunks fill disjoint row ranges of ``sig`` on threads.
    parallel_map(
        lambda b: _fill(sig[b[0] : b[1]], texts.slice(b[0], b[1] - b[0]), cfg),
        list(itertools.pairwise(edges)),
        min_items=2,
    )
    _densify(sig)
    return sig


def word_hashes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of every word, in text order, from the UTF-8 bytes with numpy.

    A word is a maximal run of bytes above 0x20 (space); ASCII letters are lower-cased.
    Its hash mixes its length with its first 8 bytes: a cheap 64-bit fingerprint that
    makes 5-word shingle collisions negligible, without materialising a string per word.
    """
    arr = texts.fill_null("").to_arrow()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    offsets = offsets - offsets[0]
    low = data
    word = low > 32
    edge = np.zeros(len(low) + 1, dtype=bool)
    edge[offsets] = True  # a document boundary always ends/starts a word
    prev = np.concatenate([[False], word[:-1]]) & ~edge[:-1]
    nxt = np.concatenate([word[1:], [False]]) & ~edge[1:]
    starts = np.flatnonzero(word & ~prev)
    ends = np.flatnonzero(word & ~nxt) + 1
    padded = np.concatenate([low, np.zeros(8, dtype=np.uint8)])
    # An unaligned little-endian uint64 view starting at every byte (stride 1): one gather
    # reads the first 8 bytes of every word.
    u64 = np.ndarray(shape=(len(low),), dtype="<u8", buffer=padded.data, strides=(1,))
    length = (ends - starts).astype(np.uint64)
    nbits = np.minimum(length, np.uint64(8)) * np.uint64(8)
    mask = np.where(
        nbits >= 64, np.uint64(_EMPTY), (np.uint64(1) << (nbits % np.uint64(64))) - np.uint64(1)
    )
    h = (_ascii_lower(u64[starts]) & mask) * _MIX + length
    h ^= h >> np.uint64(29)
    doc = np.searchsorted(offsets, starts, side="right") - 1
    return doc.astype(np.int64), h * _MIX


def _ascii_lower(v: np.ndarray) -> np.ndarray:
    """Lower-case the ASCII letters in 8 packed bytes at once (SWAR); other bytes unchanged."""
    hi = v & np.uint64(0x8080808080808080)
    v7 = v & np.uint64(0x7F7F7F7F7F7F7F7F)  # no carries between bytes below
    ge_a = v7 + np.uint64(0x3F3F3F3F3F3F3F3F)  # high bit set where byte >= 0x41
    gt_z = v7 + np.uint64(0x2525252525252525)  # high bit set where byte > 0x5A
    upper = ge_a & ~gt_z & ~hi & np.uint64(0x8080808080808080)
    return v | (upper >> np.uint64(2))


def _fill(sig: np.ndarray, texts: pl.Series, cfg: NearDuplicateConfig) -> None:
    """Write the one-permutation-hashing minima of ``texts`` into ``sig`` (rows = texts)."""
    n, k, m = len(texts), cfg.shingle_words, cfg.num_perm
    doc, h = word_hashes(texts)
    h = h ^ np.uint64(cfg.seed) * _MIX
    # Shingle hash of words i..i+k-1: a polynomial combination of word hashes (wraps mod 2^64).
    if len(h) >= k:
        sh = h[: len(h) - k + 1].copy()
        for j in range(1, k):
            sh = sh * _MIX + h[j : len(h) - k + 1 + j]
        sdoc = doc[: len(h) - k + 1]
        keep = sdoc == doc[k - 1 :]
        sh, sdoc = sh[keep], sdoc[keep]
    else:
        sh, sdoc = np.empty(0, np.uint64), np.empty(0, np.int64)
    # Documents shorter than k words: their single words stand in for shingles.
    counts = np.bincount(doc, minlength=n)
    short = np.isin(doc, np.flatnonzero((counts > 0) & (counts < k)))
    sh = np.concatenate([sh, h[short]])
    sdoc = np.concatenate([sdoc, doc[short]])
    sh = sh * _MIX  # rehash so that bin and value use independent bits
    sh ^= sh >> np.uint64(31)
    flat = np.full(n * m, _EMPTY, dtype=np.uint64)
    np.minimum.at(flat, sdoc * m + (sh % np.uint64(m)).astype(np.int64), sh // np.uint64(m))
    sig[:] = flat.reshape(n, m)


def _densify(sig: np.ndarray, rows_per_chunk: int = 2048) -> None:
    """Fill each empty bin from the next non-empty bin to the right (circular), plus an offset.

    Vectorised over rows: on the row written twice side by side, a reversed running
    minimum of "column index where filled" gives the next filled column for every column.
    Rows without any word stay all-empty.
    """
    n, m = sig.shape
    cols = np.arange(2 * m)
    for lo in range(0, n, rows_per_chunk):
        block = sig[lo : lo + rows_per_chunk]
        empty = block == _EMPTY
        if not empty.any():
            continue
        filled2 = np.tile(~empty, 2)
        idx = np.where(filled2, cols, 2 * m)
        nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1][:, :m]
        has_any = nxt[:, 0] < 2 * m
        fix = empty & has_any[:, None]
        r, c = np.nonzero(fix)
        src = nxt[r, c]
        dist = (src - c).astype(np.uint64)
        block[r, c] = block[r, src % m] + dist * _MIX


def candidate_pairs(sig: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """``(p, 2)`` array of doc pairs that share at least one LSH band bucket."""
    n = sig.shape[0]
    frames = []
    for band, (lo, hi) in enumerate(ranges):
        key = np.zeros(n, dtype=np.uint64)
        for j in range(lo, hi):
            key = key * _MIX + sig[:, j]
        frames.append(
            pl.DataFrame({"band": np.full(n, band, np.int32), "key": key, "doc": np.arange(n)})
        )
    buckets = (
        pl.concat(frames)
        .group_by("band", "key")
        .agg(pl.col("doc").sort())
        .filter(pl.col("doc").list.len() > 1)
    )
    pairs: list[np.ndarray] = []
    for docs in buckets["doc"].to_list():
        d = np.asarray(docs)
        if len(d) <= _MAX_BUCKET_PAIRS:
            left, right = np.triu_indices(len(d), 1)
            pairs.append(np.stack([d[left], d[right]], axis=1))
        else:
            pairs.append(np.stack([d[:-1], d[1:]], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs), axis=0)


def cluster_ids(article_ids: list[str], texts: pl.Series, cfg: NearDuplicateConfig) -> list[str]:
    """For each article, the smallest article_id of its near-duplicate cluster."""
    n = len(article_ids)
    if n == 0:
        return []
    sig = signatures(texts, cfg)
    pairs = candidate_pairs(sig, band_layout(cfg.threshold, cfg.num_perm))
    if len(pairs):
        sim = (sig[pairs[:, 0]] == sig[pairs[:, 1]]).mean(axis=1)
        pairs = pairs[sim >= cfg.threshold]
    # Connected components by union-find over the verified pairs (few, so plain Python).
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(i) for i in range(n)]
    best = pl.DataFrame({"root": roots, "id": article_ids}).with_columns(
        pl.col("id").min().over("root").alias("cluster")
    )
    return best["cluster"].to_list()
