"""``claimset aggregate``: Label Studio exports -> annotation table, gold labels, agreement."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``aggregate`` command."""
    p = sub.add_parser(
        "aggregate", help="annotations -> gold labels, unresolved queue, agreement report"
    )
    p.add_argument(
        "--exports",
        required=True,
        type=Path,
        help="directory of <project>/export.json (+ manifest.json)",
    )
    p.add_argument(
        "--tasks", type=Path, default=None, help="directory with claims.json/stance.json task files"
    )
    p.add_argument(
        "--articles", type=Path, default=None, help="articles.parquet (FNC-1 body -> article_id)"
    )
    p.add_argument(
        "--stance-pairs", type=Path, default=None, help="stance_pairs.parquet (pair_kind per pair)"
    )
    p.add_argument("--claims-config", required=True, type=Path, help="claims label config XML")
    p.add_argument("--stance-config", required=True, type=Path, help="stance label config XML")
    p.add_argument(
        "--annotations-out", required=True, type=Path, help="long annotation table (parquet)"
    )
    p.add_argument("--labels-claims", required=True, type=Path, help="gold claim labels (parquet)")
    p.add_argument("--labels-stance", required=True, type=Path, help="gold stance labels (parquet)")
    p.add_argument(
        "--unresolved", required=True, type=Path, help="ties / too few annotators (JSONL)"
    )
    p.add_argument(
        "--quarantine", required=True, type=Path, help="excluded answers with their reason (JSONL)"
    )
    p.add_argument(
        "--agreement", required=True, type=Path, help="agreement metrics (JSON, DVC metrics)"
    )
    p.add_argument("--agreement-md", required=True, type=Path, help="agreement report (Markdown)")
    p.add_argument(
        "--gold-csv", type=Path, default=None, help="FNC-1 style stances CSV imported as one expert"
    )
    p.add_argument("--gold-bodies", type=Path, default=None, help="FNC-1 bodies CSV for --gold-csv")
    p.add_argument("--params", default="params.yaml")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.annotations.config import AggregateConfig
    from claimset.annotations.stage import AggregatePaths, run_aggregate
    from claimset.config import load_section

    cfg = load_section("aggregate", AggregateConfig, args.params)
    paths = AggregatePaths(
        exports=args.exports,
        tasks=args.tasks,
        articles=args.articles,
        stance_pairs=args.stance_pairs,
        claims_config=args.claims_config,
        stance_config=args.stance_config,
        annotations_out=args.annotations_out,
        labels_claims=args.labels_claims,
        labels_stance=args.labels_stance,
        unresolved=args.unresolved,
        quarantine=args.quarantine,
        agreement=args.agreement,
        agreement_md=args.agreement_md,
        gold_csv=args.gold_csv,
        gold_bodies=args.gold_bodies,
    )
    run_aggregate(paths, cfg).emit()
    return 0
