"""The split stage: labelled rows -> one split table per release config + ``reports/splits.json``.

With the release inputs (sentences, tasks, annotations, candidates), the stage builds the five
release tables (:mod:`claimset.publish.tables`) and assigns every article, with everything
from it, to one split: ``articles``, ``claim_detection``, ``claims``, ``attribution`` and
``stance`` agree on every article's split. Without them (library use) only ``claims`` and
``stance`` are split.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from claimset.errors import InputError, ValidationFailed
from claimset.io import write_json, write_parquet
from claimset.labels import LABEL_FIELDS, SPLITS
from claimset.neardup import NearDuplicateConfig
from claimset.publish.features import CLAIM_DETECTION_LABELS
from claimset.publish.tables import (
    TableCounts,
    build_attribution,
    build_claim_detection,
    build_claims,
    build_stance,
)
from claimset.split.config import SplitConfig
from claimset.split.grouping import UNDATED, ArticleInfo, Grouping, build_groups, date_window
from claimset.split.leakage import check_leakage, shared_keys
from claimset.split.stratification import Assignment, Block, assign_groups
from claimset.stage import StageReport
from claimset.validate.config import ValidateConfig

REQUIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "claims": ("item_id", "article_id", "text", "claim_type", "checkworthy"),
    "stance": ("item_id", "article_id", "text", "label"),
}
ARTICLE_COLUMNS = ("cluster_id", "source", "published_at", "synthetic")


@dataclass
class SplitResult:
    """Tables with ``group_id`` and ``split`` added, plus what the search did."""

    frames: dict[str, pl.DataFrame]
    grouping: Grouping
    assignment: Assignment
    group_split: dict[str, str]


def _check_table(
    name: str, df: pl.DataFrame, label_fields: Mapping[str, Sequence[str]], path: object
) -> None:
    missing = [c for c in ("item_id", "article_id", "text", *label_fields) if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)} for the {name} table")
    dup = df.filter(pl.col("item_id").is_duplicated())["item_id"].unique().sort().to_list()
    if dup:
        raise InputError(path, f"duplicate item_id(s): {', '.join(map(str, dup[:10]))}")
    for col, allowed in label_fields.items():
        bad = df.filter(~pl.col(col).is_in(list(allowed)) | pl.col(col).is_null())
        if bad.height:
            ids = bad["item_id"].sort().to_list()[:10]
            raise InputError(
                path, f"{col}: values outside {list(allowed)} for item_id(s) {', '.join(ids)}"
            )


def split_frames(
    frames: Mapping[str, pl.DataFrame],
    articles: pl.DataFrame,
    cfg: SplitConfig,
    label_fields: Mapping[str, Mapping[str, Sequence[str]]] = LABEL_FIELDS,
    *,
    near_duplicates: NearDuplicateConfig,
    ratios: Sequence[float] | None = None,
    split_names: Sequence[str] = SPLITS,
    merge_row_duplicates: bool = True,
) -> SplitResult:
    """Assign every row of ``frames`` to a split, keeping groups (see grouping.py) together.

    ``frames`` maps a config name to a table with ``item_id``, ``article_id``, ``text`` and the
    label columns of ``label_fields[name]``. ``articles`` needs ``article_id`` and may hold
    ``cluster_id``, ``source``, ``published_at`` and ``text``. Returns the tables with
    ``group_id`` and ``split`` columns added, sorted by ``item_id``.
    """
    ratio_values = list(ratios) if ratios is not None else list(cfg.ratios.as_dict().values())
    if len(ratio_values) != len(split_names):
        raise ValueError("one ratio per split name is needed")
    used = sorted({a for f in frames.values() for a in f["article_id"].to_list()})
    art = articles.filter(pl.col("article_id").is_in(used))
    cols = {c: (c in art.columns) for c in ("cluster_id", "source", "published_at", "text")}
    infos = [
        ArticleInfo(
            article_id=row["article_id"],
            cluster_id=row.get("cluster_id") if cols["cluster_id"] else None,
            source=row.get("source") if cols["source"] else None,
            published_at=str(row["published_at"])
            if cols["published_at"] and row.get("published_at")
            else None,
            text=row.get("text") if cols["text"] else None,
        )
        for row in art.sort("article_id").iter_rows(named=True)
    ]
    known = {i.article_id for i in infos}
    infos += [ArticleInfo(article_id=a) for a in used if a not in known]
    row_texts: list[tuple[str, str]] = []
    if merge_row_duplicates:
        for f in frames.values():
            row_texts += [(a, t) for a, t in f.select("article_id", "text").iter_rows() if t]
    grouping = build_groups(infos, row_texts, cfg, near_duplicates)

    group_ids = sorted(set(grouping.group_of.values()))
    gindex = {g: i for i, g in enumerate(group_ids)}
    blocks: list[Block] = []
    columns: list[tuple[str, str, str]] = []
    for name in sorted(frames):
        fields = label_fields[name]
        for col, allowed in fields.items():
            start = len(columns)
            columns += [(name, col, v) for v in allowed]
            # Each config weighs 1 in total however many label fields it has.
            blocks.append(
                Block(f"{name}:{col}", tuple(range(start, len(columns))), 1.0 / len(fields))
            )
    # One more column counts groups, so that splits also get their share of articles and
    # the optimiser cannot meet the row ratio with only many tiny groups in test.
    columns.append(("_groups", "_groups", "_groups"))
    blocks.append(Block("groups", (len(columns) - 1,), cfg.group_weight))
    counts = np.zeros((len(group_ids), len(columns)))
    counts[:, -1] = 1.0
    col_index = {c: i for i, c in enumerate(columns)}
    for name in sorted(frames):
        f = frames[name]
        for col in label_fields[name]:
            for aid, value in f.select("article_id", col).iter_rows():
                counts[gindex[grouping.group_of[aid]], col_index[(name, col, value)]] += 1

    order = None
    if cfg.temporal:
        first_window: dict[str, str] = {}
        for info in infos:
            w = date_window(info.published_at, cfg.date_window_days or 1)
            g = grouping.group_of[info.article_id]
            # Undated groups sort last ("~" > any "w..." label) so they never precede dated test data.
            key = "~" if w == UNDATED else w
            first_window[g] = min(first_window.get(g, key), key)
        order = sorted(
            range(len(group_ids)), key=lambda i: (first_window.get(group_ids[i], "~"), group_ids[i])
        )
    assignment = assign_groups(
        counts,
        ratio_values,
        blocks,
        seed=cfg.seed,
        exhaustive_max_groups=cfg.exhaustive_max_groups,
        restarts=cfg.restarts,
        size_weight=cfg.size_weight,
        order=order,
    )
    group_split = {g: split_names[int(assignment.splits[i])] for i, g in enumerate(group_ids)}
    out: dict[str, pl.DataFrame] = {}
    for name, f in frames.items():
        out[name] = (
            f.with_columns(
                pl.col("article_id")
                .replace_strict(grouping.group_of, return_dtype=pl.String)
                .alias("group_id")
            )
            .with_columns(
                pl.col("group_id")
                .replace_strict(group_split, return_dtype=pl.String)
                .alias("split")
            )
            .sort("item_id")
        )
    return SplitResult(
        frames=out, grouping=grouping, assignment=assignment, group_split=group_split
    )


def distribution(
    df: pl.DataFrame, fields: Mapping[str, Sequence[str]], split_names: Sequence[str] = SPLITS
) -> dict[str, Any]:
    """Per split: row count, article/group counts and the count of every label value."""
    out: dict[str, Any] = {}
    for split in split_names:
        part = df.filter(pl.col("split") == split)
        entry: dict[str, Any] = {
            "rows": part.height,
            "articles": part["article_id"].n_unique() if part.height else 0,
            "groups": part["group_id"].n_unique() if part.height else 0,
        }
        for col, allowed in fields.items():
            vc = dict(part.group_by(col).len().iter_rows())
            entry[col] = {v: int(vc.get(v, 0)) for v in allowed}
        out[split] = entry
    return out


def coverage(
    configs: Mapping[str, Any],
    ratios: Mapping[str, float],
    label_fields: Mapping[str, Mapping[str, Sequence[str]]] = LABEL_FIELDS,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(empty splits, label values missing from a split), each entry with its reason.

    Small data cannot always give every split every label; the report and the card say so
    instead of silently publishing a test split without, say, any ``unrelated`` row.
    """
    empty: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for name in sorted(configs):
        entry = configs[name]
        for split, ratio in ratios.items():
            if ratio <= 0:
                continue
            if entry["sizes"][split] == 0:
                empty.append(
                    {
                        "config": name,
                        "split": split,
                        "reason": "no row"
                        if entry["rows"] == 0
                        else f"{entry['rows']} rows in {entry.get('groups', '?')} group(s) "
                        "could not fill every split without separating a group",
                    }
                )
                continue
            dist = entry.get("label_distribution", {})
            for fld in label_fields.get(name, {}):
                if split not in dist or fld not in dist[split]:
                    continue
                totals = {v: sum(dist[s][fld][v] for s in dist) for v in dist[split][fld]}
                absent = [v for v, n in dist[split][fld].items() if n == 0 and totals[v] > 0]
                if absent:
                    missing.append(
                        {
                            "config": name,
                            "split": split,
                            "field": fld,
                            "labels": absent,
                            "rows_with_label": {v: totals[v] for v in absent},
                        }
                    )
    return empty, missing


def coverage_warnings(
    configs: Mapping[str, Any],
    ratios: Mapping[str, float],
    label_fields: Mapping[str, Mapping[str, Sequence[str]]] = LABEL_FIELDS,
) -> list[str]:
    """Human-readable notes on empty splits and label values missing from a split."""
    empty, missing = coverage(configs, ratios, label_fields)
    notes = [f"{e['config']}: split {e['split']} is empty ({e['reason']})" for e in empty]
    notes += [
        f"{m['config']}: {m['split']} has no {m['field']}={'/'.join(m['labels'])}"
        f" (only {', '.join(f'{v}: {n}' for v, n in m['rows_with_label'].items())} row(s) in all)"
        for m in missing
    ]
    return notes


def _validate(
    tables: dict[str, pl.DataFrame],
    cfg: ValidateConfig,
    report_dir: str | os.PathLike[str] | None,
) -> dict[str, Any]:
    """Run the shared validation gate (``splits`` suite) on both split tables.

    Returns the gate summary; the caller fails the stage on a critical failure.
    """
    from claimset.validate import validate_tables

    # Collect rather than raise, so reports/splits.json is written before the stage fails.
    result = validate_tables(
        {f"splits_{name}": df for name, df in sorted(tables.items())},
        cfg,
        Path(report_dir) if report_dir else None,
        raise_on_failure=False,
    )
    return {
        "success": result.success,
        "critical_failures": sorted(f"{c.table}:{c.name}" for c in result.critical_failures),
        "warnings": sorted(f"{c.table}:{c.name}" for c in result.warnings),
    }


@dataclass(frozen=True)
class ReleaseInputs:
    """The pipeline outputs the release tables are built from (besides the labels)."""

    sentences: str | os.PathLike[str]
    tasks_dir: str | os.PathLike[str]
    """``claims.json`` and ``stance.json`` from the tasks stage"""
    annotations: str | os.PathLike[str]
    candidates: str | os.PathLike[str]
    unresolved: str | os.PathLike[str]


# Release config -> (id column, stratified label fields). Articles and attribution follow
# their article's split; they are not stratified themselves.
STRATA: Mapping[str, tuple[str, Mapping[str, Sequence[str]]]] = {
    "claim_detection": ("sentence_id", {"label": CLAIM_DETECTION_LABELS}),
    "claims": ("claim_id", LABEL_FIELDS["claims"]),
    "stance": ("item_id", LABEL_FIELDS["stance"]),
}


def _read(path: str | os.PathLike[str]) -> pl.DataFrame:
    try:
        return pl.read_parquet(Path(path))
    except FileNotFoundError as exc:
        raise InputError(path, "file not found") from exc


def _read_tasks(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(path, "file not found (run the tasks stage first)") from exc
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not JSON: {exc.msg}", line=exc.lineno) from exc
    if not isinstance(data, list):
        raise InputError(path, "expected a JSON list of Label Studio tasks")
    return data


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise InputError(path, "file not found") from exc
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(path, f"not JSON: {exc.msg}", line=n) from exc
    return out


def build_release_tables(
    labels_claims: pl.DataFrame,
    labels_stance: pl.DataFrame,
    articles: pl.DataFrame,
    inputs: ReleaseInputs,
) -> tuple[dict[str, pl.DataFrame], TableCounts]:
    """The claim_detection, claims, attribution and stance tables (no split yet)."""
    counts = TableCounts()
    sentences = _read(inputs.sentences)
    annotations = _read(inputs.annotations)
    candidates = _read(inputs.candidates)
    unresolved = _read_jsonl(Path(inputs.unresolved))
    tasks_dir = Path(inputs.tasks_dir)
    claims_tasks = _read_tasks(tasks_dir / "claims.json")
    stance_tasks = _read_tasks(tasks_dir / "stance.json")
    claims = build_claims(labels_claims, annotations, candidates, sentences, articles, counts)
    detection = build_claim_detection(
        sentences, claims_tasks, annotations, claims, unresolved, counts
    )
    attribution = build_attribution(articles, detection, claims)
    stance = build_stance(labels_stance, stance_tasks)
    return {
        "claim_detection": detection,
        "claims": claims,
        "attribution": attribution,
        "stance": stance,
    }, counts


def run_split(
    labels_claims: str | os.PathLike[str],
    labels_stance: str | os.PathLike[str],
    articles_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    report_path: str | os.PathLike[str],
    cfg: SplitConfig,
    *,
    near_duplicates: NearDuplicateConfig,
    release_inputs: ReleaseInputs | None = None,
    validate_cfg: ValidateConfig | None = None,
    validation_dir: str | os.PathLike[str] | None = None,
) -> StageReport:
    """Split the labelled tables with one shared group assignment; write outputs + report.

    Every config is split together so that an article and everything from it lands in one
    split. Raises :class:`ValidationFailed` when rows do not reconcile, with
    ``fail_on_leakage`` when the independent leakage check finds a leak, and with
    ``on_empty_split`` / ``on_missing_label: fail`` when a split is empty or lacks a label
    (after the report, which names them, is written).
    """
    report = StageReport("split")
    paths = {"claims": Path(labels_claims), "stance": Path(labels_stance)}
    labels: dict[str, pl.DataFrame] = {}
    for name, path in paths.items():
        df = _read(path)
        _check_table(name, df, LABEL_FIELDS[name], path)
        labels[name] = df
    report.records_in = sum(f.height for f in labels.values())
    articles = _read(articles_path)
    if "article_id" not in articles.columns:
        raise InputError(articles_path, "missing column article_id")

    known = set(articles["article_id"].to_list())
    for name, f in labels.items():
        unknown = sorted(set(f["article_id"].to_list()) - known)
        if unknown and cfg.on_missing_article == "error":
            raise InputError(
                paths[name], f"article_id(s) not in {articles_path}: {', '.join(unknown[:10])}"
            )

    table_counts: dict[str, int] = {}
    if release_inputs is not None:
        tables, tc = build_release_tables(
            labels["claims"], labels["stance"], articles, release_inputs
        )
        table_counts = tc.as_dict()
        report.records_in += tables["claim_detection"].height
    else:
        tables = dict(labels)
    strata = {n: v for n, v in STRATA.items() if n in tables}
    if release_inputs is None:  # the labels tables as they are: claims keyed by item_id
        strata["claims"] = ("item_id", strata["claims"][1])
    # Join the grouping keys the contract promises in the splits tables.
    extra = articles.select(["article_id", *[c for c in ARTICLE_COLUMNS if c in articles.columns]])
    for c in ARTICLE_COLUMNS:
        if c not in extra.columns:
            extra = extra.with_columns(pl.lit(None).alias(c))
    frames: dict[str, pl.DataFrame] = {}
    for name, (id_col, _) in strata.items():
        f = tables[name]
        joined = f.drop([c for c in ARTICLE_COLUMNS if c in f.columns]).join(
            extra, on="article_id", how="left"
        )
        frames[name] = joined.with_columns(
            pl.col("cluster_id").cast(pl.String).fill_null(pl.col("article_id")),
            pl.col("published_at").cast(pl.String),
        ).rename({id_col: "item_id"} if id_col != "item_id" else {})

    result = split_frames(
        frames,
        articles,
        cfg,
        {n: f for n, (_, f) in strata.items()},
        near_duplicates=near_duplicates,
    )
    article_split = _article_splits(result)
    out = Path(out_dir)
    written: dict[str, pl.DataFrame] = {}
    for name in sorted(result.frames):
        id_col = strata[name][0]
        df = result.frames[name].rename({"item_id": id_col} if id_col != "item_id" else {})
        write_parquet(out / f"{name}.parquet", df)
    if release_inputs is not None:
        art = (
            articles.filter(
                pl.col("article_id").is_in(
                    pl.Series(sorted(article_split), dtype=pl.String).implode()
                )
            )
            .drop([c for c in ("group_id", "split") if c in articles.columns])
            .join(_split_frame(result, article_split), on="article_id", how="left")
            .sort("article_id")
        )
        write_parquet(out / "articles.parquet", art)
        attribution = (
            tables["attribution"]
            .join(_split_frame(result, article_split), on="article_id", how="left")
            .sort("article_id")
        )
        write_parquet(out / "attribution.parquet", attribution)
    # The checks read back what was written, so they verify the files, not our intentions.
    written = {
        name: pl.read_parquet(out / f"{name}.parquet").rename(
            {strata[name][0]: "item_id"} if strata[name][0] != "item_id" else {}
        )
        for name in sorted(result.frames)
    }
    texts = (
        dict(articles.select("article_id", "text").iter_rows())
        if "text" in articles.columns
        else {}
    )
    leakage = check_leakage(written, texts, cfg, near_duplicates)
    per_article = {
        n: pl.read_parquet(out / f"{n}.parquet").select("article_id", "split")
        for n in ("articles", "attribution")
        if (out / f"{n}.parquet").is_file() and release_inputs is not None
    }
    shared_all = shared_keys({**written, **per_article}, "article_id")
    leakage["shared_articles_all_configs"] = len(shared_all)
    leakage["shared_articles_all_configs_examples"] = shared_all[:20]
    leakage["leak_free"] = leakage["leak_free"] and not shared_all

    reconciliation: dict[str, Any] = {}
    sources = {n: frames[n] for n in frames}
    for name, df in written.items():
        ids_in = sorted(sources[name]["item_id"].to_list())
        ids_out = df["item_id"].to_list()
        by_split = {s: int((df["split"] == s).sum()) for s in SPLITS}
        reconciliation[name] = {
            "rows_in": len(ids_in),
            "rows_out": len(ids_out),
            "by_split_total": sum(by_split.values()),
            "missing": len(set(ids_in) - set(ids_out)),
            "unexpected": len(set(ids_out) - set(ids_in)),
            "duplicated": len(ids_out) - len(set(ids_out)),
            "ok": ids_in == sorted(ids_out) and sum(by_split.values()) == len(ids_in),
        }
    validation_status: dict[str, Any] = (
        _validate(
            {n: written[n] for n in ("claims", "stance") if n in written},
            validate_cfg or ValidateConfig(),
            validation_dir,
        )
        if cfg.validation_gate
        else {"success": True, "skipped": "split.validation_gate is false"}
    )

    configs: dict[str, Any] = {
        name: {
            "rows": df.height,
            "sizes": {s: int((df["split"] == s).sum()) for s in SPLITS},
            "share": {
                s: round(float((df["split"] == s).sum()) / df.height, 4) if df.height else 0.0
                for s in SPLITS
            },
            "groups": df["group_id"].n_unique() if df.height else 0,
            "label_distribution": distribution(df, strata[name][1]),
        }
        for name, df in written.items()
    }
    for name, df in per_article.items():
        configs[name] = {
            "rows": df.height,
            "sizes": {s: int((df["split"] == s).sum()) for s in SPLITS},
            "share": {
                s: round(float((df["split"] == s).sum()) / df.height, 4) if df.height else 0.0
                for s in SPLITS
            },
            "groups": len(set(result.group_split)),
        }
    ratios = cfg.ratios.as_dict()
    empty, missing = coverage(configs, ratios, {n: f for n, (_, f) in strata.items()})
    payload: dict[str, Any] = {
        "params": asdict(cfg),
        "configs": configs,
        "empty_splits": empty,
        "missing_labels": missing,
        "tables": table_counts,
        "groups": {
            "n_groups": result.grouping.n_groups,
            "n_articles": len(result.grouping.group_of),
            "merges": result.grouping.merges,
            "near_duplicates_merged": [list(p) for p in result.grouping.near_duplicates[:20]],
            "per_split": {s: sum(1 for v in result.group_split.values() if v == s) for s in SPLITS},
        },
        "search": {
            "method": result.assignment.method,
            "loss": round(result.assignment.loss, 6),
            "candidates": result.assignment.candidates,
        },
        "leakage": leakage,
        "reconciliation": reconciliation,
        "validation": validation_status,
    }
    payload["warnings"] = coverage_warnings(configs, ratios, {n: f for n, (_, f) in strata.items()})
    write_json(report_path, payload)
    report.records_out = sum(df.height for df in written.values())
    report.extra.update(
        {f"{n}_{s}": configs[n]["sizes"][s] for n in sorted(written) for s in SPLITS}
    )
    report.extra["groups"] = result.grouping.n_groups
    report.extra["near_dup_cross"] = leakage["near_duplicate_pairs_across_splits"]
    report.extra["empty_splits"] = len(empty)
    report.extra["warnings"] = len(payload["warnings"])
    if not validation_status["success"]:
        raise ValidationFailed(
            f"validation gate failed on the split tables: {', '.join(validation_status['critical_failures'])}"
        )
    if not all(r["ok"] for r in reconciliation.values()):
        raise ValidationFailed(f"split rows do not reconcile: {reconciliation}")
    if cfg.fail_on_leakage and not leakage["leak_free"]:
        raise ValidationFailed(
            f"leakage across splits (see {report_path}): "
            + ", ".join(
                f"{k}={v}"
                for k, v in leakage.items()
                if k.startswith(("shared_", "near_duplicate_pairs")) and not k.endswith("examples")
            )
        )
    if empty and cfg.on_empty_split == "fail":
        raise ValidationFailed(
            "empty split(s), the corpus is too small for split.ratios: "
            + "; ".join(f"{e['config']}/{e['split']}: {e['reason']}" for e in empty)
            + f" (see {report_path}; set split.on_empty_split: publish to release without them)"
        )
    if missing and cfg.on_missing_label == "fail":
        raise ValidationFailed(
            "split(s) without every label: "
            + "; ".join(payload["warnings"][len(empty) :])
            + f" (see {report_path}; set split.on_missing_label: publish to release anyway)"
        )
    return report


def _article_splits(result: SplitResult) -> dict[str, str]:
    """article id -> split, for every article the assignment grouped."""
    return {a: result.group_split[g] for a, g in sorted(result.grouping.group_of.items())}


def _split_frame(result: SplitResult, article_split: Mapping[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": list(article_split),
            "group_id": [result.grouping.group_of[a] for a in article_split],
            "split": list(article_split.values()),
        },
        schema={"article_id": pl.String, "group_id": pl.String, "split": pl.String},
    )
