"""``claimset evaluate``, ``claimset baselines`` and ``claimset fnc1-baseline``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the scorer and the two baseline commands."""
    p = sub.add_parser(
        "evaluate",
        help="score prediction files (accuracy, macro-F1, FNC-1, bootstrap CIs, comparison)",
    )
    p.add_argument(
        "predictions", nargs="*", help="prediction files (.csv, .jsonl, .parquet) keyed by item id"
    )
    p.add_argument("--release", help="release directory (gold from <config>/<split>.parquet)")
    p.add_argument("--config", default="stance", choices=["stance", "claims"])
    p.add_argument("--split", default="test", choices=["train", "validation", "test"])
    p.add_argument(
        "--field",
        default=None,
        help="label field (default: label for stance, claim_type for claims)",
    )
    p.add_argument(
        "--gold-csv",
        help="gold labels in FNC-1 format (Headline, Body ID, Stance) instead of a release",
    )
    p.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="paired significance test of two prediction files",
    )
    p.add_argument("--json", dest="json_out", help="write the full result as JSON")
    p.add_argument("--markdown", dest="markdown_out", help="write the markdown tables")
    p.add_argument("--params", default="params.yaml")
    p.set_defaults(handler=_evaluate)

    b = sub.add_parser(
        "baselines", help="majority and TF-IDF + logistic regression baselines on a release"
    )
    b.add_argument("--release", required=True)
    b.add_argument("--metrics", required=True, help="DVC metrics JSON, e.g. reports/baselines.json")
    b.add_argument(
        "--plots-dir", required=True, help="confusion CSVs (item_id,actual,predicted) for dvc plots"
    )
    b.add_argument(
        "--predictions-dir", default=None, help="also write item_id,label prediction files here"
    )
    b.add_argument("--params", default="params.yaml")
    b.set_defaults(handler=_baselines)

    f = sub.add_parser("fnc1-baseline", help="the same baselines on FNC-1, split 80/20 by body")
    f.add_argument("--bodies", required=True, help="FNC-1 bodies CSV (Body ID, articleBody)")
    f.add_argument("--stances", required=True, help="FNC-1 stances CSV (Headline, Body ID, Stance)")
    f.add_argument("--out", required=True, help="JSON report, e.g. reports/fnc1_baseline.json")
    f.add_argument("--params", default="params.yaml")
    f.set_defaults(handler=_fnc1)


def _evaluate(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.evaluate.config import EvaluateConfig
    from claimset.evaluate.scorer import GoldSpec, evaluate_predictions

    cfg = load_section("evaluate", EvaluateConfig, args.params)
    spec = GoldSpec(
        release=args.release,
        config=args.config,
        split=args.split,
        field=args.field,
        gold_csv=args.gold_csv,
    )
    report, markdown = evaluate_predictions(
        args.predictions,
        spec,
        cfg,
        compare=tuple(args.compare) if args.compare else None,
        json_out=args.json_out,
        markdown_out=args.markdown_out,
    )
    print(markdown, end="")
    report.emit()
    return 0


def _baselines(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.evaluate.baselines import run_baselines
    from claimset.evaluate.config import EvaluateConfig

    cfg = load_section("evaluate", EvaluateConfig, args.params)
    report = run_baselines(
        args.release, args.metrics, args.plots_dir, cfg, predictions_dir=args.predictions_dir
    )
    report.emit()
    return 0


def _fnc1(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.evaluate.baselines import run_fnc1_baseline
    from claimset.evaluate.config import EvaluateConfig
    from claimset.neardup import NearDuplicateConfig
    from claimset.split.config import SplitConfig

    cfg = load_section("evaluate", EvaluateConfig, args.params)
    split_cfg = load_section("split", SplitConfig, args.params)
    nd = load_section("near_duplicates", NearDuplicateConfig, args.params)
    report = run_fnc1_baseline(args.bodies, args.stances, args.out, cfg, split_cfg, nd)
    report.emit()
    return 0
