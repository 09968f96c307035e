"""The polars-regex normalisation that the C kernel replaced, kept as the test oracle.

This is ``claimset.ingest.normalize`` as of commit 0ba02c9 (steps 3-6 of the policy as a
chain of ``replace_all`` over the column), unchanged except that ``nfc_sensitive_class`` is
imported from the live module (it is still the definition of an NFC-sensitive character).
"""

from __future__ import annotations

import polars as pl

from claimset.ingest.normalize import nfc_sensitive_class
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
