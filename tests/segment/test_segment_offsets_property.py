"""Properties over arbitrary Unicode text: exact offsets, full coverage, idempotent normalisation."""

from __future__ import annotations

import unicodedata

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimset.ingest.normalize import nfc_sensitive_class, normalize_text
from claimset.segment import split_text

# Unicode White_Space, the definition the splitter (Rust regex \s, str::trim) uses.
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)
}

# Any code point except surrogates (ingest quarantines them; polars strings cannot hold them),
# mixed with the characters the splitter reacts to so that boundaries actually occur.
CHARS = st.characters(blacklist_categories=("Cs",))
SPECIAL = st.sampled_from(
    [
        *".!?…\"'“”‘’()[]\n \t\r\u2028\u00a0\u200b\u0301-•",
        "U.S.",
        "Mr.",
        "3.5",
        "...",
        "\n\n",
        "1. ",
        "- ",
    ]
)
TEXT = st.lists(st.one_of(CHARS, SPECIAL, st.text(min_size=1, max_size=8)), max_size=80).map(
    "".join
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_offsets_exact_and_complete(text: str) -> None:
    out = split_text(text)
    prev_end = 0
    for start, end, sentence in out:
        assert text[start:end] == sentence
        assert end > start >= prev_end
        assert sentence[0] not in WHITE_SPACE and sentence[-1] not in WHITE_SPACE
        # Only whitespace is skipped between sentences: no text is ever lost.
        assert all(c in WHITE_SPACE for c in text[prev_end:start])
        prev_end = end
    assert all(c in WHITE_SPACE for c in text[prev_end:])


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalize_idempotent_and_nfc(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    for banned in ("\r", "\u200b", "\u2028", "\t", "\n\n\n", "  "):
        assert banned not in once
    assert once == once.strip(" \n")


def test_nfc_class_covers_full_code_point_range() -> None:
    """The skip list in nfc_sensitive_class() drops no NFC-relevant code point."""
    relevant = [
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and (unicodedata.combining(chr(cp)) or not unicodedata.is_normalized("NFC", chr(cp)))
    ]
    assert len(relevant) > 1000
    assert pl.Series(relevant).str.contains(nfc_sensitive_class()).all()
