"""The validation gate: run each table's suite with Great Expectations 1.x.

Tables arrive as polars frames; helper columns are added in polars and the frame is handed
to GX through ``to_pandas(use_pyarrow_extension_array=True)`` (Arrow-backed pandas columns:
no numpy copy of the data, nullable integers stay integers). One ephemeral GX context runs
a Checkpoint per table with an ``UpdateDataDocsAction`` that writes the Data Docs HTML under
``report_dir``. The :class:`ValidationResult` summary holds no timestamps or run ids, so it
is byte-identical across runs.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from claimset.errors import ValidationFailed
from claimset.validate.config import ValidateConfig
from claimset.validate.suites import (
    Check,
    checks_for,
    expectation_parameters,
    has_tables,
    prepare,
    suite_for,
)

_DOCS_PARTS = ("index.html", "static", "expectations", "validations")
SITE = "claimset"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one expectation on one table."""

    table: str
    suite: str
    name: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    offending_rows: tuple[dict[str, Any], ...] = ()
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the summary (deterministic)."""
        return {
            "expectation": self.expectation,
            "column": self.column,
            "severity": self.severity,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "observed_value": self.observed_value,
            "offending_rows": list(self.offending_rows),
            "error": self.error,
        }

    def describe(self) -> str:
        """One paragraph for the console: table, expectation, counts, offending rows."""
        what = f"{self.expectation}" + (f" on {self.column!r}" if self.column else "")
        head = f"table {self.table!r}: expectation {self.suite}.{self.name} ({what}) failed"
        if self.error:
            head += f": {self.error}"
        elif self.unexpected_count is not None:
            head += f": {self.unexpected_count} offending rows ({self.unexpected_percent}%)"
        elif self.observed_value is not None:
            head += f": observed {self.observed_value!r}"
        lines = [head]
        lines += [f"    row {r}" for r in self.offending_rows]
        return "\n".join(lines)


@dataclass
class ValidationResult:
    """Results of every check on every table."""

    checks: list[CheckResult] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def critical_failures(self) -> list[CheckResult]:
        """Failed checks with severity critical, in table then suite order."""
        return [c for c in self.checks if not c.success and c.severity == "critical"]

    @property
    def warnings(self) -> list[CheckResult]:
        """Failed checks with severity warning."""
        return [c for c in self.checks if not c.success and c.severity == "warning"]

    @property
    def success(self) -> bool:
        """True when no critical expectation failed."""
        return not self.critical_failures

    def summary(self) -> dict[str, Any]:
        """Deterministic summary (sorted keys at write time; no timestamps, no run ids)."""
        tables: dict[str, Any] = {}
        for c in self.checks:
            t = tables.setdefault(
                c.table,
                {"suite": c.suite, "rows": self.rows.get(c.table), "success": True, "checks": {}},
            )
            t["checks"][c.name] = c.as_dict()
            if not c.success and c.severity == "critical":
                t["success"] = False
        return {
            "success": self.success,
            "critical_failures": [f"{c.table}.{c.name}" for c in self.critical_failures],
            "warnings": [f"{c.table}.{c.name}" for c in self.warnings],
            "n_checks": len(self.checks),
            "n_failed": sum(not c.success for c in self.checks),
            "parameters": self.parameters,
            "tables": tables,
        }

    def message(self, limit: int = 10) -> str:
        """The failure message: each failed critical expectation with up to N offending rows."""
        fails = self.critical_failures
        parts = [f"{len(fails)} critical expectation(s) failed"]
        parts += [c.describe() for c in fails[:limit]]
        if len(fails) > limit:
            parts.append(f"... and {len(fails) - limit} more (see the validation summary)")
        return "\n".join(parts)


class GateFailed(ValidationFailed):
    """A critical expectation failed; ``result`` holds every check's outcome."""

    def __init__(self, result: ValidationResult):
        super().__init__(result.message())
        self.result = result


def _clean(value: Any) -> Any:
    """JSON-safe, rounded, deterministic form of a GX result value."""
    if value is None or isinstance(value, bool | str):
        return value
    if hasattr(value, "item") and not isinstance(value, list | tuple | dict):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_clean(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def _row(df: pl.DataFrame, index: int, show: tuple[str, ...]) -> dict[str, Any]:
    cols = [c for c in show if c in df.columns]
    rec = df.select(cols).row(index, named=True) if cols else {}
    out: dict[str, Any] = {"_row": index}
    for k, v in rec.items():
        if isinstance(v, str) and len(v) > 120:
            v = v[:117] + "..."
        out[k] = _clean(v)
    return out


def _error_of(er: Any) -> str | None:
    info = er.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for sub in info.values():
        if isinstance(sub, Mapping) and sub.get("raised_exception"):
            return str(sub.get("exception_message"))
    return None


def _context(report_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.enable_analytics(False)
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    if report_dir is not None:
        ctx.add_data_docs_site(
            site_name=SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(report_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return ctx


def validate_tables(
    tables: Mapping[str, pl.DataFrame],
    config: ValidateConfig,
    report_dir: str | Path | None,
    *,
    raise_on_failure: bool = True,
) -> ValidationResult:
    """Validate every table with its suite (see :func:`claimset.validate.suites.suite_for`).

    ``tables`` maps a table name (articles, sentences, claims, stance_pairs, annotations,
    labels_claims, labels_stance, splits / splits_<name>, agreement) to a polars frame; an
    ``articles`` entry also enables the offset checks of the other tables. GX Data Docs are
    written under ``report_dir`` (None: no docs). Raises :class:`GateFailed` (a
    ValidationFailed) naming the table, the expectation and up to ``max_offending_rows``
    rows when a critical expectation fails, unless ``raise_on_failure`` is False.
    """
    import great_expectations as gx

    unknown = []
    for name in tables:
        try:
            suite_for(name)
        except KeyError:
            unknown.append(name)
    if unknown:
        raise ValidationFailed(f"no validation suite for table(s) {', '.join(sorted(unknown))}")
    # GX resolves a relative base_directory against nothing and refuses it: make it absolute.
    docs = Path(report_dir).resolve() if report_dir is not None else None
    if docs is not None:
        # Data Docs keep one page per run under timestamped directories: start clean so the
        # directory shows this run only.
        for part in _DOCS_PARTS:
            p = docs / part
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        docs.mkdir(parents=True, exist_ok=True)
    ctx = _context(docs)
    source = ctx.data_sources.add_pandas("claimset")
    params = expectation_parameters(config)
    has = has_tables(tables)
    result = ValidationResult(parameters=dict(sorted(params.items())))
    for name in sorted(tables):
        suite_name = suite_for(name)
        df = prepare(suite_name, tables[name], tables)
        result.rows[name] = df.height
        checks = {c.name: c for c in checks_for(suite_name, tuple(df.columns), has, config)}
        suite = ctx.suites.add(gx.ExpectationSuite(name=name))
        for cname, c in list(checks.items()):
            exp = c.make()
            helpers = [getattr(exp, k, None) for k in ("column", "column_A", "column_B")]
            if any(
                isinstance(h, str) and h.startswith("_") and h not in df.columns for h in helpers
            ):
                # helper columns are computed only from well-typed inputs; the type and
                # column checks of the suite already report why they are missing
                del checks[cname]
                continue
            exp.meta = {"check": c.name, "severity": c.severity}
            suite.add_expectation(exp)
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        actions: list[Any] = (
            [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=[SITE])] if docs else []
        )
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(
                name=f"gate-{name}",
                validation_definitions=[vd],
                actions=actions,
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": config.max_offending_rows,
                },
            )
        )
        pdf = df.to_pandas(use_pyarrow_extension_array=True)
        run = checkpoint.run(batch_parameters={"dataframe": pdf}, expectation_parameters=params)
        del pdf
        outcomes = {}
        for vr in run.run_results.values():
            for er in vr.results:
                outcomes[er.expectation_config.meta["check"]] = er
        for cname, c in checks.items():
            result.checks.append(
                _check_result(name, suite_name, c, outcomes[cname], df, params, config)
            )
    if raise_on_failure and not result.success:
        raise GateFailed(result)
    return result


def _check_result(
    table: str,
    suite: str,
    c: Check,
    er: Any,
    df: pl.DataFrame,
    params: Mapping[str, Any],
    cfg: ValidateConfig,
) -> CheckResult:
    res = er.result or {}
    kwargs = er.expectation_config.kwargs
    column = kwargs.get("column") or (
        f"{kwargs.get('column_A')},{kwargs.get('column_B')}" if kwargs.get("column_A") else None
    )
    offending: list[dict[str, Any]] = []
    if not er.success:
        idx = res.get("partial_unexpected_index_list")
        if idx:
            rows = sorted(
                {int(i) if not isinstance(i, Mapping) else int(next(iter(i.values()))) for i in idx}
            )
            offending = [_row(df, i, c.show) for i in rows[: cfg.max_offending_rows]]
        elif c.offending is not None:
            hits = (
                df.with_row_index("_row")
                .filter(c.offending(df, params))
                .head(cfg.max_offending_rows)
            )
            offending = [_row(df, int(i), c.show) for i in hits["_row"].to_list()]
    return CheckResult(
        table=table,
        suite=suite,
        name=c.name,
        expectation=str(er.expectation_config.type),
        column=column,
        severity=c.severity,
        success=bool(er.success),
        unexpected_count=_clean(res.get("unexpected_count")),
        unexpected_percent=_clean(res.get("unexpected_percent")),
        observed_value=_clean(res.get("observed_value")),
        offending_rows=tuple(offending),
        error=_error_of(er),
    )
