"""`claimset init`: a team's own corpus, in one documented path (issue 13, point 1).

Unit tests check how init adapts the checkout's pipeline; the integration test makes a
project from pages the test writes, runs real `dvc repro` in it and checks that it builds
through `tasks` and then stops with the one "no annotations yet" message.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from new_team import write_corpus
from pipeline_support import ROOT, pipeline_env

from claimset.cli import main
from claimset.config import load_section
from claimset.errors import ClaimsetError
from claimset.project.scaffold import (
    init_project,
    project_dvc_yaml,
    project_params,
    project_studio_yaml,
)
from claimset.release_config import DatasetConfig


def test_dvc_yaml_keeps_the_corpus_stages_and_fingerprints_the_code() -> None:
    text, dropped, code = project_dvc_yaml((ROOT / "dvc.yaml").read_text())
    spec = yaml.safe_load(text)
    stages = spec["stages"]
    # The toolkit's own measures and the tagger trained on PolNeAR read ../shared.
    assert dropped == ["attribution_model", "fnc1_baseline", "preannotation_quality"]
    assert not set(dropped) & set(stages)
    # ... so no kept stage depends on the tagger they would have written: rules only.
    written = {
        str(o if isinstance(o, str) else next(iter(o)))
        for st in stages.values()
        for kind in ("outs", "metrics", "plots")
        for o in st.get(kind, [])
    }
    data_deps = {str(d) for st in stages.values() for d in st.get("deps", [])}
    data_deps = {d for d in data_deps if d.startswith(("data/", "reports/"))}
    inputs = {"data/raw", "data/annotations"}
    assert data_deps - inputs <= {w.replace("${dataset.name}", "X") for w in written} | {
        d for d in data_deps if "${" in d
    }
    assert "--attribution-model" not in stages["candidates"]["cmd"]
    assert next(iter(stages)) == "fingerprint" and stages["fingerprint"]["always_changed"] is True
    for name in ("ingest", "segment", "candidates", "tasks", "aggregate", "validate", "split"):
        assert name in stages
    assert "ingest" in code and "parallel.py" in code
    deps = [str(d) for st in stages.values() for d in st.get("deps", [])]
    assert not [d for d in deps if d.startswith(("src/", "../", "tests/"))]
    assert ".claimset/code/ingest.sha256" in stages["ingest"]["deps"]
    outs = [next(iter(o)) for o in stages["fingerprint"]["outs"]]
    assert sorted(outs) == sorted(f".claimset/code/{c}.sha256" for c in code)
    # every fingerprint a stage depends on is written by the fingerprint stage
    assert {d for d in deps if d.startswith(".claimset/")} == set(outs)


def test_params_reset_the_release_identity_and_keep_everything_else(tmp_path: Path) -> None:
    original = (ROOT / "params.yaml").read_text()
    text = project_params(original, "city-desk", 2027)
    new, old = yaml.safe_load(text), yaml.safe_load(original)
    assert new["dataset"]["name"] == "city-desk"
    assert new["dataset"]["license"] == "other"
    assert new["dataset"]["annotation_note"] is None  # the demo's AI-annotator note is gone
    assert new["dataset"]["year"] == 2027
    assert {k: v for k, v in new.items() if k != "dataset"} == {
        k: v for k, v in old.items() if k != "dataset"
    }
    assert "# EDIT" in text and "publishers' copyright" in text
    p = tmp_path / "params.yaml"
    p.write_text(text)
    assert load_section("dataset", DatasetConfig, p).name == "city-desk"


def test_studio_yaml_points_at_the_checkouts_label_studio() -> None:
    text = project_studio_yaml((ROOT / "configs/labelstudio/studio.yaml").read_text(), ROOT)
    server = yaml.safe_load(text)["server"]
    assert server["venv"] == str(ROOT / ".venv-labelstudio")
    assert server["lock"] == str(ROOT / "requirements-labelstudio.lock")


def test_init_refuses_a_non_empty_dir_and_a_folder_without_articles(tmp_path: Path) -> None:
    articles, targets = write_corpus(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(ClaimsetError, match="not empty"):
        init_project(busy, articles, targets)
    empty = tmp_path / "nothing"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.docx").write_bytes(b"PK")
    with pytest.raises(ClaimsetError, match="no articles found"):
        init_project(tmp_path / "p", empty, targets)
    assert not (tmp_path / "p").exists()


@pytest.mark.integration
def test_init_then_dvc_repro_builds_tasks_and_stops_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles, targets = write_corpus(tmp_path)
    project = tmp_path / "city-desk"
    assert main(["init", str(project), "--articles", str(articles), "--targets", str(targets)]) == 0
    printed = capsys.readouterr().out
    for must in (
        "configs/targets.yaml",
        "params.yaml",
        "dataset.license",
        "configs/labelstudio/annotators.yaml",
        "2 articles in data/raw/ (2 html)",
    ):
        assert must in printed
    assert sorted(
        p.relative_to(project / "data/raw").as_posix()
        for p in (project / "data/raw").rglob("*.html")
    ) == [
        "metro/poll.html",
        "wire/council.html",
    ]
    assert not (project / "data" / "raw" / "demo").exists()
    assert [p.name for p in (project / "data" / "annotations").iterdir()] == [".gitkeep"]
    assert not (project / "dvc.lock").exists()
    assert yaml.safe_load((project / "configs/targets.yaml").read_text())["targets"][0]["id"] == (
        "congestion-charge"
    )

    def repro() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["dvc", "repro"], cwd=project, env=pipeline_env(), capture_output=True, text=True,
            timeout=900,
        )  # fmt: skip

    first = repro()
    out = first.stdout + first.stderr
    assert first.returncode != 0
    assert "claimset aggregate: error: no annotations yet for the" in out
    assert "claimset studio push" in out and "claimset studio pull" in out
    assert "expect" not in out.lower() and "Traceback" not in out
    lock = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    assert {"fingerprint", "ingest", "segment", "candidates", "tasks"} <= set(lock)
    assert "aggregate" not in lock
    tasks = json.loads((project / "data/tasks/claims.json").read_text())
    texts = " ".join(t["data"]["text"] for t in tasks)
    assert "especially high among suburban commuters, according to a Metro Daily poll." in texts
    assert "By Lena Park" in texts  # printed text stays in the article
    articles_pq = __import__("polars").read_parquet(project / "data/interim/articles.parquet")
    assert sorted(articles_pq["source"].to_list()) == ["Metro Daily", "Wire News"]
    assert articles_pq["url"].null_count() == 0

    # The old demo exports dropped into data/annotations/: counted, set aside, never gold.
    shutil.copytree(ROOT / "data/annotations/stance", project / "data/annotations/stance")
    second = repro()
    out = second.stdout + second.stderr
    assert second.returncode != 0
    assert "belong to tasks that are no longer in data/tasks/" in out
    # Nothing upstream re-ran: the code fingerprints did not change.
    assert "Running stage 'ingest'" not in out and "Running stage 'tasks'" not in out
