"""The SHA-256 kernel (claimset.ingest._sha256) against hashlib, on both code paths."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimset.ingest import _sha256
from claimset.ingest.digests import sha256_of_strings


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
