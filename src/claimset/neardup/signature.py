"""Signatures and LSH band keys: the first two steps of the near-duplicate system.

* **Shingles**: a text's words are what spaces and newlines separate (after ingest's
  normalisation no other whitespace is left), lower-cased; a shingle is
  ``shingle_words`` consecutive words joined by one space. A text with fewer words has its
  words as shingles; a text without words has none.
* **Shingle hash**: xxh3-64 of the shingle's UTF-8 bytes (``polars-hash``, seeded with
  ``seed``): a specified, stable 64-bit hash, the same on every machine and version.
* **Signature**: one-permutation MinHash (Li, Owen & Zhang 2012) with rotation
  densification (Shrivastava 2017). A shingle's hash ``h`` picks bin ``h % num_perm`` and
  the bin keeps the least ``h // num_perm``; two texts agree on a bin with probability
  close to their Jaccard similarity, as with classic MinHash, for one hash per shingle
  instead of ``num_perm`` (classic MinHash, e.g. ``datasketch.MinHash``, costs
  ``num_perm`` multiply-mods per shingle). An empty bin takes the value of the next filled
  bin to its right (circularly) plus ``distance * MIX``; a text without shingles keeps
  every bin at ``2**64 - 1``.
* **Bands**: ``b`` bands of ``r`` rows, the layout ``datasketch.MinHashLSH`` chooses for
  the threshold (least false positive + false negative probability). A band's key folds
  its ``r`` values (``key = key * MIX + value`` mod 2**64); equal keys put two texts in one
  bucket (candidates are verified on their full signatures: :mod:`claimset.neardup.clusters`).

Every value depends on its own text only, so texts can be sketched in any grouping.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import polars as pl
import polars_hash as plh

from claimset.neardup.config import NearDuplicateConfig

MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) for folding
EMPTY = np.uint64(2**64 - 1)  # a bin no shingle filled (a text without words)
# Text sketched at a time: small enough to bound the shingle strings' working set, large
# enough that polars' fixed cost per call stays small (figures in docs/ingest.md).
BATCH_BYTES = 1 << 19


def shingle_hashes(texts: pl.Series, cfg: NearDuplicateConfig) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, hashes)``: the position in ``texts`` (int64) and the xxh3-64 (uint64) of
    every shingle, in text order."""
    k = cfg.shingle_words
    lists = (
        texts.cast(pl.String)
        .fill_null("")
        .str.replace_all("\n", " ", literal=True)
        .str.to_lowercase()
        .str.split(" ")
    )
    words = lists.explode()
    filled = words.str.len_bytes() > 0
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lists.list.len().to_numpy())
    words, rows = words.filter(filled), rows[filled.to_numpy()]
    if not len(rows):
        return rows, np.empty(0, dtype=np.uint64)
    # Words per text, and each word's position in its text.
    starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
    counts = np.diff(np.append(starts, len(rows)))
    n = np.repeat(counts, counts)
    pos = np.arange(len(rows)) - np.repeat(starts, counts)
    # Shingle i of a text joins words i .. i + k - 1; a text of fewer words keeps its words.
    keep = (n < k) | (pos <= n - k)
    w = pl.col("w")
    hashes = (
        pl.DataFrame({"w": words, "long": n >= k})
        .select(
            pl.when("long")
            .then(pl.concat_str([w.shift(-i) for i in range(k)], separator=" "))
            .otherwise(w)
            .alias("s")
        )
        .filter(pl.Series(keep))
        # On a frame's column: polars-hash 0.9.3 on a Series literal kept its memory.
        .select(plh.col("s").nchash.xxh3_64(seed=cfg.seed))
        .to_series()
    )
    return rows[keep], hashes.to_numpy()


def signatures(texts: pl.Series, cfg: NearDuplicateConfig) -> np.ndarray:
    """``(len(texts), num_perm)`` uint64 signatures (nulls as empty texts).

    Texts are sketched ``BATCH_BYTES`` at a time: the shingle strings of a batch take about
    ``shingle_words`` times its text, so batches bound that working set (the values never
    depend on the batching).
    """
    sig = np.full((len(texts), cfg.num_perm), EMPTY, dtype=np.uint64)
    size = texts.cast(pl.String).str.len_bytes().fill_null(0).cast(pl.Int64)
    batch = ((size.cum_sum() - size) // BATCH_BYTES).to_numpy()
    cuts = [0, *(np.flatnonzero(np.diff(batch)) + 1).tolist(), len(texts)]
    for lo, hi in itertools.pairwise(cuts):
        if hi > lo:
            _fill(sig[lo:hi], texts.slice(lo, hi - lo), cfg)
    return sig


def _fill(sig: np.ndarray, texts: pl.Series, cfg: NearDuplicateConfig) -> None:
    """Write the signatures of ``texts`` into ``sig`` (all bins empty on entry)."""
    m = cfg.num_perm
    rows, h = shingle_hashes(texts, cfg)
    cell = rows * m + (h % np.uint64(m)).astype(np.int64)
    np.minimum.at(sig.reshape(-1), cell, h // np.uint64(m))
    sig[:] = _densify(sig)


def _densify(sig: np.ndarray) -> np.ndarray:
    """Fill every empty bin from the next filled bin to its right (circularly)."""
    _n, m = sig.shape
    filled = sig != EMPTY
    some = filled.any(axis=1)
    if filled[some].all():
        return sig
    # Index of the next filled bin at or after j, over the row written twice (circularly).
    twice = np.concatenate([filled, filled], axis=1)
    idx = np.where(twice, np.arange(2 * m), 2 * m)
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1][:, :m]
    rows = np.flatnonzero(some)
    src = nxt[rows]
    dist = (src - np.arange(m)).astype(np.uint64)
    with np.errstate(over="ignore"):
        sig[rows] = np.take_along_axis(sig[rows], src % m, axis=1) + dist * MIX
    return sig


@functools.lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, steps: int = 2001) -> tuple[int, int]:
    """(b, r) minimising P(false positive) + P(false negative) at ``threshold``.

    Same objective as ``datasketch.lsh._optimal_param`` with equal weights (a unit test
    checks both agree), for all (b, r) at once with numpy: datasketch's scipy loop takes
    over a second per call.
    """
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


def keys_of(sig: np.ndarray, cfg: NearDuplicateConfig) -> np.ndarray:
    """``(rows, b)`` uint64 band keys of signatures."""
    b, r = optimal_bands(cfg.threshold, cfg.num_perm)
    keys = np.zeros((sig.shape[0], b), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(r):
            keys = keys * MIX + sig[:, j : b * r : r]
    return keys


def band_keys(texts: pl.Series, cfg: NearDuplicateConfig) -> np.ndarray:
    """``(len(texts), b)`` uint64 band keys: all that is kept of every text's signature."""
    return keys_of(signatures(texts, cfg), cfg)
