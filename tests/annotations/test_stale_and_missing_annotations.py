"""Answers to tasks that are not in data/tasks/ are quarantined; no answers at all is one message.

Issue 13: with the demo articles removed, aggregate turned 651 bundled demo answers into 316
gold labels for articles that no longer existed; with no exports, validate failed with a wall
of critical expectations instead of saying "nobody has annotated yet".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from agg_support import (
    CLAIMS_XML,
    FIXTURES,
    STANCE_XML,
    copy_exports,
    load_fixture,
    make_paths,
    run,
)

from claimset.annotations.config import AggregateConfig
from claimset.annotations.stage import NoAnnotationsError, run_aggregate
from claimset.cli import main

STALE = FIXTURES / "stale" / "stance" / "export.json"


def _task_files(tmp: Path, *projects: str) -> Path:
    """data/tasks/ as the tasks stage writes it: the fixture's pushed tasks."""
    tasks = tmp / "tasks"
    tasks.mkdir()
    for project in projects:
        (tasks / f"{project}.json").write_text(
            json.dumps([{"data": t["data"]} for t in load_fixture(project)])
        )
    return tasks


def _with_stale_stance(tmp: Path) -> Path:
    """The fixture exports, with the stance export also holding another corpus's tasks."""
    exports = copy_exports(tmp)
    path = exports / "stance" / "export.json"
    mixed = json.loads(path.read_text()) + json.loads(STALE.read_text())
    path.write_text(json.dumps(mixed))
    return exports


def test_stale_answers_are_quarantined_naming_the_export(tmp_path: Path) -> None:
    exports = _with_stale_stance(tmp_path)
    tasks = _task_files(tmp_path, "claims", "stance")
    r = run(tmp_path, AggregateConfig(bootstrap_samples=0), exports=exports, tasks=tasks)
    stale = [q for q in r.quarantine if q["reason"] == "task_not_in_tasks"]
    n_stale = sum(len(t["annotations"]) for t in json.loads(STALE.read_text()))
    assert n_stale == 5 and len(stale) == n_stale
    assert {q["task_key"] for q in stale} == {"stance:p-old-0001", "stance:p-old-0002"}
    for q in stale:
        assert q["export"] == str(exports / "stance" / "export.json")
        assert str(exports / "stance" / "export.json") in q["detail"]
        assert "not in the current task files" in q["detail"]
    # the stale task's draft is quarantined too (as a draft), so nothing typed is lost
    drafts = [
        q for q in r.quarantine if q["task_key"] == "stance:p-old-0002" and q["reason"] == "draft"
    ]
    assert len(drafts) == 1
    # never gold for articles that are not in the corpus
    assert not [i for i in r.labels_stance["item_id"].to_list() if i.startswith("p-old-")]
    assert not r.annotations.filter(r.annotations["task_key"].str.contains("p-old")).height
    counts = r.agreement["counts"]
    assert counts["quarantined_task_not_in_tasks"] == n_stale
    assert counts["stale_tasks"] == 2
    assert counts["stance_stale_annotations"] == n_stale
    assert f"for tasks not in data/tasks/ {n_stale}" in r.paths.agreement_md.read_text()


def test_stale_answers_without_task_files_are_not_judged(tmp_path: Path) -> None:
    # no data/tasks/stance.json at all: nothing to be stale against (the CLI tests' set-up)
    exports = _with_stale_stance(tmp_path)
    tasks = _task_files(tmp_path, "claims")
    r = run(tmp_path, AggregateConfig(bootstrap_samples=0), exports=exports, tasks=tasks)
    assert r.agreement["counts"].get("quarantined_task_not_in_tasks", 0) == 0


def test_no_exports_stops_with_one_message(tmp_path: Path) -> None:
    exports = tmp_path / "annotations"
    exports.mkdir()
    tasks = _task_files(tmp_path, "claims", "stance")
    with pytest.raises(NoAnnotationsError) as err:
        run_aggregate(make_paths(tmp_path, exports, tasks=tasks), AggregateConfig())
    msg = str(err.value)
    assert msg.startswith("no annotations yet for the 9 tasks in ")
    for step in ("claimset studio push", "claimset studio pull", "dvc repro"):
        assert step in msg
    assert len(msg.splitlines()) <= 8


def test_only_stale_exports_is_the_same_message_with_the_count(tmp_path: Path) -> None:
    exports = tmp_path / "annotations"
    (exports / "stance").mkdir(parents=True)
    shutil.copy(STALE, exports / "stance" / "export.json")
    tasks = _task_files(tmp_path, "claims", "stance")
    with pytest.raises(NoAnnotationsError, match="5 answer"):
        run_aggregate(make_paths(tmp_path, exports, tasks=tasks), AggregateConfig())


def test_cli_exit_2_and_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exports = tmp_path / "annotations"
    exports.mkdir()
    tasks = _task_files(tmp_path, "claims", "stance")
    o = tmp_path / "out"
    code = main(
        [
            "aggregate",
            "--exports", str(exports),
            "--tasks", str(tasks),
            "--claims-config", str(CLAIMS_XML),
            "--stance-config", str(STANCE_XML),
            "--annotations-out", str(o / "annotations.parquet"),
            "--labels-claims", str(o / "labels_claims.parquet"),
            "--labels-stance", str(o / "labels_stance.parquet"),
            "--unresolved", str(o / "unresolved.jsonl"),
            "--quarantine", str(o / "quarantine.jsonl"),
            "--agreement", str(o / "agreement.json"),
            "--agreement-md", str(o / "agreement.md"),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("claimset aggregate: error: no annotations yet")
    assert "Traceback" not in err and "expect" not in err
    assert not (o / "labels_stance.parquet").exists()
