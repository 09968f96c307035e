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

How: steps 3-5 are a chain of polars ``replace_all`` regexes, run only on the rows that
match one cheap "needs work" pattern (a row matching none of them is left unchanged by
the chain; a property test checks it); step 6 runs polars' NFC only on rows holding an
NFC-sensitive character (:func:`nfc_sensitive_class`). Long columns are cut into chunks
first so that polars works on them on every core. No per-character Python.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import polars as pl

from claimset.parallel import split_chunks

NEWLINES = r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]"
INVISIBLE = (
    r"[\x01-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff"
    r"\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)
# Zs spelled out: a literal class is several times faster than \p{Zs} in the regex engine.
_ZS = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
SPACES = rf"[ \t{_ZS}]{{2,}}|[\t{_ZS}]"


# A row that matches none of these is left unchanged by steps 3-5 (checked by a property test),
# so only matching rows go through the replacement chain.
_NEEDS_WORK = rf"{NEWLINES}|{INVISIBLE}|{SPACES}| \n|\n |\n\n\n|^[ \n]|[ \n]$"
_NEEDS_WORK_LINE = _NEEDS_WORK + r"|\n"
# Characters outside these blocks may be NFC-sensitive; rows with none of them skip the
# (large, slower) NFC-sensitive class check.
_NFC_SAFE_BLOCKS = ((0x0000, 0x02FF), (0x2010, 0x2027), (0x2030, 0x205E), (0x20A0, 0x20C0))
_MAYBE_NFC = "[^" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in _NFC_SAFE_BLOCKS) + "]"


def normalize_expr(expr: pl.Expr, *, single_paragraph: bool = False) -> pl.Expr:
    """Return ``expr`` normalised by the module policy (NUL handling is the caller's)."""
    out = _chain(expr, single_paragraph=single_paragraph)
    # NFC last: it can compose across a removed character. It never creates whitespace.
    out = (
        pl.when(out.str.contains(nfc_sensitive_class()))
        .then(out.str.normalize("NFC"))
        .otherwise(out)
    )
    return out.str.strip_chars(" \n")


def replace_expr(expr: pl.Expr, *, single_paragraph: bool) -> pl.Expr:
    """Steps 3-5 only (no NFC)."""
    return _chain(expr, single_paragraph=single_paragraph).str.strip_chars(" \n")


def _chain(expr: pl.Expr, *, single_paragraph: bool) -> pl.Expr:
    """The replacement chain of steps 3-5, before the final strip."""
    out = (
        expr.str.replace_all(NEWLINES, "\n")
        .str.replace_all(INVISIBLE, "")
        .str.replace_all(SPACES, " ")
        .str.replace_all(r" ?\n ?", "\n")
    )
    if single_paragraph:
        return out.str.replace_all(r"\n+", " ")
    return out.str.replace_all(r"\n{3,}", "\n\n")


def normalize_series(s: pl.Series, *, single_paragraph: bool = False) -> pl.Series:
    """Normalise a string column; rows that need nothing are not rewritten (nulls stay null)."""
    s = split_chunks(s.cast(pl.String))
    pattern = _NEEDS_WORK_LINE if single_paragraph else _NEEDS_WORK
    idx = s.str.contains(pattern).fill_null(False).arg_true()
    if len(idx):
        fixed = (
            s.gather(idx)
            .to_frame("t")
            .select(replace_expr(pl.col("t"), single_paragraph=single_paragraph))
        )
        s = s.scatter(idx, fixed.to_series())
    maybe = s.str.contains(_MAYBE_NFC).fill_null(False).arg_true()
    if len(maybe):
        sub = s.gather(maybe)
        hit = sub.str.contains(nfc_sensitive_class()).fill_null(False).arg_true()
        if len(hit):
            composed = sub.gather(hit).str.normalize("NFC").str.strip_chars(" \n")
            s = s.scatter(maybe.gather(hit), composed)
    return s


def normalize_series_with_nul(
    s: pl.Series, *, single_paragraph: bool = False
) -> tuple[pl.Series, np.ndarray]:
    """:func:`normalize_series`, plus which rows hold U+0000 (bool array; null rows False).

    Normalisation never removes NUL, so a row holds one before normalisation iff it does
    after.
    """
    s = s.cast(pl.String)
    nul = s.str.contains("\x00", literal=True).fill_null(False).to_numpy()
    return normalize_series(s, single_paragraph=single_paragraph), nul


@functools.cache
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
