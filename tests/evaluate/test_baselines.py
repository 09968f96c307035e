"""Baselines on a release and on (a slice of) FNC-1."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from claimset.cli import main
from claimset.evaluate.baselines import fit_predict, run_baselines
from claimset.evaluate.config import EvaluateConfig, LogRegConfig, TfidfConfig
from claimset.io import sha256_file

PARAMS = Path(__file__).resolve().parents[2] / "params.yaml"
CFG = EvaluateConfig(bootstrap_samples=100, compare_samples=200)


def test_baselines_write_metrics_plots_and_predictions(release_dir: Path, tmp_path: Path) -> None:
    run_baselines(
        release_dir,
        tmp_path / "baselines.json",
        tmp_path / "plots",
        CFG,
        predictions_dir=tmp_path / "pred",
    )
    metrics = json.loads((tmp_path / "baselines.json").read_text())
    for config, field in (("claims", "claim_type"), ("claims", "checkworthy"), ("stance", "label")):
        for model in ("majority", "tfidf_logreg"):
            for split in ("validation", "test"):
                entry = metrics[config][field][model][split]
                gold = pl.read_parquet(release_dir / config / f"{split}.parquet")
                assert entry["n"] == gold.height
                assert 0.0 <= entry["macro_f1"] <= 1.0
                ci = entry["ci"]["accuracy"]
                assert ci["low"] <= entry["accuracy"] <= ci["high"]
                plot = pl.read_csv(tmp_path / "plots" / f"{config}_{field}_{model}_{split}.csv")
                assert (
                    plot.columns == ["item_id", "actual", "predicted"]
                    and plot.height == gold.height
                )
                acc = float((plot["actual"] == plot["predicted"]).mean())  # type: ignore[arg-type]
                assert entry["accuracy"] == pytest.approx(acc, abs=1e-6)
                # macro-F1 averages exactly the classes present in gold or predictions.
                seen = set(plot["actual"].to_list()) | set(plot["predicted"].to_list())
                assert set(entry["macro_f1_classes"]) == seen
    assert "fnc_relative" in metrics["stance"]["label"]["tfidf_logreg"]["test"]
    assert "fnc_relative" not in metrics["claims"]["claim_type"]["majority"]["test"]
    # Majority = most frequent train label (ties: first in sorted order, as scikit-learn does).
    train = pl.read_parquet(release_dir / "stance" / "train.parquet")
    counts = Counter(train["label"].to_list())
    top = max(sorted(counts), key=lambda k: counts[k])
    names = ["favor", "against", "neutral", "unrelated"]
    plot = pl.read_csv(tmp_path / "plots" / "stance_label_majority_test.csv")
    assert set(plot["predicted"]) == {names[top]}
    # The prediction files are accepted by the scorer.
    rc = main(
        [
            "evaluate",
            str(tmp_path / "pred" / "stance_label_tfidf_logreg_test.csv"),
            "--release",
            str(release_dir),
            "--config",
            "stance",
            "--split",
            "test",
            "--params",
            str(PARAMS),
        ]
    )
    assert rc == 0


def test_baselines_are_deterministic(release_dir: Path, tmp_path: Path) -> None:
    run_baselines(release_dir, tmp_path / "a.json", tmp_path / "pa", CFG)
    run_baselines(release_dir, tmp_path / "b.json", tmp_path / "pb", CFG)
    assert sha256_file(tmp_path / "a.json") == sha256_file(tmp_path / "b.json")


def test_tfidf_logreg_learns_a_separable_task() -> None:
    pos = [f"the barrier is good and should be built {i}" for i in range(20)]
    neg = [f"the mine is bad and must be stopped {i}" for i in range(20)]
    pred, note = fit_predict(
        "tfidf_logreg",
        [pos + neg],
        ["favor"] * 20 + ["against"] * 20,
        [["barrier good built", "mine bad stopped"]],
        TfidfConfig(),
        LogRegConfig(),
        0,
    )
    assert pred == ["favor", "against"] and note is None
    pred, note = fit_predict(
        "tfidf_logreg", [pos], ["favor"] * 20, [["anything"]], TfidfConfig(), LogRegConfig(), 0
    )
    assert pred == ["favor"] and note is not None


def test_pair_features_detect_relatedness() -> None:
    heads = [f"council approves tidal barrier plan {i}" for i in range(15)] + [
        f"club wins league title {i}" for i in range(15)
    ]
    bodies = [f"the council voted for the tidal barrier plan today {i}" for i in range(30)]
    labels = ["discuss"] * 15 + ["unrelated"] * 15
    pred, _ = fit_predict(
        "tfidf_logreg",
        [heads, bodies],
        labels,
        [
            ["tidal barrier plan council", "league title club"],
            ["council tidal barrier vote", "council tidal barrier vote"],
        ],
        TfidfConfig(),
        LogRegConfig(),
        0,
    )
    assert pred == ["discuss", "unrelated"]


def test_baselines_name_scored_and_absent_configs(release_dir: Path, tmp_path: Path) -> None:
    # Whatever configs the publish fixture release has (claims and stance before the
    # five-config release, all five after it), the metrics say which were scored and which
    # are absent, and nothing else appears.
    from claimset.evaluate.release import CONTRACT

    run_baselines(release_dir, tmp_path / "m.json", tmp_path / "plots", CFG)
    metrics = json.loads((tmp_path / "m.json").read_text())
    present = [c for c in CONTRACT if any((release_dir / c).glob("*.parquet"))]
    assert metrics["configs"]["scored"] == [c for c in present if c != "articles"]
    assert metrics["configs"]["absent"] == [c for c in CONTRACT if c not in present]
    assert {"claims", "stance"} <= set(metrics["configs"]["scored"])
    for config in metrics["configs"]["absent"]:
        assert config not in metrics
