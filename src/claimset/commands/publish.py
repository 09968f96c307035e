"""``claimset publish``: build the release directory, or push a built release to the Hub."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``publish`` command."""
    p = sub.add_parser(
        "publish",
        help="build data/release/<name>/ (parquet, card, checksums) or push it with --to-hub",
        description="Build mode: --splits-dir and --out. Hub mode: --to-hub REPO_ID --release DIR "
        "(token from the HF_TOKEN environment variable; refused without one).",
    )
    p.add_argument(
        "--splits-dir",
        help="directory with claims.parquet and stance.parquet from `claimset split`",
    )
    p.add_argument("--out", help="release directory to (re)build, e.g. data/release/claimset-demo")
    p.add_argument(
        "--agreement",
        default=None,
        help="agreement report (Krippendorff's alpha) to quote in the card",
    )
    p.add_argument(
        "--splits-report", default=None, help="reports/splits.json (leakage figures for the card)"
    )
    p.add_argument(
        "--validation-report",
        default=None,
        help="reports/validation.json (gate status for the card)",
    )
    p.add_argument(
        "--unresolved",
        default=None,
        help="unresolved.jsonl from aggregate (counts stated beside the agreement table)",
    )
    p.add_argument(
        "--guidelines",
        default=None,
        help="configs/guidelines (label definitions quoted in the card)",
    )
    p.add_argument(
        "--to-hub",
        metavar="REPO_ID",
        default=None,
        help="push an existing release to this Hub dataset repo",
    )
    p.add_argument("--release", default=None, help="release directory to push (with --to-hub)")
    p.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    p.set_defaults(handler=_run, _parser=p)


def _run(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.errors import ClaimsetError
    from claimset.publish.config import PublishConfig

    cfg = load_section("publish", PublishConfig, args.params)
    if args.to_hub:
        if not args.release:
            raise ClaimsetError("--to-hub needs --release DIR")
        from claimset.publish.hub import push_release

        report = push_release(args.release, args.to_hub, private=cfg.hub_private)
    else:
        if not (args.splits_dir and args.out):
            raise ClaimsetError(
                "build mode needs --splits-dir and --out (or use --to-hub REPO_ID --release DIR)"
            )
        from claimset.publish import build_release
        from claimset.release_config import DatasetConfig
        from claimset.validate.config import ValidateConfig

        dataset = load_section("dataset", DatasetConfig, args.params)
        validate_cfg = load_section("validate", ValidateConfig, args.params)
        report = build_release(
            args.splits_dir,
            args.out,
            dataset,
            cfg,
            agreement_path=args.agreement,
            splits_report=args.splits_report,
            validation_report=args.validation_report,
            unresolved_path=args.unresolved,
            guidelines_dir=args.guidelines,
            severity=dict(validate_cfg.severity),
        )
    report.emit()
    return 0
