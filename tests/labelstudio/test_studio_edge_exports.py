"""Exports with the cases that break naive parsers: a cancelled annotation, a skipped task,
a draft, a task nobody annotated, and spans after astral characters (UTF-16 offsets)."""

from __future__ import annotations

import json

import pytest
from conftest import ANNOTATORS

pytestmark = pytest.mark.integration

EMOJI_TEXT = "😀😀 Breaking 🇺🇦: the mayor said taxes will rise 𝒻𝒶𝓈𝓉 next year."


def _task(key: str, text: str) -> dict:
    return {
        "data": {
            "task_key": key,
            "claimset_kind": "stance",
            "pair_id": key,
            "target_id": "t",
            "target": "Taxes should rise",
            "article_id": "a-edge",
            "text": text,
            "context": "",
        }
    }


def _ids(studio, project_id):
    from claimset.labelstudio.answers import project_tasks

    return {t["data"]["task_key"]: int(t["id"]) for t in project_tasks(studio, project_id)}


@pytest.fixture(scope="module")
def edge_export(studio_env, tmp_path_factory):
    from claimset.labelstudio.answers import stance_result
    from claimset.labelstudio.demo import annotator_studio
    from claimset.labelstudio.pull import pull_project
    from claimset.labelstudio.push import push_project

    cfg, admin = studio_env.cfg, studio_env.admin
    tasks = [_task(f"edge:{i}", f"Edge case text number {i}.") for i in range(1, 5)]
    res = push_project(admin, cfg, "edge", tasks)
    a1 = annotator_studio(cfg, admin.url, "annotator1")
    a2 = annotator_studio(cfg, admin.url, "annotator2")
    ids = _ids(a1, res.project_id)
    # edge:1 -> one real answer and one cancelled (skipped) answer
    a1.sdk.annotations.create(id=ids["edge:1"], result=stance_result("favor"), lead_time=2.0)
    a2.sdk.annotations.create(id=ids["edge:1"], result=[], was_cancelled=True)
    # edge:2 -> skipped by its only annotator
    a1.sdk.annotations.create(id=ids["edge:2"], result=[], was_cancelled=True)
    # edge:3 -> a draft only (started, never submitted)
    a2.request(
        "POST",
        f"/api/tasks/{ids['edge:3']}/drafts",
        json={"result": stance_result("against"), "lead_time": 1},
    )
    # edge:4 -> nothing
    out = tmp_path_factory.mktemp("edge")
    pulled = pull_project(admin, cfg, "edge", out)
    return pulled, json.loads((out / "edge" / "export.json").read_text())


# The edge export's set-up (two annotators' sessions, answers, a draft and a snapshot pull
# paged 3 tasks at a time) is one of the two slowest Label Studio steps: marked slow, still
# run by `make test` (which selects no markers).
@pytest.mark.slow
def test_each_edge_case_is_counted(edge_export):
    pulled, _ = edge_export
    m = pulled.manifest
    assert (m["tasks"], m["annotations"], m["cancelled"], m["skipped"], m["drafts"]) == (
        4,
        1,
        2,
        1,
        1,
    )
    assert m["tasks_without_annotations"] == 3
    assert m["per_annotator"] == {
        ANNOTATORS[0]: {"annotations": 1, "cancelled": 1, "drafts": 0},
        ANNOTATORS[1]: {"annotations": 0, "cancelled": 1, "drafts": 1},
    }


@pytest.mark.slow
def test_no_edge_case_becomes_a_negative_label(edge_export):
    _, export = edge_export
    by_key = {t["data"]["task_key"]: t for t in export}
    # A cancelled answer carries no result: nothing in it reads as a label.
    cancelled = [a for t in export for a in t["annotations"] if a["was_cancelled"]]
    assert len(cancelled) == 2 and all(a["result"] == [] for a in cancelled)
    # The draft stays a draft, with its author as an email, not an annotation.
    assert by_key["edge:3"]["annotations"] == []
    assert by_key["edge:3"]["drafts"][0]["user"] == ANNOTATORS[1]
    assert by_key["edge:4"]["annotations"] == [] and by_key["edge:4"]["drafts"] == []
    done = [a for a in by_key["edge:1"]["annotations"] if not a["was_cancelled"]]
    assert [a["result"][0]["value"]["choices"] for a in done] == [["favor"]]


def test_astral_offsets_and_mismatched_spans_are_quarantined(studio_env, tmp_path):
    from claimset.labelstudio.answers import claims_result
    from claimset.labelstudio.demo import annotator_studio
    from claimset.labelstudio.pull import pull_project
    from claimset.labelstudio.push import push_project

    cfg, admin = studio_env.cfg, studio_env.admin
    task = {
        "data": {
            "task_key": "offsets:1",
            "claimset_kind": "claims",
            "article_id": "a-off",
            "paragraph": 1,
            "char_offset": 0,
            "title": "Offsets 🇺🇦",
            "text": EMOJI_TEXT,
            "context": "(This is the first paragraph of the article.)",
        }
    }
    res = push_project(admin, cfg, "offsets", [task])
    a1 = annotator_studio(cfg, admin.url, "annotator1")
    a2 = annotator_studio(cfg, admin.url, "annotator2")
    ids = _ids(a1, res.project_id)
    good = claims_result(
        EMOJI_TEXT,
        [
            {
                "claim": "taxes will rise 𝒻𝒶𝓈𝓉 next year",
                "speaker": "the mayor",
                "claim_type": "prediction",
                "checkworthy": "yes",
            }
        ],
        "offsets:1",
    )
    a1.sdk.annotations.create(id=ids["offsets:1"], result=good)
    # A span whose offsets are off by one: neither as code points nor as UTF-16 units do they
    # give the span text, so pull must quarantine it, not shift it silently.
    cp_start = EMOJI_TEXT.index("the mayor") + 1
    bad = [
        {
            "id": "bad1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": cp_start,
                "end": cp_start + 9,
                "text": "the mayor",
                "labels": ["SPEAKER"],
            },
        }
    ]
    a2.sdk.annotations.create(id=ids["offsets:1"], result=bad)
    pulled = pull_project(admin, cfg, "offsets", tmp_path)
    export = json.loads((tmp_path / "offsets" / "export.json").read_text())
    anns = {a["completed_by"]: a for a in export[0]["annotations"]}
    spans = [r["value"] for r in anns[ANNOTATORS[0]]["result"] if r.get("type") == "labels"]
    assert sorted(v["text"] for v in spans) == ["taxes will rise 𝒻𝒶𝓈𝓉 next year", "the mayor"]
    for v in spans:
        assert EMOJI_TEXT[v["start"] : v["end"]] == v["text"]
    assert anns[ANNOTATORS[1]]["result"] == []
    assert pulled.manifest["quarantined"] == 1
    q = json.loads((tmp_path / "offsets" / "quarantine.json").read_text())
    assert q[0]["task_key"] == "offsets:1" and q[0]["region_id"] == "bad1"
    assert "not 'the mayor'" in q[0]["reason"]
