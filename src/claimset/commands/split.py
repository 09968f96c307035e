"""``claimset split``: labelled tables -> grouped, stratified train/validation/test splits."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``split`` command."""
    p = sub.add_parser("split", help="grouped, stratified, deterministic splits + leakage report")
    p.add_argument("--labels-claims", required=True, help="labels_claims.parquet")
    p.add_argument("--labels-stance", required=True, help="labels_stance.parquet")
    p.add_argument(
        "--articles",
        required=True,
        help="articles.parquet (cluster_id, source, published_at, text)",
    )
    p.add_argument("--sentences", required=True, help="sentences.parquet (segment stage)")
    p.add_argument("--tasks", required=True, help="tasks directory (claims.json, stance.json)")
    p.add_argument("--annotations", required=True, help="annotations.parquet (aggregate stage)")
    p.add_argument("--candidates", required=True, help="claims.parquet (candidates stage)")
    p.add_argument("--unresolved", required=True, help="unresolved.jsonl (aggregate stage)")
    p.add_argument(
        "--out-dir",
        required=True,
        help="directory for one <config>.parquet per release config",
    )
    p.add_argument("--report", required=True, help="JSON report (sizes, distributions, leakage)")
    p.add_argument(
        "--validation-dir",
        default=None,
        help="run the validation gate's splits suite, writing here",
    )
    p.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.neardup import NearDuplicateConfig
    from claimset.split import run_split
    from claimset.split.config import SplitConfig
    from claimset.split.stage import ReleaseInputs
    from claimset.validate.config import ValidateConfig

    cfg = load_section("split", SplitConfig, args.params)
    nd = load_section("near_duplicates", NearDuplicateConfig, args.params)
    gate = load_section("validate", ValidateConfig, args.params) if cfg.validation_gate else None
    report = run_split(
        args.labels_claims,
        args.labels_stance,
        args.articles,
        args.out_dir,
        args.report,
        cfg,
        near_duplicates=nd,
        release_inputs=ReleaseInputs(
            sentences=args.sentences,
            tasks_dir=args.tasks,
            annotations=args.annotations,
            candidates=args.candidates,
            unresolved=args.unresolved,
        ),
        validate_cfg=gate,
        validation_dir=args.validation_dir,
    )
    report.emit()
    return 0
