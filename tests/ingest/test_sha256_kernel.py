"""The SHA-256 kernel (claimset.ingest._sha256) against hashlib, on both code paths."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimset.ingest import _sha256
from claimset.ingest.digests import keyed_sha256, sha256_of_strings
from claimset.ingest.pipeline import _identities
from claimset.ingest.utf8 import Utf8Column


@pytest.mark.parametrize("portable", [False, True])
def test_sha256_hex_agrees_with_hashlib(portable: bool) -> None:
    data = bytes(range(256)) * 3
    pairs = [(s, s + n) for n in [*range(130), 300, 640] for s in (0, 7, 100) if s + n <= len(data)]
    spans = b"".join(s.to_bytes(8, "little") + e.to_bytes(8, "little") for s, e in pairs)
    expected = "".join(hashlib.sha256(data[s:e]).hexdigest() for s, e in pairs).encode()
    assert _sha256.sha256_hex(data, spans, portable) == expected
    with pytest.raises(ValueError, match="outside"):
        _sha256.sha256_hex(data, (5).to_bytes(8, "little") + (1 << 20).to_bytes(8, "little"))
    with pytest.raises(ValueError, match="pairs"):
        _sha256.sha256_hex(data, b"\0" * 8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=300)), max_size=20), st.integers(0, 5))
def test_sha256_of_strings_is_hashlib_per_value(values: list[str | None], skip: int) -> None:
    # A sliced Series starts at a non-zero Arrow offset: the digests must still line up.
    series = pl.Series("t", ["x"] * skip + values, dtype=pl.String).slice(skip)
    got = sha256_of_strings(series)
    assert got.name == "t"
    assert got.to_list() == [hashlib.sha256((v or "").encode()).hexdigest() for v in values]


@pytest.mark.parametrize("portable", [False, True])
def test_keyed_sha256_is_hashlib_of_key_nul_text(portable: bool) -> None:
    """Key and text lengths around every block edge: the parts straddle 64-byte blocks."""
    data = bytes(range(256)) * 3
    lengths = [0, 1, 54, 55, 56, 62, 63, 64, 65, 119, 127, 128, 129, 300]
    pairs = [(k, n) for k in lengths[:8] for n in lengths]
    key_spans = b"".join(
        (7).to_bytes(8, "little") + (7 + k).to_bytes(8, "little") for k, _ in pairs
    )
    spans = b"".join((3).to_bytes(8, "little") + (3 + n).to_bytes(8, "little") for _, n in pairs)
    expected = "".join(
        hashlib.sha256(data[7 : 7 + k] + b"\0" + data[3 : 3 + n]).hexdigest() for k, n in pairs
    ).encode()
    assert _sha256.sha256_hex_keyed(data, key_spans, data, spans, portable) == expected
    with pytest.raises(ValueError, match="as many"):
        _sha256.sha256_hex_keyed(data, key_spans[:16], data, spans)
    far = (5).to_bytes(8, "little") + (1 << 20).to_bytes(8, "little")
    with pytest.raises(ValueError, match="key span 0"):
        _sha256.sha256_hex_keyed(data, far, data, spans[:16])
    with pytest.raises(ValueError, match="data span 0"):
        _sha256.sha256_hex_keyed(data, key_spans[:16], data, far)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=70)), st.text(max_size=300))),
    st.integers(0, 5),
)
def test_article_id_is_sha256_of_source_id_nul_text(
    rows: list[tuple[str | None, str]], skip: int
) -> None:
    """article_id = "a-" + sha256(source_id + NUL + text)[:16], as documented (no joined
    string is built any more)."""
    keys = pl.Series(["k"] * skip + [k for k, _ in rows], dtype=pl.String).slice(skip)
    texts = pl.Series(["t"] * skip + [t for _, t in rows], dtype=pl.String).slice(skip)
    text_sha, article_ids = _identities(keys, Utf8Column.of(texts))
    assert text_sha.to_list() == [hashlib.sha256(t.encode()).hexdigest() for _, t in rows]
    assert article_ids.to_list() == [
        "a-" + hashlib.sha256(f"{k or ''}\0{t}".encode()).hexdigest()[:16] for k, t in rows
    ]
    assert keyed_sha256(keys, texts).to_list() == [
        hashlib.sha256(f"{k or ''}\0{t}".encode()).hexdigest() for k, t in rows
    ]
