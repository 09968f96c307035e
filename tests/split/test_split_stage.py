"""The split stage on a synthetic corpus: grouping, stratification, leakage, determinism."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from claimset.errors import InputError, ValidationFailed
from claimset.io import sha256_file
from claimset.neardup import NearDuplicateConfig, near_duplicate_pairs
from claimset.split import run_split
from claimset.split.config import SplitConfig
from claimset.split.grouping import ArticleInfo, build_groups
from claimset.split.leakage import check_leakage
from claimset.split.stratification import Block, assign_groups

FAST = SplitConfig(validation_gate=False)
ND = NearDuplicateConfig()


def _run(corpus: dict[str, Path], out: Path, cfg: SplitConfig | None = None) -> dict:
    # The Great Expectations gate takes seconds per run; one test below runs it for real.
    run_split(
        corpus["claims"],
        corpus["stance"],
        corpus["articles"],
        out / "splits",
        out / "splits.json",
        cfg or FAST,
        near_duplicates=ND,
    )
    return json.loads((out / "splits.json").read_text())


def test_every_row_lands_in_exactly_one_split(corpus: dict[str, Path], tmp_path: Path) -> None:
    report = _run(corpus, tmp_path)
    for name, n_in in (("claims", 48), ("stance", 80)):
        df = pl.read_parquet(tmp_path / "splits" / f"{name}.parquet")
        assert df.height == n_in
        assert df["item_id"].n_unique() == n_in
        assert set(df["split"].unique()) == {"train", "validation", "test"}
        assert sum(report["configs"][name]["sizes"].values()) == n_in
        assert report["reconciliation"][name]["ok"] is True
        for col in ("cluster_id", "source", "published_at", "group_id", "split"):
            assert col in df.columns


def test_no_article_or_cluster_or_near_duplicate_crosses_splits(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    report = _run(corpus, tmp_path)
    leak = report["leakage"]
    assert leak["shared_articles"] == leak["shared_clusters"] == leak["shared_groups"] == 0
    assert leak["near_duplicate_pairs_across_splits"] == 0
    stance = pl.read_parquet(tmp_path / "splits" / "stance.parquet")
    split_of = dict(stance.select("article_id", "split").unique().iter_rows())
    # a02/a03 share a cluster; a05 is a MinHash near-copy of a04 (different cluster ids).
    assert split_of[f"a-{2:016x}"] == split_of[f"a-{3:016x}"]
    assert split_of[f"a-{4:016x}"] == split_of[f"a-{5:016x}"]
    assert report["groups"]["merges"]["cluster"] == 1
    assert report["groups"]["merges"]["near_duplicate_article"] == 1


def test_sizes_follow_ratios_and_labels_are_stratified(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    report = _run(corpus, tmp_path)
    sizes = report["configs"]["stance"]["sizes"]
    assert sizes["train"] > sizes["validation"] > 0 and sizes["train"] > sizes["test"] > 0
    assert abs(sizes["train"] / 80 - 0.7) < 0.12
    dist = report["configs"]["stance"]["label_distribution"]
    for split in ("train", "validation", "test"):
        assert all(v > 0 for v in dist[split]["label"].values()), dist[split]
    assert not any(w.startswith("stance:") for w in report["warnings"])


def test_output_is_byte_identical_across_runs(corpus: dict[str, Path], tmp_path: Path) -> None:
    _run(corpus, tmp_path / "a")
    _run(corpus, tmp_path / "b")
    for rel in ("splits/claims.parquet", "splits/stance.parquet", "splits.json"):
        assert sha256_file(tmp_path / "a" / rel) == sha256_file(tmp_path / "b" / rel), rel


def test_input_row_order_does_not_change_the_result(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    _run(corpus, tmp_path / "a")
    for key in ("claims", "stance", "articles"):
        pl.read_parquet(corpus[key]).reverse().write_parquet(corpus[key])
    _run(corpus, tmp_path / "b")
    assert sha256_file(tmp_path / "a/splits/stance.parquet") == sha256_file(
        tmp_path / "b/splits/stance.parquet"
    )


def test_group_by_source_keeps_each_source_in_one_split(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    report = _run(corpus, tmp_path, SplitConfig(group_by_source=True, validation_gate=False))
    assert report["leakage"]["shared_sources"] == 0
    df = pl.read_parquet(tmp_path / "splits" / "stance.parquet")
    assert df.group_by("source").agg(pl.col("split").n_unique())["split"].max() == 1


def test_temporal_split_puts_older_windows_in_train(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    report = _run(
        corpus, tmp_path, SplitConfig(date_window_days=14, temporal=True, validation_gate=False)
    )
    assert report["leakage"]["shared_date_windows"] == 0
    df = pl.read_parquet(tmp_path / "splits" / "stance.parquet")
    latest = {
        s: df.filter(pl.col("split") == s)["published_at"].max()
        for s in ("train", "validation", "test")
    }
    earliest = {
        s: df.filter(pl.col("split") == s)["published_at"].min()
        for s in ("train", "validation", "test")
    }
    assert latest["train"] < earliest["validation"] and latest["validation"] < earliest["test"]


def test_duplicate_item_ids_are_refused(corpus: dict[str, Path], tmp_path: Path) -> None:
    df = pl.read_parquet(corpus["stance"])
    pl.concat([df, df.head(1)]).write_parquet(corpus["stance"])
    with pytest.raises(InputError, match="p-00-0"):
        _run(corpus, tmp_path)


def test_unknown_label_is_refused_with_its_id(corpus: dict[str, Path], tmp_path: Path) -> None:
    df = pl.read_parquet(corpus["stance"]).with_columns(
        pl.when(pl.col("item_id") == "p-03-1")
        .then(pl.lit("agree"))
        .otherwise(pl.col("label"))
        .alias("label")
    )
    df.write_parquet(corpus["stance"])
    with pytest.raises(InputError, match="p-03-1"):
        _run(corpus, tmp_path)


def test_leakage_check_detects_a_planted_leak(corpus: dict[str, Path], tmp_path: Path) -> None:
    _run(corpus, tmp_path)
    stance = pl.read_parquet(tmp_path / "splits" / "stance.parquet")
    claims = pl.read_parquet(tmp_path / "splits" / "claims.parquet")
    # Move one row of a train article to test and copy another train text into test.
    first = stance.filter(pl.col("split") == "train")["item_id"][0]
    other = stance.filter(pl.col("split") == "train")["text"][1]
    test_row = stance.filter(pl.col("split") == "test")["item_id"][0]
    leaked = stance.with_columns(
        pl.when(pl.col("item_id") == first)
        .then(pl.lit("test"))
        .otherwise(pl.col("split"))
        .alias("split"),
        pl.when(pl.col("item_id") == test_row)
        .then(pl.lit(other + " "))
        .otherwise(pl.col("text"))
        .alias("text"),
    )
    leak = check_leakage({"claims": claims, "stance": leaked}, {}, SplitConfig(), ND)
    assert leak["shared_articles"] == 1 and leak["shared_groups"] == 1
    assert leak["near_duplicate_row_pairs_across_splits"] >= 1
    assert leak["leak_free"] is False


def test_unavoidable_merge_empties_splits_rather_than_leaking(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    # A row text repeated verbatim in every article forces one group; with one group the
    # search cannot fill all splits, but it must never leak: it reports empty splits instead.
    df = pl.read_parquet(corpus["stance"]).with_columns(
        pl.when(pl.col("item_id").str.ends_with("-0"))
        .then(pl.lit("The same long sentence appears in every article."))
        .otherwise(pl.col("text"))
        .alias("text")
    )
    df.write_parquet(corpus["stance"])
    report = _run(corpus, tmp_path)
    assert report["groups"]["n_groups"] == 1
    assert report["leakage"]["leak_free"] is True
    assert sorted(v for v in report["configs"]["stance"]["sizes"].values()) == [0, 0, 80]
    assert any(w.startswith("stance: split ") and " is empty (" in w for w in report["warnings"])
    empty = {(e["config"], e["split"]) for e in report["empty_splits"]}
    assert len(empty) == 4 and all(e["reason"] for e in report["empty_splits"])
    # Configurable: the same corpus stops the stage with a message naming the splits.
    with pytest.raises(ValidationFailed, match=r"empty split\(s\).*stance/"):
        _run(corpus, tmp_path / "strict", replace(FAST, on_empty_split="fail"))
    assert json.loads((tmp_path / "strict" / "splits.json").read_text())["empty_splits"]


def test_missing_label_is_reported_and_can_fail_the_stage(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    # One "unrelated" row in all: at most one split can hold it.
    df = pl.read_parquet(corpus["stance"])
    df = df.with_columns(
        pl.when((pl.col("label") == "unrelated") & (pl.col("item_id") != "p-03-0"))
        .then(pl.lit("neutral"))
        .otherwise(pl.col("label"))
        .alias("label")
    )
    df.write_parquet(corpus["stance"])
    report = _run(corpus, tmp_path)
    missing = [m for m in report["missing_labels"] if m["config"] == "stance"]
    assert len(missing) == 2 and all(m["labels"] == ["unrelated"] for m in missing)
    assert all(m["rows_with_label"] == {"unrelated": 1} for m in missing)
    with pytest.raises(ValidationFailed, match="without every label"):
        _run(corpus, tmp_path / "strict", replace(FAST, on_missing_label="fail"))


def test_near_duplicate_pairs_are_verified_on_signatures() -> None:
    """Split uses the one near-duplicate system (word shingles, the params' threshold)."""
    base = (
        "the kremlin warned of inevitable conflict if european troops were deployed to ukraine"
        " and said that any such deployment would be treated as a direct threat to russia"
        " by officials speaking in moscow on tuesday"
    )
    texts = [
        base,
        base + " evening",
        "a completely different sentence about football and promotion",
        "short",
        "SHORT ",
    ]
    pairs = near_duplicate_pairs(texts, ND)
    assert (0, 1) in [(i, j) for i, j, _ in pairs]
    assert (3, 4, 1.0) in pairs
    assert all(2 not in (i, j) for i, j, _ in pairs)


def test_exhaustive_search_finds_the_exact_optimum() -> None:
    # Four groups of sizes 7, 2, 1, 0 rows... plus label columns: only one assignment hits 70/20/10.
    counts = np.array([[7, 0], [0, 2], [1, 0], [0, 0]], dtype=float)
    result = assign_groups(
        counts, [0.7, 0.2, 0.1], [Block("x", (0, 1))], seed=1, exhaustive_max_groups=10
    )
    assert result.method == "exhaustive"
    assert list(result.splits[:3]) == [0, 1, 2]


def test_local_search_matches_ratios_on_many_groups() -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 30, size=(400, 4)).astype(float)
    result = assign_groups(
        counts,
        [0.8, 0.0, 0.2],
        [Block("x", (0, 1, 2, 3))],
        seed=5,
        exhaustive_max_groups=10,
        restarts=2,
    )
    share = np.array([counts[result.splits == s].sum() for s in range(3)]) / counts.sum()
    assert abs(share[0] - 0.8) < 0.005 and share[1] == 0.0
    again = assign_groups(
        counts,
        [0.8, 0.0, 0.2],
        [Block("x", (0, 1, 2, 3))],
        seed=5,
        exhaustive_max_groups=10,
        restarts=2,
    )
    assert np.array_equal(result.splits, again.splits)


def test_build_groups_unions_sources_and_windows() -> None:
    arts = [
        ArticleInfo("a1", "a1", "s1", "2026-01-01", None),
        ArticleInfo("a2", "a2", "s1", "2026-03-01", None),
        ArticleInfo("a3", "a3", "s2", "2026-03-02", None),
    ]
    g = build_groups(arts, [], replace(SplitConfig(), group_by_source=True), ND)
    assert g.group_of["a1"] == g.group_of["a2"] != g.group_of["a3"]
    g = build_groups(arts, [], SplitConfig(date_window_days=30), ND)
    assert g.group_of["a2"] == g.group_of["a3"] != g.group_of["a1"]


@pytest.mark.slow
def test_validation_gate_runs_on_the_split_tables(corpus: dict[str, Path], tmp_path: Path) -> None:
    report = _run(corpus, tmp_path, SplitConfig())
    assert report["validation"]["success"] is True
    assert report["validation"]["critical_failures"] == []
