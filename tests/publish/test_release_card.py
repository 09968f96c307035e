"""The release directory: five configs, the card (template + YAML header), Croissant, checksums.

Built from tests/publish/fixtures/splits (the split stage's output on a slice of the demo
pipeline, see tests/split/test_release_tables.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from claimset.cli import main
from claimset.errors import ClaimsetError
from claimset.io import sha256_file
from claimset.publish import build_release
from claimset.publish.card import label_definitions, read_agreement
from claimset.publish.checksums import verify_checksums
from claimset.publish.config import PublishConfig
from claimset.publish.features import (
    COLUMNS,
    CONFIGS,
    ID_COLUMN,
    RELEASE_LABELS,
    features_for,
    release_frame,
    to_arrow,
)
from claimset.publish.hub import push_release
from claimset.release_config import DatasetConfig

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).resolve().parent / "fixtures"
SPLITS = ("train", "validation", "test")
DEMO = DatasetConfig(
    version="1.2.3",
    source_licenses={"claimset-demo": "cc-by-4.0"},
    preannotations_shown=False,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _build(
    out: Path, splits: Path = FIX / "splits", ds: DatasetConfig = DEMO, **kw: object
) -> Path:
    build_release(
        splits,
        out,
        ds,
        PublishConfig(),
        agreement_path=FIX / "agreement.json",
        splits_report=FIX / "splits.json",
        unresolved_path=FIX / "pipeline" / "unresolved.jsonl",
        guidelines_dir=ROOT / "configs" / "guidelines",
        load_path=str(out),
        **kw,  # type: ignore[arg-type]
    )
    return out


def _card(release: Path) -> tuple[dict, str]:
    text = (release / "README.md").read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    import yaml

    return yaml.safe_load(header), body


def _section(body: str, config: str) -> str:
    start = body.index(f"### `{config}`\n")
    nxt = body.find("\n### `", start + 1)
    end = body.find("\n## ", start)
    stops = [i for i in (nxt, end) if i != -1]
    return body[start : min(stops)] if stops else body[start:]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("rel") / "claimset-demo")


def test_layout_and_every_row_released_once(release: Path) -> None:
    for config in CONFIGS:
        src = pl.read_parquet(FIX / "splits" / f"{config}.parquet")
        key = ID_COLUMN[config]
        ids: list[str] = []
        for split in SPLITS:
            df = pl.read_parquet(release / config / f"{split}.parquet")
            assert df.columns == [c for c, _ in COLUMNS[config]]
            ids += df[key].to_list()
            assert set(df[key]) == set(src.filter(pl.col("split") == split)[key])
        assert sorted(ids) == sorted(src[key].to_list())
    assert "reviewer" not in pl.read_parquet(release / "stance" / "train.parquet").columns


def test_yaml_header_checked_with_huggingface_hub(release: Path) -> None:
    from datasets import Features
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(release / "README.md")
    data = card.data.to_dict()
    files = {
        c["config_name"]: {d["split"]: d["path"] for d in c["data_files"]} for c in data["configs"]
    }
    assert set(files) == set(CONFIGS)
    assert [c["config_name"] for c in data["configs"] if c.get("default")] == ["claim_detection"]
    for config, per_split in files.items():
        assert per_split == {s: f"{config}/{s}.parquet" for s in SPLITS}
        assert all((release / p).is_file() for p in per_split.values())
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    for config, info in infos.items():
        assert Features._from_yaml_list(info["features"]) == features_for(config)
        total_file = 0
        for s in info["splits"]:
            path = release / config / f"{s['name']}.parquet"
            assert s["num_examples"] == pq.ParquetFile(path).metadata.num_rows
            # num_bytes: the Arrow size of the table written, recomputed from the split table.
            part = pl.read_parquet(FIX / "splits" / f"{config}.parquet").filter(
                pl.col("split") == s["name"]
            )
            if config == "articles":  # added by publish from dataset.source_licenses
                part = part.with_columns(pl.lit("cc-by-4.0").alias("license_note"))
            assert s["num_bytes"] == to_arrow(config, release_frame(config, part)).nbytes
            total_file += path.stat().st_size
        assert info["download_size"] == total_file
    tags = Features._from_yaml_list(infos["attribution"]["features"])["tags"]
    assert tags.feature.names == list(RELEASE_LABELS["attribution"]["tags"])
    assert data["license"] == "cc-by-4.0" and data["size_categories"] == ["n<1K"]


def test_card_tables_match_the_files(release: Path) -> None:
    _, body = _card(release)
    frames = {
        c: {s: pl.read_parquet(release / c / f"{s}.parquet") for s in SPLITS} for c in CONFIGS
    }
    for config, per in frames.items():
        n = [per[s].height for s in SPLITS]
        assert f"| `{config}` |" in body
        row = next(line for line in body.splitlines() if line.startswith(f"| `{config}` |"))
        assert row.endswith(f"| {n[0]} | {n[1]} | {n[2]} | {sum(n)} |"), row
    for config, fields in (
        ("claim_detection", ("label", "checkworthy")),
        ("claims", ("claim_type", "checkworthy")),
        ("stance", ("label",)),
    ):
        section = _section(body, config)
        for col in fields:
            names = RELEASE_LABELS[config][col]
            for s in SPLITS:
                df = frames[config][s]
                counts = [int((df[col] == i).sum()) for i in range(len(names))]
                none = int((df[col] == -1).sum())
                line = (
                    f"| {s} | {df.height} | {df['article_id'].n_unique()} | "
                    + " | ".join(map(str, counts + ([none] if none else [])))
                    + " |"
                )
                assert line in section, (config, col, line)
    attribution = _section(body, "attribution")
    for s in SPLITS:
        df = frames["attribution"][s]
        tags = df["tags"].explode()
        assert (
            f"| {s} | {df.height} | {tags.len()} | {int((tags == 0).sum())} | {int((tags == 1).sum())} |"
            in attribution
        )
    labelled = ("claim_detection", "claims", "stance")
    total = sum(frames[c][s].height for c in labelled for s in SPLITS)
    arts = pl.concat([frames["articles"][s] for s in SPLITS])
    synthetic_ids = set(arts.filter(pl.col("synthetic"))["article_id"])
    synthetic = sum(
        int(frames[c][s]["article_id"].is_in(list(synthetic_ids)).sum())
        for c in labelled
        for s in SPLITS
    )
    assert (
        f"{synthetic} of {total} rows of `claim_detection`, `claims` and `stance` come from synthetic"
        in body
    )
    assert "Version **1.2.3**" in body


def test_card_quotes_agreement_and_what_was_left_out(release: Path) -> None:
    _, body = _card(release)
    for heading in (
        "## Summary",
        "## Configs",
        "## Annotation process and agreement",
        "## Validation gate",
        "## Splits and leakage guarantees",
        "## Limitations and biases",
        "## How it was built",
        "## Citation",
    ):
        assert heading in body
    assert "| stance | 0.7120 | [0.6000, 0.8100] (95%) | 72 | 3 |" in body
    assert "| claim_type=warning | n/a |" in body
    assert "| favor | agree | FAVOR |" in body
    unresolved = (FIX / "pipeline" / "unresolved.jsonl").read_text().splitlines()
    ties = sum(1 for line in unresolved if json.loads(line)["reason"] == "tie")
    assert f"| claims items unresolved (tie), in the adjudication queue | {ties} |" in body
    report = json.loads((FIX / "splits.json").read_text())
    n = report["tables"]["sentences_unresolved"]
    assert (
        f"| sentences left out of claim_detection: they overlap an unresolved claim | {n} |" in body
    )
    assert (
        "| articles in more than one split, over all configs (measured on these files) | 0 |"
        in body
    )
    assert "(croissant.json)" in body


def test_label_definitions_come_from_the_guidelines(release: Path) -> None:
    _, body = _card(release)
    defs = label_definitions(ROOT / "configs" / "guidelines")
    claims_md = (ROOT / "configs" / "guidelines" / "claims.md").read_text(encoding="utf-8")
    stance_md = (ROOT / "configs" / "guidelines" / "stance.md").read_text(encoding="utf-8")
    for value, text in defs["claims"]["claim_type"].items():
        assert text in claims_md and f"| {value} | {text} |" in _section(body, "claims")
    for value, text in defs["stance"]["label"].items():
        assert text in stance_md and f"| {value} | {text} |" in _section(body, "stance")
    assert set(defs["stance"]["label"]) == set(RELEASE_LABELS["stance"]["label"])
    assert set(defs["claims"]["checkworthy"]) == {"yes", "no"}
    assert set(defs["claim_detection"]["label"]) == {"claim", "not_claim"}


def _snippets(body: str) -> dict[str, str]:
    out = {}
    for config in CONFIGS:
        section = _section(body, config)
        m = re.search(
            r"(?:Train a model on it|Use it) \(this exact script[^\n]*\n\n```python\n(.*?)```",
            section,
            re.S,
        )
        assert m, config
        out[config] = m.group(1)
    return out


@pytest.mark.slow
def test_every_snippet_in_the_card_runs_on_the_release(release: Path, tmp_path: Path) -> None:
    _, body = _card(release)
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1"}
    for config, code in _snippets(body).items():
        assert f'RELEASE = "{release}"' in code
        script = tmp_path / f"{config}.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (config, done.stderr[-2000:])
        assert done.stdout.strip(), config
    # The claim-detection snippet trains and scores the positive class, as CheckThat! does.
    assert (
        "claim F1 (test):"
        in subprocess.run(
            [sys.executable, str(tmp_path / "claim_detection.py")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
    )


def test_croissant_validates_and_reads_one_record_per_record_set(release: Path) -> None:
    import mlcroissant as mlc

    doc = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    ds = mlc.Dataset(jsonld=release / "croissant.json")  # raises on validation errors
    assert not ds.metadata.issues.errors, ds.metadata.issues.report()
    names = [rs.name for rs in ds.metadata.record_sets]
    assert sorted(names) == sorted([*CONFIGS, "splits"])
    first_records = {}
    for rs in names:
        record = next(iter(ds.records(record_set=rs)))
        assert record, rs
        first_records[rs] = record
        if rs != "splits":
            fields = {
                f.name for f in next(r for r in ds.metadata.record_sets if r.name == rs).fields
            }
            assert fields == {c for c, _ in COLUMNS[rs]} | {"split"}
            assert record[f"{rs}/split"] in (b"train", b"validation", b"test")
    first = first_records["claims"]
    src = pl.read_parquet(release / "claims" / f"{first['claims/split'].decode()}.parquet")
    assert first["claims/claim_id"].decode() in set(src["claim_id"])
    assert "cc-by-4.0" in json.dumps(doc["license"])
    for key in ("rai:dataCollection", "rai:dataAnnotationProtocol", "rai:dataBiases"):
        assert doc.get(key), key
    assert "did not see the machine pre-annotations" in json.dumps(
        doc["rai:dataAnnotationProtocol"]
    )


def test_licence_comes_from_params_with_a_note_per_source(tmp_path: Path) -> None:
    # No source listed: the text is the publishers', and the card says so up front.
    rel = _build(tmp_path / "rel", ds=DatasetConfig(source_licenses={}))
    meta, body = _card(rel)
    assert meta["license"] == "other" and "publisher" in meta["license_name"]
    assert "**copyright of the publishers; check before redistributing**" in body
    notes = pl.read_parquet(rel / "articles" / "train.parquet")["license_note"].unique().to_list()
    assert notes == ["copyright of the publishers; check before redistributing"]
    # Listed as cc-by-4.0: the release is cc-by-4.0 and no notice is printed.
    _, open_body = _card(_build(tmp_path / "open"))
    assert "Article text is not all under" not in open_body
    assert "| claimset-demo | 8 | cc-by-4.0 |" in open_body


def test_downgraded_critical_checks_are_listed_not_passed(tmp_path: Path) -> None:
    report = tmp_path / "validation.json"
    report.write_text(
        json.dumps(
            {
                "success": True,
                "n_checks": 120,
                "critical_failures": [],
                "warnings": ["labels_stance.max_label_share"],
                "tables": {
                    "labels_stance": {"checks": {"max_label_share": {"success": False}}},
                    "articles": {"checks": {"min_rows": {"success": True}}},
                },
            }
        ),
        encoding="utf-8",
    )
    severity = {"labels_stance.max_label_share": "warning", "articles.min_rows": "warning"}
    _, body = _card(_build(tmp_path / "rel", validation_report=report, severity=severity))
    assert "**passed only because 1 critical check(s) were downgraded to warnings**" in body
    assert (
        "| `labels_stance.max_label_share` | **failed** (labels_stance.max_label_share) |" in body
    )
    assert "| `articles.min_rows` | passed |" in body
    _, clean = _card(_build(tmp_path / "clean", validation_report=report))
    assert (
        "**passed** (120 checks" in clean
        and "downgraded" not in clean.split("## Validation gate")[1].split("##")[0]
    )


def _stance_split_by_target(tmp_path: Path, split_of: dict[str, list[str]]) -> Path:
    """Split tables whose stance rows sit in the splits given per target (round robin)."""
    splits = tmp_path / "splits"
    shutil.copytree(FIX / "splits", splits)
    stance = pl.read_parquet(splits / "stance.parquet").sort("item_id")
    rank = stance.select(pl.int_range(pl.len()).over("target_id").alias("r"))["r"].to_list()
    stance.with_columns(
        pl.Series(
            "split",
            [
                split_of[t][r % len(split_of[t])]
                for t, r in zip(stance["target_id"], rank, strict=True)
            ],
        )
    ).write_parquet(splits / "stance.parquet")
    return splits


def test_shared_targets_sentence_matches_the_count(tmp_path: Path) -> None:
    targets = sorted(pl.read_parquet(FIX / "splits" / "stance.parquet")["target_id"].unique())
    assert len(targets) >= 3
    every = {t: ["train", "validation", "test"] for t in targets}
    _, body = _card(_build(tmp_path / "all", splits=_stance_split_by_target(tmp_path / "a", every)))
    assert f"All {len(targets)} target(s) occur in more than one split" in body
    assert "in-target generalisation to unseen articles" in body
    # Each target in one split: scores are on unseen targets, and the card says so.
    own = {t: [("train", "validation", "test")[i % 3]] for i, t in enumerate(targets)}
    _, unseen = _card(_build(tmp_path / "own", splits=_stance_split_by_target(tmp_path / "b", own)))
    assert f"None of the {len(targets)} target(s) occurs in more than one split" in unseen
    assert "every validation and test target is unseen in training" in unseen
    assert "in-target generalisation" not in unseen
    # Mixed: one target everywhere, the rest alone; the test-only target is named.
    mixed = dict(own)
    mixed[targets[0]] = ["train", "validation", "test"]
    _, some = _card(
        _build(tmp_path / "mixed", splits=_stance_split_by_target(tmp_path / "c", mixed))
    )
    test_only = sorted(t for t, s in mixed.items() if s == ["test"])
    assert f"1 of {len(targets)} target(s) occur in more than one split" in some
    assert f"(test only: {', '.join(test_only)})" in some


def test_preannotation_statements_follow_one_param(tmp_path: Path) -> None:
    _, hidden = _card(_build(tmp_path / "a", ds=DatasetConfig(preannotations_shown=False)))
    _, shown = _card(_build(tmp_path / "b", ds=DatasetConfig(preannotations_shown=True)))
    assert (
        "did not see the machine pre-annotations" in hidden
        and "were shown to the annotators" not in hidden
    )
    assert "Pre-annotations were not shown" in hidden
    assert (
        "were shown to the annotators as a starting point" in shown and "did not see" not in shown
    )
    assert "Pre-annotations were shown to annotators and may anchor" in shown


def test_agreement_reader_reports_keys(tmp_path: Path) -> None:
    figures, keys = read_agreement(FIX / "agreement.json")
    by_field = {f.field: f for f in figures}
    assert by_field["stance"].alpha == 0.712 and by_field["stance"].ci_low == 0.6
    assert by_field["stance=favor"].alpha == 0.77 and by_field["claim_type=warning"].alpha is None
    assert "fields.stance.alpha" in keys and "fields.stance.per_label.favor" in keys
    assert not any("kappa" in k for k in keys)
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
        if p.is_file() and p.name not in ("README.md", "checksums.sha256"):
            assert sha256_file(p) == sha256_file(again / p.relative_to(release)), p
    # The card quotes its own path in the snippets; with the same path it is identical too.
    assert (release / "README.md").read_text().replace(str(release), "X") == (
        again / "README.md"
    ).read_text().replace(str(again), "X")


def test_checksums_verify_and_catch_tampering(release: Path, tmp_path: Path) -> None:
    assert verify_checksums(release) == []
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / "README.md").write_text("tampered", encoding="utf-8")
    (copy / "extra.txt").write_text("x", encoding="utf-8")
    assert verify_checksums(copy) == ["changed: README.md", "unlisted: extra.txt"]
    listed = (release / "checksums.sha256").read_text().splitlines()
    assert len(listed) == 17 and all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in listed)


def test_load_dataset_reads_every_config_with_class_labels(release: Path, tmp_path: Path) -> None:
    import datasets

    for config in CONFIGS:
        ds = datasets.load_dataset(str(release), config, cache_dir=str(tmp_path / "cache"))
        assert set(ds) == set(SPLITS)
        src = pl.read_parquet(FIX / "splits" / f"{config}.parquet")
        assert sum(ds[s].num_rows for s in SPLITS) == src.height
        for col, names in RELEASE_LABELS[config].items():
            feat = ds["train"].features[col]
            feat = feat.feature if isinstance(feat, datasets.List) else feat
            assert isinstance(feat, datasets.ClassLabel) and feat.names == list(names)
    stance = datasets.load_dataset(str(release), "stance", cache_dir=str(tmp_path / "cache"))
    feat = stance["train"].features["label"]
    want = (
        pl.read_parquet(FIX / "splits" / "stance.parquet")
        .filter(pl.col("split") == "test")
        .sort("item_id")
    )
    assert [feat.int2str(v) for v in stance["test"]["label"]] == want["label"].to_list()
    cd = datasets.load_dataset(str(release), "claim_detection", cache_dir=str(tmp_path / "cache"))
    rows = cd["train"].to_polars()
    assert (rows.filter(pl.col("label") == 0)["checkworthy"] == -1).all()
    att = datasets.load_dataset(str(release), "attribution", cache_dir=str(tmp_path / "cache"))
    names = att["train"].features["tags"].feature.names
    assert "B-SOURCE" in {names[t] for row in att["train"]["tags"] for t in row}


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
            str(ROOT / "params.yaml"),
        ]
    )
    assert rc == 2 and "HF_TOKEN is not set" in capsys.readouterr().err


def test_push_failure_never_prints_the_token(
    release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hf_" + "x" * 30
    monkeypatch.setenv("HF_TOKEN", secret)
    with pytest.raises(ClaimsetError) as info:
        push_release(release, "someone/claimset-demo")
    assert secret not in str(info.value) and "push to someone/claimset-demo failed" in str(
        info.value
    )


def test_missing_split_table_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(FIX / "splits", tmp_path / "splits")
    (tmp_path / "splits" / "attribution.parquet").unlink()
    with pytest.raises(ClaimsetError, match=r"attribution\.parquet: file not found"):
        build_release(tmp_path / "splits", tmp_path / "out", DatasetConfig(), PublishConfig())
    assert not (tmp_path / "out").exists()


def test_cli_build_mode(tmp_path: Path) -> None:
    rc = main(
        [
            "publish",
            "--splits-dir",
            str(FIX / "splits"),
            "--out",
            str(tmp_path / "rel"),
            "--agreement",
            str(FIX / "agreement.json"),
            "--guidelines",
            str(ROOT / "configs" / "guidelines"),
            "--params",
            str(ROOT / "params.yaml"),
        ]
    )
    assert rc == 0 and verify_checksums(tmp_path / "rel") == []
    _, body = _card(tmp_path / "rel")
    assert 'load_dataset("data/release/claimset-demo", "claim_detection")' in body


def test_empty_split_is_named_left_out_and_the_release_still_loads(tmp_path: Path) -> None:
    import datasets

    (tmp_path / "splits").mkdir()
    for config in CONFIGS:
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
    for config in CONFIGS:
        assert f"**`{config}` has no `validation` split**" in body
    ds = datasets.load_dataset(str(tmp_path / "rel"), "stance", cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "test"}
    assert verify_checksums(tmp_path / "rel") == []
    croissant = json.loads((tmp_path / "rel" / "croissant.json").read_text())
    assert "validation" not in json.dumps([d.get("description") for d in croissant["distribution"]])


def test_card_reports_an_article_split_across_configs(tmp_path: Path) -> None:
    shutil.copytree(FIX / "splits", tmp_path / "splits")
    claims = pl.read_parquet(tmp_path / "splits" / "claims.parquet")
    aid = claims.filter(pl.col("split") == "train")["article_id"][0]
    claims.with_columns(
        pl.when(pl.col("article_id") == aid)
        .then(pl.lit("test"))
        .otherwise(pl.col("split"))
        .alias("split")
    ).write_parquet(tmp_path / "splits" / "claims.parquet")
    build_release(tmp_path / "splits", tmp_path / "rel", DatasetConfig(), PublishConfig())
    _, body = _card(tmp_path / "rel")
    assert (
        "| articles in more than one split, over all configs (measured on these files) | 1 |"
        in body
    )


def test_publish_makes_no_pandas_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 15.7: tables go polars -> Arrow -> parquet; a pandas copy would fail here.
    import pandas as pd

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("publish built a pandas DataFrame")

    # __init__ and _from_mgr: the latter is how pyarrow's and polars' to_pandas build frames.
    for cls in (pd.DataFrame, pd.Series):
        monkeypatch.setattr(cls, "__init__", refuse)
        monkeypatch.setattr(cls, "_from_mgr", classmethod(refuse))
    out = _build(tmp_path / "rel")
    assert verify_checksums(out) == []
