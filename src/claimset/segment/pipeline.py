"""The segment stage: articles -> sentences with exact character offsets."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polars as pl

from claimset import io
from claimset.errors import ClaimsetError, InputError
from claimset.ingest.parallel import release_freed_memory
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


def segment_articles(
    articles: pl.DataFrame, config: SegmentConfig, chunk_bytes: int = 16 << 20
) -> pl.DataFrame:
    """Sentences of every article, sorted by article_id, index.

    ``paragraph`` is 0 for the title, 1 for the standfirst when there is one, then body
    paragraphs; an article without a title (``title_end == 0``) starts at paragraph 1.
    Articles are processed in chunks of about ``chunk_bytes`` of text so that the
    intermediate piece tables stay small whatever the corpus size.
    """
    if articles.height == 0:
        return SENTENCE_SCHEMA.to_frame()
    cum = articles["text"].str.len_bytes().cum_sum().to_numpy()
    cuts = np.searchsorted(cum, np.arange(chunk_bytes, int(cum[-1]), chunk_bytes), side="right")
    edges = np.unique(np.concatenate([[0], cuts, [articles.height]])).tolist()
    parts = [
        _segment_chunk(articles.slice(lo, hi - lo), config) for lo, hi in itertools.pairwise(edges)
    ]
    out = pl.concat(parts)
    del parts
    if not _sorted_by_article_index(out):  # ingest writes articles sorted: usually skipped
        out = out.sort("article_id", "index")
    # rechunk: the parquet bytes must not depend on how many cores split the work.
    return out.rechunk()


def _sorted_by_article_index(s: pl.DataFrame) -> bool:
    """True when ``s`` is already in (article_id, index) order (a sort would be a copy)."""
    if s.height < 2:
        return True
    return bool(
        s.select(
            (
                (pl.col("article_id") > pl.col("article_id").shift(1))
                | (
                    (pl.col("article_id") == pl.col("article_id").shift(1))
                    & (pl.col("index") > pl.col("index").shift(1))
                )
            )
            .slice(1)
            .all()
        ).item()
    )


def _segment_chunk(articles: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
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
    )


def read_articles(path: str | Path) -> pl.DataFrame:
    """Read the articles table, checking the columns segmentation needs."""
    try:
        schema = pl.read_parquet_schema(path)
    except FileNotFoundError as exc:
        raise InputError(path, "no such file") from exc
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise InputError(path, f"not a readable parquet file: {exc}") from exc
    for col, dtype in REQUIRED.items():
        if col not in schema:
            raise InputError(path, "missing column (run `claimset ingest` first?)", field=col)
        if schema[col] != dtype:
            raise InputError(path, f"expected {dtype}, got {schema[col]}", field=col)
    # Only the columns segmentation needs: body and the rest would double the memory.
    df = pl.read_parquet(path, columns=list(REQUIRED))
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
    n_articles = articles.height
    del articles  # not needed for the write: keep the peak down
    release_freed_memory()
    without = n_articles - sentences["article_id"].n_unique()
    if without:  # every article has non-empty text after ingest; anything else is a bug
        raise ClaimsetError(f"{without} article(s) produced no sentences")
    lengths = sentences["char_end"] - sentences["char_start"]
    io.write_parquet(sentences_path, sentences)
    io.write_json(
        report_path,
        {
            "articles": n_articles,
            "sentences": sentences.height,
            "paragraphs": int(
                sentences.select(pl.struct("article_id", "paragraph").n_unique()).item()
            ),
            "sentences_per_article_mean": round(sentences.height / max(n_articles, 1), 4),
            "sentence_chars_median": float(np.median(lengths.to_numpy())) if len(lengths) else 0.0,
            "sentence_chars_max": int(lengths.to_numpy().max()) if len(lengths) else 0,
            "sentences_over_1000_chars": int((lengths > 1000).sum()),
        },
    )
    report.records_in, report.records_out = n_articles, sentences.height
    return report
