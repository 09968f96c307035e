"""Label Studio JSON exports -> the long annotation table.

One row per annotator x task x field (x region for spans). Every annotation in the export
ends either as rows of the table or as a quarantine record with its reason, so the counts
reconcile: ``annotations_total == accepted + sum(quarantined by reason)``. Drafts are not
annotations, but they are quarantined (reason ``draft``) and counted too so nothing that an
annotator typed disappears without a trace.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from claimset.annotations.labelconfig import LabelConfig
from claimset.errors import InputError

# Schema of data/processed/annotations.parquet (docs/architecture.md, "annotations").
ANNOTATION_SCHEMA: dict[str, pl.DataType] = {
    "project": pl.String(),
    "task_key": pl.String(),
    "item_id": pl.String(),
    "annotator": pl.String(),
    "annotation_id": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
    "span_text": pl.String(),
    "region_id": pl.String(),
    "created_at": pl.String(),
    "lead_time": pl.Float64(),
    "label_config_version": pl.String(),
}

# Rows of an accepted claims annotation with no region: the annotator read the paragraph
# and found no claim. Without this row the "no" votes for span existence would be lost.
NO_SPAN_VALUE = "none"


class Misfit(Exception):
    """An annotation does not fit the current label config (-> quarantine)."""


@dataclass
class ParsedExport:
    """Rows, quarantine records and counts from one or more exports."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    # task_key -> task data, for items' text/target/offsets
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def extend(self, other: ParsedExport) -> None:
        """Merge ``other`` into this one."""
        self.rows += other.rows
        self.quarantine += other.quarantine
        self.counts.update(other.counts)
        self.tasks.update(other.tasks)


def read_export(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read ``export.json`` and the ``manifest.json`` beside it (empty dict if absent)."""
    p = Path(path)
    try:
        tasks = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(p, "export not found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(p, f"not valid JSON: {exc}", line=exc.lineno) from exc
    if not isinstance(tasks, list):
        raise InputError(p, "expected a JSON list of tasks (Label Studio JSON export)")
    manifest_path = p.with_name("manifest.json")
    manifest: dict[str, Any] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return tasks, manifest


def manifest_version(manifest: Mapping[str, Any]) -> str | None:
    """The label-config version the export was made under, as recorded by ``studio pull``."""
    for key in ("label_config_sha256", "label_config_version"):
        value = manifest.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def annotator_of(annotation: Mapping[str, Any]) -> str:
    """Annotator email; ``studio pull`` maps ``completed_by`` to it, raw exports hold a dict or id."""
    who = annotation.get("completed_by")
    if isinstance(who, Mapping):
        who = who.get("email") or who.get("id")
    if who is None or who == "":
        return "unknown"
    return str(who)


def parse_export(
    tasks: Sequence[Mapping[str, Any]],
    project: str,
    config: LabelConfig,
    export_version: str | None = None,
) -> ParsedExport:
    """Parse one Label Studio export of ``project`` against the current label ``config``.

    Cancelled/skipped annotations, drafts, repeated answers of one annotator to one task
    (the latest by ``created_at`` then ``id`` is kept) and annotations that do not fit the
    label config are quarantined with a reason and counted; the rest become rows.
    """
    out = ParsedExport()
    version = export_version or config.version
    for task in tasks:
        data = dict(task.get("data") or {})
        task_key = str(data.get("task_key") or f"ls-{task.get('id')}")
        out.tasks[task_key] = data
        out.counts["tasks"] += 1
        base = {"project": project, "task_key": task_key, "task_id": task.get("id")}
        for draft in task.get("drafts") or []:
            out.counts["drafts"] += 1
            out.quarantine.append(
                {
                    **base,
                    "annotation_id": draft.get("id"),
                    "annotator": annotator_of(draft),
                    "reason": "draft",
                    "detail": "unsubmitted draft",
                }
            )
        live: dict[str, Mapping[str, Any]] = {}
        for ann in sorted(task.get("annotations") or [], key=_order_key):
            out.counts["annotations_total"] += 1
            who = annotator_of(ann)
            rec = {**base, "annotation_id": ann.get("id"), "annotator": who}
            if ann.get("was_cancelled"):
                # LS "skip" creates a cancelled annotation with an empty result.
                reason = "skipped" if not ann.get("result") else "cancelled"
                out.quarantine.append({**rec, "reason": reason, "detail": "was_cancelled=true"})
                continue
            previous = live.get(who)
            if previous is not None:
                out.quarantine.append(
                    {
                        **base,
                        "annotation_id": previous.get("id"),
                        "annotator": who,
                        "reason": "duplicate",
                        "detail": f"superseded by annotation {ann.get('id')}",
                    }
                )
            live[who] = ann
        for who in sorted(live):
            ann = live[who]
            try:
                rows = _annotation_rows(ann, data, project, config, task_key, who, version)
            except Misfit as exc:
                out.quarantine.append(
                    {
                        **base,
                        "annotation_id": ann.get("id"),
                        "annotator": who,
                        "reason": "label_config_mismatch",
                        "detail": f"{exc} (current label config {config.version[:12]}, "
                        f"export made under {version[:12]})",
                        "label_config_version": config.version,
                        "export_label_config_version": version,
                    }
                )
                continue
            out.rows += rows
            out.counts["accepted"] += 1
    for rec in out.quarantine:
        out.counts[f"quarantined_{rec['reason']}"] += 1
    return out


def _order_key(ann: Mapping[str, Any]) -> tuple[str, int]:
    return (str(ann.get("updated_at") or ann.get("created_at") or ""), int(ann.get("id") or 0))


def _annotation_rows(
    ann: Mapping[str, Any],
    data: Mapping[str, Any],
    project: str,
    config: LabelConfig,
    task_key: str,
    who: str,
    version: str,
) -> list[dict[str, Any]]:
    text = data.get("text")
    offset = int(data.get("char_offset") or 0)
    common = {
        "project": project,
        "task_key": task_key,
        # review tasks carry the reviewed item; stance tasks their pair; claims tasks get
        # their item ids from span clustering later (aggregate.py).
        "item_id": str(data.get("item_id") or data.get("pair_id") or task_key),
        "annotator": who,
        "annotation_id": int(ann["id"]) if ann.get("id") is not None else None,
        "created_at": str(ann.get("created_at") or ""),
        "lead_time": float(ann["lead_time"]) if ann.get("lead_time") is not None else None,
        "label_config_version": version,
    }
    regions: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    results = list(ann.get("result") or [])
    # First pass: span regions, so per-region choices and relations can refer to them.
    for res in results:
        if res.get("type") != "labels":
            continue
        control = _control(config, res, "labels")
        value = res.get("value") or {}
        labels = value.get("labels") or []
        if not labels:
            raise Misfit(f"span region {res.get('id')} has no label")
        bad = [lab for lab in labels if lab not in control.values]
        if bad:
            raise Misfit(f"label {bad[0]!r} not in {control.name} {list(control.values)}")
        start, end = _span(value, text, res.get("id"))
        span_text = text[start:end] if isinstance(text, str) else value.get("text")
        rid = str(res.get("id"))
        regions[rid] = {
            "labels": labels,
            "start": start + offset,
            "end": end + offset,
            "text": span_text,
        }
        for lab in labels:
            rows.append(
                {
                    **common,
                    "field": lab.lower(),
                    "value": lab,
                    "char_start": start + offset,
                    "char_end": end + offset,
                    "span_text": span_text,
                    "region_id": rid,
                }
            )
    for res in results:
        kind = res.get("type")
        if kind == "labels":
            continue
        if kind == "choices":
            control = _control(config, res, "choices")
            choices = (res.get("value") or {}).get("choices") or []
            if not choices:
                raise Misfit(f"{control.name}: empty choice")
            bad = [c for c in choices if c not in control.values]
            if control.single and len(choices) > 1:
                raise Misfit(f"{control.name}: {len(choices)} choices for a single-choice control")
            if bad:
                raise Misfit(f"choice {bad[0]!r} not in {control.name} {list(control.values)}")
            cid = str(res.get("id")) if res.get("id") is not None else None
            region = regions.get(cid or "")
            if control.per_region and region is None:
                raise Misfit(f"per-region choice {control.name} without its region {cid}")
            for choice in choices:
                rows.append(
                    {
                        **common,
                        "field": control.name,
                        "value": choice,
                        "char_start": region["start"] if region else None,
                        "char_end": region["end"] if region else None,
                        "span_text": region["text"] if region else None,
                        "region_id": cid if region else None,
                    }
                )
        elif kind == "textarea":
            control = _control(config, res, "textarea")
            lines = (res.get("value") or {}).get("text") or []
            if isinstance(lines, str):
                lines = [lines]
            said = [str(t).strip() for t in lines if str(t).strip()]
            # A per-region box (speaker_name on a SPEAKER region) belongs to its region:
            # the row carries the region's id and offsets, as per-region choices do.
            tid = str(res.get("id")) if res.get("id") is not None else None
            region = regions.get(tid or "") if control.per_region else None
            if control.per_region and region is None:
                raise Misfit(f"per-region text {control.name} without its region {tid}")
            if said:
                rows.append(
                    {
                        **common,
                        "field": control.name,
                        "value": " ".join(said),
                        "char_start": region["start"] if region else None,
                        "char_end": region["end"] if region else None,
                        "span_text": region["text"] if region else None,
                        "region_id": tid if region else None,
                    }
                )
        elif kind == "relation":
            rows.append({**common, **_relation(res, regions, config)})
        else:
            raise Misfit(
                f"result type {kind!r} ({res.get('from_name')}) is not in the label config"
            )
    if not rows:
        if project == "claims" or any(c.type == "labels" for c in config.controls.values()):
            # An empty submitted span annotation means "no claim here": a real answer.
            rows.append(
                {
                    **common,
                    "field": "claim",
                    "value": NO_SPAN_VALUE,
                    "char_start": None,
                    "char_end": None,
                    "span_text": None,
                    "region_id": None,
                }
            )
        else:
            raise Misfit("submitted annotation has no result")
    return rows


def _control(config: LabelConfig, res: Mapping[str, Any], kind: str) -> Any:
    name = res.get("from_name")
    control = config.controls.get(str(name))
    if control is None:
        raise Misfit(f"from_name {name!r} is not a control of the label config")
    if control.type != kind:
        raise Misfit(f"from_name {name!r} is a {control.type} control, result says {kind}")
    if control.to_name and res.get("to_name") != control.to_name:
        raise Misfit(f"to_name {res.get('to_name')!r} of {name!r} should be {control.to_name!r}")
    return control


def _span(value: Mapping[str, Any], text: Any, rid: Any) -> tuple[int, int]:
    try:
        start, end = int(value["start"]), int(value["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Misfit(f"span region {rid} has no integer start/end") from exc
    if isinstance(text, str):
        if not 0 <= start < end <= len(text):
            raise Misfit(f"span region {rid} [{start}, {end}) outside text of length {len(text)}")
        said = value.get("text")
        if isinstance(said, str) and said != text[start:end]:
            raise Misfit(
                f"span region {rid} text {said!r} != data.text[{start}:{end}] {text[start:end]!r}"
            )
    elif not 0 <= start < end:
        raise Misfit(f"span region {rid} has bad offsets [{start}, {end})")
    return start, end


def _relation(
    res: Mapping[str, Any], regions: Mapping[str, Mapping[str, Any]], config: LabelConfig
) -> dict[str, Any]:
    labels = list(res.get("labels") or [])
    if not labels and len(config.relations) == 1:
        labels = [config.relations[0]]  # LS stores no label when none was picked
    if len(labels) != 1 or labels[0] not in config.relations:
        raise Misfit(f"relation labels {labels} not in {list(config.relations)}")
    a, b = regions.get(str(res.get("from_id"))), regions.get(str(res.get("to_id")))
    if a is None or b is None:
        raise Misfit(
            f"relation {res.get('from_id')} -> {res.get('to_id')} points to a missing region"
        )
    a_id, b_id = str(res.get("from_id")), str(res.get("to_id"))
    # Annotators draw the arrow either way; the contract is claim -> speaker.
    if "SPEAKER" in a["labels"] and "CLAIM" in b["labels"]:
        a, b, a_id, b_id = b, a, b_id, a_id
    if "CLAIM" not in a["labels"] or "SPEAKER" not in b["labels"]:
        raise Misfit(f"relation {a_id} -> {b_id} must join a CLAIM and a SPEAKER")
    return {
        "field": labels[0],
        "value": b_id,
        "char_start": a["start"],
        "char_end": a["end"],
        "span_text": a["text"],
        "region_id": a_id,
    }


def annotations_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows -> the annotations table, typed per the contract and sorted deterministically."""
    df = pl.DataFrame(
        [{k: r.get(k) for k in ANNOTATION_SCHEMA} for r in rows], schema=ANNOTATION_SCHEMA
    )
    return df.sort(
        [
            "project",
            "task_key",
            "annotator",
            "field",
            "char_start",
            "char_end",
            "value",
            "region_id",
        ],
        nulls_last=True,
    )
