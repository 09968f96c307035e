"""Adjudication: unresolved items -> review tasks; the review config accepts the reviewer's answer."""

from __future__ import annotations

from pathlib import Path

from agg_support import CLAIMS_XML, STANCE_XML, copy_exports, run

from claimset.annotations.export import parse_export
from claimset.annotations.labelconfig import load_label_config, parse_label_config
from claimset.annotations.review import build_review_tasks, review_label_config


def test_review_tasks_show_every_annotators_answer(tmp_path: Path) -> None:
    # without the review export, p-0002 stays a tie and the claim type tie is open too
    r = run(tmp_path, exports=copy_exports(tmp_path, ("claims", "stance")))
    tasks = build_review_tasks(r.paths.unresolved, r.paths.annotations_out)
    by_item = {t["data"]["item_id"]: t["data"] for t in tasks}
    assert "p-0002" in by_item
    p2 = by_item["p-0002"]
    assert p2["project"] == "review_stance" and p2["task_key"] == "review:p-0002"
    assert "alice@example.org: stance: neutral" in p2["answers"]
    assert "bob@example.org: stance: against" in p2["answers"]
    claim = [d for d in by_item.values() if d["review_of"] == "claims"]
    assert len(claim) == 1 and claim[0]["field"] == "claim_type"
    assert "claim_type: opinion" in claim[0]["answers"] and "claim_type: prediction" in claim[0]["answers"]
    assert "speaker: French President Emmanuel Macron" in claim[0]["answers"]
    # too few annotators is not a disagreement: no review task
    assert "p-0003" not in by_item
    assert [t["data"]["task_key"] for t in tasks] == sorted(t["data"]["task_key"] for t in tasks)


def test_review_configs_parse_and_accept_a_reviewer_answer() -> None:
    for kind, xml in (("stance", STANCE_XML), ("claims", CLAIMS_XML)):
        cfg = parse_label_config(review_label_config(kind, load_label_config(xml)))
        assert cfg.controls
    claims_review = parse_label_config(review_label_config("claims", load_label_config(CLAIMS_XML)))
    task = {"id": 1, "data": {"task_key": "review:x", "item_id": "a-1-g0-5", "text": "hello"},
            "annotations": [{"id": 9, "completed_by": "rita@example.org", "was_cancelled": False,
                             "created_at": "2026-11-23T08:00:00Z", "lead_time": 3.0, "result": [
                                 {"id": "r1", "from_name": "claim", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["yes"]}},
                                 {"id": "r2", "from_name": "claim_type", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["opinion"]}},
                                 {"id": "r3", "from_name": "speaker", "to_name": "text", "type": "textarea",
                                  "value": {"text": ["Emmanuel Macron"]}}]}]}
    parsed = parse_export([task], "review_claims", claims_review)
    assert not parsed.quarantine
    got = {(r["field"], r["value"]) for r in parsed.rows}
    assert got == {("claim", "yes"), ("claim_type", "opinion"), ("speaker", "Emmanuel Macron")}
    assert {r["item_id"] for r in parsed.rows} == {"a-1-g0-5"}
