"""`claimset validate`: exit status, failure message, warnings, Data Docs and a byte-stable summary."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from gate_tables import valid_tables

from claimset.cli import main

REPO = Path(__file__).resolve().parents[2]

# Great Expectations runs take tens of seconds on a shared machine.
pytestmark = pytest.mark.slow


def write_tables(tmp: Path, tables: dict[str, pl.DataFrame]) -> list[str]:
    args = []
    for name, df in sorted(tables.items()):
        if name == "agreement":
            fields = {
                r["field"]: {"alpha": r["alpha"], "n_items_multi": r["n_items_multi"]}
                for r in df.iter_rows(named=True)
            }
            p = tmp / "agreement.json"
            p.write_text(json.dumps({"fields": fields}))
        else:
            p = tmp / f"{name}.parquet"
            df.write_parquet(p)
        args += ["--table", f"{name}={p}"]
    return args


def test_valid_run_exits_zero_and_summary_is_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = valid_tables()
    # one label far below min_label_share: a warning, printed, not stopping
    tables["labels_stance"] = pl.concat(
        [tables["labels_stance"]]
        + [
            tables["labels_stance"]
            .filter(pl.col("label") != "neutral")
            .with_columns(pl.col("item_id") + f"-{n}")
            for n in range(40)
        ]
    )
    args = write_tables(tmp_path, tables)
    out1, out2 = tmp_path / "v1.json", tmp_path / "v2.json"
    base = ["validate", *args, "--params", str(REPO / "params.yaml")]
    assert main([*base, "--report-dir", str(tmp_path / "docs1"), "--summary", str(out1)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "label_share_min_label" in err
    assert main([*base, "--report-dir", str(tmp_path / "docs2"), "--summary", str(out2)]) == 0
    assert out1.read_bytes() == out2.read_bytes()
    summary = json.loads(out1.read_text())
    assert summary["success"] is True and summary["warnings"] == [
        "labels_stance.label_share_min_label"
    ]
    assert (tmp_path / "docs1" / "index.html").exists()


def test_critical_failure_exits_nonzero_naming_table_expectation_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = {
        "stance_pairs": valid_tables()["stance_pairs"].with_columns(
            pl.when(pl.col("pair_id") == "p2")
            .then(pl.lit("p1"))
            .otherwise(pl.col("pair_id"))
            .alias("pair_id")
        )
    }
    args = write_tables(tmp_path, tables)
    summary = tmp_path / "v.json"
    code = main(
        [
            "validate",
            *args,
            "--report-dir",
            str(tmp_path / "docs"),
            "--summary",
            str(summary),
            "--params",
            str(REPO / "params.yaml"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "table 'stance_pairs': expectation stance_pairs.unique_pair_id" in err
    assert "expect_column_values_to_be_unique" in err
    assert "'pair_id': 'p1'" in err
    # the summary is written even when the gate stops the pipeline
    assert json.loads(summary.read_text())["critical_failures"] == ["stance_pairs.unique_pair_id"]
