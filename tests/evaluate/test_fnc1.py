"""The one FNC-1 reader (claimset.corpora.fnc1) and the fnc1_baseline stage."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from claimset.cli import main
from claimset.corpora import fnc1
from claimset.errors import InputError
from claimset.evaluate.config import EvaluateConfig, Fnc1Config
from claimset.evaluate.fnc1_baseline import holdout_split, run_fnc1_baseline

FNC = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "fnc-1"
FILES = (
    "train_bodies.csv",
    "train_stances.csv",
    "competition_test_bodies.csv",
    "competition_test_stances.csv",
)
PARAMS = Path(__file__).resolve().parents[2] / "params.yaml"


def _need_fnc() -> None:
    missing = [f for f in FILES if not (FNC / f).is_file()]
    if missing:
        pytest.skip(f"FNC-1 data not found under {FNC}: {', '.join(missing)}")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_reader_keeps_fields_and_physical_lines(tmp_path: Path) -> None:
    b = _write(
        tmp_path / "b.csv",
        ["Body ID", "articleBody"],
        [["1", 'two\nlines, "quoted"'], ["2", "plain"]],
    )
    bodies = fnc1.read_bodies(b)
    assert bodies["body"].to_list() == ['two\nlines, "quoted"', "plain"]
    assert bodies["line"].to_list() == [2, 4]  # the first body spans lines 2-3
    s = _write(
        tmp_path / "s.csv",
        ["Headline", "Body ID", "Stance"],
        [["h, one", "1", "agree"], ["h2", "2", "unrelated"]],
    )
    pairs = fnc1.read_pairs(b, s)
    assert pairs["row"].to_list() == [1, 2] and pairs["body"].to_list()[1] == "plain"
    assert fnc1.bodies_by_int_id(b) == {1: 'two\nlines, "quoted"', 2: "plain"}


@pytest.mark.parametrize(
    ("kind", "header", "rows", "message"),
    [
        ("bodies", ["Body ID", "text"], [["1", "x"]], ":1: missing column(s) 'articleBody'"),
        (
            "bodies",
            ["Body ID", "articleBody"],
            [["1", "x"], ["1", "y"]],
            ":3 (field 'Body ID'): duplicate Body ID '1' (first on line 2)",
        ),
        ("bodies", ["Body ID", "articleBody"], [[" ", "x"]], ":2 (field 'Body ID'): empty Body ID"),
        (
            "stances",
            ["Headline", "Body ID", "Stance"],
            [["h", "1", "agree"], ["h\nwrapped", "1", "agree"], ["h", "1", "maybe"]],
            ":5 (field 'Stance'): stance 'maybe' is not one of",
        ),
        (
            "stances",
            ["Headline", "Body ID", "Stance"],
            [["h", "1", "agree", "extra"]],
            ":2: record has 4 fields, the header 3",
        ),
    ],
)
def test_reader_errors_name_file_line_and_field(
    tmp_path: Path, kind: str, header: list[str], rows: list[list[str]], message: str
) -> None:
    path = _write(tmp_path / f"{kind}.csv", header, rows)
    read = fnc1.read_bodies if kind == "bodies" else fnc1.read_stances
    with pytest.raises(InputError) as info:
        read(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_unknown_body_in_pairs_and_lenient_stances(tmp_path: Path) -> None:
    b = _write(tmp_path / "b.csv", ["Body ID", "articleBody"], [["1", "x"]])
    s = _write(
        tmp_path / "s.csv",
        ["Headline", "Body ID", "Stance"],
        [["h", "1", "agree"], ["h", "9", "agree"]],
    )
    with pytest.raises(InputError, match=r"s\.csv:3 \(field 'Body ID'\): Body ID '9' is not in"):
        fnc1.read_pairs(b, s)
    s = _write(
        tmp_path / "s2.csv",
        ["Headline", "Body ID", "Stance"],
        [["h", "1", "agree"], ["h", "9", "Agree "]],
    )
    with pytest.raises(InputError, match="stance 'Agree' is not one of"):
        fnc1.read_stances(s)
    # Quarantining callers (the gold import) get the values as written.
    assert fnc1.read_stances(s, strict=False)["stance"].to_list() == ["agree", "Agree"]


def test_real_fnc1_files_match_the_published_counts() -> None:
    _need_fnc()
    train = fnc1.read_pairs(FNC / "train_bodies.csv", FNC / "train_stances.csv")
    counts = dict(train.group_by("stance").len().iter_rows())
    assert train.height == 49972 and train["body_id"].n_unique() == 1683
    assert counts == {"agree": 3678, "disagree": 840, "discuss": 8909, "unrelated": 36545}
    test = fnc1.read_pairs(
        FNC / "competition_test_bodies.csv", FNC / "competition_test_stances.csv"
    )
    assert (
        test.height == 25413 and fnc1.read_bodies(FNC / "competition_test_bodies.csv").height == 904
    )


def test_fnc1_baseline_on_a_slice_follows_the_standard_protocol(tmp_path: Path) -> None:
    _need_fnc()
    # A slice of the real data, written to tmp (never into the project).
    for prefix, n_bodies in (("train", 150), ("competition_test", 60)):
        with open(FNC / f"{prefix}_bodies.csv", encoding="utf-8", newline="") as fh:
            bodies = list(csv.DictReader(fh))[:n_bodies]
        keep = {b["Body ID"] for b in bodies}
        with open(FNC / f"{prefix}_stances.csv", encoding="utf-8", newline="") as fh:
            stances = [r for r in csv.DictReader(fh) if r["Body ID"] in keep]
        _write(
            tmp_path / f"{prefix}_bodies.csv",
            ["Body ID", "articleBody"],
            [[b["Body ID"], b["articleBody"]] for b in bodies],
        )
        _write(
            tmp_path / f"{prefix}_stances.csv",
            ["Headline", "Body ID", "Stance"],
            [[r["Headline"], r["Body ID"], r["Stance"]] for r in stances],
        )
    cfg = EvaluateConfig(bootstrap_samples=100, fnc1=Fnc1Config(vocabulary=1000))
    run_fnc1_baseline(tmp_path, tmp_path / "fnc.json", cfg)
    out = json.loads((tmp_path / "fnc.json").read_text())
    assert out["status"] == "scored"
    head, main_ = out["headline"], out["competition_test"]
    assert head["official_baseline"] == 75.20 and head["competition_best"] == pytest.approx(82.02)
    assert head["fnc_relative"] == main_["fnc_relative"] and main_["n"] == out["data"]["test_pairs"]
    assert main_["macro_f1_classes"] and "fnc_relative" in main_["ci"]
    null = out["majority_competition_test"]
    assert null["label"] == "unrelated" and null["fnc_relative"] == pytest.approx(
        null["fnc_null_relative"]
    )
    assert main_["fnc_relative"] > null["fnc_relative"] + 5
    hold = out["secondary_train_holdout"]
    assert hold["shared_bodies"] == 0
    assert hold["train_pairs"] + hold["holdout_pairs"] == out["data"]["train_pairs"]
    assert hold["holdout_bodies"] == 30  # 20% of 150 bodies


def test_holdout_split_is_body_disjoint_and_deterministic() -> None:
    import polars as pl

    df = pl.DataFrame({"body_id": [str(i % 10) for i in range(100)], "x": list(range(100))})
    a1, b1 = holdout_split(df, 0.8, 3)
    a2, b2 = holdout_split(df, 0.8, 3)
    assert a1.equals(a2) and b1.equals(b2)
    assert not set(a1["body_id"]) & set(b1["body_id"]) and b1["body_id"].n_unique() == 2


def test_fnc1_baseline_without_the_data_skips_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fnc.json"
    rc = main(
        [
            "fnc1-baseline",
            "--data-dir",
            str(tmp_path / "nope"),
            "--out",
            str(out),
            "--params",
            str(PARAMS),
        ]
    )
    assert rc == 0
    report = json.loads(out.read_text())
    assert report["status"] == "skipped" and "FNC-1 data not found" in report["reason"]
    assert "skipped=FNC-1 data not found" in capsys.readouterr().err
