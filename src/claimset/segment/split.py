"""Vectorised sentence splitting with exact character offsets.

How it works, all as polars expressions over a batch of texts:

1. **Tile** every text into *pieces* with one inclusive regex split on ``DELIM``: each
   piece runs up to and including a candidate boundary, i.e. a terminator cluster (``.``,
   ``!``, ``?``, ``…``, possibly followed by closing quotes/brackets) plus the whitespace
   after it, or a newline plus the whitespace after it, or the end of the text. Because the
   pieces tile the text exactly, their lengths in characters (code points) give exact
   offsets.
2. **Decide** for each piece, from its last token and the next piece's first word, whether
   the candidate is a real boundary (abbreviations, initials, lower-case continuations,
   ``"...?" she asked``, bullets, wrapped lines, paragraph breaks).
3. **Group** consecutive pieces into sentences and trim surrounding whitespace, so that
   ``text[char_start:char_end] == sentence`` holds by construction.

Decimals (``3.5``), ``U.S.-led`` and URLs never produce a candidate because a terminator
only counts when whitespace or the end of the text follows it.

Every rule is one regex pass over a short window of the piece (its first 80 or last 32
characters) without capture groups, so the regex engine can use its DFA; no Python code
runs per piece or per sentence. polars releases the GIL while it computes, so batches
split on threads use every core.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import polars as pl

from claimset.segment.config import SegmentConfig
from claimset.segment.rules import CONNECTORS, MAYBE_FINAL, NEVER_FINAL, OPENERS, SAYING

# The in-memory engine: the same result as streaming with a third of the fixed cost per
# query, which matters for batches of a few MB.
ENGINE: Final = "in-memory"
_CLOSE = "\"'”’)\\]»"
_OPEN = "\"'“‘(\\[«"
# A candidate boundary; an inclusive split on it tiles a text into pieces.
DELIM = rf"[.!?…]+[{_CLOSE}]*(?:\s+|$)|\n\s*"
_TERM_END = rf"[.!?…][{_CLOSE}]*$"
_QUOTE_END = r"[.!?…][\"”’']\)?$"
_BULLET = r"^\s*(?:[-*•–—▪●◦‣]|\d{1,3}[.)])\s"
# Skipped before a piece's first word; a token ends at the last of these (or whitespace).
_LEAD = rf"^[\s{_OPEN}]*"
# Not a word character (a first word is the longest run of ``[\w'’-]`` after ``_LEAD``).
_NOT_WORD = r"[^\w'’-]"
_SAYING_AFTER = r"^\s*(?:\p{Lu}[\w.'’-]*\s+){1,4}(?:" + "|".join(sorted(SAYING)) + r")\b"


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _first_word_regex(words: Iterable[str]) -> str:
    """Matches a head whose first word (after spaces and opening quotes) is one of ``words``.

    Same as extracting the longest run of word characters or ``'’-`` after ``_LEAD`` and
    matching it against ``words`` case-insensitively, in one capture-free pass.
    """
    return rf"(?i){_LEAD}(?:{_alternation(words)})(?:{_NOT_WORD}|$)"


def _last_token_regex(words: Iterable[str], extra: str = "") -> str:
    """Matches a tail whose last token (after the last space or opening quote) is a word.

    The last token is the longest suffix without whitespace or opening quotes/brackets; a
    word containing one of those could never equal it and is left out.
    """
    words = sorted(words)
    # Checked with the regex engine's own \s (Unicode White_Space), not Python's.
    splits = pl.Series(words, dtype=pl.String).str.contains(rf"[\s{_OPEN}]").to_list()
    usable = [w for w, bad in zip(words, splits, strict=True) if not bad]
    alts = "|".join(a for a in (_alternation(usable), extra) if a)
    return rf"(?i)(?:^|[\s{_OPEN}])(?:{alts})$"


def pieces(texts: pl.LazyFrame) -> pl.LazyFrame:
    """Tile ``texts`` (columns ``doc`` int, ``text`` str) into pieces with char offsets."""
    p = (
        texts.select(
            "doc", pl.col("text").str.split(DELIM, inclusive=True, literal=False).alias("p")
        )
        .explode("p")
        .filter(pl.col("p").str.len_bytes() > 0)  # the empty remainder after a final boundary
    )
    n = pl.col("p").str.len_chars().cast(pl.Int64)
    return (
        p.with_columns(n.alias("n"))
        .with_columns(
            (pl.col("n").cum_sum() - pl.col("n")).alias("g")  # global start, made local below
        )
        .with_columns((pl.col("g") - pl.col("g").min().over("doc")).alias("start"))
    )


def boundaries(p: pl.LazyFrame, config: SegmentConfig) -> pl.LazyFrame:
    """Add ``brk`` (sentence ends after this piece) and ``para`` (paragraph ends here).

    Features of a piece's start (first word, bullet, "<Name> said") are computed on its
    first 80 characters and its end (last token) on its last 32, so that the cost does
    not grow with sentence length; the next piece's start features are a shift.
    """
    core = pl.col("p").str.strip_chars_end()
    head = pl.col("p").str.head(80)
    f = p.with_columns(
        core.alias("core"),
        pl.col("doc").shift(-1).eq(pl.col("doc")).fill_null(False).alias("has_next"),
        head.str.contains(rf"{_LEAD}\p{{Ll}}").alias("lower"),
        head.str.contains(_first_word_regex(OPENERS)).alias("opener"),
        head.str.contains(_SAYING_AFTER).alias("says"),
        head.str.contains(_BULLET).alias("bullet"),
    ).with_columns(
        (pl.col("n") - pl.col("core").str.len_chars()).alias("tail_n"),
        pl.col("core").str.tail(32).alias("t32"),
        *[
            pl.col(c).shift(-1).fill_null(False).alias(f"next_{c}")
            for c in ("lower", "opener", "says", "bullet")
        ],
    )
    nls = pl.col("p").str.tail(pl.col("tail_n")).str.count_matches("\n", literal=True)
    f = f.with_columns(nls.alias("nls"))
    line_start = (pl.col("nls").shift(1) > 0).fill_null(True) | (
        pl.col("doc") != pl.col("doc").shift(1)
    ).fill_null(True)
    t32 = pl.col("t32")
    # End-anchored patterns run on the last characters only (a regex ending in "$" would
    # otherwise scan the whole piece).
    end = pl.col("core").str.tail(8)
    term = end.str.contains(_TERM_END)
    # Initials ("J." in "John F. Kennedy") never end a sentence.
    never_final = t32.str.contains(
        _last_token_regex(NEVER_FINAL | set(config.extra_abbreviations), r"\p{L}\.")
    ) | (
        # A piece that is only a number at the start of a line ("1. Stay home") is a list marker.
        pl.col("core").str.contains(r"^\s*\d{1,3}\.$") & line_start
    )
    maybe_final = t32.str.contains(_last_token_regex(MAYBE_FINAL, r"(?:\p{L}\.){2,}"))
    sentence_end = (
        ~pl.col("next_lower")
        & ~never_final
        & ~(maybe_final & ~pl.col("next_opener"))
        & ~(end.str.contains(_QUOTE_END) & pl.col("next_says"))
    )
    # The last run of word characters of the last token is a connector ("... of the").
    connector = t32.str.contains(rf"(?i)(?:^|\W)(?:{_alternation(CONNECTORS)})$")
    runs_on = pl.col("next_lower") | end.str.contains(r"[,;(\-–/&]$") | connector
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

    ``paragraph`` counts paragraph breaks before the sentence (0-based, per doc); ``doc``
    must be non-decreasing (the pieces of a doc are contiguous).
    """
    return sentences(texts.lazy(), config).collect(engine=ENGINE)


def sentences(texts: pl.LazyFrame, config: SegmentConfig) -> pl.LazyFrame:
    """:func:`split_sentences` as one lazy query (a single plan per batch, no eager steps)."""
    p = boundaries(pieces(texts), config)
    # Sentence and paragraph numbers: a new one starts after every break (global counters;
    # the last piece of a doc is always a break, so docs never share a number). A sentence
    # never spans a paragraph break or a doc, so both are constant within one.
    first = pl.col("brk").shift(1, fill_value=True)  # first piece of a sentence
    lead = pl.col("n") - pl.col("p").str.strip_chars_start().str.len_chars()
    p = p.with_columns(
        first.alias("first"),
        first.cum_sum().alias("sent"),
        pl.col("para").shift(1, fill_value=False).cum_sum().alias("par_g"),
    ).with_columns(
        pl.when("first").then(pl.col("start") + lead).forward_fill().alias("char_start"),
    )
    # A sentence is whitespace-trimmed text from its first piece to its last. Most are one
    # piece (trimmed in place); the few longer ones are joined from their pieces.
    joined = (
        p.filter(~pl.col("first") | ~pl.col("brk"))
        .group_by("sent", maintain_order=True)
        .agg(pl.col("p").str.join("").alias("joined"))
    )
    s = (
        p.filter("brk")
        .select(
            "doc",
            "sent",
            "par_g",
            "char_start",
            (pl.col("start") + pl.col("n") - pl.col("tail_n")).alias("char_end"),
            pl.when("first").then(pl.col("p")).alias("text"),
        )
        .filter(pl.col("char_end") > pl.col("char_start"))
        .join(joined, on="sent", how="left", maintain_order="left")
    )
    doc_start = pl.col("doc") != pl.col("doc").shift(1).fill_null(-1)
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    return s.select(
        "doc",
        (pl.col("par_g") - pl.when(doc_start).then(pl.col("par_g")).forward_fill())
        .cast(pl.Int64)
        .alias("paragraph"),
        (row - pl.when(doc_start).then(row).forward_fill()).alias("index"),
        pl.col("char_start").cast(pl.Int64),
        pl.col("char_end").cast(pl.Int64),
        pl.coalesce("text", "joined").str.strip_chars().alias("text"),
    )


def split_series(texts: pl.Series, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of every text: row (position in ``texts``), paragraph, index, char_start,
    char_end, text; in order of row, then index (a null text has no sentences)."""
    docs = pl.DataFrame(
        {"doc": pl.int_range(len(texts), dtype=pl.Int64, eager=True), "text": texts}
    ).filter(pl.col("text").is_not_null())
    return split_sentences(docs, config).rename({"doc": "row"})


def sentence_ids(ids: pl.Series, rows: pl.Series, index: pl.Series) -> pl.Series:
    """``f"{ids[row]}-s{index:04d}"`` per sentence (``index`` >= 0; more digits past 9999)."""
    return pl.select(
        pl.concat_str(
            [
                ids.gather(rows),
                pl.lit("-s"),
                index.cast(pl.Int64).cast(pl.String).str.zfill(4),
            ]
        ).alias("sentence_id")
    ).to_series()


def split_text(text: str, config: SegmentConfig | None = None) -> list[tuple[int, int, str]]:
    """Convenience for one string: ``[(char_start, char_end, sentence), ...]``."""
    df = split_sentences(pl.DataFrame({"doc": [0], "text": [text]}), config or SegmentConfig())
    return list(df.select("char_start", "char_end", "text").iter_rows())
