"""An annotator's whole path in headless Chromium, for every task type, submit included.

Claims: log in, open the labelling stream, start from the pre-annotation (the stream copies
the predictions into the new annotation), delete a wrong region, draw a claim with the mouse,
set its type, relate it to the speaker, submit; `pull` finds exactly that annotation, and the
export parser gives the rows the aggregate reads (speaker_name included). A second annotator
then sees the task without the first one's answer. Stance: start from the predicted label,
change it, submit. Review: the reviewer sees every annotator's answer and gives the final one.

Screenshots: test-artifacts/labelstudio/<test>/NN-step.png (git-ignored).
"""

from __future__ import annotations

import json

import pytest
from conftest import ADMIN, ANNOTATORS, REPO, load_fixture

pytestmark = pytest.mark.integration

A1, A2 = ANNOTATORS


def _push(studio_env, name: str, tasks: list[dict]) -> tuple[int, dict[str, int]]:
    from claimset.labelstudio.answers import project_tasks
    from claimset.labelstudio.push import push_project

    res = push_project(studio_env.admin, studio_env.cfg, name, tasks)
    ids = {
        t["data"]["task_key"]: int(t["id"]) for t in project_tasks(studio_env.admin, res.project_id)
    }
    return res.project_id, ids


def _pulled(studio_env, name: str, out) -> tuple[list[dict], dict]:
    from claimset.labelstudio.pull import pull_project

    pulled = pull_project(studio_env.admin, studio_env.cfg, name, out)
    export = json.loads((out / name / "export.json").read_text(encoding="utf-8"))
    return export, pulled.manifest


def test_two_annotators_label_a_claims_task_in_the_browser(studio_env, person, tmp_path):
    import polars as pl

    from claimset.annotations.export import annotations_frame, parse_export
    from claimset.annotations.labelconfig import load_label_config

    task = load_fixture("claims_annotator.json")[0]
    pid, _ = _push(studio_env, "annotator_claims", [task])
    text = task["data"]["text"]

    one = person(A1, "claims-annotator1")
    one.open_stream(pid)
    # The pre-annotation is the starting point: the predicted regions are already there.
    one.page.get_by_text("Minister Anna Berg").first.wait_for()  # read-only context
    assert sorted(one.highlights()) == sorted(
        ["She", "the tidal barrier will open in 2027", "The weather was grey"]
    )
    one.shot("opened-with-pre-annotation")
    # The guidelines open as formatted HTML: a real table, the test file's <script> as text.
    one.page.get_by_role("button", name="Instructions").click()
    guide = one.page.locator(".claimset-guidelines")
    guide.wait_for()
    assert guide.locator("table td").filter(has_text="factual").count() == 1
    assert "<script>alert(1)</script>" in guide.inner_text()
    assert guide.locator("script").count() == 0
    one.shot("instructions")
    one.page.keyboard.press("Escape")
    guide.wait_for(state="hidden")
    # Selecting the SPEAKER shows who "She" is, pre-filled from the resolved speaker.
    one.select_region("She")
    assert one.page.get_by_text("Who is this speaker?").first.is_visible()
    assert one.page.get_by_text("Anna Berg").count() >= 2  # in the context and in the box
    one.shot("speaker-selected")

    one.delete_region("The weather was grey")
    assert "The weather was grey" not in one.highlights()
    one.draw_region("the cost would not rise", "CLAIM")
    assert "the cost would not rise" in one.highlights()
    one.shot("claim-drawn")
    # A CLAIM still needs its type: submitting now is refused with Label Studio's warning.
    one.page.locator("[data-testid=bottombar-submit-button]").first.click()
    one.page.locator(".ant-modal-confirm-content").first.wait_for(timeout=15_000)
    assert one.warnings() == ['Checkbox "claim_type" is required.']
    one.shot("type-required")
    one.dismiss_warning()
    assert "the cost would not rise" in one.highlights()
    one.select_region("the cost would not rise")
    one.choose("opinion")
    one.relate("the cost would not rise", "She")
    one.shot("related")
    one.submit()
    one.shot("submitted")

    export, manifest = _pulled(studio_env, "annotator_claims", tmp_path / "pull1")
    mine = [a for t in export for a in t["annotations"] if a["completed_by"] == A1]
    assert len(mine) == 1 and manifest["per_annotator"][A1]["annotations"] == 1
    assert sum(len(t["annotations"]) for t in export) == 1
    result = mine[0]["result"]
    spans = sorted(
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
        for r in result
        if r["type"] == "labels"
    )
    # Code-point offsets into the text shown (an emoji precedes "She").
    want = [
        (text.index(s), text.index(s) + len(s), lab)
        for s, lab in [
            ("She", "SPEAKER"),
            ("the tidal barrier will open in 2027", "CLAIM"),
            ("the cost would not rise", "CLAIM"),
        ]
    ]
    assert spans == sorted(want)

    config = load_label_config(REPO / "configs" / "labelstudio" / "claims.xml")
    parsed = parse_export(export, "claims", config)
    assert parsed.counts["accepted"] == 1 and not parsed.quarantine
    rows = annotations_frame(parsed.rows)
    new = rows.filter(pl.col("span_text") == "the cost would not rise")
    assert dict(zip(new["field"], new["value"], strict=True))["claim_type"] == "opinion"
    assert rows.filter(pl.col("field") == "said_by").height == 2
    names = rows.filter(pl.col("field") == "speaker_name")
    assert names["value"].to_list() == ["Anna Berg"] and names["span_text"].to_list() == ["She"]

    # Annotator 2 gets the same task (overlap 2) and sees the pre-annotation only: not the
    # region annotator 1 drew, and the region annotator 1 deleted is still there.
    two = person(A2, "claims-annotator2")
    two.open_stream(pid)
    two.page.get_by_text("Minister Anna Berg").first.wait_for()
    seen = two.highlights()
    two.shot("annotator2-opened")
    assert "the cost would not rise" not in seen
    assert "The weather was grey" in seen
    # Annotator 2 keeps the regions and corrects the pre-filled name of the speaker.
    two.select_region("She")
    two.set_text("Minister Anna Berg")
    two.shot("annotator2-name-corrected")
    two.unselect()
    two.submit()
    export, manifest = _pulled(studio_env, "annotator_claims", tmp_path / "pull2")
    assert sorted(a["completed_by"] for t in export for a in t["annotations"]) == [A1, A2]
    assert manifest["per_annotator"][A2]["annotations"] == 1
    parsed = parse_export(export, "claims", config)
    names = annotations_frame(parsed.rows).filter(pl.col("field") == "speaker_name")
    assert dict(zip(names["annotator"], names["value"], strict=True)) == {
        A1: "Anna Berg",
        A2: "Minister Anna Berg",
    }


def test_an_annotator_labels_a_stance_task_in_the_browser(studio_env, person, tmp_path):
    tasks = load_fixture("stance.json")[:1]
    data = tasks[0]["data"]
    predicted = tasks[0]["predictions"][0]["result"][0]["value"]["choices"][0]
    answer = next(c for c in ("against", "favor") if c != predicted)
    pid, _ = _push(studio_env, "annotator_stance", tasks)

    one = person(A1, "stance-annotator1")
    one.open_stream(pid)
    one.page.get_by_text(data["text"]).first.wait_for()
    assert one.page.get_by_text(f"Target: {data['target']}").first.is_visible()
    # The stream starts from the predicted label, selected.
    assert one.page.locator("label", has_text=predicted).locator("input").first.is_checked()
    one.shot("opened-with-prediction")
    one.choose(answer)
    one.shot("changed")
    one.submit()
    one.shot("submitted")

    export, manifest = _pulled(studio_env, "annotator_stance", tmp_path)
    mine = [a for t in export for a in t["annotations"] if a["completed_by"] == A1]
    assert len(mine) == 1 and sum(len(t["annotations"]) for t in export) == 1
    assert mine[0]["result"][0]["value"]["choices"] == [answer]
    assert manifest["per_annotator"][A1]["annotations"] == 1


def test_a_reviewer_settles_a_stance_disagreement_in_the_browser(studio_env, person, tmp_path):
    import polars as pl

    from claimset.annotations.export import ANNOTATION_SCHEMA
    from claimset.labelstudio.push import push_review

    unresolved = tmp_path / "unresolved.jsonl"
    unresolved.write_text(
        json.dumps(
            {
                "project": "stance",
                "item_id": "p-950",
                "task_key": "stance:p-950",
                "reason": "tie",
                "field": "stance",
                "article_id": "a-9",
                "text": "The council said the barrier would be finished on time.",
                "target": "The barrier will be late",
            }
        )
        + "\n"
    )
    rows = [
        {
            "project": "stance",
            "task_key": "stance:p-950",
            "item_id": "p-950",
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
        for i, (who, label) in enumerate([(A1, "against"), (A2, "neutral")])
    ]
    annotations = tmp_path / "annotations.parquet"
    pl.DataFrame(rows, schema=ANNOTATION_SCHEMA).write_parquet(annotations)
    report = push_review(studio_env.cfg, unresolved, annotations, studio=studio_env.admin)
    pid = int(report.extra["review_stance.project_id"])
    from claimset.labelstudio.answers import project_tasks

    task_id = next(
        int(t["id"])
        for t in project_tasks(studio_env.admin, pid)
        if t["data"]["task_key"] == "review:p-950"
    )

    reviewer = person(ADMIN, "review-stance")
    reviewer.open_task(pid, task_id)
    reviewer.page.get_by_text("Target: The barrier will be late").first.wait_for()
    answers = reviewer.page.get_by_text(A1, exact=False).first
    assert answers.is_visible()
    assert reviewer.page.get_by_text(A2, exact=False).first.is_visible()
    reviewer.shot("review-task")
    reviewer.choose("against")
    reviewer.submit()
    reviewer.shot("submitted")

    export, manifest = _pulled(studio_env, "review_stance", tmp_path / "pull")
    task = next(t for t in export if t["data"]["task_key"] == "review:p-950")
    assert [a["completed_by"] for a in task["annotations"]] == [ADMIN]
    assert task["annotations"][0]["result"][0]["value"]["choices"] == ["against"]
    assert manifest["per_annotator"][ADMIN]["annotations"] == 1
