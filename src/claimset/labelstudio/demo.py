"""The bundled demo round: push the task files, annotate them as several annotators from
their answer files (each through the API with the annotator's own token), pull the export.

Used by ``scripts/labelstudio_annotate_demo.py`` and by the round-trip integration test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimset.errors import ConfigError
from claimset.io import read_json
from claimset.labelstudio.answers import SubmitResult, read_answers, submit_answers
from claimset.labelstudio.client import Studio, connect, connect_from_env
from claimset.labelstudio.corpus_answers import (
    claims_task_answers,
    is_corpus_answers,
    stance_task_answers,
)
from claimset.labelstudio.envfile import TOKEN_VAR, annotator_var
from claimset.labelstudio.pull import pull_projects
from claimset.labelstudio.push import find_project, push_tasks
from claimset.labelstudio.server import annotator_password, read_state, user_token
from claimset.labelstudio.studio_config import StudioConfig, load_annotators
from claimset.stage import StageReport

PROJECTS = ("claims", "stance")


@dataclass
class DemoResult:
    """What the demo round did."""

    push: StageReport
    submitted: list[SubmitResult] = field(default_factory=list)
    pull: StageReport | None = None


def annotator_studio(cfg: StudioConfig, url: str, who: str) -> Studio:
    """A connection authenticated as annotator ``who`` (email or its local part)."""
    emails = [a.email for a in load_annotators(cfg.path(cfg.annotators_file))]
    match = [e for e in emails if e == who.lower() or e.split("@")[0] == who.lower()]
    if len(match) != 1:
        raise ConfigError(
            f"answers directory {who!r} matches no single annotator in {cfg.annotators_file}"
        )
    email = match[0]
    managed = read_state(cfg).running
    token, _ = user_token(
        cfg,
        url,
        email,
        annotator_password(cfg, email),
        annotator_var(TOKEN_VAR, email),
        managed=managed,
    )
    return connect(url, token)


def answers_for_tasks(
    body: dict[str, Any], project: str, tasks_dir: str | Path, articles: str | Path | None
) -> dict[str, Any]:
    """Answers keyed by task_key; corpus-level answers are mapped onto the current tasks."""
    if not is_corpus_answers(body, project):
        return body
    if articles is None:
        raise ConfigError(f"{project} answers are per article: pass the articles table")
    import polars as pl

    table = pl.read_parquet(articles, columns=["article_id", "source_id", "text"])
    source_ids = dict(zip(table["article_id"], table["source_id"], strict=True))
    tasks = read_json(Path(tasks_dir) / f"{project}.json")
    if project == "claims":
        return claims_task_answers(body, tasks, source_ids)
    texts = dict(zip(table["article_id"], table["text"], strict=True))
    return stance_task_answers(body, tasks, source_ids, texts)


def annotate_demo(
    cfg: StudioConfig,
    tasks_dir: str | Path,
    answers_dir: str | Path,
    out_dir: str | Path,
    projects: tuple[str, ...] = PROJECTS,
    admin: Studio | None = None,
    articles: str | Path | None = None,
) -> DemoResult:
    """Push, annotate from ``<answers_dir>/<annotator>/<project>.json``, pull.

    Answer files are either keyed by task_key or written per article (see
    :mod:`claimset.labelstudio.corpus_answers`, which needs ``articles``).
    """
    admin = admin or connect_from_env(cfg.path(cfg.env_file), cfg.url)
    result = DemoResult(push=push_tasks(cfg, tasks_dir, projects, studio=admin))
    people = sorted(p for p in Path(answers_dir).iterdir() if p.is_dir())
    if len(people) < 1:
        raise ConfigError(f"{answers_dir}: no annotator directories with answer files")
    for person in people:
        studio = annotator_studio(cfg, admin.url, person.name)
        for name in projects:
            path = person / f"{name}.json"
            if not path.exists():
                continue
            project = find_project(studio, cfg.project(name).title)
            if project is None:
                raise ConfigError(f"project {name!r} was not created by the push")
            answers = answers_for_tasks(read_answers(path), name, tasks_dir, articles)
            result.submitted.append(
                submit_answers(studio, name, int(project["id"]), answers, where=path)
            )
    result.pull = pull_projects(cfg, out_dir, projects, studio=admin)
    return result
