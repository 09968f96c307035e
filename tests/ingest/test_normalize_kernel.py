"""The C normalisation kernel equals the polars-regex implementation it replaced.

The oracle is ``reference_normalize`` (the old code, kept verbatim). Texts are arbitrary
Unicode weighted towards every character the policy treats specially.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import reference_normalize as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimset.ingest import _normalize
from claimset.ingest import normalize as normalize_module
from claimset.ingest.normalize import (
    _nfc_sensitive_code_points,
    nfc_sensitive_class,
    nfc_table,
    normalize_series,
    normalize_series_with_nul,
    normalize_text,
)

REPO = Path(__file__).resolve().parents[2]

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
# Prose: long runs of plain bytes (ASCII, single spaces, U+00C0-U+02FF), which the kernel
# copies 16 bytes at a time, with special characters landing at every offset of a block.
WORDS = st.sampled_from(["the", "quick", "brown", "fox", "jumps", "é", "ßü", "ʼ", "12.5%", "(x)"])
PROSE = st.lists(st.one_of(WORDS, WORDS, st.just(" "), st.just(" "), SPECIAL), max_size=120).map(
    "".join
)
ANY_TEXT = st.one_of(TEXT, PROSE)
COLUMN = st.lists(st.none() | ANY_TEXT, min_size=1, max_size=8)


def _check(values: list[str | None], single: bool) -> None:
    s = pl.Series("col", values, dtype=pl.String)
    got, nul = normalize_series_with_nul(s, single_paragraph=single)
    want = ref.normalize_series(s, single_paragraph=single)
    assert got.dtype == pl.String
    assert got.to_list() == want.to_list()
    assert nul.tolist() == s.str.contains("\0", literal=True).fill_null(False).to_list()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COLUMN, st.booleans())
def test_kernel_equals_reference(values: list[str | None], single: bool) -> None:
    _check(values, single)


@settings(max_examples=300, deadline=None)
@given(COLUMN, st.booleans())
def test_reference_fast_path_equals_plain_chain(values: list[str | None], single: bool) -> None:
    """The oracle's row-skipping equals its plain expression chain (moved from tests/segment)."""
    s = pl.Series(values, dtype=pl.String)
    plain = s.to_frame("t").select(ref.normalize_expr(pl.col("t"), single_paragraph=single))
    assert ref.normalize_series(s, single_paragraph=single).to_list() == plain.to_series().to_list()


def _raw_kernel(values: list[str], single: bool) -> tuple[list[str], list[int], int]:
    """The kernel alone (no NFC): normalised rows, NFC flags, changed-row count."""
    arr = pa.array(values, type=pa.string_view())
    validity, views, *data = arr.buffers()
    n = len(values)
    out_views = np.empty(16 * n, dtype=np.uint8)
    out_data = np.empty(sum(len(v.encode()) for v in values), dtype=np.uint8)
    flags = np.empty(n, dtype=np.uint8)
    changed, used = _normalize.normalize(
        views, tuple(data), validity, 0, n, single, nfc_table(), out_views, out_data, flags
    )
    out = pa.Array.from_buffers(
        pa.string_view(), n, [None, pa.py_buffer(out_views), *data, pa.py_buffer(out_data[:used])]
    )
    return out.to_pylist(), flags.tolist(), changed


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_TEXT, min_size=1, max_size=6), st.booleans())
def test_kernel_rows_flags_and_changed_count(values: list[str], single: bool) -> None:
    """Per row, before NFC: the kernel's text equals the regex chain, its flag says whether
    that text holds an NFC-sensitive character, and it counts exactly the changed rows."""
    texts, flags, changed = _raw_kernel(values, single)
    chain: list[str | None] = (
        pl.Series(values, dtype=pl.String)
        .to_frame("t")
        .select(ref.replace_expr(pl.col("t"), single_paragraph=single))
        .to_series()
        .to_list()
    )
    assert texts == chain
    sensitive = set(map(chr, _nfc_sensitive_code_points()))
    assert [f & 1 for f in flags] == [int(any(c in sensitive for c in t)) for t in texts]
    assert [f >> 1 for f in flags] == [int("\0" in v) for v in values]
    assert changed == sum(t != v for t, v in zip(texts, values, strict=True))


@pytest.mark.parametrize("single", [False, True])
def test_edge_cases(single: bool) -> None:
    _check(
        [
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
        ],
        single,
    )


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
    assert normalize_series(s).to_list() == ref.normalize_series(s).to_list()


def test_normalize_text_and_class_still_work() -> None:
    assert normalize_text(" a\u00a0 b\r\n\r\n\r\nc ") == "a b\n\nc"
    assert normalize_text("a\nb", single_paragraph=True) == "a b"
    assert pl.Series(["e\u0301", "abc"]).str.contains(nfc_sensitive_class()).to_list() == [
        True,
        False,
    ]


def test_bitmap_matches_class() -> None:
    bits = np.unpackbits(np.frombuffer(nfc_table(), dtype=np.uint8), bitorder="little")
    assert np.flatnonzero(bits).tolist() == list(_nfc_sensitive_code_points())


def _view(length: int, index: int = 0, offset: int = 0, inline: bytes = b"") -> bytes:
    if length <= 12:
        return np.array([length], dtype="<i4").tobytes() + inline.ljust(12, b"\0")
    return np.array([length, 0, index, offset], dtype="<i4").tobytes()


def _call(views: bytes, buffers: tuple[bytes, ...], n: int = 1, **kw: object) -> tuple[int, int]:
    args: dict[str, object] = {
        "validity": None,
        "offset": 0,
        "bitmap": nfc_table(),
        "out_views": np.empty(16 * n, dtype=np.uint8),
        "out_data": np.empty(64, dtype=np.uint8),
        "flags": np.empty(n, dtype=np.uint8),
    }
    args.update(kw)
    return _normalize.normalize(
        views,
        buffers,
        args["validity"],
        args["offset"],
        n,
        True,
        args["bitmap"],
        args["out_views"],
        args["out_data"],
        args["flags"],
    )


def test_kernel_validates_arguments() -> None:
    text = b"some text that is long"
    assert _call(_view(len(text)), (text,)) == (0, 0)
    assert _call(_view(len(text) + 2), (b"  " + text,)) == (1, len(text))
    with pytest.raises(ValueError, match="outside the data buffers"):
        _call(_view(len(text), offset=1), (text,))
    with pytest.raises(ValueError, match="outside the data buffers"):
        _call(_view(len(text), index=1), (text,))
    with pytest.raises(ValueError, match="outside the data buffers"):
        _call(_view(-1), (text,))
    with pytest.raises(ValueError, match="not valid UTF-8"):
        _call(_view(3, inline=b"a\xe2\x80"), ())
    with pytest.raises(ValueError, match="too short"):
        _call(_view(len(text)), (text,), out_data=np.empty(4, dtype=np.uint8))
    with pytest.raises(ValueError, match="offset \\+ n rows"):
        _call(_view(1, inline=b"a"), (), offset=1)
    with pytest.raises(ValueError, match="bitmap"):
        _call(_view(1, inline=b"a"), (), bitmap=b"")
    with pytest.raises(ValueError, match="one byte per row"):
        _call(_view(1, inline=b"a"), (), flags=np.empty(2, dtype=np.uint8))
    with pytest.raises(ValueError, match="16 bytes per row"):
        _call(_view(1, inline=b"a"), (), out_views=np.empty(8, dtype=np.uint8))
    # A null row is never read, whatever its view holds.
    assert _call(_view(len(text), index=5), (), validity=b"\0") == (0, 0)


def test_pieces_split_by_text_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns with more text than one call may address are cut into pieces; same result."""
    values = ["  a  long row with  spaces ", None, "b\r\n", "c" * 40, "\u00a0" * 20 + "d"] * 5
    s = pl.Series(values, dtype=pl.String)
    want = ref.normalize_series(s).to_list()
    monkeypatch.setattr(normalize_module, "_MAX_PIECE_BYTES", 30)
    assert normalize_series(s).to_list() == want


def _demo_texts() -> list[str]:
    texts = []
    for p in sorted((REPO / "data" / "raw").rglob("*")):
        if p.is_file():
            try:
                texts.append(p.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return texts


def test_demo_corpus_files() -> None:
    """Every decodable file of data/raw, whole, as one field (both modes)."""
    texts = _demo_texts()
    assert texts
    for single in (False, True):
        _check(texts, single)
