"""The validate stage: read the tables, run the gate, write the summary, stop on failure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from claimset import io
from claimset.errors import InputError
from claimset.stage import StageReport, console
from claimset.validate.config import ValidateConfig
from claimset.validate.gate import GateFailed, validate_tables
from claimset.validate.markdown import render_validation_markdown


def agreement_table(path: Path) -> pl.DataFrame:
    """``reports/agreement.json`` -> one row per field: field, alpha, n_items_multi."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(path, f"cannot read agreement metrics: {exc}") from exc
    fields = data.get("fields", {})
    return pl.DataFrame(
        [
            {"field": k, "alpha": v.get("alpha"), "n_items_multi": v.get("n_items_multi")}
            for k, v in sorted(fields.items())
        ],
        schema={"field": pl.String, "alpha": pl.Float64, "n_items_multi": pl.Int64},
    )


def read_table(path: Path) -> pl.DataFrame:
    """Read a table: parquet, JSONL, or the agreement metrics JSON."""
    if not path.exists():
        raise InputError(path, "table not found")
    if path.suffix == ".json":
        return agreement_table(path)
    if path.suffix == ".jsonl":
        return pl.read_ndjson(path)
    try:
        return pl.read_parquet(path)
    except pl.exceptions.PolarsError as exc:
        raise InputError(path, f"not a readable parquet file: {exc}") from exc


def run_validate(
    tables: Mapping[str, Path],
    cfg: ValidateConfig,
    report_dir: Path,
    summary_path: Path,
    markdown_path: Path | None = None,
) -> StageReport:
    """Validate every named table; write Data Docs under ``report_dir`` and the summary JSON.

    Warnings are printed and do not stop the stage; a critical failure raises
    :class:`~claimset.validate.gate.GateFailed` after the summary has been written, so the
    failing run can still be inspected.
    """
    report = StageReport("validate")
    frames = {name: read_table(Path(p)) for name, p in sorted(tables.items())}
    report.records_in = sum(df.height for df in frames.values())
    result = validate_tables(frames, cfg, report_dir, raise_on_failure=False)
    summary = result.summary()
    summary["inputs"] = {name: str(p) for name, p in sorted(tables.items())}
    io.write_json(summary_path, summary)
    if markdown_path is not None:
        io.write_text(markdown_path, render_validation_markdown(summary))
    for w in result.warnings:
        console.print(
            f"[yellow]warning[/yellow] {w.describe()}", soft_wrap=True, markup=True, highlight=False
        )
    report.records_out = sum(result.rows.values())
    report.extra.update(
        tables=len(frames),
        checks=len(result.checks),
        critical=len(result.critical_failures),
        warnings=len(result.warnings),
    )
    if not result.success:
        report.emit()
        raise GateFailed(result)
    return report
