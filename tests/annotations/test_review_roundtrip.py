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
    assert (
        "claim_type: opinion" in claim[0]["answers"]
        and "claim_type: prediction" in claim[0]["answers"]
    )
    assert "speaker: French President Emmanuel Macron" in claim[0]["answers"]
    # too few annotators is not a disagreement: no review task
    assert "p-0003" not in by_item
    assert [t["data"]["task_key"] for t in tasks] == sorted(t["data"]["task_key"] for t in tasks)


def test_review_configs_parse_and_accept_a_reviewer_answer() -> None:
    for kind, xml in (("stance", STANCE_XML), ("claims", CLAIMS_XML)):
        cfg = parse_label_config(review_label_config(kind, load_label_config(xml)))
        assert cfg.controls
    claims_review = parse_label_config(review_label_config("claims", load_label_config(CLAIMS_XML)))
    task = {
        "id": 1,
        "data": {"task_key": "review:x", "item_id": "a-1-g0-5", "text": "hello"},
        "annotations": [
            {
                "id": 9,
                "completed_by": "rita@example.org",
                "was_cancelled": False,
                "created_at": "2026-11-23T08:00:00Z",
                "lead_time": 3.0,
                "result": [
                    {
                        "id": "r1",
                        "from_name": "claim",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["yes"]},
                    },
                    {
                        "id": "r2",
                        "from_name": "claim_type",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["opinion"]},
                    },
                    {
                        "id": "r3",
                        "from_name": "speaker",
                        "to_name": "text",
                        "type": "textarea",
                        "value": {"text": ["Emmanuel Macron"]},
                    },
                ],
            }
        ],
    }
    parsed = parse_export([task], "review_claims", claims_review)
    assert not parsed.quarantine
    got = {(r["field"], r["value"]) for r in parsed.rows}
    assert got == {("claim", "yes"), ("claim_type", "opinion"), ("speaker", "Emmanuel Macron")}
    assert {r["item_id"] for r in parsed.rows} == {"a-1-g0-5"}


def _review_export(tasks: list[dict], answers: dict[str, list[dict]], reviewer: str) -> list[dict]:
    """What Label Studio exports after a reviewer answered the pushed review tasks."""
    out = []
    for n, t in enumerate(tasks, start=1):
        result = answers.get(t["data"]["item_id"])
        anns = []
        if result is not None:
            anns.append(
                {
                    "id": 9000 + n,
                    "completed_by": reviewer,
                    "result": result,
                    "was_cancelled": False,
                    "created_at": "2026-11-24T09:00:00.000000Z",
                    "updated_at": "2026-11-24T09:00:00.000000Z",
                    "lead_time": 30.0,
                }
            )
        out.append(
            {"id": 500 + n, "data": t["data"], "annotations": anns, "drafts": [], "predictions": []}
        )
    return out


def _choice(name: str, value: str) -> dict:
    return {
        "id": f"r-{name}",
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }


def test_claims_review_roundtrip_overrides_and_removes(tmp_path: Path) -> None:
    import json

    exports = copy_exports(tmp_path, ("claims", "stance"))
    first = run(tmp_path / "first", exports=exports)
    tasks = build_review_tasks(first.paths.unresolved, first.paths.annotations_out)
    claim_task = next(t for t in tasks if t["data"]["review_of"] == "claims")
    item = claim_task["data"]["item_id"]
    export = _review_export(
        [claim_task],
        {
            item: [
                _choice("claim", "yes"),
                _choice("claim_type", "opinion"),
                {
                    "id": "r-s",
                    "from_name": "speaker",
                    "to_name": "text",
                    "type": "textarea",
                    "value": {"text": ["Emmanuel Macron"]},
                },
            ]
        },
        "rita@example.org",
    )
    (exports / "review_claims").mkdir()
    (exports / "review_claims" / "export.json").write_text(json.dumps(export))
    second = run(tmp_path / "second", exports=exports)
    row = second.labels_claims.filter(second.labels_claims["item_id"] == item).to_dicts()
    assert len(row) == 1
    got = row[0]
    assert (got["claim_type"], got["speaker"], got["method"], got["reviewer"]) == (
        "opinion",
        "Emmanuel Macron",
        "review",
        "rita@example.org",
    )
    assert got["agreement"] == 0.5 and got["n_annotators"] == 2
    assert item not in {u["item_id"] for u in second.unresolved}

    # the reviewer changes their mind: not a claim -> the span leaves the labels
    export[0]["annotations"].append(
        {
            **export[0]["annotations"][0],
            "id": 9999,
            "created_at": "2026-11-24T10:00:00.000000Z",
            "updated_at": "2026-11-24T10:00:00.000000Z",
            "result": [_choice("claim", "no")],
        }
    )
    (exports / "review_claims" / "export.json").write_text(json.dumps(export))
    third = run(tmp_path / "third", exports=exports)
    assert item not in third.labels_claims["item_id"].to_list()
    assert item not in {u["item_id"] for u in third.unresolved}
    assert third.agreement["counts"]["claims_rejected_by_review"] == 1


def test_review_of_an_unknown_item_is_kept_and_reported_stale(tmp_path: Path) -> None:
    import json

    exports = copy_exports(tmp_path, ("stance",))
    stale = _review_export(
        [
            {
                "data": {
                    "task_key": "review:p-9999",
                    "item_id": "p-9999",
                    "claimset_kind": "review",
                    "review_of": "stance",
                    "text": "gone",
                    "target": "t",
                }
            }
        ],
        {"p-9999": [_choice("stance", "favor")]},
        "rita@example.org",
    )
    (exports / "review_stance").mkdir()
    (exports / "review_stance" / "export.json").write_text(json.dumps(stale))
    r = run(tmp_path, exports=exports)
    assert [q["reason"] for q in r.quarantine if q["task_key"] == "review:p-9999"] == [
        "review_stale"
    ]
    assert "p-9999" not in r.labels_stance["item_id"].to_list()
    assert r.annotations.filter(r.annotations["item_id"] == "p-9999").height == 1
