"""The scorer: FNC-1 score vs the official code, metrics vs scikit-learn, CIs, significance, inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from claimset.cli import main
from claimset.errors import InputError
from claimset.evaluate.bootstrap import bootstrap_ci, metric_functions, paired_test
from claimset.evaluate.config import EvaluateConfig
from claimset.evaluate.fnc import FNC_LABELS, fnc_report
from claimset.evaluate.inputs import read_fnc_gold, read_predictions, read_release_gold
from claimset.evaluate.metrics import classification_report, encode
from claimset.evaluate.scorer import GoldSpec, evaluate_predictions

PARAMS = Path(__file__).resolve().parents[2] / "params.yaml"

# --- transcription of the official scorer (FakeNewsChallenge/fnc-1-baseline utils/score.py) ---
LABELS = ["agree", "disagree", "discuss", "unrelated"]
RELATED = LABELS[0:3]


def official_score_submission(gold_labels, test_labels):  # type: ignore[no-untyped-def]
    score = 0.0
    cm = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    for _i, (g, t) in enumerate(zip(gold_labels, test_labels, strict=True)):
        g_stance, t_stance = g, t
        if g_stance == t_stance:
            score += 0.25
            if g_stance != "unrelated":
                score += 0.50
        if g_stance in RELATED and t_stance in RELATED:
            score += 0.25
        cm[LABELS.index(g_stance)][LABELS.index(t_stance)] += 1
    return score, cm


def official_report_score(actual, predicted):  # type: ignore[no-untyped-def]
    score, _ = official_score_submission(actual, predicted)
    best_score, _ = official_score_submission(actual, actual)
    return score * 100 / best_score


# --------------------------------------------------------------------------------------------


def _perturb(gold: list[str]) -> list[str]:
    """Deterministic, mixed-quality predictions exercising every cell of the matrix."""
    out = []
    for i, g in enumerate(gold):
        if i % 7 == 0:
            out.append(LABELS[(LABELS.index(g) + 1) % 4])
        elif i % 11 == 0:
            out.append("discuss")
        elif i % 13 == 0:
            out.append("unrelated")
        else:
            out.append(g)
    return out


def test_fnc_score_matches_the_official_scorer_on_fnc1(fnc_paths: tuple[Path, Path]) -> None:
    with open(fnc_paths[1], encoding="utf-8", newline="") as fh:
        gold = [row["Stance"] for row in csv.DictReader(fh)]
    assert len(gold) == 25413
    for pred in (_perturb(gold), gold, ["unrelated"] * len(gold), ["agree"] * len(gold)):
        ours = fnc_report(gold, pred)
        score, cm = official_score_submission(gold, pred)
        assert ours["score"] == score
        assert ours["max"] == official_score_submission(gold, gold)[0]
        assert ours["null"] == official_score_submission(gold, ["unrelated"] * len(gold))[0]
        assert ours["relative"] == pytest.approx(official_report_score(gold, pred), abs=1e-9)
        assert (
            classification_report(gold, pred, FNC_LABELS)["confusion"]["rows_gold_cols_pred"] == cm
        )


def test_fnc_weights_on_a_hand_example() -> None:
    gold = ["agree", "agree", "unrelated", "discuss", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree"]
    rep = fnc_report(gold, pred)
    # 1.0 (exact related) + 0.25 (related, wrong class) + 0.25 (exact unrelated) + 0 + 0
    assert rep["score"] == 1.5 and rep["max"] == 3.5 and rep["null"] == 0.5
    assert rep["relative"] == pytest.approx(100 * 1.5 / 3.5)


def test_metrics_match_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    labels = ["favor", "against", "neutral", "unrelated"]
    gold = [labels[i] for i in rng.integers(0, 4, 300)]
    pred = [g if rng.random() < 0.6 else labels[rng.integers(0, 3)] for g in gold]
    rep = classification_report(gold, pred, labels)
    assert rep["accuracy"] == pytest.approx(accuracy_score(gold, pred))
    assert rep["macro_f1"] == pytest.approx(
        f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    )
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    for i, label in enumerate(labels):
        assert rep["per_class"][label]["precision"] == pytest.approx(p[i])
        assert rep["per_class"][label]["recall"] == pytest.approx(r[i])
        assert rep["per_class"][label]["f1"] == pytest.approx(f[i])
        assert rep["per_class"][label]["support"] == s[i]
    assert (
        rep["confusion"]["rows_gold_cols_pred"]
        == confusion_matrix(gold, pred, labels=labels).tolist()
    )


def test_stance_fnc_score_goes_through_the_documented_mapping() -> None:
    from claimset.labels import STANCE_TO_FNC1

    gold = ["favor", "against", "neutral", "unrelated", "favor"]
    pred = ["favor", "neutral", "neutral", "favor", "unrelated"]
    rep = classification_report(
        gold, pred, ["favor", "against", "neutral", "unrelated"], STANCE_TO_FNC1
    )
    direct = fnc_report([STANCE_TO_FNC1[g] for g in gold], [STANCE_TO_FNC1[p] for p in pred])
    assert rep["fnc"] == direct


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 4, 400)
    pred = np.where(rng.random(400) < 0.7, gold, rng.integers(0, 4, 400))
    fns = metric_functions(list(FNC_LABELS))
    ci = bootstrap_ci(gold, pred, 4, fns, samples=500, confidence=0.95, seed=1)
    acc = float((gold == pred).mean())
    assert ci["accuracy"]["low"] < acc < ci["accuracy"]["high"]
    assert ci["accuracy"]["high"] - ci["accuracy"]["low"] < 0.12
    assert set(ci) == {"accuracy", "macro_f1", "fnc_relative"}
    assert bootstrap_ci(gold, pred, 4, fns, samples=500, confidence=0.95, seed=1) == ci


@pytest.mark.parametrize("method", ["randomization", "bootstrap"])
def test_paired_test_separates_systems(method: str) -> None:
    rng = np.random.default_rng(2)
    gold = rng.integers(0, 4, 300)
    good = np.where(rng.random(300) < 0.9, gold, (gold + 1) % 4)
    bad = np.where(rng.random(300) < 0.5, gold, (gold + 1) % 4)
    fns = metric_functions(list(FNC_LABELS))
    res = paired_test(gold, good, bad, 4, fns, method=method, samples=2000, seed=4)  # type: ignore[arg-type]
    assert res["accuracy"]["difference"] > 0.3 and res["accuracy"]["p_value"] < 0.01
    same = paired_test(gold, good, good.copy(), 4, fns, method=method, samples=500, seed=4)  # type: ignore[arg-type]
    assert same["macro_f1"]["p_value"] > 0.9


def _write_preds(path: Path, rows: list[tuple[str, str]]) -> Path:
    if path.suffix == ".csv":
        path.write_text(
            "item_id,label\n" + "".join(f"{i},{lab}\n" for i, lab in rows), encoding="utf-8"
        )
    elif path.suffix == ".jsonl":
        path.write_text(
            "".join(json.dumps({"id": i, "prediction": lab}) + "\n" for i, lab in rows),
            encoding="utf-8",
        )
    else:
        pl.DataFrame(
            {"item_id": [r[0] for r in rows], "label": [r[1] for r in rows]}
        ).write_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_prediction_formats_are_read_and_aligned(
    release_dir: Path, tmp_path: Path, suffix: str
) -> None:
    gold = read_release_gold(release_dir, "stance", "test", "label")
    rows = list(zip(gold.ids, gold.labels, strict=True))[::-1]
    aligned = read_predictions(_write_preds(tmp_path / f"p{suffix}", rows), gold)
    assert [aligned[i] for i in gold.ids] == list(gold.labels)


def test_input_errors_name_the_ids(release_dir: Path, tmp_path: Path) -> None:
    gold = read_release_gold(release_dir, "stance", "test", "label")
    ids = list(gold.ids)
    rows = [(i, "favor") for i in ids[1:]] + [(ids[2], "favor"), ("p-99-9", "favor")]
    rows[0] = (rows[0][0], "agree")
    with pytest.raises(InputError) as info:
        read_predictions(_write_preds(tmp_path / "bad.csv", rows), gold)
    msg = str(info.value)
    # CSV rows are physical lines: the header is line 1, so the k-th record is line k + 1.
    assert f"duplicate id(s) in field 'item_id': row {len(ids) + 1} repeats {ids[2]} (row 3)" in msg
    assert f"1 gold id(s) without a prediction: {ids[0]}" in msg
    assert f"not in the gold data: row {len(ids) + 2}: p-99-9" in msg
    assert (
        "label(s) in field 'label' outside ['favor', 'against', 'neutral', 'unrelated']: row 2: 'agree'"
        in msg
    )


def test_fnc_format_predictions_match_by_pair_with_repeats(tmp_path: Path) -> None:
    gold_csv = tmp_path / "gold.csv"
    gold_rows = [
        ('Same headline, "quoted"', "7", "agree"),
        ("Other", "7", "unrelated"),
        ('Same headline, "quoted"', "7", "discuss"),
    ]
    with open(gold_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Headline", "Body ID", "Stance"])
        w.writerows(gold_rows)
    pred_csv = tmp_path / "pred.csv"
    with open(pred_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Headline", "Body ID", "Stance"])
        w.writerows([gold_rows[1], gold_rows[0], (gold_rows[2][0], "7", "agree")])
    gold = read_fnc_gold(gold_csv)
    pred = read_predictions(pred_csv, gold)
    assert pred == {"1": "agree", "2": "unrelated", "3": "agree"}


def test_evaluate_writes_json_and_markdown_with_comparison(
    release_dir: Path, tmp_path: Path
) -> None:
    gold = read_release_gold(release_dir, "stance", "test", "label")
    perfect = _write_preds(tmp_path / "a.csv", list(zip(gold.ids, gold.labels, strict=True)))
    constant = _write_preds(tmp_path / "b.csv", [(i, "neutral") for i in gold.ids])
    cfg = EvaluateConfig(bootstrap_samples=200, compare_samples=500)
    _, md = evaluate_predictions(
        [perfect],
        GoldSpec(release=str(release_dir), config="stance", split="test"),
        cfg,
        compare=(str(perfect), str(constant)),
        json_out=tmp_path / "r.json",
        markdown_out=tmp_path / "r.md",
    )
    result = json.loads((tmp_path / "r.json").read_text())
    a = result["systems"][str(perfect)]
    assert a["accuracy"] == 1.0 and a["macro_f1"] == 1.0 and a["fnc"]["relative"] == 100.0
    b = result["systems"][str(constant)]
    assert b["accuracy"] == pytest.approx(
        sum(lab == "neutral" for lab in gold.labels) / len(gold.labels), abs=1e-6
    )
    assert result["comparison"]["metrics"]["accuracy"]["difference"] > 0
    assert (tmp_path / "r.md").read_text() == md
    assert "| metric | A | B | A - B | p-value |" in md and "FNC-1 relative" in md


def test_cli_evaluate_against_fnc_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_csv = tmp_path / "gold.csv"
    gold_csv.write_text(
        "Headline,Body ID,Stance\nh1,1,agree\nh2,1,unrelated\nh3,2,discuss\nh4,2,disagree\n",
        encoding="utf-8",
    )
    pred = tmp_path / "pred.csv"
    pred.write_text("id,label\n1,agree\n2,unrelated\n3,agree\n4,unrelated\n", encoding="utf-8")
    rc = main(
        [
            "evaluate",
            str(pred),
            "--gold-csv",
            str(gold_csv),
            "--json",
            str(tmp_path / "o.json"),
            "--params",
            str(PARAMS),
        ]
    )
    assert rc == 0
    out = json.loads((tmp_path / "o.json").read_text())["systems"][str(pred)]
    # 1.0 + 0.25 + 0.25 + 0 of a max 1 + 0.25 + 1 + 1
    assert out["fnc"]["score"] == 1.5 and out["fnc"]["max"] == 3.25
    assert "| label | precision | recall | F1 | support |" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n1,agree\n1,agree\n", encoding="utf-8")
    assert main(["evaluate", str(bad), "--gold-csv", str(gold_csv), "--params", str(PARAMS)]) == 2
    assert "duplicate id(s) in field 'id': row 3 repeats 1 (row 2)" in capsys.readouterr().err


def test_unknown_label_in_encode_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown label 'maybe'"):
        encode(["favor", "maybe"], ["favor", "against"])


def test_macro_f1_ignores_classes_absent_from_gold_and_predictions() -> None:
    labels = ["favor", "against", "neutral", "unrelated"]
    gold = ["favor", "against", "neutral", "favor", "against"]
    pred = ["favor", "neutral", "neutral", "against", "against"]
    rep = classification_report(gold, pred, labels)
    assert rep["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"))
    assert rep["per_class"]["unrelated"]["support"] == 0
