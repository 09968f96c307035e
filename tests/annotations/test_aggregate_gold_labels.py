"""Aggregation to gold labels, unresolved queue, span clustering, reviews (issue 6, points 2 and 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agg_support import ARTICLE, load_fixture, run

from claimset.annotations.aggregate import Span, aggregate_votes, cluster_spans, consensus_span
from claimset.annotations.config import AggregateConfig


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return run(tmp_path_factory.mktemp("agg"))


def test_stance_majority_with_confidence_and_count(fixture_run) -> None:  # type: ignore[no-untyped-def]
    rows = {r["item_id"]: r for r in fixture_run.labels_stance.iter_rows(named=True)}
    assert rows["p-0001"]["label"] == "against"
    assert rows["p-0001"]["method"] == "majority"
    assert rows["p-0001"]["n_annotators"] == 3
    assert rows["p-0001"]["confidence"] == pytest.approx(2 / 3, abs=1e-6)
    assert rows["p-0001"]["agreement"] == pytest.approx(2 / 3, abs=1e-6)
    # carol's repeated answer counts once: 3 annotators, all "against"
    assert (rows["p-0004"]["n_annotators"], rows["p-0004"]["confidence"]) == (3, 1.0)


def test_ties_and_too_few_annotators_go_to_unresolved_not_to_a_default(fixture_run) -> None:  # type: ignore[no-untyped-def]
    unresolved = {(u["item_id"], u["field"]): u for u in fixture_run.unresolved}
    assert unresolved[("p-0003", "stance")]["reason"] == "too_few_annotators"
    assert unresolved[("p-0005", "stance")]["reason"] == "too_few_annotators"  # bob's answer misfit
    assert unresolved[("p-0006", "stance")]["n_annotators"] == 0
    labelled = set(fixture_run.labels_stance["item_id"].to_list())
    assert not labelled & {"p-0003", "p-0005", "p-0006"}
    # claim type split opinion / prediction between alice and bob: a tie, not a label
    tie = [u for u in fixture_run.unresolved if u["project"] == "claims"]
    assert len(tie) == 1 and tie[0]["field"] == "claim_type" and tie[0]["reason"] == "tie"
    assert tie[0]["votes"] == {"alice@example.org": "opinion", "bob@example.org": "prediction"}


def test_review_overrides_the_aggregate_and_names_the_reviewer(fixture_run) -> None:  # type: ignore[no-untyped-def]
    rows = {r["item_id"]: r for r in fixture_run.labels_stance.iter_rows(named=True)}
    p2 = rows["p-0002"]  # tie neutral/against among annotators, settled by rita
    assert (p2["label"], p2["method"], p2["reviewer"]) == ("against", "review", "rita@example.org")
    assert p2["agreement"] == pytest.approx(0.5)
    assert p2["target_id"] == "t-nato-troops"
    assert "p-0002" not in {u["item_id"] for u in fixture_run.unresolved}
    assert fixture_run.agreement["counts"]["reviews_applied"] == 1
    assert rows["p-0001"]["reviewer"] is None


def test_claim_spans_aggregate_by_overlap(fixture_run) -> None:  # type: ignore[no-untyped-def]
    claims = {r["claim_type"]: r for r in fixture_run.labels_claims.iter_rows(named=True)}
    warning = claims["warning"]
    # alice and bob marked the same span, carol a longer one (IoU >= 0.5): one item, the
    # exact span held by a strict majority wins
    assert ARTICLE["text"][warning["char_start"] : warning["char_end"]] == warning["text"]
    assert warning["text"].startswith("any deployment of European NATO troops")
    assert warning["speaker"] == "The Kremlin"
    assert warning["checkworthy"] == "yes" and warning["n_annotators"] == 3
    assert (
        warning["item_id"]
        == f"{ARTICLE['article_id']}-g{warning['char_start']}-{warning['char_end']}"
    )
    factual = claims["factual"]  # bob submitted "no claim": 2 of 3 say claim
    assert factual["confidence"] == pytest.approx(2 / 3, abs=1e-6) and factual["speaker"] is None
    # the annotation rows of every annotator's span carry the item they were clustered into
    rows = fixture_run.annotations.filter(fixture_run.annotations["item_id"] == warning["item_id"])
    assert set(rows["annotator"].to_list()) == {
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
    }


def test_every_annotation_is_in_the_table_or_quarantine(fixture_run) -> None:  # type: ignore[no-untyped-def]
    c = fixture_run.agreement["counts"]
    in_table = fixture_run.annotations.filter(
        fixture_run.annotations["project"].is_in(["claims", "stance", "review_stance"])
    )["annotation_id"].n_unique()
    excluded = [q for q in fixture_run.quarantine if q["reason"] != "draft"]
    assert in_table + len(excluded) == c["annotations_total"] == 11 + 12 + 1
    assert c["drafts"] == 1


def test_outputs_are_deterministic(tmp_path: Path, fixture_run) -> None:  # type: ignore[no-untyped-def]
    again = run(tmp_path)
    for attr in (
        "annotations_out",
        "labels_claims",
        "labels_stance",
        "unresolved",
        "quarantine",
        "agreement",
        "agreement_md",
    ):
        assert (
            getattr(again.paths, attr).read_bytes() == getattr(fixture_run.paths, attr).read_bytes()
        ), attr


def test_dawid_skene_is_selectable_from_params(tmp_path: Path) -> None:
    ds = run(tmp_path, AggregateConfig(method="dawid_skene", bootstrap_samples=0))
    methods = set(
        ds.labels_stance.filter(ds.labels_stance["reviewer"].is_null())["method"].to_list()
    )
    assert methods == {"dawid_skene"}
    assert json.loads(ds.paths.agreement.read_text())["config"]["method"] == "dawid_skene"


def test_min_annotators_from_params(tmp_path: Path) -> None:
    strict = run(tmp_path, AggregateConfig(min_annotators=3, bootstrap_samples=0))
    assert "p-0001" in strict.labels_stance["item_id"].to_list()  # 3 annotators
    reasons = {u["item_id"]: u["reason"] for u in strict.unresolved}
    # the two-annotator claims task now lacks annotators
    assert reasons["claims:a-5eedc0ffee000001:p3"] == "too_few_annotators"


def test_aggregate_votes_reports_ties_and_uses_crowdkit() -> None:
    cfg = AggregateConfig()
    votes = [
        ("i1", "a", "x"),
        ("i1", "b", "y"),
        ("i2", "a", "x"),
        ("i2", "b", "x"),
        ("i2", "c", "y"),
    ]
    out = aggregate_votes(votes, "majority", cfg)
    assert out["i1"].label is None
    assert out["i2"].label == "x" and out["i2"].confidence == pytest.approx(2 / 3)
    ds = aggregate_votes(votes, "dawid_skene", cfg)
    assert ds["i2"].label == "x" and 0.5 < ds["i2"].confidence <= 1.0


def test_span_clustering_rule() -> None:
    spans = [
        Span("a", 0, 10, "r1"),
        Span("b", 1, 10, "r2"),
        Span("c", 0, 4, "r3"),
        Span("a", 20, 30, "r4"),
    ]
    clusters = cluster_spans(spans, 0.5)
    # r3 overlaps r1 with IoU 0.4 < 0.5: its own item; items sorted by (start, end)
    assert [[s.region_id for s in c] for c in clusters] == [["r3"], ["r1", "r2"], ["r4"]]
    assert consensus_span(clusters[1]) == (0, 10)  # no strict majority: lower median start/end
    three = [Span("a", 0, 10, "x"), Span("b", 0, 10, "y"), Span("c", 2, 12, "z")]
    assert consensus_span(three) == (0, 10)  # strict majority on the exact span


def test_pushed_tasks_without_answers_and_pair_kinds(tmp_path: Path) -> None:
    import polars as pl

    tasks = tmp_path / "tasks"
    tasks.mkdir()
    never = {
        "data": {
            "task_key": "stance:p-0099",
            "claimset_kind": "stance",
            "pair_id": "p-0099",
            "target_id": "t-x",
            "target": "T",
            "article_id": "a-1",
            "text": "Never annotated.",
        },
        "predictions": [],
    }
    # the task file holds every pushed task: the exported ones and one nobody answered
    pushed = [{"data": t["data"]} for t in load_fixture("stance")]
    (tasks / "stance.json").write_text(json.dumps([*pushed, never]))
    pairs = tmp_path / "pairs.parquet"
    pl.DataFrame(
        {"pair_id": ["p-0001", "p-0004"], "pair_kind": ["target", "headline"]}
    ).write_parquet(pairs)
    r = run(tmp_path, AggregateConfig(bootstrap_samples=0), tasks=tasks, stance_pairs=pairs)
    queue = {u["item_id"]: u for u in r.unresolved}
    assert (
        queue["p-0099"]["reason"] == "too_few_annotators" and queue["p-0099"]["n_annotators"] == 0
    )
    kinds = dict(
        zip(
            r.labels_stance["item_id"].to_list(),
            r.labels_stance["pair_kind"].to_list(),
            strict=True,
        )
    )
    assert kinds["p-0001"] == "target" and kinds["p-0004"] == "headline"
