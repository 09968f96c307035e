"""A new team, end to end (issue 13, point 6): its own saved news pages, written here, go
through `claimset init` -> `dvc repro` -> `studio up` -> `studio push` -> two annotators
label claims (with speakers) and stance in headless Chromium -> `studio pull` -> `dvc repro`
-> `datasets.load_dataset` of the release holds exactly those labels.

Everything runs as the user runs it: the `claimset` and `dvc` commands in the project
directory, a real Label Studio server (the checkout's .venv-labelstudio, as `studio up`
makes it), and a browser for every answer. Screenshots go to test-artifacts/new-team/
(git-ignored).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from new_team import CLAIMS, STANCE, TARGET, answer_for, write_corpus
from pipeline_support import ROOT, pipeline_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

sys.path.insert(0, str(ROOT / "tests" / "labelstudio"))

LEAD = "lead@city-desk.test"
ANNOTATORS = ["ana@city-desk.test", "ben@city-desk.test"]
SHOTS = ROOT / "test-artifacts" / "new-team"
_ISOLATE = (
    "LABEL_STUDIO_URL",
    "LABEL_STUDIO_API_KEY",
    "LABEL_STUDIO_USERNAME",
    "LABEL_STUDIO_PASSWORD",
)


def run(project: Path, *cmd: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """One command in the project directory, with claimset's virtualenv on PATH."""
    env = {k: v for k, v in pipeline_env().items() if k not in _ISOLATE}
    env.update(LABEL_STUDIO_USERNAME=LEAD, LABEL_STUDIO_PASSWORD=_PASSWORD)
    return subprocess.run(
        list(cmd), cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )


_PASSWORD = secrets.token_urlsafe(16)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{proc.args} failed ({proc.returncode}):\n{out[-4000:]}"
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """init a project from the pages and make the edits init names, as a team lead does."""
    from claimset.labelstudio.server import free_port

    base = tmp_path_factory.mktemp("new-team")
    articles, targets = write_corpus(base)
    root = base / "city-desk"
    ok(
        run(
            base,
            "claimset",
            "init",
            str(root),
            "--articles",
            str(articles),
            "--targets",
            str(targets),
        )
    )
    # two annotator accounts, so overlap 2 on both projects; a port nobody else uses
    (root / "configs/labelstudio/annotators.yaml").write_text(
        yaml.safe_dump({"annotators": [{"email": e} for e in ANNOTATORS]})
    )
    studio = yaml.safe_load((root / "configs/labelstudio/studio.yaml").read_text())
    studio["server"]["port"] = free_port()
    for name in ("claims", "stance"):
        studio["projects"][name]["overlap"] = 2
    (root / "configs/labelstudio/studio.yaml").write_text(yaml.safe_dump(studio, sort_keys=False))
    return root


@pytest.fixture(scope="module")
def first_repro(project: Path) -> subprocess.CompletedProcess[str]:
    return run(project, "dvc", "repro")


@pytest.fixture(scope="module")
def studio(
    project: Path, first_repro: subprocess.CompletedProcess[str]
) -> Iterator[dict[str, Any]]:
    """`claimset studio up` and `push` in the project; `studio down` at the end."""
    from claimset.labelstudio.client import connect_from_env
    from claimset.labelstudio.push import find_project
    from claimset.labelstudio.studio_config import load_studio_config

    up = run(project, "claimset", "studio", "up", timeout=1200)
    try:
        ok(up)
        pushed = ok(run(project, "claimset", "studio", "push"))
        cfg = load_studio_config(project / "configs/labelstudio/studio.yaml")
        saved = {k: os.environ.pop(k) for k in _ISOLATE if k in os.environ}
        try:
            admin = connect_from_env(cfg.path(cfg.env_file), cfg.url)
        finally:
            os.environ.update(saved)
        ids = {}
        for name in ("claims", "stance"):
            found = find_project(admin, cfg.project(name).title)
            assert found is not None, f"push made no {name} project:\n{pushed}"
            ids[name] = int(found["id"])
        yield {"cfg": cfg, "admin": admin, "ids": ids, "push": pushed}
    finally:
        run(project, "claimset", "studio", "down")


def test_first_repro_builds_tasks_then_says_no_annotations_yet(
    project: Path, first_repro: subprocess.CompletedProcess[str]
) -> None:
    out = first_repro.stdout + first_repro.stderr
    assert first_repro.returncode != 0
    assert "claimset aggregate: error: no annotations yet for the 11 tasks" in out
    claims = json.loads((project / "data/tasks/claims.json").read_text())
    stance = json.loads((project / "data/tasks/stance.json").read_text())
    assert (len(claims), len(stance)) == (7, 4)
    texts = [t["data"]["text"] for t in claims]
    assert "By Lena Park" in texts  # the byline is article text (not a claim: see below)
    assert "Evening traffic on Main Street. Photo: Sam Reyes/Metro Daily" in texts  # caption
    assert not [t for t in texts if "Related" in t or "Subway delays" in t]  # the link list
    assert any("among suburban commuters, according to a Metro Daily poll." in t for t in texts)
    assert {t["data"]["target"] for t in stance} == {TARGET["text"]}


def test_push_imports_every_task_with_its_pre_annotation(studio: dict[str, Any]) -> None:
    from claimset.labelstudio.answers import project_tasks

    claims = project_tasks(studio["admin"], studio["ids"]["claims"])
    stance = project_tasks(studio["admin"], studio["ids"]["stance"])
    assert (len(claims), len(stance)) == (7, 4)
    by_text = {t["data"]["text"]: t for t in claims}
    ruiz = next(t for text, t in by_text.items() if text.startswith("Mayor Carla Ruiz said"))
    assert ruiz["total_predictions"] == 1  # the pre-annotation went with the task


def _task_text(person: Any, texts: Any) -> str:
    """The text of the task on screen: the last <Text> that is one of ``texts`` (the claims
    config shows the preceding paragraph, itself another task's text, above the labelled one;
    the stance config shows the whole article below it)."""
    shown = person.page.locator(".lsf-htx-richtext").all_text_contents()
    mine = [t.strip() for t in shown if t.strip() in set(texts)]
    assert mine, shown
    return str(mine[-1])


def _close_instructions(person: Any, name: str) -> None:
    """The project's guidelines open on the first task (show_instruction): read, close."""
    modal = person.page.locator(".lsf-modal-ls_visible")
    if modal.count() and modal.first.is_visible():
        person.shot(f"{name}-instructions")
        person.page.keyboard.press("Escape")
        modal.first.wait_for(state="hidden")


def _task_texts(admin: Any, project_id: int) -> dict[int, str]:
    from claimset.labelstudio.answers import project_tasks

    return {int(t["id"]): t["data"]["text"] for t in project_tasks(admin, project_id)}


def test_two_annotators_in_the_browser_then_pull_repro_and_load(
    project: Path, studio: dict[str, Any]
) -> None:
    from annotator import Annotator, chromium

    from claimset.labelstudio.server import annotator_password

    cfg, ids = studio["cfg"], studio["ids"]
    claims_tasks = _task_texts(studio["admin"], ids["claims"])
    stance_tasks = _task_texts(studio["admin"], ids["stance"])
    assert (len(claims_tasks), len(stance_tasks)) == (7, 4)

    def annotate() -> None:
        with chromium() as new_context:
            for email in ANNOTATORS:
                context = new_context(project.parent / f"profile-{email.split('@')[0]}")
                person = Annotator.login(
                    context, cfg.url, email, annotator_password(cfg, email), shots=SHOTS / email
                )
                # "Label All Tasks": Label Studio hands out my next task; its pre-annotation is
                # the starting point, but the scripted answer is drawn from a clean slate.
                done: list[str] = []
                for _ in claims_tasks:
                    person.open_stream(ids["claims"])
                    _close_instructions(person, "claims")
                    text = _task_text(person, claims_tasks.values())
                    assert text in claims_tasks.values() and text not in done, text
                    for _guard in range(10):
                        shown = person.highlights()
                        if not shown:
                            break
                        person.delete_region(shown[0])
                    for ans in answer_for(CLAIMS, text) or []:
                        person.draw_region(ans["claim"], "CLAIM")
                        person.choose(ans["claim_type"])
                        person.choose(ans["checkworthy"])
                        if ans.get("speaker"):
                            person.draw_region(ans["speaker"], "SPEAKER")
                            person.set_text(ans["speaker_name"])
                            person.relate(ans["claim"], ans["speaker"])
                    person.unselect()
                    person.shot(f"claims-{len(done) + 1}")
                    person.submit()
                    assert not person.warnings(), person.warnings()
                    done.append(text)
                done = []
                for _ in stance_tasks:
                    person.open_stream(ids["stance"])
                    _close_instructions(person, "stance")
                    text = _task_text(person, stance_tasks.values())
                    assert text in stance_tasks.values() and text not in done, text
                    person.choose(answer_for(STANCE, text))
                    person.shot(f"stance-{len(done) + 1}")
                    person.submit()
                    assert not person.warnings(), person.warnings()
                    done.append(text)

    # Playwright's sync API drives one browser per thread; in the full suite the Label
    # Studio browser tests keep theirs open for the session, so this one gets a thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(annotate).result()

    ok(run(project, "claimset", "studio", "pull"))
    for name, n in (("claims", 7), ("stance", 4)):
        export = json.loads((project / "data/annotations" / name / "export.json").read_text())
        assert len(export) == n
        for task in export:
            who = sorted(a["completed_by"] for a in task["annotations"] if not a["was_cancelled"])
            assert who == ANNOTATORS, (name, task["data"]["text"][:60], who)

    ok(run(project, "dvc", "repro"))
    agreement = json.loads((project / "reports/agreement.json").read_text())
    assert agreement["counts"]["accepted"] == 2 * (7 + 4)
    assert agreement["counts"].get("quarantined_task_not_in_tasks", 0) == 0

    import datasets

    release = str(project / "data/release/city-desk")
    claims = datasets.load_dataset(release, "claims")
    stance = datasets.load_dataset(release, "stance")
    rows = [r for split in claims.values() for r in split]
    feats = next(iter(claims.values())).features
    got = sorted(
        (
            r["text"],
            r["speaker_text"],
            feats["claim_type"].int2str(r["claim_type"]),
            feats["checkworthy"].int2str(r["checkworthy"]),
        )
        for r in rows
    )
    want = sorted(
        (a["claim"], a.get("speaker"), a["claim_type"], a["checkworthy"])
        for answers in CLAIMS.values()
        for a in answers
    )
    assert got == want
    # the names the annotators typed in the speaker box reach the release
    assert sorted(
        (r["speaker_text"], r["speaker_name"]) for r in rows if r["speaker_text"]
    ) == sorted(
        (a["speaker"], a["speaker_name"])
        for answers in CLAIMS.values()
        for a in answers
        if a.get("speaker")
    )
    # the release's text is the article's own text at the claim's offsets
    import polars as pl

    # the names the annotators typed in the speaker box reach the gold table
    gold = pl.read_parquet(project / "data/processed/labels_claims.parquet")
    names = sorted(
        (r["speaker"], r["speaker_name"]) for r in gold.iter_rows(named=True) if r["speaker"]
    )
    assert names == sorted(
        (a["speaker"], a["speaker_name"])
        for answers in CLAIMS.values()
        for a in answers
        if a.get("speaker")
    )

    text_of = dict(
        pl.read_parquet(project / "data/interim/articles.parquet")
        .select("article_id", "text")
        .iter_rows()
    )
    for r in rows:
        assert text_of[r["article_id"]][r["char_start"] : r["char_end"]] == r["text"]
    assert all(r["n_annotators"] == 2 and r["agreement"] == 1.0 for r in rows)
    srows = [r for split in stance.values() for r in split]
    sfeats = next(iter(stance.values())).features
    labels = sorted(sfeats["label"].int2str(r["label"]) for r in srows)
    assert labels == sorted(STANCE.values())
    assert {r["source"] for r in srows} == {"Metro Daily", "Wire News"}
