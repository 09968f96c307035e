"""`claimset aggregate` end to end through the CLI on the fixture exports."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from agg_support import CLAIMS_XML, STANCE_XML, copy_exports

from claimset.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_aggregate_cli_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = copy_exports(tmp_path)
    o = tmp_path / "out"
    code = main(
        [
            "aggregate",
            "--exports",
            str(exports),
            "--tasks",
            str(tmp_path / "no-tasks"),
            "--claims-config",
            str(CLAIMS_XML),
            "--stance-config",
            str(STANCE_XML),
            "--annotations-out",
            str(o / "annotations.parquet"),
            "--labels-claims",
            str(o / "labels_claims.parquet"),
            "--labels-stance",
            str(o / "labels_stance.parquet"),
            "--unresolved",
            str(o / "unresolved.jsonl"),
            "--quarantine",
            str(o / "q.jsonl"),
            "--agreement",
            str(o / "agreement.json"),
            "--agreement-md",
            str(o / "agreement.md"),
            "--params",
            str(REPO / "params.yaml"),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "[aggregate]" in err and "in=24" in err and "drafts=1" in err
    assert pl.read_parquet(o / "labels_stance.parquet").height == 3
    assert (o / "agreement.md").read_text().startswith("# Annotation agreement")


def test_gold_csv_without_bodies_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = copy_exports(tmp_path, ("stance",))
    o = tmp_path / "out"
    code = main(
        [
            "aggregate",
            "--exports",
            str(exports),
            "--claims-config",
            str(CLAIMS_XML),
            "--stance-config",
            str(STANCE_XML),
            "--annotations-out",
            str(o / "a.parquet"),
            "--labels-claims",
            str(o / "c.parquet"),
            "--labels-stance",
            str(o / "s.parquet"),
            "--unresolved",
            str(o / "u.jsonl"),
            "--quarantine",
            str(o / "q.jsonl"),
            "--agreement",
            str(o / "a.json"),
            "--agreement-md",
            str(o / "a.md"),
            "--gold-csv",
            str(tmp_path / "x.csv"),
            "--params",
            str(REPO / "params.yaml"),
        ]
    )
    assert code == 2
    assert "--gold-bodies" in capsys.readouterr().err
