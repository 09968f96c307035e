r"""Sentence splitting with exact character offsets (the compiled kernel ``_split``).

How it works, per text, in one pass over its UTF-8 bytes:

1. **Tile** the text into *pieces*, each running up to and including a candidate boundary:
   a terminator cluster (``.``, ``!``, ``?``, ``…``, possibly followed by closing
   quotes/brackets) plus the whitespace after it, or a newline plus the whitespace after
   it, or the end of the text. The pieces tile the text exactly, so counting code points
   gives exact offsets.
2. **Decide** for each piece, from its last token and the next piece's first word, whether
   the candidate is a real boundary (abbreviations, initials, lower-case continuations,
   ``"...?" she asked``, bullets, wrapped lines, paragraph breaks).
3. **Group** consecutive pieces into sentences and trim surrounding whitespace, so that
   ``text[char_start:char_end] == sentence`` holds by construction.

Decimals (``3.5``), ``U.S.-led`` and URLs never produce a candidate because a terminator
only counts when whitespace or the end of the text follows it.

The rules are specified as regexes in ``tests/segment/reference_polars_split.py`` (the
polars implementation the kernel replaced and is tested against; candidates are the
leftmost-first matches of ``[.!?…]+[CLOSE]*(?:\s+|$)|\n\s*``); start features are read
on a piece's first 80 characters and end features on the last 32 of its trimmed text, as
there.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.segment import _split
from claimset.segment.config import SegmentConfig
from claimset.segment.rules import CONNECTORS, MAYBE_FINAL, NEVER_FINAL, OPENERS, SAYING

# Characters that end a last token (Unicode White_Space in ASCII, and the opening quotes
# and brackets "'“‘([«): a word containing one can never equal a last token.
_TOKEN_BREAK: Final = frozenset("\t\n\x0b\x0c\r \"'“‘([«")
_POLICY: Final = {"auto": 0, "always": 1, "never": 2}
COLUMNS: Final = ("row", "paragraph", "index", "char_start", "char_end")


def _words(words: frozenset[str] | set[str]) -> bytes:
    return "\n".join(sorted(words)).encode("ascii")


@functools.lru_cache(maxsize=16)
def _word_lists(extra_abbreviations: tuple[str, ...]) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """The kernel's word lists: never-final, maybe-final, openers, saying, connectors."""
    never = {w for w in NEVER_FINAL | set(extra_abbreviations) if not _TOKEN_BREAK & set(w)}
    maybe = {w for w in MAYBE_FINAL if not _TOKEN_BREAK & set(w)}
    return _words(never), _words(maybe), _words(OPENERS), _words(SAYING), _words(CONNECTORS)


def split_series(texts: pl.Series, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of every text: row (position in ``texts``), paragraph, index, char_start,
    char_end, text; in order of row, then index.

    ``paragraph`` counts paragraph breaks before the sentence (0-based, per text; a null
    text has no sentences). Runs without the GIL, so threads can split batches in parallel.
    """
    views, data = _string_views(texts.fill_null(""))
    cols, text_offsets, text_data = _split.split(
        views, data, *_word_lists(config.extra_abbreviations), _POLICY[config.newline_policy]
    )
    n = len(text_offsets) // 8 - 1
    values = np.frombuffer(cols, dtype=np.int64).reshape(len(COLUMNS), n)
    return pl.DataFrame(
        [pl.Series(name, values[k]) for k, name in enumerate(COLUMNS)]
        + [_large_strings("text", text_offsets, text_data)]
    )


def sentence_ids(ids: pl.Series, rows: pl.Series, index: pl.Series) -> pl.Series:
    """``f"{ids[row]}-s{index:04d}"`` per sentence (the kernel; no Python string per row).

    ``ids`` has no nulls; ``rows`` (positions in ``ids``) and ``index`` (>= 0) are Int64.
    """
    views, data = _string_views(ids)
    offsets, text = _split.sentence_ids(
        views, data, rows.cast(pl.Int64).to_numpy().data, index.cast(pl.Int64).to_numpy().data
    )
    return _large_strings("sentence_id", offsets, text)


def _string_views(texts: pl.Series) -> tuple[pa.Buffer, list[pa.Buffer]]:
    """polars' own string layout (Arrow string_view), handed to a kernel without a copy:
    the views buffer (16 bytes per value) and the data buffers."""
    arr = texts.rechunk().to_arrow(compat_level=pl.CompatLevel.newest())
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - rechunked above
        arr = arr.combine_chunks()
    if arr.type != pa.string_view():
        raise TypeError(f"expected a string_view array from polars, got {arr.type}")
    bufs = arr.buffers()
    return bufs[1].slice(16 * arr.offset, 16 * len(arr)), bufs[2:]


def _large_strings(name: str, offsets: bytes, data: bytes) -> pl.Series:
    """A String Series from a large_string array's int64 offsets and data (kernel output)."""
    n = len(offsets) // 8 - 1
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.Series(name, pl.from_arrow(arr), dtype=pl.String)


def split_sentences(texts: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of ``texts`` (``doc``, ``text``; one row per doc): doc, paragraph, index,
    char_start, char_end, text."""
    s = split_series(texts["text"], config)
    return s.select(
        texts["doc"].gather(s["row"]).alias("doc"),
        *(c for c in s.columns if c != "row"),
    )


def split_text(text: str, config: SegmentConfig | None = None) -> list[tuple[int, int, str]]:
    """Convenience for one string: ``[(char_start, char_end, sentence), ...]``."""
    df = split_series(pl.Series([text], dtype=pl.String), config or SegmentConfig())
    return list(df.select("char_start", "char_end", "text").iter_rows())
