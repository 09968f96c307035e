"""Imported gold: real FNC-1 rows as one expert annotator flow to the labels (issue 6, point 2)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from agg_support import SHARED, copy_exports, run

from claimset.annotations.config import AggregateConfig
from claimset.annotations.gold import FNC1_TO_STANCE

FNC = SHARED / "fnc-1"


@pytest.fixture
def excerpt(tmp_path: Path) -> tuple[Path, Path]:
    if not (FNC / "competition_test_stances.csv").exists():
        pytest.skip(f"{FNC} is absent (real FNC-1 data)")
    stances = pl.read_csv(FNC / "competition_test_stances.csv", infer_schema=False)
    # a small excerpt with every FNC-1 label
    parts = [
        stances.filter(pl.col("Stance") == s).head(3)
        for s in ("agree", "disagree", "discuss", "unrelated")
    ]
    ex = pl.concat(parts)
    bodies = pl.read_csv(FNC / "competition_test_bodies.csv", infer_schema=False)
    bodies = bodies.filter(pl.col("Body ID").is_in(ex["Body ID"].implode()))
    s, b = tmp_path / "stances.csv", tmp_path / "bodies.csv"
    ex.write_csv(s)
    bodies.write_csv(b)
    return s, b


def test_fnc1_rows_become_import_labels(tmp_path: Path, excerpt: tuple[Path, Path]) -> None:
    s, b = excerpt
    r = run(
        tmp_path,
        AggregateConfig(bootstrap_samples=0),
        exports=copy_exports(tmp_path, ("stance",)),
        gold_csv=s,
        gold_bodies=b,
    )
    raw = pl.read_csv(s, infer_schema=False)
    gold = r.labels_stance.filter(pl.col("method") == "import")
    assert gold.height == raw.height == 12
    assert sorted(gold["label"].to_list()) == sorted(
        FNC1_TO_STANCE[x] for x in raw["Stance"].to_list()
    )
    assert set(gold["pair_kind"].to_list()) == {"headline"}
    assert set(gold["n_annotators"].to_list()) == {1}
    assert set(gold["target"].to_list()) == set(raw["Headline"].to_list())
    # the expert's rows are in the annotation table like any annotator's
    rows = r.annotations.filter(pl.col("annotator") == "fnc-1@import.invalid")
    assert rows.height == 12 and set(rows["field"].to_list()) == {"stance"}
    # crowd items still need min_annotators; the expert alone does not skew the crowd's alpha
    assert "fnc-1@import.invalid" not in {
        a for v in r.agreement["fields"]["stance"]["kappa"] for a in v.split("|")
    }
