"""Text normalisation policy, applied to every article field before any offset exists.

Policy (also in docs/ingest.md), in this order:

1. **Decoding** (readers, not here): UTF-8 unless an encoding is declared (sidecar
   ``encoding`` or ``ingest.encodings``); decoding is strict, so undecodable bytes quarantine
   the record (reason ``undecodable``) and are never turned into mojibake. A leading BOM is
   removed. Unpaired surrogates (from JSON ``\\ud800`` escapes) quarantine the record
   (``lone_surrogate``).
2. **NUL**: a record containing U+0000 is quarantined (``nul_byte``): NULs mean binary data
   or UTF-16 read as UTF-8, and silently deleting them would hide the wrong encoding.
3. **Newlines**: ``\\r\\n``, lone ``\\r``, VT, FF, NEL (U+0085), LINE SEPARATOR (U+2028) and
   PARAGRAPH SEPARATOR (U+2029) become ``\\n``.
4. **Invisible characters removed**: other C0/C1 controls (except ``\\t`` and ``\\n``), DEL,
   soft hyphen U+00AD, zero-width space U+200B, word joiner U+2060, BOM/ZWNBSP U+FEFF
   anywhere, and the bidi controls U+200E/U+200F (LRM/RLM), U+061C (ALM), U+202A-U+202E
   (embeddings/overrides) and U+2066-U+2069 (isolates). Bidi controls are invisible, change
   how text *displays* without changing what it says, and are a known spoofing vector
   ("Trojan Source"); right-to-left letters themselves are kept, and renderers derive their
   direction from the letters. ZWJ U+200D and ZWNJ U+200C are **kept**: they are part of
   emoji sequences and of Persian/Indic spelling.
5. **Whitespace**: tabs and every Unicode space separator (Zs, e.g. NBSP, thin space) become
   one ASCII space, runs of spaces collapse to one, spaces at line ends/starts are dropped,
   three or more newlines become a paragraph break ``\\n\\n``, and the field is stripped.
   Title and standfirst are single paragraphs: every newline in them becomes a space.
6. **Unicode NFC**, last, so that removing an invisible character between a letter and a
   combining mark still yields composed text (the whole function is idempotent).

How: steps 3-5 run in one pass of a C kernel (``_normalize.c``) over the column's Arrow
string views, which also flags the rows that hold an NFC-sensitive character
(:func:`nfc_sensitive_class`) or a NUL (step 2's check, for the caller); only NFC-flagged rows
go through polars' NFC (step 6). Unchanged
rows keep pointing at the input text, so only changed rows are written anew. No
per-character Python.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest import _normalize

# The kernel decodes characters below U+0300 without looking them up in the NFC bitmap:
# none of them is NFC-sensitive (asserted in _nfc_sensitive_code_points).
_NFC_FREE_BELOW = 0x300
# A string view addresses its buffer with an int32 offset, so one kernel call writes at
# most this much text (rows are split into pieces by their input length).
_MAX_PIECE_BYTES = 1 << 30
_INLINE_MAX = 12  # Arrow keeps strings of up to 12 bytes inside their view
_FLAG_NFC, _FLAG_NUL = 1, 2  # the kernel's per-row flag bits


def normalize_series(s: pl.Series, *, single_paragraph: bool = False) -> pl.Series:
    """Normalise a string column by the module policy (NUL handling is the caller's).

    Nulls stay null. A column that needs no change is returned as it is.
    """
    return normalize_series_with_nul(s, single_paragraph=single_paragraph)[0]


def normalize_series_with_nul(
    s: pl.Series, *, single_paragraph: bool = False
) -> tuple[pl.Series, np.ndarray]:
    """:func:`normalize_series`, plus which rows hold U+0000 (bool array; null rows False).

    Found in the same pass: normalisation never removes NUL, so a row holds one before
    normalisation iff it does after.
    """
    s = s.cast(pl.String)
    arr = s.to_arrow(compat_level=pl.CompatLevel.newest())
    if not pa.types.is_string_view(arr.type):  # the kernel reads views, never offsets
        raise TypeError(f"polars exported {arr.type}, expected string_view")
    n = len(arr)
    if arr.null_count == n:
        return s, np.zeros(n, dtype=bool)
    lengths = np.frombuffer(arr.buffers()[1], dtype=np.int32).reshape(-1, 4)[
        arr.offset : arr.offset + n, 0
    ]
    # Text the kernel may write to its data buffer (rows of at most 12 bytes stay inline).
    # A piece holds rows whose text starts in one _MAX_PIECE_BYTES window, so every offset
    # the kernel writes fits an int32; nearly always there is one piece.
    written = np.where(lengths > _INLINE_MAX, lengths, 0).astype(np.int64)
    total = int(written.sum())
    if total <= _MAX_PIECE_BYTES:
        bounds = [0, n]
    else:
        starts = np.cumsum(written) - written
        bounds = [0, *(np.flatnonzero(np.diff(starts // _MAX_PIECE_BYTES)) + 1).tolist(), n]
    parts, flags = [], []
    for a, b in itertools.pairwise(bounds):
        piece = arr.slice(a, b - a)
        out, piece_flags = _normalize_views(piece, single_paragraph, int(written[a:b].sum()))
        parts.append(out)
        flags.append(piece_flags)
    if any(p is not None for p in parts):
        chunks = [
            p if p is not None else arr.slice(a, b - a)
            for p, (a, b) in zip(parts, itertools.pairwise(bounds), strict=True)
        ]
        s = pl.concat([pl.Series(s.name, c, dtype=pl.String) for c in chunks])
    all_flags = flags[0] if len(flags) == 1 else np.concatenate(flags)
    hit = np.flatnonzero(all_flags & _FLAG_NFC)
    if len(hit):
        # NFC last: it can compose across a removed character. No canonical decomposition
        # holds a space or newline, so the strip keeps the result exact at no real cost.
        composed = s.gather(hit).str.normalize("NFC").str.strip_chars(" \n")
        s = s.scatter(hit, composed)
    return s, (all_flags & _FLAG_NUL).astype(bool)


def _normalize_views(
    arr: pa.Array, single_paragraph: bool, capacity: int
) -> tuple[pa.Array | None, np.ndarray]:
    """One kernel call over a string_view array whose long rows hold ``capacity`` bytes.

    Returns the normalised array (None if no row changed) and the rows' flag bytes.
    """
    n = len(arr)
    validity, views, *data = arr.buffers()
    out_views = np.empty(16 * n, dtype=np.uint8)
    # Only changed rows are written here; untouched pages of np.empty cost no memory.
    out_data = np.empty(capacity, dtype=np.uint8)
    flags = np.empty(n, dtype=np.uint8)
    changed, used = _normalize.normalize(
        views,
        tuple(data),
        validity,
        arr.offset,
        n,
        single_paragraph,
        nfc_table(),
        out_views,
        out_data,
        flags,
    )
    if not changed:
        return None, flags
    out = pa.Array.from_buffers(
        pa.string_view(),
        n,
        [
            None if validity is None else _slice_bits(validity, arr.offset, n),
            pa.py_buffer(out_views),
            *data,
            pa.py_buffer(out_data[:used]),
        ],
        arr.null_count,
    )
    return out, flags


def _slice_bits(bitmap: pa.Buffer, offset: int, n: int) -> pa.Buffer:
    """Bits offset .. offset + n - 1 of an Arrow bitmap, as a bitmap starting at bit 0."""
    if offset % 8 == 0:
        return bitmap.slice(offset // 8, (n + 7) // 8)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return pa.py_buffer(np.packbits(bits[offset : offset + n], bitorder="little"))


@functools.cache
def nfc_table() -> bytes:
    """The NFC-sensitive code points as the kernel's bitmap (bit cp & 7 of byte cp >> 3)."""
    bits = np.zeros(0x110000, dtype=bool)
    bits[list(_nfc_sensitive_code_points())] = True
    return np.packbits(bits, bitorder="little").tobytes()


def nfc_sensitive_class() -> str:
    """Regex class of the characters whose presence can make NFC change a string.

    A superset of Unicode's NFC_Quick_Check != Yes, plus every non-zero combining class
    (canonical reordering): characters that change under NFC, characters that can combine
    with a preceding one (second half of a canonical pair), and combining marks. A string
    with none of them is already NFC, so it can skip the normaliser.
    """
    return "[" + "".join(_ranges(list(_nfc_sensitive_code_points()))) + "]"


@functools.cache
def _nfc_sensitive_code_points() -> tuple[int, ...]:
    """The code points of :func:`nfc_sensitive_class`, ascending."""
    chars: set[int] = set()
    for cp in _candidate_code_points():
        c = chr(cp)
        if unicodedata.combining(c) or not unicodedata.is_normalized("NFC", c):
            chars.add(cp)
        dec = unicodedata.decomposition(c)
        if dec and not dec.startswith("<"):
            parts = dec.split()
            if len(parts) == 2:
                chars.add(int(parts[1], 16))
    chars.update(range(0x1161, 0x1176))  # Hangul medial vowels and final consonants compose
    chars.update(range(0x11A8, 0x11C3))  # algorithmically, without a decomposition entry
    if min(chars) < _NFC_FREE_BELOW:  # the kernel never looks these up
        raise AssertionError(f"NFC-sensitive character below {_NFC_FREE_BELOW:#x}")
    return tuple(sorted(chars))


def _candidate_code_points() -> list[int]:
    """Code points worth checking; the skipped blocks hold only NFC-stable characters.

    Skipped: CJK unified ideographs (BMP and plane 2 outside the compatibility block),
    Hangul syllables (already composed), surrogates, private use, planes 3-16 (tags and
    variation selectors have combining class 0 and no decomposition). A unit test checks
    that the full range adds nothing.
    """
    spans = [(0, 0x3400), (0xA000, 0xAC00), (0xD7A4, 0xD800), (0xF900, 0x20000), (0x2F800, 0x2FA20)]
    return [cp for lo, hi in spans for cp in range(lo, hi)]


def _ranges(cps: list[int]) -> list[str]:
    out: list[str] = []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        out.append(f"\\x{{{start:x}}}" if start == prev else f"\\x{{{start:x}}}-\\x{{{prev:x}}}")
        start = prev = cp
    return out


def normalize_text(text: str, *, single_paragraph: bool = False) -> str:
    """Normalise one string (convenience for tests and callers outside a DataFrame)."""
    out = normalize_series(pl.Series([text], dtype=pl.String), single_paragraph=single_paragraph)
    return str(out.item())
