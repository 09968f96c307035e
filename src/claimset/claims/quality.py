"""``claimset preannotation-quality``: claims gold scores + FNC-1 stance scores in one report."""

from __future__ import annotations

from pathlib import Path

from claimset.claims.gold import load_gold, read_fnc1_bodies, score_claims
from claimset.claims.stage import load_configs
from claimset.io import write_json
from claimset.stage import StageReport
from claimset.stance.fnc1 import evaluate_fnc1


def run_quality(
    gold_dir: str | Path,
    fnc1_bodies: str | Path,
    fnc1_stances: str | Path,
    idf_bodies: str | Path,
    out_path: str | Path,
    params_path: str | Path,
) -> StageReport:
    """Measure pre-annotation quality and write ``out_path`` (reports/preannotation.json)."""
    report = StageReport("preannotation-quality")
    cand_cfg, stance_cfg = load_configs(params_path)
    docs = load_gold(gold_dir, read_fnc1_bodies(fnc1_bodies))
    claims = score_claims(docs, cand_cfg)
    stance = evaluate_fnc1(fnc1_bodies, fnc1_stances, idf_bodies, stance_cfg)
    targets = {
        "claims_precision>=0.85": claims["precision"] >= 0.85,
        "claims_recall>=0.85": claims["recall"] >= 0.85,
        "speaker_accuracy>=0.9": claims["speaker_accuracy"] >= 0.9,
        "stance_related_f1>=0.9": stance["related_f1"] >= 0.9,
    }
    write_json(
        out_path,
        {
            "model_version": {"claims": cand_cfg.model_version, "stance": stance_cfg.model_version},
            "claims": claims,
            "stance_fnc1": stance,
            "targets_met": targets,
        },
    )
    report.records_in = claims["sentences"] + stance["pairs"]
    report.records_out = 1
    report.extra.update(
        {
            "claims_precision": claims["precision"],
            "claims_recall": claims["recall"],
            "speaker_accuracy": claims["speaker_accuracy"],
            "related_f1": stance["related_f1"],
            "macro_f1": stance["macro_f1"],
            "fnc1_relative": stance["fnc1_relative_score"],
        }
    )
    return report
