"""``claimset ingest``: raw articles -> data/interim/articles.parquet (+ quarantine, duplicates)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``ingest`` command."""
    p = sub.add_parser(
        "ingest",
        help="raw txt/jsonl/csv/html, compressed jsonl/csv, parquet/arrow, warc -> normalised articles table",
    )
    p.add_argument(
        "inputs", nargs="+", help="input files or directories (walked recursively, sorted)"
    )
    p.add_argument("--articles", required=True, help="output articles parquet")
    p.add_argument("--quarantine", required=True, help="output quarantine JSONL")
    p.add_argument("--duplicates", required=True, help="output exact-duplicates JSONL")
    p.add_argument("--report", required=True, help="output report JSON (DVC metrics)")
    p.add_argument(
        "--params", default="params.yaml", help="params file (sections 'ingest', 'near_duplicates')"
    )
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.ingest import run_ingest
    from claimset.ingest.config import IngestConfig
    from claimset.neardup import NearDuplicateConfig

    config = load_section("ingest", IngestConfig, args.params)
    nd = load_section("near_duplicates", NearDuplicateConfig, args.params)
    report = run_ingest(
        args.inputs, args.articles, args.quarantine, args.duplicates, args.report, config, nd
    )
    report.emit()
    return 0
