"""The ``fnc1_baseline`` stage: a TF-IDF + logistic-regression system on FNC-1's standard protocol.

Protocol (what the FNC-1 literature reports): train on the official training set
(``train_bodies.csv`` + ``train_stances.csv``), score on the competition test set
(``competition_test_*``). Secondary line: the same system trained on 80% of the training
bodies and scored on the other 20% (body-disjoint, the official baseline's "hold-out"),
the only place where hyperparameters may be compared without touching the test set.

Features per (headline, body) pair, all fitted on training texts only, after Riedel et al.
(2017, "UCL") and the official baseline (Galbraith et al.):

* term-frequency vectors of headline and body (``vocabulary`` most frequent words,
  English stop words removed, L2-normalised), side by side;
* the TF-IDF cosine of headline and body, and indicators ``cosine >= t`` for
  ``cosine_bins`` (a linear model cannot threshold a single feature by itself);
* word overlap (Jaccard and the share of headline words found in the body);
* indicators for the official baseline's refuting words in the headline.

A multinomial logistic regression (not UCL's MLP) is fitted on them.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from typing import Any, Final

import numpy as np
import polars as pl

from claimset.corpora import fnc1
from claimset.evaluate.bootstrap import all_metrics, bootstrap_ci
from claimset.evaluate.config import EvaluateConfig, Fnc1Config
from claimset.evaluate.fnc import FNC_LABELS
from claimset.evaluate.metrics import classification_report, encode
from claimset.io import write_json
from claimset.stage import StageReport, progress

# The official baseline's refuting words (fnc-1-baseline feature_engineering.py).
REFUTING: Final = (
    "fake",
    "fraud",
    "hoax",
    "false",
    "deny",
    "denies",
    "not",
    "despite",
    "nope",
    "doubt",
    "doubts",
    "bogus",
    "debunk",
    "pranks",
    "retract",
)
# Relative FNC-1 scores on competition test (Hanselowski et al. 2018, table 3).
OFFICIAL_BASELINE: Final = 75.20
COMPETITION_BEST: Final = 82.02
REFERENCE: Final[dict[str, float | str]] = {
    "official_baseline": OFFICIAL_BASELINE,
    "competition_best": COMPETITION_BEST,
    "competition_best_system": "SOLAT in the SWEN (Talos)",
    "ucl_tfidf_mlp": 81.72,
    "official_baseline_holdout": 79.53,
}
_WORD = re.compile(r"[a-z0-9]+")


class PairFeatures:
    """Fits the vectorisers on training pairs and turns (headline, body) pairs into features."""

    def __init__(self, cfg: Fnc1Config) -> None:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        stop = None if cfg.stop_words == "none" else cfg.stop_words
        self.cfg = cfg
        self.tf = CountVectorizer(max_features=cfg.vocabulary, stop_words=stop)
        self.tfidf = TfidfVectorizer(max_features=cfg.vocabulary, stop_words=stop)

    def fit(self, headlines: list[str], bodies: list[str]) -> PairFeatures:
        """Fit both vocabularies on the unique training texts (sorted: order-independent)."""
        texts = sorted(set(headlines) | set(bodies))
        self.tf.fit(texts)
        self.tfidf.fit(texts)
        return self

    @staticmethod
    def _rows(vec: Any, texts: list[str], normalise: bool) -> Any:
        from sklearn.preprocessing import normalize

        # FNC-1 repeats each body ~30 times: vectorise every distinct text once.
        uniq = sorted(set(texts))
        index = {t: i for i, t in enumerate(uniq)}
        m = vec.transform(uniq)
        if normalise:
            m = normalize(m)
        return m[[index[t] for t in texts]]

    def transform(self, headlines: list[str], bodies: list[str]) -> Any:
        """Sparse feature matrix, one row per pair."""
        from scipy import sparse

        th = self._rows(self.tf, headlines, True)
        tb = self._rows(self.tf, bodies, True)
        ih = self._rows(self.tfidf, headlines, False)
        ib = self._rows(self.tfidf, bodies, False)
        cos = np.asarray(ih.multiply(ib).sum(axis=1)).ravel()
        words = {t: set(_WORD.findall(t.lower())) for t in set(headlines) | set(bodies)}
        dense = []
        for h, b in zip(headlines, bodies, strict=True):
            hw, bw = words[h], words[b]
            shared = len(hw & bw)
            dense.append(
                [shared / max(1, len(hw | bw)), shared / max(1, len(hw))]
                + [float(w in hw) for w in REFUTING]
            )
        bins = np.stack([(cos >= t).astype(float) for t in self.cfg.cosine_bins], axis=1)
        extra = np.hstack([cos[:, None], bins, np.asarray(dense)])
        return sparse.hstack([th, tb, sparse.csr_matrix(extra)], format="csr")


def fit_predict(train: pl.DataFrame, test: pl.DataFrame, cfg: Fnc1Config) -> list[str]:
    """Train on ``train`` (headline, body, stance) and predict the stance of ``test``'s pairs."""
    from sklearn.linear_model import LogisticRegression

    feats = PairFeatures(cfg).fit(train["headline"].to_list(), train["body"].to_list())
    x_train = feats.transform(train["headline"].to_list(), train["body"].to_list())
    clf = LogisticRegression(
        C=cfg.logreg.C,
        max_iter=cfg.logreg.max_iter,
        class_weight=None if cfg.logreg.class_weight == "none" else cfg.logreg.class_weight,
        random_state=cfg.seed,
    )
    clf.fit(x_train, train["stance"].to_list())
    x_test = feats.transform(test["headline"].to_list(), test["body"].to_list())
    return [str(v) for v in clf.predict(x_test)]


def score(gold: list[str], pred: list[str], cfg: EvaluateConfig) -> dict[str, Any]:
    """FNC-1 score, macro-F1 (with the classes it counted), per-class figures, bootstrap CIs."""
    rep = classification_report(gold, pred, FNC_LABELS)
    ci = bootstrap_ci(
        encode(gold, FNC_LABELS),
        encode(pred, FNC_LABELS),
        len(FNC_LABELS),
        all_metrics(FNC_LABELS),
        samples=cfg.bootstrap_samples,
        confidence=cfg.confidence,
        seed=cfg.seed,
    )
    fnc = rep["fnc"]
    return {
        "n": rep["n"],
        "fnc_relative": round(fnc["relative"], 4),
        "fnc_score": fnc["score"],
        "fnc_max": fnc["max"],
        "fnc_null_relative": round(fnc["null_relative"], 4),
        "macro_f1": round(rep["macro_f1"], 6),
        "macro_f1_classes": rep["macro_f1_classes"],
        "accuracy": round(rep["accuracy"], 6),
        "per_class": {
            k: {m: round(v[m], 6) if isinstance(v[m], float) else v[m] for m in v}
            for k, v in rep["per_class"].items()
        },
        "confusion": rep["confusion"],
        "ci": {k: {b: round(x, 6) for b, x in v.items()} for k, v in sorted(ci.items())},
        "ci_confidence": cfg.confidence,
        "bootstrap_samples": cfg.bootstrap_samples,
    }


def holdout_split(
    train: pl.DataFrame, share: float, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The official baseline's hold-out: shuffle the training Body IDs, first ``share`` train."""
    ids = sorted(set(train["body_id"].to_list()), key=lambda b: (len(b), b))
    rng = np.random.default_rng(seed)
    order = [ids[i] for i in rng.permutation(len(ids))]
    keep = set(order[: round(share * len(order))])
    inner = train.filter(pl.col("body_id").is_in(list(keep)))
    hold = train.filter(~pl.col("body_id").is_in(list(keep)))
    return inner, hold


def run_fnc1_baseline(
    fnc_dir: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    cfg: EvaluateConfig,
) -> StageReport:
    """Train on FNC-1 train, score on competition test (and on the train hold-out); write JSON.

    With the FNC-1 files absent, writes a report that says so (``status: skipped``) and
    returns; the stage's summary line names the missing file.
    """
    from pathlib import Path

    report = StageReport("fnc1_baseline")
    root = Path(fnc_dir)
    files = {
        "train_bodies": root / "train_bodies.csv",
        "train_stances": root / "train_stances.csv",
        "test_bodies": root / "competition_test_bodies.csv",
        "test_stances": root / "competition_test_stances.csv",
    }
    absent = [str(p) for p in files.values() if not p.is_file()]
    if absent:
        write_json(
            out_path,
            {
                "status": "skipped",
                "reason": f"FNC-1 data not found: {', '.join(absent)}",
                "reference": REFERENCE,
            },
        )
        report.extra["skipped"] = f"FNC-1 data not found: {absent[0]}"
        return report
    fcfg = cfg.fnc1
    train = fnc1.read_pairs(files["train_bodies"], files["train_stances"])
    test = fnc1.read_pairs(files["test_bodies"], files["test_stances"])
    report.records_in = train.height + test.height
    inner, hold = holdout_split(train, fcfg.holdout_train_share, fcfg.seed)
    models: dict[str, Any] = {}
    with progress("fnc1_baseline", 2) as advance:
        pred = fit_predict(train, test, fcfg)
        models["competition_test"] = score(test["stance"].to_list(), pred, cfg)
        advance(1)
        hold_pred = fit_predict(inner, hold, fcfg)
        models["train_holdout"] = score(hold["stance"].to_list(), hold_pred, cfg)
        advance(1)
    majority = max(FNC_LABELS, key=lambda lab: (train["stance"] == lab).sum())
    null = score(test["stance"].to_list(), [majority] * test.height, cfg)
    main = models["competition_test"]
    out = {
        "status": "scored",
        "protocol": "train on FNC-1 train (train_bodies + train_stances), "
        "score on competition test (competition_test_bodies + competition_test_stances)",
        "headline": {
            "fnc_relative": main["fnc_relative"],
            "fnc_relative_ci": [
                main["ci"]["fnc_relative"]["low"],
                main["ci"]["fnc_relative"]["high"],
            ]
            if "fnc_relative" in main["ci"]
            else None,
            "macro_f1": main["macro_f1"],
            "official_baseline": OFFICIAL_BASELINE,
            "competition_best": COMPETITION_BEST,
            "vs_official_baseline": round(main["fnc_relative"] - OFFICIAL_BASELINE, 4),
        },
        "data": {
            "train_pairs": train.height,
            "train_bodies": train["body_id"].n_unique(),
            "test_pairs": test.height,
            "test_bodies": test["body_id"].n_unique(),
            "train_label_counts": _counts(train),
            "test_label_counts": _counts(test),
        },
        "reference": REFERENCE,
        "params": asdict(fcfg),
        "competition_test": main,
        "majority_competition_test": {**null, "label": majority},
        "secondary_train_holdout": {
            "note": "body-disjoint hold-out of FNC-1 train (secondary line; compare with the "
            "official baseline's 79.53 on its own hold-out, not with competition test)",
            "train_pairs": inner.height,
            "holdout_pairs": hold.height,
            "holdout_bodies": hold["body_id"].n_unique(),
            "shared_bodies": len(set(inner["body_id"]) & set(hold["body_id"])),
            **models["train_holdout"],
        },
    }
    write_json(out_path, out)
    report.records_out = test.height + hold.height
    report.extra.update(
        {
            "fnc_relative": main["fnc_relative"],
            "macro_f1": main["macro_f1"],
            "official_baseline": OFFICIAL_BASELINE,
            "holdout_fnc_relative": models["train_holdout"]["fnc_relative"],
        }
    )
    return report


def _counts(df: pl.DataFrame) -> dict[str, int]:
    counts = dict(df.group_by("stance").len().iter_rows())
    return {lab: int(counts.get(lab, 0)) for lab in FNC_LABELS}
