"""``claimset tasks``: Label Studio task files with pre-annotations for claims and stance."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``tasks`` command."""
    p = sub.add_parser(
        "tasks",
        help="claims + stance pairs -> Label Studio task files with predictions",
        description="Write <out-dir>/claims.json and <out-dir>/stance.json (Label Studio task lists).",
    )
    p.add_argument("--articles", required=True, help="articles parquet (input)")
    p.add_argument("--claims", required=True, help="claims parquet (input)")
    p.add_argument("--pairs", required=True, help="stance pairs parquet (input)")
    p.add_argument("--claims-config", required=True, help="claims label config XML")
    p.add_argument("--stance-config", required=True, help="stance label config XML")
    p.add_argument(
        "--out-dir", required=True, help="output directory for claims.json and stance.json"
    )
    p.add_argument("--params", default="params.yaml", help="params file (section 'tasks')")
    p.set_defaults(handler=_tasks)


def _tasks(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.labelstudio.config import TasksConfig
    from claimset.labelstudio.tasks import run_tasks

    cfg = load_section("tasks", TasksConfig, args.params)
    report = run_tasks(
        articles_path=args.articles,
        claims_path=args.claims,
        pairs_path=args.pairs,
        claims_config_path=args.claims_config,
        stance_config_path=args.stance_config,
        out_dir=args.out_dir,
        cfg=cfg,
    )
    report.emit()
    return 0
