"""The segment stage: articles -> sentences with exact character offsets.

The articles table is streamed in batches of about ``CHUNK_BYTES`` of text; the batches
are segmented on every core and their sentences go, in input order, to a streaming
parquet writer with a fixed row-group size. Peak memory holds the input as the parquet
reader delivers it plus a few batches, never the whole sentences table, and the output
bytes depend neither on the batch size nor on the number of cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from claimset import io, parallel
from claimset.errors import ClaimsetError, InputError
from claimset.segment import batches
from claimset.segment.config import SegmentConfig
from claimset.segment.split import sentence_ids, split_series
from claimset.stage import StageReport, progress

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
# Text per batch: large enough that the fixed cost of a query (~5 ms) is small, small
# enough that the batches in flight (workers + 1) stay a small fraction of the input.
CHUNK_BYTES = 3 << 20
# Rows per batch from the streaming parquet reader (polars' collect_batches), which reads a
# few batches ahead: 1024 rows (~2 MB of text) kept the peak ~15 MB below 4096 at no cost.
READ_ROWS = 1024
# Rows per parquet row group: fixed, so the file bytes do not depend on the batching; small,
# because the writer holds a row group or more in memory (+1% file size vs 1 << 16).
ROW_GROUP_ROWS = 1 << 14
# zstd level 1: ~2.5x less CPU than the default level (3) for ~15% larger files.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    # min/max of every sentence text cost ~0.2 CPU-s per 100 MB; readers read the file whole.
    "statistics": False,
    "row_group_size": ROW_GROUP_ROWS,
}


def segment_batch(articles: pl.DataFrame, config: SegmentConfig) -> pl.DataFrame:
    """Sentences of one batch of articles (``article_id``, ``text``, ``title_end``), in order.

    ``paragraph`` is 0 for the title, 1 for the standfirst when there is one, then body
    paragraphs; an article without a title (``title_end == 0``) starts at paragraph 1.
    ``sentence_id`` is ``"<article_id>-s<index, zero-padded to 4>"``.
    """
    s = split_series(articles["text"], config)
    row = s["row"]
    no_title = (articles["title_end"] == 0).cast(pl.Int64).gather(row)
    return s.select(
        sentence_ids(articles["article_id"], row, s["index"]),
        articles["article_id"].gather(row).alias("article_id"),
        (pl.col("paragraph") + no_title).alias("paragraph"),
        "index",
        "char_start",
        "char_end",
        "text",
    )


def segment_articles(
    articles: pl.DataFrame, config: SegmentConfig, chunk_bytes: int = CHUNK_BYTES
) -> pl.DataFrame:
    """Sentences of every article, sorted by article_id, index (in-memory API)."""
    if not articles["article_id"].is_sorted():
        articles = articles.sort("article_id", maintain_order=True)
    parts = [s for _, s in _segment_batches([articles], config, chunk_bytes)]
    if not parts:
        return SENTENCE_SCHEMA.to_frame()
    return pl.concat(parts, rechunk=True)


def _segment_batches(
    frames: Iterable[pl.DataFrame], config: SegmentConfig, chunk_bytes: int
) -> Iterator[tuple[int, pl.DataFrame]]:
    """(articles, sentences) of each batch of about ``chunk_bytes``, in input order."""
    return parallel.ordered_map(
        lambda a: (a.height, segment_batch(a, config)),
        batches.rebatch(frames, chunk_bytes),
        parallel.workers(),
    )


def check_articles(path: str | Path) -> tuple[int, bool]:
    """Check the columns segmentation needs; return (rows, sorted by article_id)."""
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
    ids = pl.read_parquet(path, columns=["article_id"])["article_id"]
    if nulls := ids.null_count():
        raise InputError(path, f"{nulls} row(s) have a null text/article_id", field="article_id")
    if ids.n_unique() != ids.len():  # sentence ids would collide
        raise InputError(
            path, f"{ids.len() - ids.n_unique()} duplicate article_id(s)", field="article_id"
        )
    return ids.len(), ids.is_sorted()


def read_articles(path: str | Path) -> pl.DataFrame:
    """Read the articles table (only the columns segmentation needs), checking it."""
    check_articles(path)
    df = pl.read_parquet(path, columns=list(REQUIRED))
    _check_no_null_text(path, df)
    return df


def _check_no_null_text(path: str | Path, df: pl.DataFrame) -> None:
    if nulls := df["text"].null_count():
        raise InputError(path, f"{nulls} row(s) have a null text/article_id", field="text")


def _article_frames(path: str | Path, in_order: bool) -> Iterator[pl.DataFrame]:
    """The articles as the parquet reader streams them, sorted by article_id."""
    if not in_order:  # ingest writes articles sorted by article_id: this is the rare path
        yield read_articles(path).sort("article_id", maintain_order=True)
        return
    scan = pl.scan_parquet(path).select(list(REQUIRED))
    for frame in scan.collect_batches(chunk_size=READ_ROWS):
        _check_no_null_text(path, frame)
        yield frame


@dataclass
class _Totals:
    """Report figures accumulated batch by batch (articles never span batches)."""

    articles: int = 0
    articles_with_sentences: int = 0
    sentences: int = 0
    paragraphs: int = 0
    lengths: list[pl.Series] = field(default_factory=list)

    def add(self, articles: int, s: pl.DataFrame) -> None:
        self.articles += articles
        self.sentences += s.height
        new_article = pl.col("article_id") != pl.col("article_id").shift(1)
        new_para = new_article | (pl.col("paragraph") != pl.col("paragraph").shift(1))
        counts = s.select(
            new_article.fill_null(True).sum().alias("a"), new_para.fill_null(True).sum().alias("p")
        ).row(0)
        self.articles_with_sentences += counts[0]
        self.paragraphs += counts[1]
        self.lengths.append((s["char_end"] - s["char_start"]).cast(pl.Int32))

    def report(self) -> dict[str, Any]:
        lengths = pl.concat(self.lengths) if self.lengths else pl.Series([], dtype=pl.Int32)
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "paragraphs": self.paragraphs,
            "sentences_per_article_mean": round(self.sentences / max(self.articles, 1), 4),
            "sentence_chars_median": float(lengths.median() or 0.0) if len(lengths) else 0.0,  # type: ignore[arg-type]
            "sentence_chars_max": int(lengths.max() or 0) if len(lengths) else 0,  # type: ignore[arg-type]
            "sentences_over_1000_chars": int((lengths > 1000).sum()),
        }


def _progress(
    items: Iterable[tuple[int, pl.DataFrame]], total: int
) -> Iterator[tuple[int, pl.DataFrame]]:
    """Advance a progress bar (stderr, terminals only) by the articles of each batch."""
    with progress("segmenting", total) as advance:
        for n, s in items:
            yield n, s
            advance(n)


def run_segment(
    articles_path: str | Path,
    sentences_path: str | Path,
    report_path: str | Path,
    config: SegmentConfig,
    chunk_bytes: int = CHUNK_BYTES,
) -> StageReport:
    """Segment the articles table and write sentences + report atomically."""
    from polars.io.plugins import register_io_source

    report = StageReport("segment")
    n_rows, in_order = check_articles(articles_path)
    totals = _Totals()

    def sentences(*_: object) -> Iterator[pl.DataFrame]:
        frames = _article_frames(articles_path, in_order)
        for n, s in _progress(_segment_batches(frames, config, chunk_bytes), n_rows):
            totals.add(n, s)
            yield s
        # Raised inside the writer, so that no output replaces the previous one.
        if without := totals.articles - totals.articles_with_sentences:
            # every article has non-empty text after ingest; anything else is a bug
            raise ClaimsetError(f"{without} article(s) produced no sentences")

    with io.atomic_path(sentences_path, suffix=".parquet") as tmp:
        register_io_source(sentences, schema=SENTENCE_SCHEMA).sink_parquet(tmp, **PARQUET_OPTIONS)
    io.write_json(report_path, totals.report())
    report.records_in, report.records_out = totals.articles, totals.sentences
    return report
