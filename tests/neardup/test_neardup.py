"""The near-duplicate system: signature definition, bands, verified pairs, components."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
import xxhash

from claimset.neardup import (
    NearDuplicateConfig,
    band_keys,
    candidate_pairs,
    cluster_ids,
    components,
    near_duplicate_pairs,
    optimal_bands,
    signatures,
)
from claimset.neardup.signature import EMPTY, MIX, keys_of

WORDS = [
    "the",
    "a",
    "ferry",
    "port",
    "council",
    "said",
    "on",
    "monday",
    "that",
    "it",
    "would",
    "close",
    "investigating",
    "investigation",
    "investigative",
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _reference_signature(text: str, cfg: NearDuplicateConfig) -> list[int]:
    """The documented definition, one shingle at a time with the xxhash library."""
    m, k = cfg.num_perm, cfg.shingle_words
    words = [w for w in text.replace("\n", " ").lower().split(" ") if w]
    shingles = (
        [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]
        if len(words) >= k
        else words
    )
    sig = [int(EMPTY)] * m
    for s in shingles:
        h = xxhash.xxh3_64_intdigest(s.encode("utf-8"), seed=cfg.seed)
        sig[h % m] = min(sig[h % m], h // m)
    filled = [i for i in range(m) if sig[i] != int(EMPTY)]
    if not filled:
        return sig
    out = list(sig)
    for i in range(m):
        if sig[i] == int(EMPTY):
            d = next(d for d in range(1, m + 1) if sig[(i + d) % m] != int(EMPTY))
            out[i] = (sig[(i + d) % m] + d * int(MIX)) % 2**64
    return out


@pytest.mark.parametrize(
    "cfg",
    [
        NearDuplicateConfig(),
        NearDuplicateConfig(num_perm=100, shingle_words=3, seed=7),
        NearDuplicateConfig(num_perm=16, shingle_words=1),
    ],
)
def test_signatures_follow_the_definition(cfg: NearDuplicateConfig) -> None:
    rng = random.Random(2)
    texts = ["", "one", "A b C", "x y\nz  Mixed CASE wörds", "...", "Äh ÖL"] + [
        _text(rng, rng.randint(1, 60)) for _ in range(30)
    ]
    got = signatures(pl.Series(texts), cfg)
    want = np.array([_reference_signature(t, cfg) for t in texts], dtype=np.uint64)
    assert np.array_equal(got, want)


def test_words_sharing_a_prefix_do_not_collide() -> None:
    """The old word hash (first 8 bytes + length) made these three one word."""
    cfg = NearDuplicateConfig(shingle_words=1)
    sig = signatures(pl.Series(["investigating", "investigation", "investigative"]), cfg)
    assert len({tuple(r) for r in sig.tolist()}) == 3


def test_band_keys_fold_the_signature_bands() -> None:
    rng = random.Random(4)
    texts = pl.Series([_text(rng, 40) for _ in range(10)])
    cfg = NearDuplicateConfig()
    b, r = optimal_bands(cfg.threshold, cfg.num_perm)
    sig = signatures(texts, cfg)
    want = np.zeros((len(texts), b), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(b):
            for j in range(band * r, (band + 1) * r):
                want[:, band] = want[:, band] * MIX + sig[:, j]
    assert np.array_equal(band_keys(texts, cfg), want)
    assert np.array_equal(keys_of(sig, cfg), want)


def test_candidate_pairs_are_rows_with_an_equal_band_key() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 4, size=(30, 3)).astype(np.uint64)
    want = {(a, b) for a in range(30) for b in range(a + 1, 30) if (keys[a] == keys[b]).any()}
    assert {tuple(p) for p in candidate_pairs(keys).tolist()} == want


def test_large_buckets_are_chained() -> None:
    keys = np.zeros((100, 2), dtype=np.uint64)
    keys[:, 1] = np.arange(100)
    assert candidate_pairs(keys).tolist() == [[i, i + 1] for i in range(99)]


def test_components() -> None:
    labels = components(6, np.array([[0, 3], [3, 5], [1, 2]]))
    assert labels[0] == labels[3] == labels[5] and labels[1] == labels[2]
    assert len(set(labels.tolist())) == 3
    assert components(2, np.empty((0, 2), dtype=np.int64)).tolist() == [0, 1]
    assert components(0, np.empty((0, 2))).tolist() == []


def test_clusters_are_named_by_their_least_id_and_chain() -> None:
    rng = random.Random(5)
    base = _text(rng, 200)
    words = base.split()
    near = " ".join([*words[:-3], "ferry", "port", "council"])
    nearer = " ".join([*words[:-6], "x", "y", "z", "ferry", "port", "council"])
    other = _text(random.Random(9), 200)
    ids = ["a-3", "a-1", "a-2", "a-0"]
    got = cluster_ids(ids, pl.Series([base, near, nearer, other]), NearDuplicateConfig())
    assert got[:3] == ["a-1", "a-1", "a-1"] and got[3] == "a-0"


def test_wordless_texts_are_near_duplicates_of_nothing() -> None:
    cfg = NearDuplicateConfig()
    assert cluster_ids(["a", "b"], pl.Series(["", "  \n "]), cfg) == ["a", "b"]
    assert near_duplicate_pairs(["", " "], cfg) == []


def test_near_duplicate_pairs_report_estimated_similarity() -> None:
    rng = random.Random(6)
    a = _text(rng, 300)
    texts = [a, a + " and one more clause at the end", _text(random.Random(1), 300), "Short one."]
    pairs = near_duplicate_pairs(texts, NearDuplicateConfig())
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert 0.8 <= pairs[0][2] <= 1.0
    assert near_duplicate_pairs(["Short one.", "short  ONE."], NearDuplicateConfig()) == [
        (0, 1, 1.0)
    ]


def test_config_rejects_bad_values() -> None:
    for bad in ({"threshold": 0.0}, {"num_perm": 8}, {"shingle_words": 0}, {"seed": -1}):
        with pytest.raises(ValueError):
            NearDuplicateConfig(**bad)  # type: ignore[arg-type]
