"""The release directory: parquet + features, the card's numbers, checksums, load_dataset, the hub guard."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml

from claimset.cli import main
from claimset.errors import ClaimsetError
from claimset.io import sha256_file
from claimset.publish import build_release
from claimset.publish.card import read_agreement
from claimset.publish.checksums import verify_checksums
from claimset.publish.config import PublishConfig
from claimset.publish.hub import push_release
from claimset.release_config import DatasetConfig

FIX = Path(__file__).resolve().parent / "fixtures"
SPLITS = ("train", "validation", "test")
LABELS = {
    "stance": {"label": ["favor", "against", "neutral", "unrelated"]},
    "claims": {
        "claim_type": ["factual", "prediction", "opinion", "warning"],
        "checkworthy": ["no", "yes"],
    },
}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _build(out: Path, **kw: object) -> Path:
    build_release(
        FIX / "splits",
        out,
        DatasetConfig(version="1.2.3"),
        PublishConfig(),
        agreement_path=FIX / "agreement.json",
        splits_report=FIX / "splits.json",
        **kw,  # type: ignore[arg-type]
    )
    return out


def _card(release: Path) -> tuple[dict, str]:
    text = (release / "README.md").read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("rel") / "claimset-demo")


def test_layout_and_every_row_released_once(release: Path) -> None:
    for config in ("claims", "stance"):
        src = pl.read_parquet(FIX / "splits" / f"{config}.parquet")
        ids: list[str] = []
        for split in SPLITS:
            df = pl.read_parquet(release / config / f"{split}.parquet")
            ids += df["item_id"].to_list()
            assert set(df["item_id"]) == set(src.filter(pl.col("split") == split)["item_id"])
        assert sorted(ids) == sorted(src["item_id"].to_list())
        assert "reviewer" not in pl.read_parquet(release / config / "train.parquet").columns


def test_card_yaml_numbers_match_the_files(release: Path) -> None:
    meta, _ = _card(release)
    assert (
        meta["license"] == "cc-by-4.0"
        and meta["language"] == ["en"]
        and meta["size_categories"] == ["n<1K"]
    )
    assert meta["pretty_name"] and meta["task_categories"] == ["text-classification"]
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    assert set(infos) == {"claims", "stance"}
    for config, info in infos.items():
        total_file = 0
        for s in info["splits"]:
            path = release / config / f"{s['name']}.parquet"
            assert s["num_examples"] == pq.ParquetFile(path).metadata.num_rows
            assert s["num_bytes"] == pq.read_table(path).nbytes
            total_file += path.stat().st_size
        assert info["download_size"] == total_file
    files = {
        c["config_name"]: {d["split"]: d["path"] for d in c["data_files"]} for c in meta["configs"]
    }
    assert (
        files["stance"]["test"] == "stance/test.parquet"
        and (release / files["claims"]["validation"]).is_file()
    )


def test_card_tables_match_the_files(release: Path) -> None:
    _, body = _card(release)
    for config, fields in LABELS.items():
        frames = {s: pl.read_parquet(release / config / f"{s}.parquet") for s in SPLITS}
        for col, names in fields.items():
            for s, df in frames.items():
                counts = [int((df[col] == i).sum()) for i in range(len(names))]
                line = (
                    f"| {s} | {df.height} | {df['article_id'].n_unique()} | "
                    + " | ".join(map(str, counts))
                    + " |"
                )
                assert line in body, (config, col, line)
    total = sum(pl.read_parquet(p).height for p in release.glob("*/*.parquet"))
    synthetic = sum(int(pl.read_parquet(p)["synthetic"].sum()) for p in release.glob("*/*.parquet"))
    assert f"{synthetic} of {total} rows come from synthetic" in body
    assert "Version **1.2.3**" in body


def test_card_has_all_sections_and_quotes_agreement(release: Path) -> None:
    _, body = _card(release)
    for heading in (
        "## Summary",
        "## How it was built",
        "## Label definitions",
        "## Annotation process and agreement",
        "## Splits and leakage guarantees",
        "## Limitations and biases",
        "## Citation",
    ):
        assert heading in body
    assert "| stance | 0.7120 | [0.6000, 0.8100] (95%) | 72 | 3 |" in body
    assert "| claim_type | 0.5530 | [0.4000, 0.6900] (95%) | 40 | 2 |" in body
    assert "| claim_type=warning | n/a |" in body
    assert "| favor | agree | FAVOR |" in body
    assert (
        "| articles in more than one split, over both configs (measured on these files) | 0 |"
        in body
    )


def test_agreement_reader_reports_keys(tmp_path: Path) -> None:
    figures, keys = read_agreement(FIX / "agreement.json")
    by_field = {f.field: f for f in figures}
    assert by_field["stance"].alpha == 0.712 and by_field["stance"].ci_low == 0.6
    assert by_field["stance=favor"].alpha == 0.77 and by_field["claim_type=warning"].alpha is None
    assert "fields.stance.alpha" in keys and "fields.stance.per_label.favor" in keys
    assert not any("kappa" in k for k in keys)
    # Another layout: only keys named like alpha are read; *_ci_level and counts are not.
    other = tmp_path / "a.json"
    other.write_text(
        '{"stance": {"krippendorff_alpha": 0.5, "alpha_ci_level": 0.95, "n": 3}}', encoding="utf-8"
    )
    figures, keys = read_agreement(other)
    assert [(f.field, f.alpha) for f in figures] == [("stance", 0.5)] and keys == [
        "stance.krippendorff_alpha"
    ]
    assert read_agreement(FIX / "missing.json") == ([], [])


def test_release_is_byte_identical_across_builds(release: Path, tmp_path: Path) -> None:
    again = _build(tmp_path / "claimset-demo")
    for p in sorted(release.rglob("*")):
        if p.is_file():
            assert sha256_file(p) == sha256_file(again / p.relative_to(release)), p


def test_checksums_verify_and_catch_tampering(release: Path, tmp_path: Path) -> None:
    assert verify_checksums(release) == []
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / "README.md").write_text("tampered", encoding="utf-8")
    (copy / "extra.txt").write_text("x", encoding="utf-8")
    assert verify_checksums(copy) == ["changed: README.md", "unlisted: extra.txt"]
    listed = (release / "checksums.sha256").read_text().splitlines()
    assert len(listed) == 7 and all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in listed)


def test_load_dataset_reads_both_configs_with_class_labels(release: Path, tmp_path: Path) -> None:
    import datasets

    stance = datasets.load_dataset(str(release), "stance", cache_dir=str(tmp_path / "cache"))
    assert set(stance) == set(SPLITS)
    feat = stance["train"].features["label"]
    assert isinstance(feat, datasets.ClassLabel) and feat.names == LABELS["stance"]["label"]
    src = (
        pl.read_parquet(FIX / "splits" / "stance.parquet")
        .filter(pl.col("split") == "test")
        .sort("item_id")
    )
    assert [feat.int2str(v) for v in stance["test"]["label"]] == src["label"].to_list()
    claims = datasets.load_dataset(str(release), "claims", cache_dir=str(tmp_path / "cache"))
    assert claims["validation"].features["checkworthy"].names == ["no", "yes"]
    assert (
        sum(claims[s].num_rows for s in SPLITS)
        == pl.read_parquet(FIX / "splits" / "claims.parquet").height
    )


def test_push_to_hub_is_refused_without_token(
    release: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(ClaimsetError, match="HF_TOKEN is not set"):
        push_release(release, "someone/claimset-demo")
    rc = main(
        [
            "publish",
            "--to-hub",
            "someone/claimset-demo",
            "--release",
            str(release),
            "--params",
            str(Path(__file__).resolve().parents[2] / "params.yaml"),
        ]
    )
    assert rc == 2 and "HF_TOKEN is not set" in capsys.readouterr().err


def test_push_failure_never_prints_the_token(
    release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hf_" + "x" * 30
    monkeypatch.setenv("HF_TOKEN", secret)
    # Offline mode makes the hub call fail for real; the message must mask the token.
    with pytest.raises(ClaimsetError) as info:
        push_release(release, "someone/claimset-demo")
    assert secret not in str(info.value) and "push to someone/claimset-demo failed" in str(
        info.value
    )


def test_missing_split_table_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "splits").mkdir()
    shutil.copy(FIX / "splits" / "claims.parquet", tmp_path / "splits" / "claims.parquet")
    with pytest.raises(ClaimsetError, match=r"stance\.parquet: file not found"):
        build_release(tmp_path / "splits", tmp_path / "out", DatasetConfig(), PublishConfig())
    assert not (tmp_path / "out").exists()


def test_cli_build_mode(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    rc = main(
        [
            "publish",
            "--splits-dir",
            str(FIX / "splits"),
            "--out",
            str(tmp_path / "rel"),
            "--agreement",
            str(FIX / "agreement.json"),
            "--params",
            str(root / "params.yaml"),
        ]
    )
    assert rc == 0 and verify_checksums(tmp_path / "rel") == []
    assert os.path.getsize(tmp_path / "rel" / "README.md") > 1000


def test_empty_split_is_left_out_and_the_release_still_loads(tmp_path: Path) -> None:
    import datasets

    (tmp_path / "splits").mkdir()
    for config in ("claims", "stance"):
        df = pl.read_parquet(FIX / "splits" / f"{config}.parquet")
        df = df.with_columns(
            pl.when(pl.col("split") == "validation")
            .then(pl.lit("train"))
            .otherwise(pl.col("split"))
            .alias("split")
        )
        df.write_parquet(tmp_path / "splits" / f"{config}.parquet")
    build_release(tmp_path / "splits", tmp_path / "rel", DatasetConfig(), PublishConfig())
    assert not (tmp_path / "rel" / "stance" / "validation.parquet").exists()
    meta, body = _card(tmp_path / "rel")
    assert all(d["split"] != "validation" for c in meta["configs"] for d in c["data_files"])
    assert "| validation | 0 | 0 | 0 | 0 | 0 | 0 |" in body
    ds = datasets.load_dataset(str(tmp_path / "rel"), "stance", cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "test"}
    assert verify_checksums(tmp_path / "rel") == []


def test_card_quotes_the_validation_gate(tmp_path: Path) -> None:
    report = tmp_path / "validation.json"
    report.write_text(
        '{"success": true, "n_checks": 120, "warnings": ["splits_stance.all_splits_present"]}',
        encoding="utf-8",
    )
    _build(tmp_path / "rel", validation_report=report)
    _, body = _card(tmp_path / "rel")
    assert "Validation gate (Great Expectations): passed (120 checks, 1 warnings)." in body


def test_card_reports_an_article_split_across_configs(tmp_path: Path) -> None:
    (tmp_path / "splits").mkdir()
    stance = pl.read_parquet(FIX / "splits" / "stance.parquet")
    claims = pl.read_parquet(FIX / "splits" / "claims.parquet")
    aid = claims.filter(pl.col("split") == "train")["article_id"][0]
    # The article's claims move to test while its stance rows stay in train.
    claims = claims.with_columns(
        pl.when(pl.col("article_id") == aid)
        .then(pl.lit("test"))
        .otherwise(pl.col("split"))
        .alias("split")
    )
    claims.write_parquet(tmp_path / "splits" / "claims.parquet")
    stance.write_parquet(tmp_path / "splits" / "stance.parquet")
    build_release(tmp_path / "splits", tmp_path / "rel", DatasetConfig(), PublishConfig())
    _, body = _card(tmp_path / "rel")
    assert (
        "| articles in more than one split, over both configs (measured on these files) | 1 |"
        in body
    )
