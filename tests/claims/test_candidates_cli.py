"""The candidates and tasks commands end to end on the seed article (tables from the gold)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from claimset.claims.gold import gold_tables, load_gold
from claimset.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def inputs(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy(ROOT / "tests" / "claims" / "gold" / "seed-kremlin-nato-warning.yaml", gold)
    articles, sentences = gold_tables(load_gold(gold, None, root=ROOT))
    articles.write_parquet(tmp_path / "articles.parquet")
    sentences.write_parquet(tmp_path / "sentences.parquet")
    return tmp_path


def _candidates_argv(tmp: Path, articles: str = "articles.parquet") -> list[str]:
    return [
        "candidates",
        "--articles", str(tmp / articles),
        "--sentences", str(tmp / "sentences.parquet"),
        "--targets", str(ROOT / "configs" / "targets.yaml"),
        "--claims", str(tmp / "claims.parquet"),
        "--pairs", str(tmp / "pairs.parquet"),
        "--report", str(tmp / "candidates.json"),
        "--params", str(ROOT / "params.yaml"),
    ]  # fmt: skip


def _run(tmp: Path) -> None:
    assert main(_candidates_argv(tmp)) == 0
    assert (
        main(
            [
                "tasks",
                "--articles", str(tmp / "articles.parquet"),
                "--claims", str(tmp / "claims.parquet"),
                "--pairs", str(tmp / "pairs.parquet"),
                "--claims-config", str(ROOT / "configs" / "labelstudio" / "claims.xml"),
                "--stance-config", str(ROOT / "configs" / "labelstudio" / "stance.xml"),
                "--out-dir", str(tmp / "tasks"),
                "--params", str(ROOT / "params.yaml"),
            ]
        )
        == 0
    )  # fmt: skip


def test_cli_outputs_and_determinism(inputs):
    _run(inputs)
    report = json.loads((inputs / "candidates.json").read_text())
    s = report["sentences"]
    accounted = s["skipped_title"] + s["attributed_sentences"] + s["unattributed_sentences"]
    accounted += sum(v for k, v in s.items() if k.startswith("not_claim_"))
    assert accounted == s["sentences"] == 18
    claims = pl.read_parquet(inputs / "claims.parquet")
    assert report["claims"]["total"] == claims.height > 0
    first = {p.name: p.read_bytes() for p in (inputs / "tasks").iterdir()}
    assert set(first) == {"claims.json", "stance.json"}
    stance = json.loads(first["stance.json"])
    assert all(t["predictions"][0]["model_version"] == "stance-lexical-1" for t in stance)
    _run(inputs)
    assert {p.name: p.read_bytes() for p in (inputs / "tasks").iterdir()} == first


def test_missing_input_is_a_clean_error(inputs, capsys):
    rc = main(_candidates_argv(inputs, articles="nope.parquet"))
    assert rc == 2 and "file not found" in capsys.readouterr().err
    assert not (inputs / "claims.parquet").exists()
