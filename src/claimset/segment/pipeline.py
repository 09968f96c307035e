"""The segment stage: articles -> sentences with exact character offsets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from claimset import io
from claimset.errors import ClaimsetError, InputError
from claimset.segment.config import SegmentConfig
from claimset.segment.split import split_sentences
from claimset.stage import StageReport

REQUIRED = {"article_id": pl.String, "text": pl.String, "title_end": pl.Int64}
SENTENCE_SCHEMA = pl.Schema(
    {
        "sentence_id": pl.String,
        "article_id": pl.String,
        "paragraph": pl.Int64,
        "index": pl.Int64,
        "char_start": pl.Int64,
        "char_end": pl.Int64,
        "text": pl.String,
    }
)


def segment_articles(articles: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of every article, sorted by article_id, index.

    ``paragraph`` is 0 for the title, 1 for the standfirst when there is one, then body
    paragraphs; an article without a title (``title_end == 0``) starts at paragraph 1.
    """
    docs = articles.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("doc"), "article_id", "text", "title_end"
    )
    s = split_sentences(docs.select("doc", "text"), config)
    s = s.join(
        docs.select("doc", "article_id", "title_end"), on="doc", how="left", maintain_order="left"
    )
    return (
        s.with_columns(
            (pl.col("paragraph") + (pl.col("title_end") == 0).cast(pl.Int64)).alias("paragraph"),
            (pl.col("article_id") + "-s" + pl.col("index").cast(pl.String).str.zfill(4)).alias(
                "sentence_id"
            ),
        )
        .select(list(SENTENCE_SCHEMA))
        .cast(SENTENCE_SCHEMA)
        .sort("article_id", "index")
    )


def read_articles(path: str | Path) -> pl.DataFrame:
    """Read the articles table, checking the columns segmentation needs."""
    try:
        df = pl.read_parquet(path, columns=None)
    except FileNotFoundError as exc:
        raise InputError(path, "no such file") from exc
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise InputError(path, f"not a readable parquet file: {exc}") from exc
    for col, dtype in REQUIRED.items():
        if col not in df.columns:
            raise InputError(path, "missing column (run `claimset ingest` first?)", field=col)
        if df.schema[col] != dtype:
            raise InputError(path, f"expected {dtype}, got {df.schema[col]}", field=col)
    nulls = df.filter(pl.col("text").is_null() | pl.col("article_id").is_null())
    if nulls.height:
        raise InputError(path, f"{nulls.height} row(s) have a null text/article_id", field="text")
    return df


def run_segment(
    articles_path: str | Path,
    sentences_path: str | Path,
    report_path: str | Path,
    config: SegmentConfig,
) -> StageReport:
    """Segment the articles table and write sentences + report atomically."""
    report = StageReport("segment")
    articles = read_articles(articles_path)
    sentences = segment_articles(articles, config)
    per_article = sentences.group_by("article_id").len()
    without = articles.height - per_article.height
    if without:  # every article has non-empty text after ingest; anything else is a bug
        raise ClaimsetError(f"{without} article(s) produced no sentences")
    lengths = sentences["char_end"] - sentences["char_start"]
    io.write_parquet(sentences_path, sentences)
    io.write_json(
        report_path,
        {
            "articles": articles.height,
            "sentences": sentences.height,
            "paragraphs": int(
                sentences.select(pl.struct("article_id", "paragraph").n_unique()).item()
            ),
            "sentences_per_article_mean": round(sentences.height / max(articles.height, 1), 4),
            "sentence_chars_median": float(np.median(lengths.to_numpy())) if len(lengths) else 0.0,
            "sentence_chars_max": int(lengths.to_numpy().max()) if len(lengths) else 0,
            "sentences_over_1000_chars": int((lengths > 1000).sum()),
        },
    )
    report.records_in, report.records_out = articles.height, sentences.height
    return report
