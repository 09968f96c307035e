"""``claimset candidates``, ``claimset train-attribution``, ``claimset preannotation-quality``."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``candidates``, ``train-attribution`` and ``preannotation-quality`` commands."""
    p = sub.add_parser(
        "candidates",
        help="sentences -> claim candidates (speaker, cue, type, prior) and stance pairs",
        description="Propose claim candidates and stance pairs with pre-annotations.",
    )
    p.add_argument("--articles", required=True, help="articles parquet (input)")
    p.add_argument("--sentences", required=True, help="sentences parquet (input)")
    p.add_argument("--targets", required=True, help="stance targets YAML (configs/targets.yaml)")
    p.add_argument("--claims", required=True, help="claims parquet (output)")
    p.add_argument("--pairs", required=True, help="stance pairs parquet (output)")
    p.add_argument("--report", required=True, help="report JSON (output, DVC metrics)")
    p.add_argument(
        "--attribution-model",
        default=None,
        help="attribution tagger from `claimset train-attribution` (a file saying 'no model' "
        "is fine: the rules serve alone)",
    )
    p.add_argument(
        "--params", default="params.yaml", help="params file (sections 'candidates', 'stance')"
    )
    p.set_defaults(handler=_candidates)

    t = sub.add_parser(
        "train-attribution",
        help="train the attribution tagger on PolNeAR train (no model without the corpus)",
        description=(
            "Train the source/cue/content tagger on PolNeAR train. Without the corpus, write "
            "a file that says there is no model (the candidates stage then uses the rules)."
        ),
    )
    t.add_argument("--polnear", required=True, help="PolNeAR root (train/, dev/)")
    t.add_argument("--model", required=True, help="tagger file (output; never commit it)")
    t.add_argument("--report", required=True, help="report JSON (output, DVC metrics)")
    t.add_argument("--params", default="params.yaml", help="params file (section 'candidates')")
    t.set_defaults(handler=_train)

    q = sub.add_parser(
        "preannotation-quality",
        help="measure claim and stance pre-annotation quality against gold data",
        description=(
            "Claims: the attribution measure on PolNeAR (content, source, end to end; the "
            "annotators' ceiling), the share of sentences proposed as claims on real news, and "
            "the hand-made regression golds. Stance: FNC-1 related F1, 4-way macro-F1 and "
            "relative FNC-1 score on a held-out body split; label and score distribution."
        ),
    )
    q.add_argument("--gold", required=True, help="directory of claims gold YAML files")
    q.add_argument("--fnc1-bodies", required=True, help="FNC-1 competition_test_bodies.csv")
    q.add_argument("--fnc1-stances", required=True, help="FNC-1 competition_test_stances.csv")
    q.add_argument(
        "--idf-bodies", required=True, help="unlabelled bodies CSV for IDF (FNC-1 train_bodies.csv)"
    )
    q.add_argument(
        "--polnear",
        default=None,
        help="PolNeAR root (train/, dev/); the attribution measure is skipped when it is absent",
    )
    q.add_argument("--targets", default=None, help="stance targets YAML (configs/targets.yaml)")
    q.add_argument(
        "--attribution-model",
        default=None,
        help="attribution tagger: its figures are reported beside the rules-only ones",
    )
    q.add_argument("--out", required=True, help="report JSON (output, DVC metrics)")
    q.add_argument(
        "--params", default="params.yaml", help="params file (sections 'candidates', 'stance')"
    )
    q.set_defaults(handler=_quality)


def _candidates(args: argparse.Namespace) -> int:
    from claimset.claims.stage import run_candidates

    report = run_candidates(
        articles_path=args.articles,
        sentences_path=args.sentences,
        targets_path=args.targets,
        claims_path=args.claims,
        pairs_path=args.pairs,
        report_path=args.report,
        params_path=args.params,
        model_path=args.attribution_model,
    )
    report.emit()
    return 0


def _train(args: argparse.Namespace) -> int:
    from claimset.claims.attribution_model import run_train

    report = run_train(
        polnear_root=args.polnear,
        model_path=args.model,
        report_path=args.report,
        params_path=args.params,
    )
    report.emit()
    return 0


def _quality(args: argparse.Namespace) -> int:
    from claimset.claims.quality import run_quality

    report = run_quality(
        gold_dir=args.gold,
        fnc1_bodies=args.fnc1_bodies,
        fnc1_stances=args.fnc1_stances,
        idf_bodies=args.idf_bodies,
        out_path=args.out,
        params_path=args.params,
        polnear_root=args.polnear,
        targets_path=args.targets,
        model_path=args.attribution_model,
    )
    report.emit()
    return 0
