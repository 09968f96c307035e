"""Leakage check over finished splits, independent of how the splits were made.

It reads only the split tables (and article texts): every grouping key must occur in a
single split, and a fresh pass of the near-duplicate system (:mod:`claimset.neardup`) over
row texts and article texts must find no near-duplicate pair whose members sit in
different splits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from claimset.neardup import NearDuplicateConfig, near_duplicate_pairs
from claimset.split.config import SplitConfig
from claimset.split.grouping import date_window

MAX_EXAMPLES = 20


def shared_keys(frames: Mapping[str, pl.DataFrame], column: str) -> list[str]:
    """Values of ``column`` that occur in more than one split (over all configs), sorted."""
    parts = [
        f.select(pl.col(column).cast(pl.String), "split")
        for f in frames.values()
        if column in f.columns and f.height
    ]
    if not parts:
        return []
    both = pl.concat(parts).drop_nulls(column).unique()
    counts = (
        both.group_by(column).agg(pl.col("split").n_unique().alias("n")).filter(pl.col("n") > 1)
    )
    return sorted(counts[column].to_list())


def _cross_split_pairs(
    keys: list[str], texts: list[str], splits: list[str], nd: NearDuplicateConfig
) -> list[dict[str, Any]]:
    out = []
    for i, j, sim in near_duplicate_pairs(texts, nd):
        if splits[i] != splits[j]:
            out.append(
                {
                    "a": keys[i],
                    "b": keys[j],
                    "split_a": splits[i],
                    "split_b": splits[j],
                    "jaccard": sim,  # estimated from the two signatures
                }
            )
    return out


def check_leakage(
    frames: Mapping[str, pl.DataFrame],
    article_texts: Mapping[str, str],
    cfg: SplitConfig,
    near_duplicates: NearDuplicateConfig,
) -> dict[str, Any]:
    """Leakage figures for the split tables ``frames`` (config name -> table with ``split``).

    Returns counts of shared articles, clusters, groups (and sources / date windows when
    those are grouping keys), and near-duplicate pairs across splits with examples.
    """
    result: dict[str, Any] = {}
    for column, name in (
        ("article_id", "articles"),
        ("cluster_id", "clusters"),
        ("group_id", "groups"),
    ):
        shared = shared_keys(frames, column)
        result[f"shared_{name}"] = len(shared)
        result[f"shared_{name}_examples"] = shared[:MAX_EXAMPLES]
    if cfg.group_by_source:
        shared = shared_keys(frames, "source")
        result["shared_sources"] = len(shared)
        result["shared_sources_examples"] = shared[:MAX_EXAMPLES]
    if cfg.date_window_days is not None:
        windowed = {
            name: f.with_columns(
                pl.col("published_at")
                .map_elements(
                    lambda d: date_window(d, cfg.date_window_days or 1), return_dtype=pl.String
                )
                .alias("_window")
            )
            for name, f in frames.items()
            if f.height
        }
        shared = shared_keys(windowed, "_window")
        result["shared_date_windows"] = len(shared)
        result["shared_date_windows_examples"] = shared[:MAX_EXAMPLES]

    # Row texts across both configs: the same sentence labelled for stance and a claim
    # span inside it are near-duplicates too, so all configs go into one pass.
    keys: list[str] = []
    texts: list[str] = []
    splits: list[str] = []
    article_split: dict[str, set[str]] = {}
    for name in sorted(frames):
        f = frames[name].sort("item_id")
        for item_id, text, split, aid in f.select(
            "item_id", "text", "split", "article_id"
        ).iter_rows():
            keys.append(f"{name}:{item_id}")
            texts.append(text or "")
            splits.append(split)
            article_split.setdefault(aid, set()).add(split)
    row_pairs = _cross_split_pairs(keys, texts, splits, near_duplicates)
    art_ids = sorted(a for a in article_split if a in article_texts and len(article_split[a]) == 1)
    art_pairs = _cross_split_pairs(
        art_ids,
        [article_texts[a] for a in art_ids],
        [next(iter(article_split[a])) for a in art_ids],
        near_duplicates,
    )
    result["near_duplicate_pairs_across_splits"] = len(row_pairs) + len(art_pairs)
    result["near_duplicate_row_pairs_across_splits"] = len(row_pairs)
    result["near_duplicate_article_pairs_across_splits"] = len(art_pairs)
    result["near_duplicate_examples"] = (row_pairs + art_pairs)[:MAX_EXAMPLES]
    result["minhash"] = {
        "num_perm": near_duplicates.num_perm,
        "threshold": near_duplicates.threshold,
        "shingle_words": near_duplicates.shingle_words,
        "seed": near_duplicates.seed,
        "rows_compared": len(keys),
        "articles_compared": len(art_ids),
    }
    counted = [k for k in result if k.startswith("shared_") and not k.endswith("_examples")]
    result["leak_free"] = (
        all(result[k] == 0 for k in counted) and result["near_duplicate_pairs_across_splits"] == 0
    )
    return result
