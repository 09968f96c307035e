"""``claimset segment``: articles -> data/interim/sentences.parquet with exact offsets."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``segment`` command."""
    p = sub.add_parser("segment", help="articles -> sentences with character offsets")
    p.add_argument("--articles", required=True, help="input articles parquet (from ingest)")
    p.add_argument("--sentences", required=True, help="output sentences parquet")
    p.add_argument("--report", required=True, help="output report JSON (DVC metrics)")
    p.add_argument("--params", default="params.yaml", help="params file (section 'segment')")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.segment import run_segment
    from claimset.segment.config import SegmentConfig

    config = load_section("segment", SegmentConfig, args.params)
    report = run_segment(args.articles, args.sentences, args.report, config)
    report.emit()
    return 0
