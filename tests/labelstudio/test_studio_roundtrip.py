"""Round trip against a real Label Studio: push the demo tasks, annotate as two annotator
accounts through the API (each with their own token), pull, and get exactly the answers back."""

from __future__ import annotations

import json

import pytest
from conftest import ANNOTATORS, FIXTURES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(studio_env, tmp_path_factory):
    from claimset.labelstudio.demo import annotate_demo

    out = tmp_path_factory.mktemp("annotations")
    result = annotate_demo(
        studio_env.cfg, FIXTURES, FIXTURES / "answers", out, admin=studio_env.admin
    )
    return result, out


def test_round_trip_is_exact(demo):
    from claimset.labelstudio.answers import export_answers

    result, out = demo
    assert sorted((s.annotator, s.project) for s in result.submitted) == sorted(
        (a, p) for a in ANNOTATORS for p in ("claims", "stance")
    )
    for project in ("claims", "stance"):
        export = json.loads((out / project / "export.json").read_text())
        for email in ANNOTATORS:
            local = email.split("@")[0]
            want = json.loads((FIXTURES / "answers" / local / f"{project}.json").read_text())
            assert export_answers(export, email, project) == want, (project, email)


def test_export_is_sorted_normalised_and_counted(demo, studio_env):
    _, out = demo
    export = json.loads((out / "claims" / "export.json").read_text())
    keys = [t["data"]["task_key"] for t in export]
    assert keys == sorted(keys) and len(keys) == 3
    for t in export:
        assert "updated_at" not in t
        for a in t["annotations"]:
            assert a["completed_by"] in ANNOTATORS  # ids mapped to emails
            assert isinstance(a["created_at"], str) and a["lead_time"] == 1.0
    manifest = json.loads((out / "claims" / "manifest.json").read_text())
    assert manifest["tasks"] == 3
    assert manifest["annotations"] == 5  # annotator1: 3 tasks (one "no claim"), annotator2: 2
    assert manifest["per_annotator"] == {
        ANNOTATORS[0]: {"annotations": 3, "cancelled": 0, "drafts": 0},
        ANNOTATORS[1]: {"annotations": 2, "cancelled": 0, "drafts": 0},
    }
    assert manifest["quarantined"] == 0
    import hashlib

    assert (
        manifest["export_sha256"]
        == hashlib.sha256((out / "claims" / "export.json").read_bytes()).hexdigest()
    )
    xml = (studio_env.root / "configs" / "labelstudio" / "claims.xml").read_bytes()
    assert manifest["label_config_sha256"] == hashlib.sha256(xml).hexdigest()
    assert manifest["label_config_version"] == manifest["label_config_sha256"][:12]


def test_astral_characters_before_a_span_keep_exact_offsets(demo):
    _, out = demo
    export = json.loads((out / "claims" / "export.json").read_text())
    task = next(t for t in export if t["data"]["task_key"] == "claims:a-0000000000000002:p1")
    text = task["data"]["text"]
    assert "🚀" in text[:3]
    spans = [
        r["value"]
        for a in task["annotations"] + task["predictions"]
        for r in a["result"]
        if r.get("type") == "labels"
    ]
    assert len(spans) >= 5
    for v in spans:
        # code points: Python slicing gives the span text back
        assert text[v["start"] : v["end"]] == v["text"]
    claim = next(v for v in spans if v["text"] == "the tidal barrier will open in 2027")
    assert claim["start"] == text.index("the tidal barrier")


def test_pull_twice_is_byte_identical(demo, studio_env, tmp_path):
    from claimset.labelstudio.pull import pull_projects

    _, out = demo
    pull_projects(studio_env.cfg, tmp_path, ["claims", "stance"], studio=studio_env.admin)
    for project in ("claims", "stance"):
        for name in ("export.json", "manifest.json", "quarantine.json"):
            assert (tmp_path / project / name).read_bytes() == (
                out / project / name
            ).read_bytes(), (project, name)


def test_push_again_imports_nothing_and_annotating_again_adds_nothing(demo, studio_env):
    from claimset.labelstudio.demo import annotate_demo

    _result, out = demo
    again = annotate_demo(
        studio_env.cfg, FIXTURES, FIXTURES / "answers", out, admin=studio_env.admin
    )
    assert again.push.records_out == 0
    assert again.push.extra["claims.already_present"] == 3
    assert again.push.extra["stance.already_present"] == 4
    assert again.push.extra["stance.duplicates_on_server"] == 0
    assert all(s.created == 0 for s in again.submitted)


def test_status_reports_progress_per_annotator(demo, studio_env):
    from claimset.labelstudio.progress import status_report

    text = status_report(studio_env.cfg, ["stance"], studio=studio_env.admin)
    assert "server: running" in text
    assert "stance (project" in text and "tasks=4" in text
    assert f"{ANNOTATORS[0]}: 3" in text and f"{ANNOTATORS[1]}: 4" in text
    # overlap 2: p-004 has one annotation only
    assert "stance:p-004: 1" in text
