"""The aggregate stage: exports -> annotation table, gold labels, unresolved queue, agreement."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from claimset import io
from claimset.annotations.aggregate import (
    LABELS_CLAIMS_SCHEMA,
    LABELS_STANCE_SCHEMA,
    Aggregation,
    aggregate_claims,
    aggregate_stance,
)
from claimset.annotations.agreement import annotator_stats, field_agreement, span_f1
from claimset.annotations.config import AggregateConfig
from claimset.annotations.export import (
    ParsedExport,
    annotations_frame,
    annotator_of,
    manifest_version,
    parse_export,
    read_export,
)
from claimset.annotations.gold import import_fnc1
from claimset.annotations.labelconfig import LabelConfig, load_label_config, parse_label_config
from claimset.annotations.report import render_agreement_md
from claimset.annotations.review import (
    apply_overrides,
    review_label_config,
    review_overrides,
)
from claimset.errors import ClaimsetError, InputError
from claimset.stage import StageReport

PROJECTS = ("claims", "stance")
# Quarantine reason of answers to tasks that data/tasks/ no longer (or never) had.
STALE_REASON = "task_not_in_tasks"


class NoAnnotationsError(ClaimsetError):
    """No submitted annotation of a current task: the normal state before annotating."""


@dataclass(frozen=True)
class AggregatePaths:
    """Every input and output of the aggregate stage (dvc.yaml owns them)."""

    exports: Path
    claims_config: Path
    stance_config: Path
    annotations_out: Path
    labels_claims: Path
    labels_stance: Path
    unresolved: Path
    quarantine: Path
    agreement: Path
    agreement_md: Path
    tasks: Path | None = None
    articles: Path | None = None
    stance_pairs: Path | None = None
    gold_csv: Path | None = None
    gold_bodies: Path | None = None


def _read_tasks(tasks_dir: Path | None) -> dict[str, dict[str, Any]]:
    """task_key -> data for every task file in ``tasks_dir`` (claims.json, stance.json)."""
    out: dict[str, dict[str, Any]] = {}
    if tasks_dir is None:
        return out
    for name in ("claims", "stance"):
        p = tasks_dir / f"{name}.json"
        if not p.exists():
            continue
        try:
            tasks = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(p, f"not valid JSON: {exc}", line=exc.lineno) from exc
        for t in tasks:
            data = t.get("data", t)
            if data.get("task_key"):
                out[str(data["task_key"])] = {"claimset_kind": name, **data}
    return out


def load_exports(
    paths: AggregatePaths,
    configs: Mapping[str, LabelConfig],
    current: Mapping[str, set[str]] | None = None,
) -> ParsedExport:
    """Parse every known project's export under ``paths.exports`` against its label config.

    ``current`` maps ``claims``/``stance`` to the task keys of ``data/tasks/``. An exported
    task not among them (an export from another corpus or an older task set) is not parsed:
    its answers are counted and quarantined (reason ``task_not_in_tasks``, naming the export
    file), so they can never become gold labels for articles that are not in the corpus.
    """
    parsed = ParsedExport()
    if not paths.exports.is_dir():
        raise InputError(paths.exports, "exports directory not found")
    for folder in sorted(p.name for p in paths.exports.iterdir() if p.is_dir()):
        export = paths.exports / folder / "export.json"
        project = folder.replace("-", "_")  # review-stance and review_stance name one project
        if project not in configs:
            parsed.counts["ignored_projects"] += 1
            continue
        if not export.exists():
            continue
        tasks, manifest = read_export(export)
        parsed.counts["export_files"] += 1
        if current is not None and project in current:
            tasks, stale = split_stale(tasks, project, current[project], export)
            parsed.extend(stale)
        one = parse_export(tasks, project, configs[project], manifest_version(manifest))
        parsed.counts[f"{project}_annotations"] += one.counts["annotations_total"]
        parsed.extend(one)
    return parsed


def split_stale(
    tasks: list[dict[str, Any]], project: str, current: set[str], export: Path
) -> tuple[list[dict[str, Any]], ParsedExport]:
    """Keep the exported tasks whose key is in ``current``; quarantine the others' answers."""
    keep: list[dict[str, Any]] = []
    stale = ParsedExport()
    for task in tasks:
        data = task.get("data") or {}
        key = str(data.get("task_key") or f"ls-{task.get('id')}")
        if key in current:
            keep.append(task)
            continue
        stale.counts["stale_tasks"] += 1
        why = (
            f"task {key} is in {export} but not in the current task files (data/tasks/"
            f"{project}.json): an export from another corpus or an older task set"
        )
        base = {
            "project": project,
            "task_key": key,
            "task_id": task.get("id"),
            "export": str(export),
        }
        for ann in task.get("annotations") or []:
            stale.counts["annotations_total"] += 1
            stale.counts[f"quarantined_{STALE_REASON}"] += 1
            stale.quarantine.append(
                {
                    **base,
                    "annotation_id": ann.get("id"),
                    "annotator": annotator_of(ann),
                    "reason": STALE_REASON,
                    "detail": why,
                }
            )
        for draft in task.get("drafts") or []:
            stale.counts["drafts"] += 1
            stale.counts["quarantined_draft"] += 1
            stale.quarantine.append(
                {
                    **base,
                    "annotation_id": draft.get("id"),
                    "annotator": annotator_of(draft),
                    "reason": "draft",
                    "detail": f"unsubmitted draft; {why}",
                }
            )
    if stale.counts["stale_tasks"]:
        stale.counts[f"{project}_stale_annotations"] += stale.counts["annotations_total"]
    return keep, stale


def no_annotations_message(paths: AggregatePaths, counts: Mapping[str, int], n_tasks: int) -> str:
    """The one message aggregate stops with before anyone has annotated a current task."""
    where = paths.exports.as_posix()
    stale = counts.get(f"quarantined_{STALE_REASON}", 0)
    lines = [
        f"no annotations yet for the {n_tasks} tasks in "
        f"{paths.tasks.as_posix() if paths.tasks else 'data/tasks'}/ "
        f"({where}/ holds {counts.get('export_files', 0)} export file(s)"
        + (
            f"; {stale} answer(s) in them belong to tasks that are no longer in data/tasks/"
            " and are not used"
            if stale
            else ""
        )
        + ").",
        "Push the tasks, annotate, pull, then run the pipeline again:",
        "  claimset studio up      # local Label Studio (once)",
        "  claimset studio push    # import data/tasks/ into the claims and stance projects",
        "  (annotators label at the URL that `studio up` prints)",
        "  claimset studio pull    # export snapshots into " + where + "/",
        "  dvc repro",
    ]
    return "\n".join(lines)


def run_aggregate(paths: AggregatePaths, cfg: AggregateConfig) -> StageReport:
    """Run the aggregate stage end to end; write every output atomically; return the report."""
    report = StageReport("aggregate")
    base = {
        "claims": load_label_config(paths.claims_config),
        "stance": load_label_config(paths.stance_config),
    }
    configs = dict(base)
    for kind, xml in (("claims", paths.claims_config), ("stance", paths.stance_config)):
        # the review project's own config when it sits beside the base one (as studio.yaml
        # sets it up), else the one generated from the base config: same controls either way
        own = xml.with_name(f"review_{kind}.xml")
        configs[f"review_{kind}"] = (
            load_label_config(own)
            if own.exists()
            else parse_label_config(review_label_config(kind, base[kind]))
        )
    task_files = _read_tasks(paths.tasks)
    current: dict[str, set[str]] | None = None
    if paths.tasks is not None and paths.tasks.is_dir():
        # only the kinds that have a task file: without one there is nothing to be stale against
        current = {k: set() for k in PROJECTS if (paths.tasks / f"{k}.json").exists()}
        for key, data in task_files.items():
            current[data["claimset_kind"]].add(key)
    parsed = load_exports(paths, configs, current)
    articles = (
        pl.read_parquet(paths.articles) if paths.articles and paths.articles.exists() else None
    )
    if paths.gold_csv is not None:
        if paths.gold_bodies is None:
            raise ClaimsetError("--gold-csv needs --gold-bodies (the FNC-1 bodies CSV)")
        gold = import_fnc1(paths.gold_csv, paths.gold_bodies, cfg.gold_annotator, articles)
        parsed.counts["gold_annotations"] += gold.counts["annotations_total"]
        parsed.extend(gold)
    if parsed.counts["accepted"] == 0:
        raise NoAnnotationsError(no_annotations_message(paths, parsed.counts, len(task_files)))
    tasks = {**task_files, **parsed.tasks}
    pair_kinds: dict[str, str] = {}
    if paths.stance_pairs is not None and paths.stance_pairs.exists():
        sp = pl.read_parquet(paths.stance_pairs, columns=["pair_id", "pair_kind"])
        pair_kinds = dict(zip(sp["pair_id"].to_list(), sp["pair_kind"].to_list(), strict=True))
    for data in tasks.values():
        if data.get("pair_kind") and data.get("pair_id"):
            pair_kinds.setdefault(str(data["pair_id"]), str(data["pair_kind"]))

    frame = annotations_frame(parsed.rows)
    result = Aggregation()
    importers = frozenset({cfg.gold_annotator}) if paths.gold_csv is not None else frozenset()
    aggregate_stance(frame, tasks, cfg, result, importers, pair_kinds)
    aggregate_claims(frame, tasks, cfg, result)
    # Claim rows get the id of the span item they were clustered into.
    if result.region_items:
        keys = pl.DataFrame(
            [
                {
                    "project": k[0],
                    "task_key": k[1],
                    "annotator": k[2],
                    "region_id": k[3],
                    "_item": v,
                }
                for k, v in sorted(result.region_items.items())
            ]
        )
        frame = (
            frame.join(keys, on=["project", "task_key", "annotator", "region_id"], how="left")
            .with_columns(pl.coalesce("_item", "item_id").alias("item_id"))
            .drop("_item")
        )
    outcome = apply_overrides(
        review_overrides(frame),
        result.labels_stance,
        result.labels_claims,
        result.unresolved,
        result.decisions,
    )
    for stale in outcome["stale"]:
        parsed.quarantine.append(
            {
                "project": stale["project"],
                "task_key": f"review:{stale['item_id']}",
                "annotation_id": stale["annotation_id"],
                "annotator": stale["reviewer"],
                "reason": "review_stale",
                "detail": stale["detail"],
                "task_id": None,
            }
        )
    # Stale review answers stay in the table (they are real answers) and are listed in quarantine
    # as not applied; so the reconciliation below counts them once, as accepted.
    counts = Counter(parsed.counts)
    total = counts["annotations_total"]
    excluded = sum(
        v for k, v in counts.items() if k.startswith("quarantined_") and k != "quarantined_draft"
    )
    if counts["accepted"] + excluded != total:
        raise ClaimsetError(
            f"annotation counts do not reconcile: {counts['accepted']} accepted + {excluded} "
            f"excluded != {total} in the exports"
        )

    annotations = annotations_frame(frame.to_dicts()) if frame.height else frame
    labels_stance = pl.DataFrame(result.labels_stance, schema=LABELS_STANCE_SCHEMA).sort("item_id")
    labels_claims = pl.DataFrame(result.labels_claims, schema=LABELS_CLAIMS_SCHEMA).sort("item_id")
    unresolved = sorted(
        result.unresolved, key=lambda u: (u["project"], u["item_id"], u.get("field") or "")
    )
    quarantine = sorted(
        parsed.quarantine,
        key=lambda q: (q["project"], q["task_key"], str(q.get("annotation_id")), q["reason"]),
    )

    fields = {
        "stance": base["stance"].choices("stance"),
        "claim_tokens": ("no", "yes"),
        "claim_type": base["claims"].choices("claim_type"),
        "checkworthy": base["claims"].choices("checkworthy"),
        "speaker": (),
    }
    agreement: dict[str, Any] = {"fields": {}}
    for fld, domain in fields.items():
        votes = result.votes.get(fld, {})
        if votes:
            fa = field_agreement(votes, cfg, domain)
            if fld == "speaker":
                fa.pop("per_label")  # speaker values are per-item cluster ids: no shared labels
            agreement["fields"][fld] = fa
    agreement["span_f1"] = span_f1(annotations, cfg)
    agreement["annotators"] = annotator_stats(annotations, result.decisions)
    agreement["counts"] = {
        **{k: v for k, v in sorted(counts.items()) if k != "tasks"},
        "tasks_in_exports": counts["tasks"],
        "annotation_rows": annotations.height,
        "labels_stance": labels_stance.height,
        "labels_claims": labels_claims.height,
        "unresolved": len(unresolved),
        "quarantine_records": len(quarantine),
        "reviews_applied": outcome["applied"],
        "claims_rejected_by_review": outcome["rejected_claims"],
        **dict(sorted(result.counts.items())),
    }
    agreement["labels"] = {
        "stance": _distribution(labels_stance, "label"),
        "claims": _distribution(labels_claims, "claim_type"),
        "unresolved_by_reason": dict(sorted(Counter(u["reason"] for u in unresolved).items())),
    }
    agreement["config"] = {
        **{k: v for k, v in asdict(cfg).items()},
        "label_config_versions": {k: v.version for k, v in sorted(configs.items())},
    }

    io.write_parquet(paths.annotations_out, annotations)
    io.write_parquet(paths.labels_stance, labels_stance)
    io.write_parquet(paths.labels_claims, labels_claims)
    io.write_jsonl(paths.unresolved, unresolved)
    io.write_jsonl(paths.quarantine, quarantine)
    io.write_json(paths.agreement, agreement)
    io.write_text(paths.agreement_md, render_agreement_md(agreement))

    report.records_in = total
    report.records_out = labels_stance.height + labels_claims.height
    report.quarantined = len(quarantine)
    report.extra.update(
        accepted=counts["accepted"],
        cancelled=counts["quarantined_cancelled"] + counts["quarantined_skipped"],
        drafts=counts["drafts"],
        duplicates=counts["quarantined_duplicate"],
        misfit=counts["quarantined_label_config_mismatch"],
        stale=counts[f"quarantined_{STALE_REASON}"],
        unresolved=len(unresolved),
        reviews=outcome["applied"],
    )
    return report


def _distribution(df: pl.DataFrame, column: str) -> dict[str, Any]:
    counts = dict(sorted(Counter(df[column].to_list()).items(), key=lambda kv: str(kv[0])))
    methods = dict(sorted(Counter(df["method"].to_list()).items()))
    return {
        "n": df.height,
        "by_label": {str(k): v for k, v in counts.items()},
        "by_method": methods,
    }
