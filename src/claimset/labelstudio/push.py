"""``claimset studio push``: projects from ``configs/``, tasks from ``data/tasks/``, idempotently.

Idempotency rests on ``data.task_key``: before importing, push lists the keys already on the
server and sends only the missing tasks, so a second push imports 0. Imports are never
retried blindly (a lost response would duplicate a whole batch): after a failed request push
waits until the server's task count settles, lists the keys again and resends only what is
still missing.

Before anything is sent, every task is checked: a stable key, a size cap, no value Label
Studio would fetch (``/data/...``, ``s3://``, ``http://`` ...), predictions that fit the label
config and whose span text matches the task text. Prediction offsets stay code points: the
Label Studio 1.23 editor places <Text> regions by code points (checked in the browser tests
with emoji before a span).
"""

from __future__ import annotations

import difflib
import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from claimset.errors import ConfigError, InputError
from claimset.labelstudio.client import (
    NO_RETRY,
    Studio,
    StudioError,
    connect_from_env,
    describe_error,
)
from claimset.labelstudio.studio_config import ProjectConfig, StudioConfig, load_annotators
from claimset.stage import StageReport

# Values Label Studio resolves and fetches instead of showing: storage/HTTP URLs and its own
# upload/local-files paths. Pushing one would make the annotator's browser (or the server)
# load a remote resource, so push refuses such tasks.
FETCHABLE = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*://|/data/|data:)", re.IGNORECASE)
# Object tags that render raw HTML; task text must be shown with <Text> only.
FORBIDDEN_TAGS = ("HyperText",)
LIST_PAGE = 5000


@dataclass
class ProjectPush:
    """Counts for one project."""

    name: str
    project_id: int
    tasks: int
    imported: int
    already_present: int
    duplicates_on_server: int
    retries: int
    label_config_updated: bool
    # The predictions' model version annotators start from ("" when they do not).
    model_version: str = ""


# ---------------------------------------------------------------- label configs


def object_fields(label_config: str) -> dict[str, str]:
    """Object tag name -> task data field (``<Text name="text" value="$text"/>`` -> text: text)."""
    out: dict[str, str] = {}
    for el in ET.fromstring(label_config).iter():
        value = el.attrib.get("value", "")
        name = el.attrib.get("name")
        if name and value.startswith("$") and "toName" not in el.attrib:
            out[name] = value[1:]
    return out


def check_label_config(path: Path) -> str:
    """Read a label config; refuses XML errors and tags that render HTML."""
    try:
        xml = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: label config not found") from exc
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ConfigError(f"{path}: not valid XML: {exc}") from exc
    for el in root.iter():
        if el.tag in FORBIDDEN_TAGS:
            raise ConfigError(f"{path}: <{el.tag}> renders task text as HTML; use <Text>")
    return xml


def label_config_diff(server: str, local: str, server_name: str, local_name: str) -> str:
    """Unified diff of two label configs (empty when they are equal modulo trailing space)."""
    a = [line.rstrip() for line in server.strip().splitlines()]
    b = [line.rstrip() for line in local.strip().splitlines()]
    if a == b:
        return ""
    return "\n".join(difflib.unified_diff(a, b, server_name, local_name, lineterm=""))


# Label Studio's page CSS removes list bullets and table rules, and its bleach filter keeps
# <style> and class but drops style="" attributes: so the look of the guidelines comes from a
# stylesheet scoped to their wrapper.
GUIDELINES_PAGE = """<div class="claimset-guidelines">
<style>
.claimset-guidelines ul {{ list-style: disc; padding-left: 1.5em; margin: 0.3em 0; }}
.claimset-guidelines ol {{ list-style: decimal; padding-left: 1.5em; margin: 0.3em 0; }}
.claimset-guidelines p {{ margin: 0.4em 0; }}
.claimset-guidelines h1, .claimset-guidelines h2, .claimset-guidelines h3 {{ margin: 0.8em 0 0.3em; }}
.claimset-guidelines table {{ border-collapse: collapse; margin: 0.5em 0; }}
.claimset-guidelines th, .claimset-guidelines td {{ border: 1px solid #d1d5db; padding: 4px 8px; vertical-align: top; text-align: left; }}
.claimset-guidelines th {{ background: #f3f4f6; }}
.claimset-guidelines code {{ background: #f3f4f6; padding: 0 3px; border-radius: 3px; }}
</style>
{body}</div>
"""


def guidelines_html(path: Path | None) -> str:
    """Guidelines markdown -> HTML for the project's Instructions panel.

    CommonMark plus GFM tables (the guidelines' type tables) and strikethrough, rendered by
    markdown-it-py. Raw HTML in the markdown is escaped, never passed through (``html``
    off), so a ``<script>`` in a guidelines file shows as text; link schemes such as
    ``javascript:`` are refused by markdown-it's link validator.
    """
    if path is None:
        return ""
    try:
        md = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: guidelines not found (set guidelines: null in studio.yaml to push without)"
        ) from exc
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return GUIDELINES_PAGE.format(body=renderer.render(md))


# ---------------------------------------------------------------- task files


def load_tasks(path: Path, label_config: str, max_task_bytes: int) -> list[dict[str, Any]]:
    """Read and check a task file; returns tasks ready to import."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(path, "task file not found (run `dvc repro tasks`)") from exc
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc}") from exc
    if not isinstance(raw, list):
        raise InputError(path, "expected a JSON list of tasks")
    return prepare_tasks(raw, label_config, max_task_bytes, where=path)


def prepare_tasks(
    raw: Sequence[Any], label_config: str, max_task_bytes: int, where: object = "tasks"
) -> list[dict[str, Any]]:
    """Check tasks (see the module doc); returns them ready to import."""
    from label_studio_sdk.label_interface import LabelInterface

    li = LabelInterface(label_config)
    fields = object_fields(label_config)
    seen: dict[str, int] = {}
    # Validating with the SDK costs ~1 ms per prediction; predictions that differ only in
    # offsets, span text, region ids and score values validate alike (the SDK never sees the
    # task text; offsets and span text are checked below against it), so each distinct
    # shape is validated once.
    verdicts: dict[str, list[str]] = {}
    out: list[dict[str, Any]] = []
    for i, task in enumerate(raw):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise InputError(where, "task is not an object with a 'data' object", field=f"[{i}]")
        data = task["data"]
        key = data.get("task_key")
        if not isinstance(key, str) or not key:
            raise InputError(
                where, "task has no data.task_key (the idempotency key)", field=f"[{i}]"
            )
        if key in seen:
            raise InputError(where, f"task_key {key!r} appears twice (tasks {seen[key]} and {i})")
        seen[key] = i
        size = len(json.dumps(task, ensure_ascii=False).encode("utf-8"))
        if size > max_task_bytes:
            raise InputError(
                where,
                f"task {key!r} is {size} bytes; the cap is {max_task_bytes} (push.max_task_bytes)",
            )
        for path, value in _strings(data, "data"):
            if FETCHABLE.match(value):
                raise InputError(
                    where,
                    f"task {key!r}: {path} = {value[:60]!r} is a URL or path Label Studio would fetch",
                )
        for name, fld in fields.items():
            if fld not in data:
                raise InputError(where, f"task {key!r}: data has no {fld!r}, which <{name}> shows")
        unknown = set(task) - {"data", "predictions", "annotations", "meta"}
        if unknown:
            raise InputError(where, f"task {key!r}: unexpected keys {sorted(unknown)}")
        preds = []
        for j, pred in enumerate(task.get("predictions") or []):
            shape = _shape(pred)
            if shape not in verdicts:
                verdicts[shape] = list(li.validate_prediction(pred, return_errors=True))
            errors = verdicts[shape]
            if errors:
                raise InputError(
                    where,
                    f"task {key!r} prediction {j} does not fit the label config: {errors[:3]}",
                )
            preds.append(
                _check_prediction_spans(pred, data, fields, f"task {key!r} prediction {j}", where)
            )
        new = dict(task)
        if "predictions" in task:
            new["predictions"] = preds
        out.append(new)
    return out


def _shape(pred: Any) -> str:
    """A prediction with everything the SDK validates alike replaced by placeholders."""
    if not isinstance(pred, dict) or not isinstance(pred.get("result"), list):
        return json.dumps(pred, sort_keys=True, default=str)
    ids: dict[str, int] = {}

    def rid(value: Any) -> Any:
        return ids.setdefault(str(value), len(ids)) if value is not None else None

    items = []
    for r in pred["result"]:
        if not isinstance(r, dict):
            items.append(r)
            continue
        item = dict(r)
        for k in ("id", "from_id", "to_id"):
            if k in item:
                item[k] = rid(item[k])
        value = item.get("value")
        if isinstance(value, dict):
            item["value"] = {
                k: (type(v).__name__ if k in ("start", "end", "text") else v)
                for k, v in value.items()
            }
        items.append(item)
    rest = {k: v for k, v in pred.items() if k not in ("result", "score")}
    rest["score"] = type(pred.get("score")).__name__
    return json.dumps([rest, items], sort_keys=True, default=str)


def _strings(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")


def _check_prediction_spans(
    pred: dict[str, Any], data: dict[str, Any], fields: dict[str, str], what: str, where: object
) -> dict[str, Any]:
    for r in pred.get("result", []):
        value = r.get("value", {})
        if "start" in value and "end" in value and isinstance(value["start"], int):
            text = data.get(fields.get(r.get("to_name", ""), ""), "")
            start, end = value["start"], value["end"]
            if not (0 <= start <= end <= len(text)):
                raise InputError(where, f"{what}: span {start}-{end} is outside the text")
            # A per-region TextArea keeps the region's offsets and holds its typed lines
            # in "text" (a list), so only a string "text" is the span's text.
            said = value.get("text")
            if isinstance(said, str) and text[start:end] != said:
                raise InputError(
                    where,
                    f"{what}: span {start}-{end} is {text[start:end]!r}, not {value['text']!r}",
                )
    return pred


# ---------------------------------------------------------------- projects


def check_overlap(cfg: StudioConfig, name: str) -> None:
    """Refuse an overlap no team can reach: more annotations per task than annotator accounts.

    Label Studio would accept it and never mark a task completed (``completed`` stays 0).
    """
    overlap = cfg.project(name).overlap
    if overlap <= 1:
        return
    people = load_annotators(cfg.path(cfg.annotators_file))
    if overlap > len(people):
        raise ConfigError(
            f"projects.{name}.overlap is {overlap} annotators per task, but "
            f"{cfg.annotators_file} lists {len(people)} annotator account(s); "
            f"lower the overlap or add annotators"
        )


def find_project(studio: Studio, title: str) -> dict[str, Any] | None:
    """The project titled exactly ``title``; StudioError when the title is ambiguous."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        body = studio.request(
            "GET", "/api/projects/", params={"page": page, "page_size": 100, "title": title}
        )
        results = body.get("results", []) if isinstance(body, dict) else body
        found += [p for p in results if p.get("title") == title]
        if not isinstance(body, dict) or not body.get("next"):
            break
        page += 1
    if len(found) > 1:
        ids = ", ".join(str(p["id"]) for p in found)
        raise StudioError(
            f"several projects are titled {title!r} (ids {ids}); rename or delete all but one"
        )
    return found[0] if found else None


def ensure_project(
    studio: Studio, cfg: StudioConfig, pcfg: ProjectConfig, migrate: bool
) -> tuple[int, bool]:
    """Create or update the project; returns (project id, label config updated)."""
    xml_path = cfg.path(pcfg.label_config)
    xml = check_label_config(xml_path)
    fields: dict[str, Any] = {
        "title": pcfg.title,
        "expert_instruction": guidelines_html(
            cfg.path(pcfg.guidelines) if pcfg.guidelines else None
        ),
        "maximum_annotations": pcfg.overlap,
        **pcfg.settings,
    }
    existing = find_project(studio, pcfg.title)
    if existing is None:
        with studio.errors(f"creating project {pcfg.title!r}"):
            created = studio.sdk.projects.create(
                label_config=xml, **fields, request_options=NO_RETRY
            )
        return int(created.id or 0), True
    pid = int(existing["id"])
    diff = label_config_diff(
        existing.get("label_config") or "", xml, f"server:{pcfg.title}", str(xml_path)
    )
    updated = False
    if diff:
        if not migrate:
            raise StudioError(
                f"the label config of {pcfg.title!r} on the server differs from {xml_path}; "
                f"annotations made with the old one may not fit. Re-run with --migrate to replace it.\n{diff}"
            )
        fields["label_config"] = xml
        updated = True
    with studio.errors(f"updating project {pcfg.title!r}"):
        studio.sdk.projects.update(id=pid, **fields)
    return pid, updated


def prelabel_version(
    studio: Studio, project_id: int, pcfg: ProjectConfig, tasks: Sequence[dict[str, Any]]
) -> str:
    """Make annotators start from the pre-annotations (Label Studio's "Use predictions to
    prelabel tasks"): with ``show_collab_predictions`` on, the project's ``model_version``
    names the predictions the labelling stream copies into a new annotation. Set after the
    import, because Label Studio accepts only a version its predictions carry.

    Returns the version set (the most common one among the tasks' predictions), or "" when
    the project does not show predictions.
    """
    if not pcfg.settings.get("show_collab_predictions", True):
        return ""
    versions = Counter(
        str(p.get("model_version"))
        for t in tasks
        for p in t.get("predictions") or []
        if p.get("model_version") and p.get("result")
    )
    if not versions:
        return ""
    version = min(versions, key=lambda v: (-versions[v], v))
    with studio.errors(f"setting model_version {version!r} on project {project_id}"):
        studio.request(
            "PATCH", f"/api/projects/{project_id}/", json={"model_version": version}, timeout=60
        )
    return version


# ---------------------------------------------------------------- tasks on the server


def server_keys(studio: Studio, project_id: int) -> Counter[str]:
    """task_key -> how many tasks carry it on the server (>1 means duplicates)."""
    tasks = studio.iter_tasks(project_id, LIST_PAGE, {"include": "id,data"})
    return Counter(str((t.get("data") or {}).get("task_key")) for t in tasks)


def task_count(studio: Studio, project_id: int) -> int:
    """Number of tasks in the project, from the project record (cheap)."""
    body = studio.request("GET", f"/api/projects/{project_id}/", timeout=60)
    return int(body.get("task_number") or 0)


def _settle(studio: Studio, project_id: int, quiet: float, unreachable: float) -> None:
    """Wait until the server answers and its task count has not moved for ``quiet`` seconds.

    A lost import may still be running on the server when the client gives up on it (Label
    Studio commits a whole import request in one transaction at its end), so the keys are
    listed only once the count is quiet. An unreachable server ends the wait after
    ``unreachable`` seconds: nothing can be reconciled then, and the next push will.
    """
    last = -1
    quiet_since = time.monotonic()
    down_since: float | None = None
    while True:
        try:
            n = task_count(studio, project_id)
        except StudioError as exc:
            now = time.monotonic()
            down_since = down_since or now
            if now - down_since > unreachable:
                raise StudioError(
                    f"the server stopped answering during the import ({exc})"
                ) from None
            time.sleep(1.0)
            continue
        down_since = None
        now = time.monotonic()
        if n != last:
            last, quiet_since = n, now
        elif now - quiet_since >= quiet:
            return
        time.sleep(1.0)


def import_tasks(
    studio: Studio,
    project_id: int,
    tasks: list[dict[str, Any]],
    *,
    batch_size: int,
    timeout: float,
    attempts: int,
    quiet: float = 8.0,
    unreachable: float = 20.0,
) -> tuple[int, int]:
    """Import ``tasks`` in batches without duplicates; returns (imported, retries)."""
    imported = retries = 0
    for start in range(0, len(tasks), batch_size):
        batch = tasks[start : start + batch_size]
        for _attempt in range(attempts):
            try:
                _post_import(studio, project_id, batch, timeout)
                imported += len(batch)
                break
            except StudioError as exc:
                if "HTTP 4" in str(exc):  # the server refused the content: resending cannot help
                    raise
                last_error = str(exc)
            retries += 1
            # Reconcile: what of this batch reached the server after all?
            try:
                _settle(studio, project_id, quiet, unreachable)
            except StudioError as exc:
                raise StudioError(
                    f"import into project {project_id} interrupted: {exc}; tasks already sent may or may "
                    "not be in. Run push again once the server is back: it imports only what is missing"
                ) from None
            present = server_keys(studio, project_id)
            landed = [t for t in batch if t["data"]["task_key"] in present]
            imported += len(landed)
            batch = [t for t in batch if t["data"]["task_key"] not in present]
            if not batch:
                break
        else:
            raise StudioError(
                f"import into project {project_id} failed {attempts} times ({last_error}); "
                f"{imported} tasks are in; run push again to import the rest"
            )
    return imported, retries


def _post_import(
    studio: Studio, project_id: int, batch: list[dict[str, Any]], timeout: float
) -> None:
    # Raw httpx with a pre-serialised body: no retries (see module doc), and the SDK's
    # per-field JSON encoder costs more than the import itself at 10k tasks per request.
    body = json.dumps(batch, ensure_ascii=False).encode("utf-8")
    headers = {**studio.headers(), "Content-Type": "application/json"}
    try:
        with httpx.Client(base_url=studio.url, timeout=timeout) as http:
            r = http.post(f"/api/projects/{project_id}/import", content=body, headers=headers)
    except Exception as exc:
        raise StudioError(f"import request lost: {describe_error(exc, studio.token)}") from None
    if r.status_code >= 400:
        raise StudioError(f"import refused: HTTP {r.status_code}: {r.text[:1000]}")
    got = r.json().get("task_count")
    if got != len(batch):
        raise StudioError(f"import answered task_count={got} for {len(batch)} tasks sent")


def push_project(
    studio: Studio,
    cfg: StudioConfig,
    name: str,
    tasks_raw: Sequence[Any] | Path,
    *,
    migrate: bool = False,
) -> ProjectPush:
    """Create/update project ``name`` and import the tasks it lacks."""
    pcfg = cfg.project(name)
    check_overlap(cfg, name)
    xml = check_label_config(cfg.path(pcfg.label_config))
    if isinstance(tasks_raw, Path):
        tasks = load_tasks(tasks_raw, xml, cfg.push.max_task_bytes)
    else:
        tasks = prepare_tasks(tasks_raw, xml, cfg.push.max_task_bytes, where=name)
    pid, updated = ensure_project(studio, cfg, pcfg, migrate)
    present: Counter[str] = server_keys(studio, pid) if task_count(studio, pid) else Counter()
    # The task file's order is the order annotators get (Sequential sampling follows import
    # order): article order, most check-worthy paragraph first (docs/preannotation.md).
    missing = [t for t in tasks if t["data"]["task_key"] not in present]
    imported, retries = import_tasks(
        studio,
        pid,
        missing,
        batch_size=cfg.push.batch_size,
        timeout=cfg.push.request_timeout,
        attempts=cfg.push.attempts,
        quiet=cfg.push.settle_seconds,
    )
    model_version = prelabel_version(studio, pid, pcfg, tasks)
    return ProjectPush(
        name=name,
        project_id=pid,
        model_version=model_version,
        tasks=len(tasks),
        imported=imported,
        already_present=len(tasks) - len(missing),
        duplicates_on_server=sum(n - 1 for n in present.values() if n > 1),
        retries=retries,
        label_config_updated=updated,
    )


def push_tasks(
    cfg: StudioConfig,
    tasks_dir: str | Path,
    projects: Sequence[str],
    *,
    migrate: bool = False,
    studio: Studio | None = None,
) -> StageReport:
    """``claimset studio push``: every project in ``projects`` from ``<tasks_dir>/<project>.json``."""
    report = StageReport("studio push")
    for name in projects:  # before anything is sent, for every project
        check_overlap(cfg, name)
    studio = studio or connect_from_env(cfg.path(cfg.env_file), cfg.url)
    for name in projects:
        res = push_project(studio, cfg, name, Path(tasks_dir) / f"{name}.json", migrate=migrate)
        _add(report, res)
    return report


def push_review(
    cfg: StudioConfig,
    unresolved_path: str | Path,
    annotations_path: str | Path,
    *,
    migrate: bool = False,
    studio: Studio | None = None,
) -> StageReport:
    """``claimset studio push --review``: the stance disagreement queue into ``review_stance``."""
    from claimset.annotations.review import build_review_tasks

    report = StageReport("studio push --review")
    studio = studio or connect_from_env(cfg.path(cfg.env_file), cfg.url)
    tasks = build_review_tasks(unresolved_path, annotations_path)
    by_project: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:
        name = str(t["data"].get("project", "")).replace("-", "_")
        by_project.setdefault(name, []).append(t)
    for name in sorted(by_project):
        if name not in cfg.projects:
            report.extra[f"{name}.skipped_not_configured"] = len(by_project[name])
            continue
        _add(report, push_project(studio, cfg, name, by_project[name], migrate=migrate))
    return report


def _add(report: StageReport, res: ProjectPush) -> None:
    report.records_in += res.tasks
    report.records_out += res.imported
    report.extra[f"{res.name}.project_id"] = res.project_id
    report.extra[f"{res.name}.imported"] = res.imported
    report.extra[f"{res.name}.already_present"] = res.already_present
    report.extra[f"{res.name}.duplicates_on_server"] = res.duplicates_on_server
    if res.retries:
        report.extra[f"{res.name}.retries"] = res.retries
    if res.label_config_updated:
        report.extra[f"{res.name}.label_config"] = "updated"
    if res.model_version:
        report.extra[f"{res.name}.prelabel_model_version"] = res.model_version
