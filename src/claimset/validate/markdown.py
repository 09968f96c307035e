"""A self-contained, human-readable validation report rendered from the gate's summary.

GX Data Docs need scripts from a CDN for their index table, so offline they show an empty
list. This page needs nothing: one table per data table, every check with its outcome.
"""

from __future__ import annotations

from typing import Any


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:120]


def render_validation_markdown(summary: dict[str, Any]) -> str:
    """Markdown for a summary produced by ``ValidationResult.summary()``."""
    status = "PASSED" if summary.get("success") else "FAILED"
    lines = [
        "# Validation report",
        "",
        f"**{status}**: {summary.get('n_checks', 0)} checks, {summary.get('n_failed', 0)} failed, "
        f"{len(summary.get('warnings') or [])} warnings. Great Expectations Data Docs (HTML) are "
        "in the `--report-dir` of `claimset validate` (see dvc.yaml).",
        "",
    ]
    failures = summary.get("critical_failures") or []
    if failures:
        lines += ["## Critical failures", ""]
        lines += [
            f"- {_cell(f) if not isinstance(f, dict) else _cell(f.get('message', f))}"
            for f in failures
        ]
        lines.append("")
    for table, body in sorted((summary.get("tables") or {}).items()):
        lines += [
            f"## `{table}`",
            "",
            "| check | expectation | column | severity | result | unexpected | observed |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, check in sorted((body.get("checks") or {}).items()):
            result = "ok" if check.get("success") else "**FAILED**"
            unexpected = check.get("unexpected_count")
            lines.append(
                f"| {name} | {check.get('expectation')} | {_cell(check.get('column'))} | "
                f"{check.get('severity')} | {result} | {_cell(unexpected)} | "
                f"{_cell(check.get('observed_value'))} |"
            )
        lines.append("")
    return "\n".join(lines)
