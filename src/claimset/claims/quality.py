"""``claimset preannotation-quality``: how good the pre-annotations are, on data nobody here wrote.

One report (reports/preannotation.json):

- ``polnear``: claimset's attributed claims against PolNeAR's attributions (dev, and train
  beside it), content overlap P/R/F1, source accuracy on matched pairs, end-to-end P/R/F1,
  and the same measure between PolNeAR's own annotators as the ceiling
  (claims/polnear_measure.py, evaluate/attribution.py). Skipped, with the reason, when the
  corpus is absent: users do not have it.
- ``claim_sentence_share``: the share of sentences proposed as claims on PolNeAR dev and on
  FNC-1 bodies (real news: most sentences are not claims).
- ``stance_fnc1``: the headline x body predictor on FNC-1 (stance/fnc1.py), and
  ``stance_real_articles``: label and score distribution of the target pairs built for
  PolNeAR dev articles and FNC-1 bodies against configs/targets.yaml.
- ``claims_regression``: the hand-made golds (tests/claims/gold), made by correcting
  claimset's own output. They guard against regressions; they are not the headline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from claimset.claims.config import CandidatesConfig
from claimset.claims.gold import load_gold, read_fnc1_bodies, score_claims
from claimset.claims.model import AttributionTagger
from claimset.claims.polnear_measure import (
    PipelineOutput,
    annotator_ceiling,
    claim_sentence_share,
    measure,
    pipeline_tables,
    run_pipeline,
    sentence_share,
)
from claimset.claims.stage import load_configs, load_tagger
from claimset.config import load_section, read_params
from claimset.corpora import polnear
from claimset.ingest.config import IngestConfig
from claimset.io import write_json
from claimset.segment.config import SegmentConfig
from claimset.stage import StageReport
from claimset.stance.config import StanceConfig
from claimset.stance.fnc1 import evaluate_fnc1
from claimset.stance.pairs import build_pairs
from claimset.stance.report import distribution
from claimset.stance.targets import Target, load_targets

# Issue 14's targets on PolNeAR dev.
POLNEAR_TARGETS = {"e2e_f1": 0.75, "content_f1": 0.80, "source_accuracy": 0.93}


def pipeline_configs(params_path: str | Path) -> tuple[IngestConfig, SegmentConfig]:
    """The ``ingest`` and ``segment`` sections (defaults when absent)."""
    data = read_params(params_path) if Path(params_path).exists() else {}
    ingest = (
        load_section("ingest", IngestConfig, params_path) if "ingest" in data else IngestConfig()
    )
    segment = (
        load_section("segment", SegmentConfig, params_path)
        if "segment" in data
        else SegmentConfig()
    )
    return ingest, segment


def polnear_report(
    root: str | Path,
    ingest_cfg: IngestConfig,
    segment_cfg: SegmentConfig,
    cand_cfg: CandidatesConfig,
    stance_cfg: StanceConfig,
    targets: list[Target],
    tagger: AttributionTagger | None = None,
) -> dict[str, Any]:
    """The PolNeAR section: per split scores (rules alone; rules + tagger on dev) and the
    annotators' ceiling; ``status: skipped`` without the corpus."""
    if not polnear.available(root, "dev"):
        return {
            "status": "skipped",
            "reason": (
                f"PolNeAR not found at {root} (needs dev/text/ and dev/attributions/); "
                "the attribution measure needs the corpus, which is not bundled"
            ),
        }
    out: dict[str, Any] = {
        "status": "measured",
        "gold": "first annotator's attributions of each article (metadata.tsv order)",
        "predictions": "attributed candidates (direct_quote, reported_speech)",
    }
    for split in polnear.SPLITS:
        if not polnear.available(root, split):
            out[split] = {"status": "skipped", "reason": f"{root}/{split} not found"}
            continue
        articles = polnear.list_articles(root, split)
        gold = polnear.read_gold(articles)
        rules = run_pipeline(articles, ingest_cfg, segment_cfg, cand_cfg)
        section: dict[str, Any] = {
            "articles": len(articles),
            "gold_attributions": len(gold),
            "rules": _scored(rules, gold),
        }
        result = rules
        if tagger is not None and split == "dev":
            # The tagger learnt from train: its train figures would be a training fit.
            # Both ways of combining it with the rules are measured; the configured one
            # (candidates.model.prefer) is the headline.
            for prefer in ("rules", "model"):
                cfg = dataclasses.replace(
                    cand_cfg, model=dataclasses.replace(cand_cfg.model, prefer=prefer)
                )
                got = run_pipeline(articles, ingest_cfg, segment_cfg, cfg, tagger)
                section[f"tagger_prefer_{prefer}"] = {
                    "version": tagger.version,
                    **_scored(got, gold),
                }
                if prefer == cand_cfg.model.prefer:
                    result = got
            section["headline"] = f"tagger_prefer_{cand_cfg.model.prefer}"
        else:
            section["headline"] = "rules"
        section.update(section[section["headline"]])
        section["annotators_ceiling"] = annotator_ceiling(articles)
        if split == "dev":
            pairs = build_pairs(
                result.articles, result.sentences, result.claims, targets, stance_cfg
            )
            section["stance_pairs"] = distribution(pairs)
        out[split] = section
    dev = out.get("dev", {})
    out["targets_met"] = {
        f"dev_{k}>={v}": (dev[k] >= v) if k in dev else None for k, v in POLNEAR_TARGETS.items()
    }
    return out


def _scored(result: PipelineOutput, gold: list[polnear.GoldAttribution]) -> dict[str, Any]:
    return {
        **measure(result, gold).as_dict(),
        "by_rule": _by_rule(result.pred_rows),
        "claim_sentence_share": sentence_share(result),
    }


def _by_rule(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["rule"])] = counts.get(str(r["rule"]), 0) + 1
    return dict(sorted(counts.items()))


def fnc1_bodies_report(
    bodies: str | Path,
    ingest_cfg: IngestConfig,
    segment_cfg: SegmentConfig,
    cand_cfg: CandidatesConfig,
    stance_cfg: StanceConfig,
    targets: list[Target],
    tagger: AttributionTagger | None = None,
) -> dict[str, Any]:
    """Claim-sentence share and target-pair distribution on FNC-1 bodies (ingested as CSV)."""
    arts, sents, claims, _ = pipeline_tables(
        [Path(bodies)], ingest_cfg, segment_cfg, cand_cfg, tagger
    )
    pairs = build_pairs(arts, sents, claims, targets, stance_cfg)
    return {
        "articles": arts.height,
        "claim_sentence_share": claim_sentence_share(sents, claims),
        "stance_pairs": distribution(pairs),
    }


def run_quality(
    gold_dir: str | Path,
    fnc1_bodies: str | Path,
    fnc1_stances: str | Path,
    idf_bodies: str | Path,
    out_path: str | Path,
    params_path: str | Path,
    polnear_root: str | Path | None = None,
    targets_path: str | Path | None = None,
    model_path: str | Path | None = None,
) -> StageReport:
    """Measure pre-annotation quality and write ``out_path`` (reports/preannotation.json)."""
    report = StageReport("preannotation-quality")
    cand_cfg, stance_cfg = load_configs(params_path)
    ingest_cfg, segment_cfg = pipeline_configs(params_path)
    targets = load_targets(targets_path) if targets_path else []
    tagger = load_tagger(model_path)
    pn: dict[str, Any] = (
        polnear_report(polnear_root, ingest_cfg, segment_cfg, cand_cfg, stance_cfg, targets, tagger)
        if polnear_root is not None
        else {"status": "skipped", "reason": "no --polnear given"}
    )
    fnc_bodies = fnc1_bodies_report(
        fnc1_bodies, ingest_cfg, segment_cfg, cand_cfg, stance_cfg, targets, tagger
    )
    docs = load_gold(gold_dir, read_fnc1_bodies(fnc1_bodies))
    claims = score_claims(docs, cand_cfg)
    stance = evaluate_fnc1(fnc1_bodies, fnc1_stances, idf_bodies, stance_cfg)
    share: dict[str, Any] = {"fnc1_bodies": fnc_bodies["claim_sentence_share"]}
    if pn["status"] == "measured" and "claim_sentence_share" in pn.get("dev", {}):
        share["polnear_dev"] = pn["dev"]["claim_sentence_share"]
    targets_met: dict[str, bool | None] = {
        "claims_regression_precision>=0.85": claims["precision"] >= 0.85,
        "claims_regression_recall>=0.85": claims["recall"] >= 0.85,
        "claims_regression_speaker_accuracy>=0.9": claims["speaker_accuracy"] >= 0.9,
        "stance_related_f1>=0.9": stance["related_f1"] >= 0.9,
    }
    targets_met.update({f"polnear_{k}": v for k, v in pn.get("targets_met", {}).items()})
    write_json(
        out_path,
        {
            "model_version": {
                "claims": cand_cfg.model_version,
                "attribution_tagger": tagger.version if tagger is not None else None,
                "stance": stance_cfg.model_version,
            },
            "polnear": pn,
            "claim_sentence_share": share,
            "stance_fnc1": stance,
            "stance_real_articles": {
                "targets": [t.id for t in targets],
                "polnear_dev": pn.get("dev", {}).get("stance_pairs"),
                "fnc1_bodies": fnc_bodies["stance_pairs"],
            },
            "claims_regression": claims,
            "targets_met": targets_met,
        },
    )
    report.records_in = claims["sentences"] + stance["pairs"]
    report.records_out = 1
    dev: dict[str, Any] = pn.get("dev", {})
    if "e2e_f1" in dev:
        report.extra.update(
            {
                "polnear_dev_e2e_f1": dev["e2e_f1"],
                "polnear_dev_content_f1": dev["content_f1"],
                "polnear_dev_source_accuracy": dev["source_accuracy"],
            }
        )
    else:
        report.extra["polnear"] = "skipped"
    report.extra.update(
        {
            "related_f1": stance["related_f1"],
            "macro_f1": stance["macro_f1"],
            "fnc1_relative": stance["fnc1_relative_score"],
        }
    )
    return report
