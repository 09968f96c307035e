"""``claimset evaluate``, ``claimset baselines`` and ``claimset fnc1-baseline``."""

from __future__ import annotations

import argparse

from claimset.evaluate import CONFIGS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the scorer and the two baseline commands."""
    p = sub.add_parser(
        "evaluate",
        help="score prediction files: claim detection, claim spans, attribution, stance "
        "(bootstrap CIs, comparison)",
        description="Score prediction files against a release split (or an FNC-1 gold CSV). "
        "claim_detection: sentence_id,label; claims: article_id,char_start,char_end (spans); "
        "attribution: the same plus speaker_start,speaker_end; stance: item_id,label. "
        "See docs/evaluation.md.",
    )
    p.add_argument(
        "predictions",
        nargs="*",
        help="prediction files (.csv, .jsonl, .parquet); columns depend on --config",
    )
    p.add_argument("--release", help="release directory (gold from <config>/<split>.parquet)")
    p.add_argument(
        "--config", default="stance", choices=list(CONFIGS), help="release config to score"
    )
    p.add_argument(
        "--split",
        default="test",
        choices=["train", "validation", "test"],
        help="split of the release to score",
    )
    p.add_argument(
        "--field",
        default=None,
        help="label field (default: label for claim_detection and stance; claims without "
        "--field scores spans, with claim_type or checkworthy scores labels by claim_id)",
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
    p.add_argument(
        "--params",
        help="params file whose 'evaluate' section sets seed and bootstrap (a release user has "
        "none: the documented defaults apply)",
    )
    p.set_defaults(handler=_evaluate)

    b = sub.add_parser(
        "baselines",
        help="baselines per release config (claim detection, claim labels, attribution "
        "tagger, stance), scored by the evaluate code",
    )
    b.add_argument("--release", required=True, help="release directory (data/release/<name>)")
    b.add_argument("--metrics", required=True, help="DVC metrics JSON, e.g. reports/baselines.json")
    b.add_argument(
        "--plots-dir", required=True, help="confusion CSVs (item_id,actual,predicted) for dvc plots"
    )
    b.add_argument(
        "--predictions-dir", default=None, help="also write item_id,label prediction files here"
    )
    b.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    b.set_defaults(handler=_baselines)

    f = sub.add_parser(
        "fnc1-baseline",
        help="TF-IDF + logistic regression on FNC-1: train on train, score on competition test",
    )
    f.add_argument(
        "--data-dir",
        required=True,
        help="FNC-1 directory with train_bodies/train_stances and "
        "competition_test_bodies/competition_test_stances CSVs",
    )
    f.add_argument("--out", required=True, help="JSON report, e.g. reports/fnc1_baseline.json")
    f.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    f.set_defaults(handler=_fnc1)


def _evaluate(args: argparse.Namespace) -> int:
    from claimset.config import load_section
    from claimset.evaluate.config import EvaluateConfig
    from claimset.evaluate.scorer import GoldSpec, evaluate_predictions

    # Researchers score against a downloaded release without the pipeline's params.yaml.
    cfg = load_section("evaluate", EvaluateConfig, args.params) if args.params else EvaluateConfig()
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
    from claimset.evaluate.config import EvaluateConfig
    from claimset.evaluate.fnc1_baseline import run_fnc1_baseline

    cfg = load_section("evaluate", EvaluateConfig, args.params)
    report = run_fnc1_baseline(args.data_dir, args.out, cfg)
    report.emit()
    return 0
