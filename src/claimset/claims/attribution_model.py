"""The ``attribution_model`` stage: train the attribution tagger on PolNeAR train.

Writes the tagger to an untracked DVC output (never committed: the corpus states no licence).
Without the corpus it writes a file that says there is no model, and why; the candidates
stage then runs the rules alone. Training is deterministic (fixed seed, one thread), so the
output's hash in dvc.lock is the same on every machine with the same corpus.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from claimset.claims import model
from claimset.claims.polnear_measure import training_docs
from claimset.claims.quality import pipeline_configs
from claimset.claims.stage import load_configs
from claimset.corpora import polnear
from claimset.io import write_json
from claimset.stage import StageReport


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def run_train(
    polnear_root: str | Path,
    model_path: str | Path,
    report_path: str | Path,
    params_path: str | Path,
) -> StageReport:
    """Train (or, without the corpus, record that there is no model) and report."""
    report = StageReport("attribution-model")
    cand_cfg, _ = load_configs(params_path)
    ingest_cfg, segment_cfg = pipeline_configs(params_path)
    cfg = cand_cfg.model
    summary: dict[str, Any]
    if not polnear.available(polnear_root, "train"):
        reason = (
            f"PolNeAR train not found at {polnear_root} (needs train/text/ and "
            "train/attributions/): no model; the candidates stage uses the rules alone"
        )
        _write_atomic(
            Path(model_path),
            pickle.dumps({"format": model.FORMAT, "tagger": None, "reason": reason}, protocol=5),
        )
        summary = {"status": "skipped", "reason": reason}
        report.extra["model"] = "skipped"
    else:
        articles = polnear.list_articles(polnear_root, "train")
        docs = training_docs(articles, ingest_cfg, segment_cfg, cand_cfg)
        tagger = model.train(
            docs,
            seed=cfg.seed,
            epochs=cfg.epochs,
            alpha=cfg.alpha,
            class_weight={
                "B-S": cfg.source_weight,
                "I-S": cfg.source_weight,
                "B-C": cfg.cue_weight,
                "I-C": cfg.cue_weight,
            },
            o_scale=cfg.o_scale,
        )
        path = Path(model_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tagger.save(tmp)
        tmp.replace(path)
        summary = {
            "status": "trained",
            "version": tagger.version,
            "train_articles": len(docs),
            "train_attributions": sum(len(g) for _, _, g in docs),
            "params": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__},
        }
        report.records_in = len(docs)
        report.records_out = 1
        report.extra["version"] = tagger.version
    write_json(report_path, summary)
    return report
