"""The splitter as it was before the speed rewrite (commit f5df97a), kept as an oracle.

The tests check that claimset.segment.split gives exactly the same sentences and offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from claimset.segment.config import SegmentConfig
from claimset.segment.rules import CONNECTORS, MAYBE_FINAL, NEVER_FINAL, OPENERS, SAYING

_CLOSE = "\"'”’)\\]»"
_OPEN = "\"'“‘(\\[«"
PIECE = rf"(?s).*?(?:[.!?…]+[{_CLOSE}]*(?:\s+|$)|\n\s*|$)"
_TERM_END = rf"[.!?…][{_CLOSE}]*$"
_QUOTE_END = r"[.!?…][\"”’']\)?$"
_BULLET = r"^\s*(?:[-*•–—▪●◦‣]|\d{1,3}[.)])\s"
_FIRST_WORD = rf"^[\s{_OPEN}]*([\w'’-]*)"
_SAYING_AFTER = r"^\s*(?:\p{Lu}[\w.'’-]*\s+){1,4}(?:" + "|".join(sorted(SAYING)) + r")\b"


def pieces(texts: pl.DataFrame) -> pl.DataFrame:
    """Tile ``texts`` (columns ``doc`` int, ``text`` str) into pieces with char offsets."""

    p = (
        texts.select("doc", pl.col("text").str.extract_all(PIECE).alias("p"))
        .explode("p")
        .filter(pl.col("p").str.len_bytes() > 0)  # the empty match at the end of a text
    )
    n = pl.col("p").str.len_chars().cast(pl.Int64)
    return (
        p.with_columns(n.alias("n"))
        .with_columns(
            (pl.col("n").cum_sum() - pl.col("n")).alias("g")  # global start, made local below
        )
        .with_columns((pl.col("g") - pl.col("g").min().over("doc")).alias("start"))
    )


def words_regex(words: Iterable[str]) -> str:
    """Case-insensitive whole-string alternation: faster than ``is_in`` on short tokens."""
    return (
        r"(?i)^(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
        + r")$"
    )


def boundaries(p: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
    """Add ``brk`` (sentence ends after this piece) and ``para`` (paragraph ends here).

    Features of a piece's start (first word, bullet, "<Name> said") are computed on its
    first 80 characters and its end (last token) on its last 32, so that the cost does
    not grow with sentence length; the next piece's start features are a shift.
    """
    never = words_regex(NEVER_FINAL | set(config.extra_abbreviations))
    core = pl.col("p").str.strip_chars_end()
    head = pl.col("p").str.head(80)
    first_word = head.str.extract(_FIRST_WORD)
    f = p.with_columns(
        core.alias("core"),
        (pl.col("n") - core.str.len_chars()).alias("tail_n"),
        pl.col("doc").shift(-1).eq(pl.col("doc")).fill_null(False).alias("has_next"),
        first_word.str.contains(r"^\p{Ll}").fill_null(False).alias("lower"),
        first_word.str.contains(words_regex(OPENERS)).fill_null(False).alias("opener"),
        head.str.contains(_SAYING_AFTER).alias("says"),
        head.str.contains(_BULLET).alias("bullet"),
    ).with_columns(
        pl.col("core").str.tail(32).str.extract(rf"([^\s{_OPEN}]+)$").fill_null("").alias("tok"),
        pl.col("p").str.tail(pl.col("tail_n")).str.count_matches("\n", literal=True).alias("nls"),
        *[
            pl.col(c).shift(-1).fill_null(False).alias(f"next_{c}")
            for c in ("lower", "opener", "says", "bullet")
        ],
    )
    line_start = (pl.col("nls").shift(1) > 0).fill_null(True) | (
        pl.col("doc") != pl.col("doc").shift(1)
    ).fill_null(True)
    tok = pl.col("tok")
    # End-anchored patterns run on the last characters only (a regex ending in "$" would
    # otherwise scan the whole piece).
    end = pl.col("core").str.tail(8)
    term = end.str.contains(_TERM_END)
    # Initials ("J." in "John F. Kennedy") never end a sentence.
    never_final = (
        tok.str.contains(never)
        | tok.str.contains(r"^\p{L}\.$")
        # A piece that is only a number at the start of a line ("1. Stay home") is a list marker.
        | (pl.col("core").str.contains(r"^\s*\d{1,3}\.$") & line_start)
    )
    maybe_final = tok.str.contains(words_regex(MAYBE_FINAL)) | tok.str.contains(
        r"^(?:\p{L}\.){2,}$"
    )
    sentence_end = (
        ~pl.col("next_lower")
        & ~never_final
        & ~(maybe_final & ~pl.col("next_opener"))
        & ~(end.str.contains(_QUOTE_END) & pl.col("next_says"))
    )
    runs_on = (
        pl.col("next_lower")
        | end.str.contains(r"[,;(\-–/&]$")
        | tok.str.extract(r"(\w+)$").str.contains(words_regex(CONNECTORS)).fill_null(False)
    )
    line_break = {
        "auto": ~runs_on | pl.col("bullet") | pl.col("next_bullet"),
        "always": pl.lit(True),
        "never": pl.col("bullet") | pl.col("next_bullet"),
    }[config.newline_policy]
    para = (pl.col("nls") >= 2) | ~pl.col("has_next")
    brk = para | pl.when(term).then(sentence_end).otherwise((pl.col("nls") == 1) & line_break)
    return f.select("doc", "p", "n", "start", "tail_n", para.alias("para"), brk.alias("brk"))


def split_sentences(texts: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of ``texts`` (``doc``, ``text``): doc, paragraph, index, char_start, char_end, text.

    ``paragraph`` counts paragraph breaks before the sentence (0-based, per doc).
    """
    p = boundaries(pieces(texts), config)
    # Sentence and paragraph numbers: a new one starts after every break (global counters;
    # the last piece of a doc is always a break, so docs never share a number).
    p = p.with_columns(
        pl.col("brk").shift(1, fill_value=False).cum_sum().alias("sent"),
        pl.col("para").shift(1, fill_value=False).cum_sum().alias("par_g"),
    )
    lead = pl.col("p").str.len_chars() - pl.col("p").str.strip_chars_start().str.len_chars()
    first = p.filter(pl.col("sent") != pl.col("sent").shift(1).fill_null(-1)).select(
        "doc", "sent", "par_g", (pl.col("start") + lead.cast(pl.Int64)).alias("char_start")
    )
    last = p.filter(pl.col("brk")).select(
        (pl.col("start") + pl.col("n") - pl.col("tail_n")).alias("char_end")
    )
    s = pl.concat([first, last], how="horizontal").filter(pl.col("char_end") > pl.col("char_start"))
    s = s.with_columns(
        (pl.col("par_g") - pl.col("par_g").min().over("doc")).alias("paragraph"),
        pl.int_range(pl.len()).over("doc").alias("index"),
    )
    s = s.join(
        texts.select("doc", "text"), on="doc", how="left", maintain_order="left"
    ).with_columns(
        pl.col("text").str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start"))
    )
    return s.select(
        "doc",
        pl.col("paragraph").cast(pl.Int64),
        pl.col("index").cast(pl.Int64),
        pl.col("char_start").cast(pl.Int64),
        pl.col("char_end").cast(pl.Int64),
        "text",
    )


def split_text(text: str, config: SegmentConfig | None = None) -> list[tuple[int, int, str]]:
    """Convenience for one string: ``[(char_start, char_end, sentence), ...]``."""
    df = split_sentences(pl.DataFrame({"doc": [0], "text": [text]}), config or SegmentConfig())
    return list(df.select("char_start", "char_end", "text").iter_rows())
