"""Normalisation (claimset.ingest.normalize): the row-skipping fast path equals the plain
polars expression chain, the result is idempotent, NULs are flagged, and the policy's
examples hold. Texts are arbitrary Unicode weighted towards every character the policy
treats specially."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimset.ingest.normalize import (
    nfc_sensitive_class,
    normalize_expr,
    normalize_series,
    normalize_series_with_nul,
    normalize_text,
)

ZS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"]
C0_C1 = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]
INVISIBLE = [
    "\u00ad",
    *map(chr, range(0x200B, 0x2010)),
    "\u2060",
    "\ufeff",
    "\u061c",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]
NEWLINES = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]
# Combining marks, characters that compose with a preceding one, NFC-unstable singletons,
# Hangul jamo (composed algorithmically) and a precomposed syllable.
NFC = [
    "\u0301",
    "\u0308",
    "\u0327",
    "\u05b0",
    "\u093c",
    "\u0915",
    "\u09be",
    "\u0b3e",
    "\u0cd5",
    "\u1100",
    "\u1161",
    "\u11a8",
    "\uac00",
    "\u212b",
    "\u2126",
    "\u0340",
    "e",
    "A",
    "\U0001d15e",
    "\U0001d165",
]
SPECIAL = st.sampled_from(
    [*ZS, *C0_C1, *INVISIBLE, *NEWLINES, *NFC, " ", "  ", "\t", "\n\n", "\n\n\n", " \n ", "x"]
)
CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.lists(st.one_of(SPECIAL, SPECIAL, SPECIAL, CHARS, st.text(max_size=6)), max_size=60).map(
    "".join
)
# Prose: long runs of plain text with special characters landing anywhere in it.
WORDS = st.sampled_from(["the", "quick", "brown", "fox", "jumps", "é", "ßü", "ʼ", "12.5%", "(x)"])
PROSE = st.lists(st.one_of(WORDS, WORDS, st.just(" "), st.just(" "), SPECIAL), max_size=120).map(
    "".join
)
ANY_TEXT = st.one_of(TEXT, PROSE)
COLUMN = st.lists(st.none() | ANY_TEXT, min_size=1, max_size=8)


def _plain(s: pl.Series, single: bool) -> list[str | None]:
    """Every row through the whole expression chain (no row skipped)."""
    return (
        s.to_frame("t")
        .select(normalize_expr(pl.col("t"), single_paragraph=single))
        .to_series()
        .to_list()
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COLUMN, st.booleans())
def test_fast_path_equals_plain_chain_and_is_idempotent(
    values: list[str | None], single: bool
) -> None:
    s = pl.Series("col", values, dtype=pl.String)
    got, nul = normalize_series_with_nul(s, single_paragraph=single)
    assert got.name == "col"
    assert got.to_list() == _plain(s, single)
    assert normalize_series(got, single_paragraph=single).to_list() == got.to_list()
    assert nul.tolist() == [v is not None and "\0" in v for v in values]
    for v in got.to_list():
        if v is not None:
            assert unicodedata.is_normalized("NFC", v)
            assert v == v.strip(" \n") and "\n\n\n" not in v and "  " not in v
            assert not single or "\n" not in v


@pytest.mark.parametrize("single", [False, True])
def test_edge_cases_equal_plain_chain(single: bool) -> None:
    values = [
        "",
        " ",
        "\n",
        "\r\n\r\n\r\n",
        "\r\r\n",
        "\r\u200b\n",
        "a\r\u200b\nb",
        "a \u200b \nb",
        "a\u00a0\u00a0b",
        "a \n \n \n \n b",
        "a\n\nb",
        "a\n\n\nb",
        " a ",
        "\u2000a\u2001",
        "a\u0301",
        "\u0301a",
        "e\u200b\u0301",
        "\u1100\u1161\u11a8",
        "a\x00\x01b",
        "\ufeffa",
        "a\u200c\u200db",
        None,
    ]
    s = pl.Series(values, dtype=pl.String)
    assert normalize_series(s, single_paragraph=single).to_list() == _plain(s, single)


def test_policy_examples() -> None:
    assert normalize_text(" a\u00a0 b\r\n\r\n\r\nc ") == "a b\n\nc"
    assert normalize_text("a\nb", single_paragraph=True) == "a b"
    assert normalize_text("e\u200b\u0301") == "\u00e9"  # NFC after the removal
    assert normalize_text("a\u200c\u200db\u00adc\u202ed") == "a\u200c\u200dbcd"
    assert normalize_text("x\u2028y\x85z") == "x\ny\nz"
    assert pl.Series(["e\u0301", "abc"]).str.contains(nfc_sensitive_class()).to_list() == [
        True,
        False,
    ]


def test_unchanged_column_keeps_name_and_nulls() -> None:
    s = pl.Series("t", ["plain text", "two\n\nparagraphs", None], dtype=pl.String)
    out = normalize_series(s)
    assert out.name == "t"
    assert out.to_list() == s.to_list()
    changed = normalize_series(pl.Series("u", [None, " x ", None]))
    assert changed.name == "u"
    assert changed.to_list() == [None, "x", None]


def test_sliced_and_multichunk_input() -> None:
    parts = [pl.Series(["a  b", None, "c\r\nd"]), pl.Series(["\te\u0301", "x"])]
    s = pl.concat(parts, rechunk=False).slice(1, 4)
    assert s.n_chunks() > 1
    assert normalize_series(s).to_list() == [None, "c\nd", "\u00e9", "x"]
