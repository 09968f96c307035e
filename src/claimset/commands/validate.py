"""``claimset validate``: the Great Expectations gate over the pipeline's tables."""

from __future__ import annotations

import argparse
from pathlib import Path


def _table(spec: str) -> tuple[str, Path]:
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {spec!r}")
    return name, Path(path)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` command."""
    p = sub.add_parser(
        "validate", help="Great Expectations suites over every table; stop on a critical failure"
    )
    p.add_argument(
        "--table",
        action="append",
        type=_table,
        required=True,
        metavar="NAME=PATH",
        help="table to validate (articles, sentences, claims, stance_pairs, annotations, labels_claims, "
        "labels_stance, splits[_<name>], agreement=reports/agreement.json); repeatable",
    )
    p.add_argument("--report-dir", required=True, type=Path, help="GX Data Docs (HTML) directory")
    p.add_argument("--summary", required=True, type=Path, help="deterministic summary JSON")
    p.add_argument("--markdown", type=Path, help="human-readable report (markdown)")
    p.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.errors import ClaimsetError
    from claimset.validate.config import ValidateConfig
    from claimset.validate.stage import run_validate

    tables = dict(args.table)
    if len(tables) != len(args.table):
        raise ClaimsetError("a table name was given twice")
    cfg = load_section("validate", ValidateConfig, args.params)
    run_validate(tables, cfg, args.report_dir, args.summary, args.markdown).emit()
    return 0
