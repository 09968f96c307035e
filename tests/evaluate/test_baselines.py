"""Baselines on a release and on (a slice of) FNC-1."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from claimset.cli import main
from claimset.evaluate.baselines import fit_predict, run_baselines, run_fnc1_baseline
from claimset.evaluate.config import EvaluateConfig, Fnc1Config, LogRegConfig, TfidfConfig
from claimset.io import sha256_file
from claimset.neardup import NearDuplicateConfig
from claimset.split.config import SplitConfig

PARAMS = Path(__file__).resolve().parents[2] / "params.yaml"
CFG = EvaluateConfig(bootstrap_samples=100)


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
                assert entry["accuracy_ci_low"] <= entry["accuracy"] <= entry["accuracy_ci_high"]
                plot = pl.read_csv(tmp_path / "plots" / f"{config}_{field}_{model}_{split}.csv")
                assert (
                    plot.columns == ["item_id", "actual", "predicted"]
                    and plot.height == gold.height
                )
                acc = float((plot["actual"] == plot["predicted"]).mean())  # type: ignore[arg-type]
                assert entry["accuracy"] == pytest.approx(acc, abs=1e-6)
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


def test_fnc1_baseline_on_a_slice_is_body_disjoint(
    fnc_paths: tuple[Path, Path], tmp_path: Path
) -> None:
    # A slice of the real data, written to tmp (never into the project).
    bodies_csv, stances_csv = fnc_paths
    with open(bodies_csv, encoding="utf-8", newline="") as fh:
        bodies = list(csv.DictReader(fh))[:120]
    keep = {b["Body ID"] for b in bodies}
    with open(stances_csv, encoding="utf-8", newline="") as fh:
        stances = [r for r in csv.DictReader(fh) if r["Body ID"] in keep]
    for path, rows, fields in (
        (tmp_path / "b.csv", bodies, ["Body ID", "articleBody"]),
        (tmp_path / "s.csv", stances, ["Headline", "Body ID", "Stance"]),
    ):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
    cfg = EvaluateConfig(
        bootstrap_samples=100,
        fnc1=Fnc1Config(tfidf=TfidfConfig(ngram_max=1, min_df=2, max_features=2000)),
    )
    run_fnc1_baseline(
        tmp_path / "b.csv",
        tmp_path / "s.csv",
        tmp_path / "fnc.json",
        cfg,
        SplitConfig(restarts=2),
        NearDuplicateConfig(),
    )
    out = json.loads((tmp_path / "fnc.json").read_text())
    split = out["split"]
    assert split["shared_bodies"] == 0
    assert split["train_rows"] + split["holdout_rows"] == len(stances)
    assert abs(split["holdout_rows"] / len(stances) - 0.2) < 0.02
    tl, maj = out["models"]["tfidf_logreg"], out["models"]["majority"]
    assert maj["fnc_score"] == maj["fnc_null"]  # majority = all unrelated = the null score
    assert tl["fnc_relative"] > maj["fnc_relative"] + 10 and tl["macro_f1"] > maj["macro_f1"]
