"""The C sketch kernel (claimset.ingest._sketch) equals the definition written out in Python:
same signatures and band keys, bit for bit, for any text and parameters."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_sketch import (
    reference_clusters,
    reference_keys,
    reference_pairs,
    reference_signatures,
)

from claimset.ingest import _sketch, neardup
from claimset.ingest.config import NearDuplicateConfig

# Word characters: any code point whose UTF-8 bytes are all > 0x20 (everything but ASCII
# controls and space); separators: the bytes <= 0x20 that may occur in a string.
_WORD_CHARS = st.characters(min_codepoint=0x21, exclude_categories=("Cs",))
_SEPARATORS = st.text(st.sampled_from(["\x00", "\t", "\n", "\r", "\x0b", "\x1f", " "]), min_size=1)


@st.composite
def _texts(draw: st.DrawFn, k: int) -> list[str | None]:
    """Texts of 0..k+3 words (arbitrary Unicode, ASCII capitals included) and nulls."""
    out: list[str | None] = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 9)) == 0:
            out.append(None)
            continue
        words = draw(st.lists(st.text(_WORD_CHARS, min_size=1, max_size=12), max_size=k + 3))
        if draw(st.booleans()):  # ASCII words too, so that lower-casing and 8-byte heads matter
            words += draw(st.lists(st.from_regex(r"[A-Za-z]{1,11}", fullmatch=True), max_size=3))
        seps = [draw(_SEPARATORS) for _ in range(len(words) + 1)]
        text = "".join(s + w for s, w in zip(seps, words, strict=False))
        out.append(text + seps[-1] if draw(st.booleans()) else text)
    return out


@st.composite
def _case(draw: st.DrawFn) -> tuple[NearDuplicateConfig, list[str | None]]:
    cfg = NearDuplicateConfig(
        threshold=draw(st.sampled_from([0.5, 0.8, 0.9])),
        num_perm=draw(st.sampled_from([16, 17, 32, 48, 64, 100, 128])),
        shingle_words=draw(st.integers(1, 6)),
        seed=draw(st.integers(-(2**70), 2**70)),
    )
    return cfg, draw(_texts(cfg.shingle_words))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_case(), chunk_bytes=st.integers(1, 200))
def test_kernel_equals_reference(
    case: tuple[NearDuplicateConfig, list[str | None]], chunk_bytes: int
) -> None:
    cfg, texts = case
    series = pl.Series(texts, dtype=pl.String)
    want = reference_signatures(texts, cfg)
    got = neardup.signatures(series, cfg, chunk_bytes=chunk_bytes)
    assert np.array_equal(got, want)
    ranges = neardup.band_layout(cfg.threshold, cfg.num_perm)
    keys = neardup.band_keys(series, cfg, chunk_bytes=chunk_bytes, n_workers=2)
    assert np.array_equal(keys, reference_keys(want, ranges))


@pytest.mark.parametrize("n", [1, 7, 8, 9, 62, 63, 64, 65, 127, 128, 129, 200])
def test_words_across_64_byte_blocks(n: int) -> None:
    """The kernel reads 64 bytes at a time: words may start, end or run across any edge."""
    texts = [
        "W" * n,
        " " * n + "Tail",
        "Ab " * n,
        "é" * n + " x",
        "word " * (n // 5) + "Z" * (n % 7 + 1),
        "\t" * (n - 1) + "q",
    ]
    for k in (1, 2, 5):
        cfg = NearDuplicateConfig(num_perm=32, shingle_words=k)
        got = neardup.signatures(pl.Series(texts), cfg)
        assert np.array_equal(got, reference_signatures(texts, cfg)), k


def test_word_definition() -> None:
    """Words: runs of bytes > 0x20; only ASCII A-Z is lower-cased; nulls are empty texts."""
    cfg = NearDuplicateConfig(num_perm=64, shingle_words=2)
    texts = [
        "The Cat SAT on the mat",
        "the\tcat\x00sat\n\non THE MAT ",
        "École",
        "école",
        None,
        "",
        " \n\t",
        "x\x7fy",
        "x y",
    ]
    sig = neardup.signatures(pl.Series(texts, dtype=pl.String), cfg)
    assert np.array_equal(sig[0], sig[1])
    assert not np.array_equal(sig[2], sig[3])  # É is not ASCII: not lower-cased
    assert (sig[4:7] == np.iinfo(np.uint64).max).all()  # no word: all bins empty
    assert not np.array_equal(sig[7], sig[8])  # 0x7f is a word byte


def test_sliced_and_chunked_series() -> None:
    """Arrow offsets of a slice start past 0; several chunks are joined first."""
    cfg = NearDuplicateConfig()
    texts = [f"story {i} " + "about the harbour wall " * (i % 4) for i in range(20)]
    whole = neardup.band_keys(pl.Series(texts), cfg)
    parts = pl.concat([pl.Series(texts[:7]), pl.Series(texts[7:])], rechunk=False)
    assert np.array_equal(neardup.band_keys(parts, cfg, chunk_bytes=50), whole)
    assert np.array_equal(neardup.band_keys(pl.Series(texts).slice(5, 9), cfg), whole[5:14])
    assert neardup.band_keys(pl.Series([], dtype=pl.String), cfg).shape == (0, whole.shape[1])


def test_long_text_many_words() -> None:
    cfg = NearDuplicateConfig(num_perm=16, shingle_words=3)
    texts = ["a b " * 5000 + "C", "x" * 100_000]
    assert np.array_equal(
        neardup.signatures(pl.Series(texts), cfg), reference_signatures(texts, cfg)
    )


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 150),
    bands=st.integers(1, 4),
    distinct=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_pairs_and_clusters_equal_reference(n: int, bands: int, distinct: int, seed: int) -> None:
    """Buckets of any size (chained above 64 rows) and the clusters of all their pairs."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, distinct, size=(n, bands)).astype(np.uint64)
    pairs = neardup.pairs_from_keys(keys)
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert pairs.tolist() == sorted(map(list, reference_pairs(keys)))
    ids = [f"id-{v:04d}" for v in rng.permutation(n).tolist()]
    # Identical texts: every candidate pair verifies, so clusters are the components.
    same = lambda rows: pl.Series(["one two three four five six"] * len(rows))  # noqa: E731
    got = neardup.clusters_from_keys(ids, keys, same, NearDuplicateConfig())
    assert got == reference_clusters(ids, reference_pairs(keys))


@pytest.mark.parametrize(("size", "n_pairs"), [(2, 1), (64, 64 * 63 // 2), (65, 64)])
def test_bucket_sizes(size: int, n_pairs: int) -> None:
    """Up to 64 members a bucket gives all its pairs, above that consecutive ones."""
    keys = np.zeros((size + 3, 1), dtype=np.uint64)
    keys[size:, 0] = [7, 8, 9]  # rows in buckets of their own
    pairs = neardup.pairs_from_keys(keys)
    assert len(pairs) == n_pairs
    assert pairs.tolist() == sorted(map(list, reference_pairs(keys)))


def test_clusters_need_verified_similarity() -> None:
    """A candidate pair whose signatures disagree does not join a cluster."""
    keys = np.zeros((3, 2), dtype=np.uint64)  # all three share every bucket
    texts = pl.Series(["a b c d e f g", "a b c d e f g", "z y x w v u t"])
    got = neardup.clusters_from_keys(["c", "b", "a"], keys, texts.gather, NearDuplicateConfig())
    assert got == ["b", "b", "a"]


def _args(offsets: list[int], data: bytes = b"one two", n_out: int | None = None) -> tuple:
    n = len(offsets) - 1 if n_out is None else n_out
    return (data, np.array(offsets, dtype=np.int64), 16, 2, 0, np.empty((n, 16), np.uint64))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (_args([0, 5, 3]), "non-decreasing"),
        (_args([-1, 3]), "negative"),
        (_args([0, 8]), "past the end"),
        (_args([0, 3], n_out=2), "out must hold 1 x 16"),
        (_args([], n_out=0), "n \\+ 1 int64"),
        ((b"", np.zeros(1, np.int64), 0, 2, 0, np.empty((0, 16), np.uint64)), "num_perm"),
        ((b"", np.zeros(1, np.int64), 16, 0, 0, np.empty((0, 16), np.uint64)), "shingle_words"),
    ],
)
def test_kernel_rejects_bad_arguments(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _sketch.signatures(*args)


def test_kernel_rejects_bad_layouts() -> None:
    data, offsets = b"a b c", np.array([0, 5], dtype=np.int64)
    out = np.empty((1, 4), np.uint64)
    with pytest.raises(ValueError, match="bands x rows"):
        _sketch.band_keys(data, offsets, 16, 2, 0, 5, 4, out)  # 20 > 16 values
    with pytest.raises(OverflowError):
        _sketch.band_keys(data, offsets, 16, 2, -1, 4, 4, out)  # seed_mix is unsigned
    with pytest.raises(ValueError, match="n x 16"):
        _sketch.signature_keys(np.zeros(17, np.uint64), 16, 4, 4, out)
    with pytest.raises(ValueError, match="band_layout"):
        neardup.candidate_pairs(np.zeros((2, 16), np.uint64), [(0, 4), (5, 9)])
    with pytest.raises(TypeError):
        _sketch.band_keys(data, offsets, 16, 2, 0, 4, 4, b"\0" * 32)  # out must be writable
