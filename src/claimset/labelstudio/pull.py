"""``claimset studio pull``: export snapshots -> ``<out>/<project>/export.json`` + manifest.

Exports go through Label Studio's snapshot API (create an export, poll it, download it),
one page of task ids at a time: each page is a data manager view filtered to an id range,
so no single export request has to serialise a 100k-task project (the cause of the export
timeouts teams hit). The pages are merged and normalised deterministically, so pulling twice
with no new work gives byte-identical files:

- tasks sorted by ``data.task_key``; annotations, drafts and predictions by id;
- user ids (``completed_by``, ``updated_by``, draft users) replaced by emails;
- wall-clock fields dropped: ``created_ago`` (\"3 minutes\") everywhere and the task's
  ``updated_at`` (it moves when the server recounts, not only when someone annotates);
- span offsets made code points and checked: ``text[start:end]`` must equal the span's
  ``text`` (offsets are read as code points, as the 1.23 editor stores them, or else as
  UTF-16 units, as JavaScript-counting tools store them; see :func:`_resolve`). A span that fails is removed from the export and written
  to ``quarantine.json`` with its reason (with its per-region choices and relations).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimset.io import dumps_json, write_json, write_text
from claimset.labelstudio.client import NO_RETRY, Studio, StudioError, connect_from_env
from claimset.labelstudio.offsets import OffsetMap
from claimset.labelstudio.push import find_project, object_fields
from claimset.labelstudio.studio_config import StudioConfig
from claimset.stage import StageReport

if TYPE_CHECKING:
    from label_studio_sdk.core.request_options import RequestOptions

# Fields whose value depends on when the export ran, not on the annotation work.
VOLATILE_TASK_FIELDS = ("updated_at",)
VOLATILE_ANY_FIELDS = ("created_ago",)
LIST_PAGE = 10000


@dataclass
class PullResult:
    """What one project's pull wrote."""

    name: str
    export_path: Path
    manifest: dict[str, Any]
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def task_ids(studio: Studio, project_id: int) -> list[int]:
    """Every task id of the project, ascending."""
    tasks = studio.iter_tasks(project_id, LIST_PAGE, {"include": "id"})
    return sorted({int(t["id"]) for t in tasks})


def user_emails(studio: Studio) -> dict[int, str]:
    """user id -> email for the organisation."""
    body = studio.request("GET", "/api/users/", params={"page_size": 100000})
    users = body.get("results", body) if isinstance(body, dict) else body
    return {int(u["id"]): str(u["email"]) for u in users}


def export_page(
    studio: Studio, project_id: int, lo: int, hi: int, cfg: StudioConfig
) -> list[dict[str, Any]]:
    """Snapshot of the tasks with lo <= id <= hi (a filtered view + an export, both removed after)."""
    view = studio.request(
        "POST",
        "/api/dm/views/",
        json={
            "project": project_id,
            "data": {
                "title": f"claimset-pull-{lo}-{hi}",
                "filters": {
                    "conjunction": "and",
                    "items": [
                        {
                            "filter": "filter:tasks:id",
                            "operator": "in",
                            "type": "Number",
                            "value": {"min": lo, "max": hi},
                        }
                    ],
                },
            },
        },
    )
    try:
        opts: RequestOptions = {
            "max_retries": 0,
            "timeout_in_seconds": int(cfg.pull.export_timeout),
        }
        with studio.errors(f"export of project {project_id} tasks {lo}-{hi}"):
            exp = studio.sdk.projects.exports.create(
                id=project_id,
                title=f"claimset-pull-{lo}-{hi}",
                task_filter_options={"view": view["id"]},  # type: ignore[arg-type]
                serialization_options={  # type: ignore[arg-type]
                    "drafts": {"only_id": False},
                    "predictions": {"only_id": False},
                    "annotations__completed_by": {"only_id": True},
                    "include_annotation_history": False,
                },
                request_options=opts,
            )
        export_id = int(exp.id or 0)
        try:
            _wait_export(studio, project_id, export_id, cfg)
            with studio.errors(f"download of export {export_id}"):
                blob = b"".join(
                    studio.sdk.projects.exports.download(
                        id=project_id,
                        export_pk=export_id,
                        export_type="JSON",
                        request_options=opts,
                    )
                )
        finally:
            with studio.errors(f"deleting export {export_id}"):
                studio.sdk.projects.exports.delete(
                    id=project_id, export_pk=export_id, request_options=NO_RETRY
                )
    finally:
        studio.request("DELETE", f"/api/dm/views/{view['id']}/")
    tasks = json.loads(blob)
    if not isinstance(tasks, list):
        raise StudioError(f"export {export_id} of project {project_id} is not a JSON list")
    return tasks


def _wait_export(studio: Studio, project_id: int, export_id: int, cfg: StudioConfig) -> None:
    # Community without Redis finishes the snapshot inside the create request; with a
    # worker queue it runs in the background, so poll until it is done or times out.
    deadline = time.monotonic() + cfg.pull.export_timeout
    while True:
        with studio.errors(f"status of export {export_id}"):
            status = str(
                studio.sdk.projects.exports.get(id=project_id, export_pk=export_id).status or ""
            )
        if status == "completed":
            return
        if status == "failed":
            raise StudioError(f"export {export_id} of project {project_id} failed on the server")
        if time.monotonic() > deadline:
            raise StudioError(
                f"export {export_id} of project {project_id} did not finish in {cfg.pull.export_timeout:.0f} s"
            )
        time.sleep(cfg.pull.poll_interval)


# ---------------------------------------------------------------- normalisation


def _resolve(
    text: str, value: dict[str, Any], m: OffsetMap
) -> tuple[int | None, int | None, str | None]:
    """Code-point (start, end) of an exported span, or a reason it does not fit the text.

    The 1.23 editor stores <Text> offsets in code points; tools that count like JavaScript
    strings (and older Label Studio versions) store UTF-16 units. The span text decides:
    offsets are read as code points when that reproduces it, else as UTF-16 units. Before
    the first astral character both readings agree, so only spans after one can differ.
    """
    start, end, want = value["start"], value["end"], value["text"]
    if start > end:
        return None, None, f"start {start} after end {end}"
    if start >= 0 and end <= len(text) and text[start:end] == want:
        return start, end, None
    try:
        s16, e16 = m.to_codepoint(start), m.to_codepoint(end)
    except ValueError as exc:
        return (
            None,
            None,
            f"text[{start}:{end}] is {text[start:end]!r}, not {want!r}; as UTF-16: {exc}",
        )
    if text[s16:e16] == want:
        return s16, e16, None
    return (
        None,
        None,
        f"text[{start}:{end}] is {text[start:end]!r}, not {want!r} (in code points or UTF-16 units)",
    )


def _convert_results(
    results: list[dict[str, Any]],
    data: dict[str, Any],
    fields: dict[str, str],
    where: dict[str, Any],
    quarantine: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Offsets -> verified code points; spans that do not match the text go to quarantine."""
    maps: dict[str, OffsetMap] = {}
    bad: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    # Per-region TextArea results (speaker_name) repeat their region's offsets but hold the
    # typed lines in "text" (a list): they take the offsets their region resolves to.
    typed: list[int] = []
    resolved: dict[str, tuple[int, int]] = {}
    for r in results:
        value = r.get("value") or {}
        if not (
            isinstance(value, dict)
            and isinstance(value.get("start"), int)
            and isinstance(value.get("end"), int)
        ):
            out.append(r)
            continue
        if isinstance(value.get("text"), list):
            typed.append(len(out))
            out.append(r)
            continue
        fld = fields.get(str(r.get("to_name")))
        text = data.get(fld) if fld else None
        reason = None
        start = end = None
        if not isinstance(text, str):
            reason = f"span on {r.get('to_name')!r}, which shows no text field"
        elif "text" not in value:
            reason = "span has no text to verify"
        else:
            start, end, reason = _resolve(text, value, maps.setdefault(fld or "", OffsetMap(text)))
        if reason is not None:
            rid = str(r.get("id"))
            bad.setdefault(rid, reason)
            quarantine.append({**where, "region_id": r.get("id"), "reason": reason, "result": r})
            continue
        out.append({**r, "value": {**value, "start": start, "end": end}})
        if start is not None and end is not None:
            resolved.setdefault(str(r.get("id")), (start, end))
    for i in typed:
        span = resolved.get(str(out[i].get("id")))
        if span is not None:
            out[i] = {**out[i], "value": {**out[i]["value"], "start": span[0], "end": span[1]}}
    if not bad:
        return out
    # Drop the per-region choices and relations of a quarantined span too: alone they would
    # describe a region that is not in the export.
    kept: list[dict[str, Any]] = []
    for r in out:
        rid = str(r.get("id"))
        if rid in bad:
            quarantine.append(
                {
                    **where,
                    "region_id": r.get("id"),
                    "reason": f"belongs to quarantined span: {bad[rid]}",
                    "result": r,
                }
            )
        elif r.get("type") == "relation" and (
            str(r.get("from_id")) in bad or str(r.get("to_id")) in bad
        ):
            quarantine.append(
                {
                    **where,
                    "region_id": None,
                    "reason": "relation to a quarantined span",
                    "result": r,
                }
            )
        else:
            kept.append(r)
    return kept


def _email(users: dict[int, str], value: Any) -> Any:
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    if isinstance(value, int):
        return users.get(value, f"user-{value}")
    return value


def normalise(
    tasks: Sequence[dict[str, Any]], users: dict[int, str], label_config: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Deterministic export (see the module doc) and its quarantine records."""
    fields = object_fields(label_config)
    quarantine: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for task in tasks:
        t = {k: v for k, v in task.items() if k not in VOLATILE_TASK_FIELDS + VOLATILE_ANY_FIELDS}
        data = t.get("data") or {}
        key = data.get("task_key")
        if "updated_by" in t:
            t["updated_by"] = _email(users, t["updated_by"])
        if "comment_authors" in t:
            t["comment_authors"] = sorted(str(_email(users, a)) for a in t["comment_authors"] or [])
        for kind in ("annotations", "drafts", "predictions"):
            items = []
            for item in sorted(t.get(kind) or [], key=lambda x: int(x.get("id") or 0)):
                it = {k: v for k, v in item.items() if k not in VOLATILE_ANY_FIELDS}
                for who in ("completed_by", "updated_by", "last_created_by"):
                    if who in it and it[who] is not None:
                        it[who] = _email(users, it[who])
                where = {
                    "task_key": key,
                    "task_id": t.get("id"),
                    "source": kind[:-1],
                    "id": it.get("id"),
                }
                it["result"] = _convert_results(
                    list(it.get("result") or []), data, fields, where, quarantine
                )
                items.append(it)
            t[kind] = items
        out.append(t)
    out.sort(key=lambda t: str((t.get("data") or {}).get("task_key")))
    return out, quarantine


def build_manifest(
    name: str,
    title: str,
    tasks: Sequence[dict[str, Any]],
    label_config: str,
    export_sha256: str,
    quarantined: int,
) -> dict[str, Any]:
    """Counts over a normalised export. Cancelled (skipped) answers and drafts are counted
    apart and never counted as annotations of any label."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    c: Counter[str] = Counter()
    for t in tasks:
        anns = t.get("annotations") or []
        done = [a for a in anns if not a.get("was_cancelled")]
        cancelled = [a for a in anns if a.get("was_cancelled")]
        c["annotations"] += len(done)
        c["cancelled"] += len(cancelled)
        c["drafts"] += len(t.get("drafts") or [])
        c["predictions"] += len(t.get("predictions") or [])
        if cancelled and not done:
            c["skipped"] += 1  # every answer to this task was a skip
        if not done:
            c["tasks_without_annotations"] += 1
        for a in done:
            per[str(a.get("completed_by"))]["annotations"] += 1
        for a in cancelled:
            per[str(a.get("completed_by"))]["cancelled"] += 1
        for d in t.get("drafts") or []:
            per[str(d.get("user"))]["drafts"] += 1
    # The server strips the XML it stores; hash it with one final newline so the sha256
    # equals that of the configs/ file it came from (when that ends with one newline).
    sha = hashlib.sha256((label_config.strip() + "\n").encode("utf-8")).hexdigest()
    return {
        "project": name,
        "title": title,
        "tasks": len(tasks),
        "annotations": c["annotations"],
        "cancelled": c["cancelled"],
        "skipped": c["skipped"],
        "drafts": c["drafts"],
        "predictions": c["predictions"],
        "tasks_without_annotations": c["tasks_without_annotations"],
        "quarantined": quarantined,
        "per_annotator": {
            who: {k: per[who].get(k, 0) for k in ("annotations", "cancelled", "drafts")}
            for who in sorted(per)
        },
        "label_config_version": sha[:12],
        "label_config_sha256": sha,
        "export_sha256": export_sha256,
        "offsets": "code points",
        "format": "claimset-labelstudio-export/1",
    }


def pull_project(studio: Studio, cfg: StudioConfig, name: str, out_dir: str | Path) -> PullResult:
    """Snapshot project ``name`` page by page and write export, manifest and quarantine."""
    pcfg = cfg.project(name)
    project = find_project(studio, pcfg.title)
    if project is None:
        raise StudioError(
            f"no project titled {pcfg.title!r} on {studio.url}; run `claimset studio push` first"
        )
    pid = int(project["id"])
    label_config = str(project.get("label_config") or "")
    ids = task_ids(studio, pid)
    raw: list[dict[str, Any]] = []
    size = cfg.pull.page_size
    for i in range(0, len(ids), size):
        page = ids[i : i + size]
        raw += export_page(studio, pid, page[0], page[-1], cfg)
    got = Counter(int(t["id"]) for t in raw)
    if sorted(got) != ids or any(n > 1 for n in got.values()):
        raise StudioError(
            f"project {pcfg.title!r}: the snapshot pages hold {len(got)} distinct tasks, the project {len(ids)}; "
            "tasks changed during the pull? pull again"
        )
    tasks, quarantine = normalise(raw, user_emails(studio), label_config)
    text = dumps_json(tasks)
    export_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest = build_manifest(name, pcfg.title, tasks, label_config, export_sha, len(quarantine))
    dest = Path(out_dir) / name
    write_text(dest / "export.json", text)
    write_json(dest / "quarantine.json", quarantine)
    write_json(dest / "manifest.json", manifest)
    return PullResult(
        name=name, export_path=dest / "export.json", manifest=manifest, quarantine=quarantine
    )


def pull_projects(
    cfg: StudioConfig, out_dir: str | Path, projects: Sequence[str], studio: Studio | None = None
) -> StageReport:
    """``claimset studio pull`` for every project in ``projects``."""
    report = StageReport("studio pull")
    studio = studio or connect_from_env(cfg.path(cfg.env_file), cfg.url)
    for name in projects:
        res = pull_project(studio, cfg, name, out_dir)
        m = res.manifest
        report.records_in += m["tasks"]
        report.records_out += m["annotations"]
        report.quarantined += m["quarantined"]
        for k in ("tasks", "annotations", "cancelled", "skipped", "drafts"):
            report.extra[f"{name}.{k}"] = m[k]
    return report
