"""Benchmark: the publish stage on 1M claim rows and 1M sentences (issue 15, point 7).

Target: ``build_release`` (read the split tables, ClassLabel-encode, write parquet per config
and split, card, croissant.json, checksums) in under 30 s. Tables go polars -> Arrow ->
parquet; no pandas frame is made. The synthetic split tables (written once, outside the
timing) follow the split stage's output contract:

* ``claim_detection``: ``--sentences`` rows (default 1M), 20 sentences per article;
* ``claims``: ``--claims`` rows (default 1M);
* ``attribution``: one row per article, 20 tokens per sentence (20M tokens by default);
* ``articles``: 50k articles of about 2.6k characters; ``stance``: 100k rows.

    .venv/bin/python scripts/bench_publish.py [--claims 1000000] [--sentences 1000000]
        [--repeat 3] [--json out.json]

The machine is shared with other engineers' jobs: report the median with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

SPLIT_NAMES = np.array(["train", "validation", "test"])


def _split_of(article_index: pl.Expr) -> pl.Expr:
    # 70/15/15 by article, as the split stage assigns whole articles.
    m = article_index % 20
    return (
        pl.when(m < 14)
        .then(pl.lit("train"))
        .when(m < 17)
        .then(pl.lit("validation"))
        .otherwise(pl.lit("test"))
    )


def make_tables(n_claims: int, n_sentences: int, out: Path, seed: int = 0) -> None:
    """Write the five split tables for the benchmark under ``out``."""
    rng = np.random.default_rng(seed)
    per_article = 20
    n_articles = max(1, n_sentences // per_article)
    words = [
        "the",
        "minister",
        "said",
        "that",
        "the",
        "new",
        "policy",
        "would",
        "cost",
        "the",
        "economy",
        "billions",
        "by",
        "next",
        "year",
    ]
    sentence = " ".join(words[:15]) + "."
    out.mkdir(parents=True, exist_ok=True)
    art = pl.DataFrame({"i": np.arange(n_articles)}).with_columns(
        pl.format("a-{}", pl.col("i").cast(pl.String).str.zfill(16)).alias("article_id"),
        pl.format("Headline {}", pl.col("i")).alias("title"),
        pl.format("{} {}", pl.col("i"), pl.lit(" ".join([sentence] * per_article * 2))).alias(
            "text"
        ),
        pl.when(pl.col("i") % 2 == 0)
        .then(pl.lit("wire"))
        .otherwise(pl.lit("claimset-demo"))
        .alias("source"),
        pl.lit(None, dtype=pl.String).alias("url"),
        pl.lit("2026-01-01").alias("published_at"),
        pl.lit("en").alias("language"),
        (pl.col("i") % 2 == 1).alias("synthetic"),
        _split_of(pl.col("i")).alias("split"),
    )
    art.drop("i").write_parquet(out / "articles.parquet")
    s = pl.DataFrame({"j": np.arange(n_sentences)}).with_columns(
        (pl.col("j") // per_article).alias("i")
    )
    cd = s.with_columns(
        pl.format(
            "a-{}-s{}",
            pl.col("i").cast(pl.String).str.zfill(16),
            (pl.col("j") % per_article).cast(pl.String).str.zfill(4),
        ).alias("sentence_id"),
        pl.format("a-{}", pl.col("i").cast(pl.String).str.zfill(16)).alias("article_id"),
        ((pl.col("j") % per_article) * (len(sentence) + 1)).alias("char_start"),
        ((pl.col("j") % per_article) * (len(sentence) + 1) + len(sentence)).alias("char_end"),
        pl.format("{} ({})", pl.lit(sentence[:-1]), pl.col("j")).alias("text"),
        pl.Series(np.where(rng.random(n_sentences) < 0.7, "claim", "not_claim")).alias("label"),
        pl.lit(2).cast(pl.Int64).alias("n_annotators"),
        pl.lit(1.0).alias("agreement"),
        _split_of(pl.col("i")).alias("split"),
    ).with_columns(
        pl.when(pl.col("label") == "claim")
        .then(pl.Series(np.where(rng.random(n_sentences) < 0.4, "yes", "no")))
        .otherwise(None)
        .alias("checkworthy")
    )
    cd.drop("i", "j").write_parquet(out / "claim_detection.parquet")
    c = pl.DataFrame({"k": np.arange(n_claims)}).with_columns(
        ((pl.col("k") * n_articles) // max(n_claims, 1)).alias("i")
    )
    types = np.array(["factual", "prediction", "opinion", "warning"])
    claims = c.with_columns(
        pl.format("a-{}-g{}", pl.col("i").cast(pl.String).str.zfill(16), pl.col("k")).alias(
            "claim_id"
        ),
        pl.format("a-{}", pl.col("i").cast(pl.String).str.zfill(16)).alias("article_id"),
        pl.format("a-{}-s0001", pl.col("i").cast(pl.String).str.zfill(16)).alias("sentence_id"),
        pl.lit(113).cast(pl.Int64).alias("char_start"),
        pl.lit(175).cast(pl.Int64).alias("char_end"),
        pl.format(
            "the new policy would cost the economy {} billion by next year", pl.col("k")
        ).alias("text"),
        pl.lit(84).cast(pl.Int64).alias("speaker_start"),
        pl.lit(92).cast(pl.Int64).alias("speaker_end"),
        pl.lit("minister").alias("speaker_text"),
        pl.lit("Minister Jane Doe").alias("speaker_name"),
        pl.lit(False).alias("speaker_unnamed"),
        pl.lit(False).alias("speaker_pronoun"),
        pl.lit("said").alias("cue"),
        pl.Series(types[rng.integers(0, 4, n_claims)]).alias("claim_type"),
        pl.Series(np.where(rng.random(n_claims) < 0.4, "yes", "no")).alias("checkworthy"),
        pl.lit(1.0).alias("confidence"),
        pl.lit(2).cast(pl.Int64).alias("n_annotators"),
        pl.lit(1.0).alias("agreement"),
        pl.lit("majority").alias("method"),
        _split_of(pl.col("i")).alias("split"),
    )
    claims.drop("i", "k").write_parquet(out / "claims.parquet")
    n_tok = per_article * 16
    tags = ["O", "O", "B-SOURCE", "B-CUE", "B-CONTENT"] + ["I-CONTENT"] * 10 + ["O"]
    attribution = art.select(
        "article_id",
        pl.lit([*words[:15], "."] * per_article).alias("tokens"),
        pl.lit(list(range(0, n_tok * 5, 5))).alias("token_starts"),
        pl.lit(list(range(3, n_tok * 5, 5))).alias("token_ends"),
        pl.lit(tags * per_article).alias("tags"),
        "split",
    )
    attribution.write_parquet(out / "attribution.parquet")
    n_stance = max(1, n_sentences // 10)
    labels = np.array(["favor", "against", "neutral", "unrelated"])
    st = (
        pl.DataFrame({"k": np.arange(n_stance)})
        .with_columns((pl.col("k") % n_articles).alias("i"))
        .with_columns(
            pl.format("p-{}", pl.col("k").cast(pl.String).str.zfill(12)).alias("item_id"),
            pl.format("a-{}", pl.col("i").cast(pl.String).str.zfill(16)).alias("article_id"),
            pl.lit("wire").alias("source"),
            pl.lit("2026-01-01").alias("published_at"),
            pl.lit("target").alias("pair_kind"),
            pl.format("t-{}", pl.col("k") % 50).alias("target_id"),
            pl.lit("The policy should be adopted").alias("target"),
            pl.lit(sentence).alias("text"),
            pl.lit(" ".join([sentence] * 4)).alias("context"),
            pl.Series(labels[rng.integers(0, 4, n_stance)]).alias("label"),
            pl.lit("majority").alias("method"),
            pl.lit(1.0).alias("confidence"),
            pl.lit(3).cast(pl.Int64).alias("n_annotators"),
            pl.lit(1.0).alias("agreement"),
            pl.lit(False).alias("synthetic"),
            _split_of(pl.col("i")).alias("split"),
        )
    )
    st.drop("i", "k").write_parquet(out / "stance.parquet")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--sentences", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", type=float, default=30.0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    from claimset.publish import build_release
    from claimset.publish.config import PublishConfig
    from claimset.release_config import DatasetConfig

    import_s = time.perf_counter() - t0
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        splits = Path(tmp) / "splits"
        t = time.perf_counter()
        make_tables(args.claims, args.sentences, splits)
        gen_s = time.perf_counter() - t
        sizes = {
            p.stem: pl.scan_parquet(p).select(pl.len()).collect().item()
            for p in sorted(splits.glob("*.parquet"))
        }
        times = []
        for n in range(args.repeat):
            out = Path(tmp) / f"release-{n}"
            t = time.perf_counter()
            report = build_release(
                splits,
                out,
                DatasetConfig(source_licenses={"claimset-demo": "cc-by-4.0"}),
                PublishConfig(),
                guidelines_dir=root / "configs" / "guidelines",
            )
            times.append(time.perf_counter() - t)
            release_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            print(
                f"run {n + 1}: {times[-1]:.2f} s ({report.records_out} rows, {release_bytes / 1e6:.1f} MB)",
                flush=True,
            )
    median = statistics.median(times)
    result = {
        "rows": sizes,
        "generate_seconds": round(gen_s, 2),
        "import_seconds": round(import_s, 2),
        "publish_seconds": [round(x, 2) for x in times],
        "publish_median_seconds": round(median, 2),
        "target_seconds": args.target,
        "meets_target": median < args.target,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
