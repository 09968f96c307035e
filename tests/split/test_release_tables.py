"""The split stage with the release inputs: five configs, one split per article, derived columns.

The fixture is a slice of the demo pipeline (8 synthetic articles: their sentences, tasks,
annotations, labels and candidates), checked in under tests/publish/fixtures/pipeline.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from claimset.cli import main
from claimset.neardup import NearDuplicateConfig
from claimset.publish.tables import is_pronoun, is_unnamed, tag_tokens
from claimset.split import run_split
from claimset.split.config import SplitConfig
from claimset.split.stage import ReleaseInputs

PIPE = Path(__file__).resolve().parents[1] / "publish" / "fixtures" / "pipeline"
FAST = SplitConfig(validation_gate=False)
CONFIGS = ("articles", "claim_detection", "claims", "attribution", "stance")


def inputs(root: Path = PIPE) -> ReleaseInputs:
    return ReleaseInputs(
        sentences=root / "sentences.parquet",
        tasks_dir=root / "tasks",
        annotations=root / "annotations.parquet",
        candidates=root / "claims.parquet",
        unresolved=root / "unresolved.jsonl",
    )


def split(
    out: Path, labels_claims: Path = PIPE / "labels_claims.parquet"
) -> dict[str, pl.DataFrame]:
    run_split(
        labels_claims,
        PIPE / "labels_stance.parquet",
        PIPE / "articles.parquet",
        out / "splits",
        out / "splits.json",
        FAST,
        near_duplicates=NearDuplicateConfig(),
        release_inputs=inputs(),
    )
    return {c: pl.read_parquet(out / "splits" / f"{c}.parquet") for c in CONFIGS}


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    return split(tmp_path_factory.mktemp("rel"))


def test_every_config_is_written_and_each_article_has_one_split(
    tables: dict[str, pl.DataFrame],
) -> None:
    per_article: dict[str, set[str]] = {}
    for name, df in tables.items():
        assert df.height and set(df["split"].unique()) == {"train", "validation", "test"}, name
        for aid, s in df.select("article_id", "split").iter_rows():
            per_article.setdefault(aid, set()).add(s)
    assert all(len(v) == 1 for v in per_article.values())
    assert set(per_article) == set(tables["articles"]["article_id"])


def test_claim_detection_holds_every_seen_sentence_with_negatives(
    tables: dict[str, pl.DataFrame],
) -> None:
    cd, claims = tables["claim_detection"], tables["claims"]
    sentences = pl.read_parquet(PIPE / "sentences.parquet")
    tasks = json.loads((PIPE / "tasks" / "claims.json").read_text())
    seen = set()
    for t in tasks:
        d = t["data"]
        a, b = d["char_offset"], d["char_offset"] + len(d["text"])
        seen |= set(
            sentences.filter(
                (pl.col("article_id") == d["article_id"])
                & (pl.col("char_start") >= a)
                & (pl.col("char_end") <= b)
            )["sentence_id"]
        )
    # Every seen sentence is released, except those touching an unresolved claim (counted).
    assert set(cd["sentence_id"]) <= seen and len(seen) - cd.height > 0
    assert {"claim", "not_claim"} == set(cd["label"])
    texts = dict(tables["articles"].select("article_id", "text").iter_rows())
    for row in cd.iter_rows(named=True):
        assert texts[row["article_id"]][row["char_start"] : row["char_end"]] == row["text"]
        overlapping = claims.filter(
            (pl.col("article_id") == row["article_id"])
            & (pl.col("char_start") < row["char_end"])
            & (pl.col("char_end") > row["char_start"])
        )
        assert (row["label"] == "claim") == (overlapping.height > 0), row["sentence_id"]
        if row["label"] == "claim":
            want = "yes" if (overlapping["checkworthy"] == "yes").any() else "no"
            assert row["checkworthy"] == want
        else:
            assert row["checkworthy"] is None
        assert 0.0 <= row["agreement"] <= 1.0 and row["n_annotators"] >= 2


def test_claims_carry_speaker_spans_names_and_cues(tables: dict[str, pl.DataFrame]) -> None:
    claims = tables["claims"]
    texts = dict(tables["articles"].select("article_id", "text").iter_rows())
    attributed = claims.filter(pl.col("speaker_start").is_not_null())
    assert attributed.height > claims.height / 2
    for row in attributed.iter_rows(named=True):
        assert (
            texts[row["article_id"]][row["speaker_start"] : row["speaker_end"]]
            == row["speaker_text"]
        )
        assert row["speaker_name"]
        assert row["speaker_pronoun"] == (
            row["speaker_text"].lower() in {"he", "she", "they", "it"}
        )
    # A pronoun speaker is resolved to the person's name, not left as "he".
    pron = attributed.filter(pl.col("speaker_pronoun"))
    assert (
        pron.height
        and (
            pron["speaker_name"].str.to_lowercase() != pron["speaker_text"].str.to_lowercase()
        ).any()
    )
    cued = claims.filter(pl.col("cue_start").is_not_null())
    assert cued.height
    for row in cued.iter_rows(named=True):
        assert texts[row["article_id"]][row["cue_start"] : row["cue_end"]] == row["cue"]
    assert claims["sentence_id"].null_count() == 0


def test_speaker_name_column_of_the_labels_is_used_when_present(
    tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    # Before: no speaker_name column (fallback to candidates / mention). After: the
    # annotators' resolved name from aggregate wins.
    labels = pl.read_parquet(PIPE / "labels_claims.parquet")
    assert "speaker_name" not in labels.columns
    with_names = labels.with_columns(
        pl.when(pl.col("speaker").is_not_null())
        .then(pl.lit("Annotated ") + pl.col("speaker"))
        .otherwise(None)
        .alias("speaker_name")
    )
    path = tmp_path / "labels_claims.parquet"
    with_names.write_parquet(path)
    after = split(tmp_path, path)["claims"].sort("claim_id")
    before = tables["claims"].sort("claim_id")
    assert after["claim_id"].to_list() == before["claim_id"].to_list()
    named = after.filter(pl.col("speaker_text").is_not_null())
    assert named["speaker_name"].str.starts_with("Annotated ").all()
    report = json.loads((tmp_path / "splits.json").read_text())
    assert report["tables"]["speaker_names_from_annotators"] == named.height
    # A null in the column falls back as before.
    assert (
        after.filter(pl.col("speaker_text").is_null())["speaker_name"].null_count()
        == after.filter(pl.col("speaker_text").is_null()).height
    )


def test_attribution_tags_rebuild_the_gold_spans(tables: dict[str, pl.DataFrame]) -> None:
    texts = dict(tables["articles"].select("article_id", "text").iter_rows())
    claims = tables["claims"]
    n_runs = 0
    for row in tables["attribution"].iter_rows(named=True):
        text = texts[row["article_id"]]
        starts, ends, tags = row["token_starts"], row["token_ends"], row["tags"]
        assert [text[a:b] for a, b in zip(starts, ends, strict=True)] == row["tokens"]
        assert len(tags) == len(row["tokens"])
        gold = claims.filter(pl.col("article_id") == row["article_id"])
        spans = {
            "CONTENT": list(gold.select("char_start", "char_end").iter_rows()),
            "SOURCE": list(
                gold.drop_nulls("speaker_start").select("speaker_start", "speaker_end").iter_rows()
            ),
            "CUE": list(gold.drop_nulls("cue_start").select("cue_start", "cue_end").iter_rows()),
        }
        # Every B-/I- run lies inside one gold span of its kind; I- never follows another kind.
        i = 0
        while i < len(tags):
            if tags[i] == "O":
                i += 1
                continue
            assert tags[i].startswith("B-"), (row["article_id"], i, tags[i])
            kind = tags[i][2:]
            j = i + 1
            while j < len(tags) and tags[j] == f"I-{kind}":
                j += 1
            a, b = starts[i], ends[j - 1]
            assert any(s < b and a < e and s <= a + 1 and b <= e + 1 for s, e in spans[kind]), (
                kind,
                text[a:b],
            )
            n_runs += 1
            i = j
        # Every gold claim inside the tokenised text has at least one CONTENT token.
        for s, e in spans["CONTENT"]:
            inside = [k for k in range(len(tags)) if starts[k] < e and s < ends[k]]
            if inside:
                assert any(tags[k].endswith("CONTENT") for k in inside), text[s:e]
    assert n_runs > claims.height


def test_tagging_rules() -> None:
    toks = [(0, 2), (3, 7), (8, 12), (13, 17), (18, 22)]
    spans = [(0, 2, "SOURCE", 0), (3, 7, "CUE", 0), (8, 17, "CONTENT", 0), (18, 22, "CONTENT", 1)]
    assert tag_tokens(toks, spans) == ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "B-CONTENT"]
    assert is_pronoun("She") and not is_pronoun("Shelley")
    assert is_unnamed("a spokesman for the board") and is_unnamed("officials")
    assert not is_unnamed("Dmitry Peskov") and not is_unnamed("the Kremlin")


def test_stance_rows_carry_the_context_annotators_saw(tables: dict[str, pl.DataFrame]) -> None:
    tasks = {
        t["data"]["pair_id"]: t["data"]["context"]
        for t in json.loads((PIPE / "tasks" / "stance.json").read_text())
    }
    stance = tables["stance"]
    assert stance["context"].null_count() == 0
    assert all(tasks[i] == c for i, c in stance.select("item_id", "context").iter_rows())


def test_cli_split_reads_params(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(
        "split:\n  seed: 3\n  ratios: {train: 0.6, validation: 0.2, test: 0.2}\n  validation_gate: false\n"
        "near_duplicates:\n  threshold: 0.8\n",
        encoding="utf-8",
    )
    args = ["split", "--labels-claims", str(PIPE / "labels_claims.parquet")]
    args += ["--labels-stance", str(PIPE / "labels_stance.parquet")]
    args += ["--articles", str(PIPE / "articles.parquet")]
    args += ["--sentences", str(PIPE / "sentences.parquet"), "--tasks", str(PIPE / "tasks")]
    args += ["--annotations", str(PIPE / "annotations.parquet")]
    args += [
        "--candidates",
        str(PIPE / "claims.parquet"),
        "--unresolved",
        str(PIPE / "unresolved.jsonl"),
    ]
    args += ["--out-dir", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")]
    assert main([*args, "--params", str(params)]) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["params"]["seed"] == 3 and report["params"]["ratios"]["train"] == 0.6
    assert set(report["configs"]) == set(CONFIGS)
    # A missing task file is a clear error naming it.
    broken = tmp_path / "tasks"
    shutil.copytree(PIPE / "tasks", broken)
    (broken / "stance.json").unlink()
    args[args.index(str(PIPE / "tasks"))] = str(broken)
    assert main([*args, "--params", str(params)]) == 2


def test_release_tables_are_byte_identical_across_runs(tmp_path: Path) -> None:
    split(tmp_path / "a")
    split(tmp_path / "b")
    for c in CONFIGS:
        assert (tmp_path / "a" / "splits" / f"{c}.parquet").read_bytes() == (
            tmp_path / "b" / "splits" / f"{c}.parquet"
        ).read_bytes(), c
    assert replace(FAST).on_empty_split == "publish"
