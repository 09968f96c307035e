"""`claimset studio push --review`: the stance disagreement queue becomes review tasks that
show the target, the text and every annotator's answer."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_push_review_creates_the_review_project(studio_env, tmp_path):
    import polars as pl

    from claimset.annotations.export import ANNOTATION_SCHEMA
    from claimset.labelstudio.answers import project_tasks
    from claimset.labelstudio.push import push_review

    unresolved = tmp_path / "unresolved.jsonl"
    unresolved.write_text(
        json.dumps(
            {
                "project": "stance",
                "item_id": "p-900",
                "task_key": "stance:p-900",
                "reason": "tie",
                "field": "stance",
                "article_id": "a-1",
                "text": "The minister said troops may be sent.",
                "target": "Troops should be sent",
            }
        )
        + "\n"
    )
    rows = [
        {
            "project": "stance",
            "task_key": "stance:p-900",
            "item_id": "p-900",
            "annotator": who,
            "annotation_id": i,
            "field": "stance",
            "value": label,
            "char_start": None,
            "char_end": None,
            "span_text": None,
            "region_id": None,
            "created_at": "2026-01-01T00:00:00Z",
            "lead_time": 1.0,
            "label_config_version": "v",
        }
        for i, (who, label) in enumerate([("a@x.org", "favor"), ("b@x.org", "against")])
    ]
    annotations = tmp_path / "annotations.parquet"
    pl.DataFrame(rows, schema=ANNOTATION_SCHEMA).write_parquet(annotations)

    report = push_review(studio_env.cfg, unresolved, annotations, studio=studio_env.admin)
    assert report.extra["review_stance.imported"] == 1
    again = push_review(studio_env.cfg, unresolved, annotations, studio=studio_env.admin)
    assert again.extra["review_stance.imported"] == 0
    tasks = project_tasks(studio_env.admin, int(report.extra["review_stance.project_id"]))
    # (the review project is shared with the browser review test: find this task by key)
    data = next(t["data"] for t in tasks if t["data"]["task_key"] == "review:p-900")
    assert data["task_key"] == "review:p-900" and data["target"] == "Troops should be sent"
    assert (
        "a@x.org" in data["answers"] and "favor" in data["answers"] and "against" in data["answers"]
    )
