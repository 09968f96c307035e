"""Stance pairs: targets x the claim sentences that concern them, and headline x body.

A claim sentence concerns a target when it contains at least ``min_keyword_hits`` distinct
target keywords, or when its article is about the target (that many distinct keywords in
title + standfirst) and the sentence mentions one keyword, or names no other target's keyword
and is an attributed claim or a check-worthy assertion (prior >= ``topic_min_checkworthy``, e.g. the seed's Cuban Missile
Crisis comparison). The
second rule keeps "He urged Western nations to carefully consider ..." paired with the NATO
target although it names no keyword: in an article about the target, a reported statement
is almost always about it. One pair per (target, sentence): two claims in one sentence share
the stance of the sentence, which is what annotators label (configs/guidelines/stance.md).
"""

from __future__ import annotations

import hashlib

import polars as pl

from claimset.stance.config import StanceConfig
from claimset.stance.predictor import headline_stance, target_stance
from claimset.stance.targets import Target

PAIR_COLUMNS: dict[str, pl.DataType] = {
    "pair_id": pl.String(),
    "pair_kind": pl.String(),
    "target_id": pl.String(),
    "target": pl.String(),
    "article_id": pl.String(),
    "claim_id": pl.String(),
    "sentence_id": pl.String(),
    "text": pl.String(),
    "predicted_label": pl.String(),
    "score": pl.Float64(),
    "model_version": pl.String(),
}


def pair_id(target_id: str, item_id: str) -> str:
    """Stable pair id from the target and the paired item (sentence or article) ids."""
    return "p-" + hashlib.sha256(f"{target_id}|{item_id}".encode()).hexdigest()[:16]


def _distinct_hits(col: pl.Expr, target: Target) -> pl.Expr:
    """How many of the target's keywords occur in the text (each counted once)."""
    return pl.sum_horizontal(
        [col.str.contains(p).cast(pl.Int32) for p in target.keyword_patterns()]
    )


def target_pairs(
    articles: pl.DataFrame,
    sentences: pl.DataFrame,
    claims: pl.DataFrame,
    targets: list[Target],
    cfg: StanceConfig,
    prefilter: bool = True,
) -> pl.DataFrame:
    """Pairs of each target with the claim sentences that concern it (vectorised per target).

    ``prefilter=False`` skips the keyword pre-filter (same result, slower; for tests).
    """
    if claims.is_empty() or not targets:
        return pl.DataFrame(schema=PAIR_COLUMNS)
    all_claims = claims
    heads = articles.select(
        "article_id",
        (pl.col("title").fill_null("") + " " + pl.col("standfirst").fill_null("")).alias("_head"),
    )
    if prefilter and cfg.min_keyword_hits >= 1:
        # Every rule below needs a keyword of some target in the sentence or an article head
        # about some target: one combined regex finds the few sentences that can pair.
        any_keyword = "|".join(f"(?:{t.keyword_pattern()})" for t in targets)
        about_any = heads.filter(
            pl.any_horizontal(
                [_distinct_hits(pl.col("_head"), t) >= cfg.min_keyword_hits for t in targets]
            )
        )["article_id"]
        keyword_sentences = sentences.filter(pl.col("text").str.contains(any_keyword))[
            "sentence_id"
        ]
        claims = claims.filter(
            pl.col("sentence_id").is_in(keyword_sentences.implode())
            | pl.col("article_id").is_in(about_any.implode())
        )
        if claims.is_empty():
            return _finish(unrelated_pairs(all_claims, sentences, [], targets, cfg), cfg)
    per_sentence = (
        claims.group_by("sentence_id")
        .agg(
            pl.col("article_id").first(),
            pl.col("claim_id").sort().first(),
            pl.col("speaker_text").is_not_null().any().alias("attributed"),
            pl.col("checkworthy_score").max().alias("checkworthy"),
        )
        .join(sentences.select("sentence_id", "text"), on="sentence_id", how="inner")
    )
    # Keyword hits of every target, so that in an article about several targets a sentence
    # naming only another target's keywords is not paired with this one.
    hit_cols = {t.id: f"_hits_{i}" for i, t in enumerate(targets)}
    per_sentence = per_sentence.with_columns(
        [_distinct_hits(pl.col("text"), t).alias(hit_cols[t.id]) for t in targets]
    )
    frames = []
    for t in targets:
        others = [pl.col(c) for tid, c in hit_cols.items() if tid != t.id]
        other_hits = pl.max_horizontal(others) if others else pl.lit(0)
        topic = heads.select(
            "article_id",
            (_distinct_hits(pl.col("_head"), t) >= cfg.min_keyword_hits).alias("topic"),
        )
        df = per_sentence.with_columns(
            pl.col(hit_cols[t.id]).alias("hits"), other_hits.alias("_other")
        ).join(topic, on="article_id", how="left")
        df = df.filter(
            (pl.col("hits") >= cfg.min_keyword_hits)
            | (
                pl.col("topic").fill_null(False)
                & (
                    (pl.col("hits") >= 1)
                    | (
                        (pl.col("_other") == 0)
                        & (
                            pl.col("attributed")
                            | (pl.col("checkworthy") >= cfg.topic_min_checkworthy)
                        )
                    )
                )
            )
        )
        frames.append(
            df.with_columns(
                pl.lit("target").alias("pair_kind"),
                pl.lit(t.id).alias("target_id"),
                pl.lit(t.text).alias("target"),
                pl.lit(True).alias("_related"),
            )
        )
    pairs = pl.concat(frames)
    pairs = target_stance(pairs, "text", "_related", cfg)
    off = unrelated_pairs(
        all_claims, sentences, pairs["article_id"].unique().to_list(), targets, cfg
    )
    return _finish(pl.concat([pairs.select(off.columns), off]) if off.height else pairs, cfg)


def unrelated_pairs(
    claims: pl.DataFrame,
    sentences: pl.DataFrame,
    paired_articles: list[str],
    targets: list[Target],
    cfg: StanceConfig,
) -> pl.DataFrame:
    """For each article with no pair: its most check-worthy claim sentence(s) x the target
    whose keywords they share most (first target on a tie), predicted ``unrelated``.

    The score is the confidence that they are unrelated: high when the sentence shares no
    keyword with the target, lower with each shared keyword.
    """
    cols = ["sentence_id", "article_id", "claim_id", "text", "pair_kind", "target_id", "target",
            "predicted_label", "score"]  # fmt: skip
    if cfg.unrelated_per_article <= 0 or claims.is_empty() or not targets:
        return pl.DataFrame(schema={c: PAIR_COLUMNS[c] for c in cols})
    best = (
        claims.filter(
            ~pl.col("article_id").is_in(pl.Series(paired_articles, dtype=pl.String).implode())
        )
        .group_by("sentence_id")
        .agg(
            pl.col("article_id").first(),
            pl.col("claim_id").sort().first(),
            pl.col("checkworthy_score").max().alias("cw"),
        )
        .sort("article_id", "cw", "claim_id", descending=[False, True, False])
        .group_by("article_id", maintain_order=True)
        .head(cfg.unrelated_per_article)
        .join(sentences.select("sentence_id", "text"), on="sentence_id", how="inner")
    )
    if best.is_empty():
        return pl.DataFrame(schema={c: PAIR_COLUMNS[c] for c in cols})
    hits = [_distinct_hits(pl.col("text"), t).alias(f"_h{i}") for i, t in enumerate(targets)]
    best = best.with_columns(hits)
    h = [pl.col(f"_h{i}") for i in range(len(targets))]
    top = pl.max_horizontal(h)
    # First target reaching the maximum.
    choice = pl.lit(len(targets) - 1)
    for i in range(len(targets) - 1, -1, -1):
        choice = pl.when(h[i] == top).then(pl.lit(i)).otherwise(choice)
    ids = pl.Series([t.id for t in targets])
    texts = pl.Series([t.text for t in targets])
    words = pl.col("text").str.count_matches(r"\S+").cast(pl.Float64)
    best = best.with_columns(choice.alias("_t"), top.alias("_top")).with_columns(
        pl.col("_t").map_elements(lambda i: ids[i], return_dtype=pl.String).alias("target_id"),
        pl.col("_t").map_elements(lambda i: texts[i], return_dtype=pl.String).alias("target"),
        pl.lit("target").alias("pair_kind"),
        pl.lit("unrelated").alias("predicted_label"),
        (0.95 - 0.12 * pl.col("_top").cast(pl.Float64).clip(0.0, 3.0) - 0.1 / (1.0 + words / 25.0))
        .round(4)
        .alias("score"),
    )
    return best.select(cols)


def _finish(pairs: pl.DataFrame, cfg: StanceConfig) -> pl.DataFrame:
    return pairs.with_columns(
        pl.concat_str([pl.col("target_id"), pl.col("sentence_id")], separator="|")
        .map_elements(
            lambda s: "p-" + hashlib.sha256(s.encode()).hexdigest()[:16], return_dtype=pl.String
        )
        .alias("pair_id"),
        pl.lit(cfg.model_version).alias("model_version"),
    ).select([pl.col(c).cast(tp) for c, tp in PAIR_COLUMNS.items()])


def headline_pairs(articles: pl.DataFrame, cfg: StanceConfig) -> pl.DataFrame:
    """FNC-1-style pairs: each article's headline x its body, for the configured sources only."""
    if not cfg.headline_sources:
        return pl.DataFrame(schema=PAIR_COLUMNS)
    from claimset.stance.similarity import Similarity

    arts = articles.filter(
        pl.col("source").is_in(list(cfg.headline_sources))
        & (pl.col("title").fill_null("").str.strip_chars() != "")
        & (pl.col("body").fill_null("").str.strip_chars() != "")
    )
    if arts.is_empty():
        return pl.DataFrame(schema=PAIR_COLUMNS)
    bodies = arts["body"].to_list()
    sim = Similarity(bodies)
    # Same relatedness rule as the FNC-1 evaluation (stance/similarity.py).
    idx = list(range(arts.height))
    cos = sim.relatedness(arts["title"].to_list(), bodies, idx, idx, cfg.overlap_weight)
    df = arts.select(
        "article_id",
        pl.col("title").alias("target"),
        pl.col("body").alias("text"),
    ).with_columns(pl.Series("cosine", cos))
    df = headline_stance(df, "text", "cosine", cfg)
    return df.with_columns(
        pl.lit("headline").alias("pair_kind"),
        ("headline-" + pl.col("article_id")).alias("target_id"),
        pl.lit(None, dtype=pl.String).alias("claim_id"),
        pl.lit(None, dtype=pl.String).alias("sentence_id"),
        pl.col("article_id")
        .map_elements(lambda a: pair_id("headline", a), return_dtype=pl.String)
        .alias("pair_id"),
        pl.lit(cfg.model_version).alias("model_version"),
    ).select([pl.col(c).cast(tp) for c, tp in PAIR_COLUMNS.items()])


def build_pairs(
    articles: pl.DataFrame,
    sentences: pl.DataFrame,
    claims: pl.DataFrame,
    targets: list[Target],
    cfg: StanceConfig,
) -> pl.DataFrame:
    """All stance pairs, sorted by article, kind, target and pair id."""
    return sort_pairs(
        [target_pairs(articles, sentences, claims, targets, cfg), headline_pairs(articles, cfg)]
    )


def sort_pairs(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Concatenate pair tables (e.g. per article chunk) in the order :func:`build_pairs` uses."""
    return pl.concat(frames).sort(
        "article_id", "pair_kind", "target_id", "sentence_id", "pair_id", nulls_last=True
    )
