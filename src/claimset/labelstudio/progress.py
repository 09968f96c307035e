"""``claimset studio status``: server state and per-project progress.

Community edition shows no per-annotator progress and cannot hand a task to k annotators,
so claimset counts it itself from the task list: completed (non-cancelled) annotations per
task and per annotator, and the tasks that still have fewer than the project's overlap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from claimset.labelstudio.client import Studio, StudioError, connect_from_env
from claimset.labelstudio.postgres import describe as describe_database
from claimset.labelstudio.pull import user_emails
from claimset.labelstudio.push import find_project
from claimset.labelstudio.server import read_state
from claimset.labelstudio.studio_config import StudioConfig

PAGE = 1000


@dataclass
class ProjectProgress:
    """Progress of one project."""

    name: str
    title: str
    project_id: int | None
    overlap: int
    tasks: int = 0
    completed: int = 0  # tasks with at least `overlap` completed annotations
    annotations: int = 0
    cancelled: int = 0
    per_annotator: dict[str, int] = field(default_factory=dict)
    too_few: list[tuple[str, int]] = field(default_factory=list)  # (task_key, annotations)

    @property
    def remaining(self) -> int:
        """Tasks that still need annotations."""
        return self.tasks - self.completed


def project_progress(studio: Studio, name: str, title: str, overlap: int) -> ProjectProgress:
    """Count annotations of one project through the task list API."""
    project = find_project(studio, title)
    prog = ProjectProgress(name=name, title=title, project_id=None, overlap=overlap)
    if project is None:
        return prog
    prog.project_id = int(project["id"])
    emails = user_emails(studio)
    per: Counter[str] = Counter()
    # `include` drops the annotators list in 1.23, so the full task rows it is
    for t in studio.iter_tasks(prog.project_id, PAGE, {"fields": "all"}):
        prog.tasks += 1
        done = int(t.get("total_annotations") or 0)
        prog.annotations += done
        prog.cancelled += int(t.get("cancelled_annotations") or 0)
        for a in t.get("annotations") or []:
            if not a.get("was_cancelled"):
                per[emails.get(int(a["completed_by"]), f"user-{a['completed_by']}")] += 1
        if done >= overlap:
            prog.completed += 1
        else:
            prog.too_few.append((str((t.get("data") or {}).get("task_key")), done))
    prog.per_annotator = dict(sorted(per.items()))
    prog.too_few.sort()
    return prog


def status_report(
    cfg: StudioConfig,
    projects: Sequence[str] | None = None,
    studio: Studio | None = None,
    show: int = 20,
) -> str:
    """Human-readable status: the managed server, then every project's progress."""
    state = read_state(cfg)
    lines = []
    if state.running:
        lines.append(
            f"server: running (pid {state.pid}) at {state.url}, "
            f"{'healthy' if state.healthy else 'NOT answering /health'}; data in {state.data_dir}"
        )
    else:
        lines.append(f"server: no local Label Studio running (data dir {state.data_dir})")
    lines += describe_database(cfg, state.database, state.running)
    try:
        studio = studio or connect_from_env(cfg.path(cfg.env_file), cfg.url)
    except StudioError as exc:
        lines.append(f"projects: cannot connect: {exc}")
        return "\n".join(lines)
    lines.append(f"connected to {studio.url}")
    for name in projects or sorted(cfg.projects):
        pcfg = cfg.project(name)
        p = project_progress(studio, name, pcfg.title, pcfg.overlap)
        if p.project_id is None:
            lines.append(
                f"{name}: no project titled {pcfg.title!r} yet (run `claimset studio push`)"
            )
            continue
        lines.append(
            f"{name} (project {p.project_id}, overlap {p.overlap}): tasks={p.tasks} completed={p.completed} "
            f"remaining={p.remaining} annotations={p.annotations} cancelled={p.cancelled}"
        )
        for who, n in p.per_annotator.items():
            lines.append(f"  {who}: {n}")
        if p.too_few:
            lines.append(f"  tasks with fewer than {p.overlap} annotations: {len(p.too_few)}")
            for key, n in p.too_few[:show]:
                lines.append(f"    {key}: {n}")
            if len(p.too_few) > show:
                lines.append(f"    ... and {len(p.too_few) - show} more")
    return "\n".join(lines)
