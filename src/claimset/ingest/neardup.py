"""Near-duplicate clusters: MinHash signatures + LSH banding, vectorised.

* **Signatures** use one-permutation hashing (Li, Owen & Zhang 2012) with rotation
  densification (Shrivastava 2017): every word 5-shingle is hashed once (numpy over the
  UTF-8 bytes, vectorised), the hash picks one of ``num_perm`` bins and the minimum per bin
  is that bin's value. Two documents agree on a bin with probability close to their
  Jaccard similarity, as with classic MinHash, at the cost of one hash per shingle instead
  of ``num_perm``; ``datasketch.MinHash.update`` hashes every shingle ``num_perm`` times in
  Python and would take longer than the rest of ingest together.
* **LSH**: the band layout (``b`` bands of ``r`` rows) is the one ``datasketch.MinHashLSH``
  chooses for the threshold (minimising false positive + false negative probability); the
  buckets come from one stable sort per band instead of a Python insert and query per
  document. A candidate pair joins a cluster only if its estimated similarity (share of
  equal signature values) reaches the threshold; clusters are the connected components of
  verified pairs.
* **Memory**: for the whole corpus only the ``b`` band keys per article are kept
  (:func:`band_keys`, computed block by block); full signatures are recomputed for the
  articles in candidate pairs only (:func:`clusters_from_keys`).

Word and shingle hashes are fixed 64-bit arithmetic on the bytes (no library hash), so
clusters are reproducible on every machine and version; article ids never depend on them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest.config import NearDuplicateConfig
from claimset.parallel import parallel_map

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
    """``(len(texts), num_perm)`` uint64 signatures over word shingles, in bounded-memory chunks."""
    n = len(texts)
    sig = np.full((n, cfg.num_perm), _EMPTY, dtype=np.uint64)
    if n == 0:
        return sig

    def fill(lo: int, hi: int) -> None:
        sig[lo:hi] = _block_signatures(texts.slice(lo, hi - lo), cfg)

    _by_blocks(texts, chunk_bytes, fill)
    return sig


def band_keys(
    texts: pl.Series,
    cfg: NearDuplicateConfig,
    chunk_bytes: int = 1 << 20,
    n_workers: int | None = None,
) -> np.ndarray:
    """``(len(texts), bands)`` uint64 LSH bucket keys: only these are kept for every text.

    The same keys :func:`candidate_pairs` derives from full signatures, computed block by
    block so that the ``num_perm`` x 8 bytes per text of the signatures never exist for
    the whole corpus at once.
    """
    ranges = band_layout(cfg.threshold, cfg.num_perm)
    keys = np.zeros((len(texts), len(ranges)), dtype=np.uint64)

    def fill(lo: int, hi: int) -> None:
        keys[lo:hi] = _keys(_block_signatures(texts.slice(lo, hi - lo), cfg), ranges)

    if len(texts):
        _by_blocks(texts, chunk_bytes, fill, n_workers)
    return keys


def _by_blocks(
    texts: pl.Series,
    chunk_bytes: int,
    fn: Callable[[int, int], None],
    n_workers: int | None = None,
) -> None:
    """Call ``fn(lo, hi)`` for consecutive row blocks of about ``chunk_bytes``, on threads.

    Blocks fill disjoint row ranges and every row's values depend on that row alone, so the
    result does not depend on the block size or the number of threads.
    """
    n = len(texts)
    cum = np.cumsum(texts.str.len_bytes().fill_null(0).to_numpy().astype(np.int64))
    cuts = np.searchsorted(cum, np.arange(chunk_bytes, int(cum[-1]), chunk_bytes), side="right")
    edges = np.unique(np.concatenate([[0], cuts, [n]])).tolist()
    # numpy releases the GIL for the large array operations.
    parallel_map(lambda b: fn(b[0], b[1]), list(itertools.pairwise(edges)), n_workers, min_items=2)


def _utf8(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, offsets from 0) of the texts, each followed by one space (nulls as empty).

    The space ends the last word of every text, so that no word runs across two texts.
    """
    arr = (texts.fill_null("") + " ").to_arrow().cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    buf = arr.buffers()[2]
    raw = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    return raw[offsets[0] : offsets[-1]], offsets - offsets[0]


def word_hashes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of every word, in text order, from the UTF-8 bytes with numpy.

    A word is a maximal run of bytes above 0x20 (space); ASCII letters are lower-cased.
    Its hash mixes its length with its first 8 bytes: a cheap 64-bit fingerprint that
    makes 5-word shingle collisions negligible, without materialising a string per word.
    """
    data, offsets = _utf8(texts)
    first, h = _words(data, offsets)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(first))
    return doc, h


# Masks keeping the first min(length, 8) bytes of a little-endian uint64.
_BYTE_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [_EMPTY], dtype=np.uint64)


def _words(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of each text's first word, plus the total; word hashes) of a block from _utf8.

    Few passes over the bytes: word boundaries from one comparison of neighbouring bytes,
    ASCII lower-casing of the bytes before the 8-byte gather, a table for the length masks.
    """
    size = len(data)
    word = data > 32
    pos = np.flatnonzero(word[1:] != word[:-1])
    pos += 1
    if size and word[0]:
        pos = np.concatenate([[0], pos])
    # Every text ends with a space, so runs of word bytes alternate start, end.
    starts, ends = pos[0::2], pos[1::2]
    first = np.searchsorted(starts, offsets)
    padded = np.zeros(size + 8, dtype=np.uint8)
    upper = (data - np.uint8(65)) < 26  # A-Z
    np.bitwise_or(data, upper.view(np.uint8) << np.uint8(5), out=padded[:size])
    # An unaligned little-endian uint64 view starting at every byte (stride 1): one gather
    # reads the first 8 bytes of every word.
    u64 = np.ndarray(shape=(size,), dtype="<u8", buffer=padded.data, strides=(1,))
    length = ends - starts
    h = u64[starts]
    h &= _BYTE_MASKS[np.minimum(length, 8)]
    h *= _MIX
    h += length.astype(np.uint64)
    h ^= h >> np.uint64(29)
    h *= _MIX
    return first, h


def _block_signatures(texts: pl.Series, cfg: NearDuplicateConfig) -> np.ndarray:
    """The one-permutation-hashing signatures (rows = texts) of one block, densified."""
    n, k, m = len(texts), cfg.shingle_words, cfg.num_perm
    data, offsets = _utf8(texts)
    first, h = _words(data, offsets)
    h ^= np.uint64((cfg.seed * int(_MIX)) % (1 << 64))
    counts = np.diff(first)
    w = len(h)
    dummy = n * m  # bin of shingles that do not exist (they cross a document end)
    # Shingle hash of words i..i+k-1: a polynomial combination of word hashes (wraps mod 2^64).
    if w >= k:
        sh = h[: w - k + 1].copy()
        for j in range(1, k):
            sh *= _MIX
            sh += h[j : w - k + 1 + j]
        base = np.repeat(np.arange(0, n * m, m, dtype=np.int64), counts)[: w - k + 1]
        # The last k-1 positions of every document start no complete shingle.
        for j in range(1, k):
            p = first[1:] - j
            p = p[(p >= first[:-1]) & (p < w - k + 1)]
            base[p] = dummy
    else:
        sh, base = np.empty(0, np.uint64), np.empty(0, np.int64)
    # Documents shorter than k words: their single words stand in for shingles.
    short = np.flatnonzero((counts > 0) & (counts < k))
    if len(short):
        widx = np.concatenate([np.arange(first[d], first[d + 1]) for d in short.tolist()])
        sh = np.concatenate([sh, h[widx]])
        base = np.concatenate([base, np.repeat(short * m, counts[short])])
    sh *= _MIX  # rehash so that bin and value use independent bits
    sh ^= sh >> np.uint64(31)
    if m & (m - 1) == 0:
        idx = (sh & np.uint64(m - 1)).astype(np.int64)
        val = sh >> np.uint64(m.bit_length() - 1)
    else:
        idx = (sh % np.uint64(m)).astype(np.int64)
        val = sh // np.uint64(m)
    invalid = base == dummy
    idx += base
    idx[invalid] = dummy
    flat = np.full(n * m + 1, _EMPTY, dtype=np.uint64)
    np.minimum.at(flat, idx, val)
    sig = flat[: n * m].reshape(n, m)
    _densify(sig)
    return sig


def _keys(sig: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """``(rows, bands)`` bucket keys of signature rows."""
    keys = np.zeros((sig.shape[0], len(ranges)), dtype=np.uint64)
    for band, (lo, hi) in enumerate(ranges):
        key = keys[:, band]
        for j in range(lo, hi):
            key *= _MIX
            key += sig[:, j]
    return keys


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
    return pairs_from_keys(_keys(sig, ranges))


def pairs_from_keys(keys: np.ndarray) -> np.ndarray:
    """``(p, 2)`` array of doc pairs (rows of ``keys``) that share a bucket in some band.

    Buckets come from a stable sort of each band's keys, so each bucket lists its docs in
    increasing order; a bucket of more than ``_MAX_BUCKET_PAIRS`` docs is chained.
    """
    pairs: list[np.ndarray] = []
    for band in range(keys.shape[1]):
        key = keys[:, band]
        order = np.argsort(key, kind="stable")
        ks = key[order]
        dup = ks[1:] == ks[:-1]
        if not dup.any():
            continue
        # Runs of equal keys: [start, end) in sorted order.
        edge = np.flatnonzero(np.diff(np.concatenate([[False], dup, [False]]).astype(np.int8)))
        for lo, hi in zip(edge[0::2].tolist(), edge[1::2].tolist(), strict=True):
            d = order[lo : hi + 1]
            if len(d) <= _MAX_BUCKET_PAIRS:
                left, right = np.triu_indices(len(d), 1)
                pairs.append(np.stack([d[left], d[right]], axis=1))
            else:
                pairs.append(np.stack([d[:-1], d[1:]], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs).astype(np.int64), axis=0)


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
