"""The ``baselines`` stage: reference baselines for every release config, scored by the scorer's code.

* Label tasks (``claim_detection`` claim / not-claim; ``claims`` claim type and
  check-worthiness; ``stance``): majority class and TF-IDF + logistic regression
  (scikit-learn). Single-text tasks use TF-IDF of the text; stance (target x text) uses one
  vocabulary for both sides, the two vectors side by side and their cosine (Riedel et al.
  2017, with logistic regression instead of an MLP). Each is scored like ``claimset
  evaluate`` scores a prediction file (bootstrap CIs on every figure), and TF-IDF + LR is
  tested against majority (paired test, ``compare_method``).
* ``attribution``: the MEMM tagger of :mod:`claimset.evaluate.tagger` trained on the tags
  of the train split; scored per tag type (exact span P/R/F1), as claim spans (exact and
  overlap against ``claims``) and end to end with the PolNeAR attribution measure.

A config absent from the release is listed under ``configs.absent`` (never silently
skipped); an empty train or evaluation split is reported as not scored, with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from claimset.errors import InputError
from claimset.evaluate.bootstrap import (
    all_metrics,
    bootstrap_ci,
    bootstrap_counts,
    headline_metrics,
    paired_test,
)
from claimset.evaluate.config import EvaluateConfig, LogRegConfig, TfidfConfig
from claimset.evaluate.metrics import classification_report, encode
from claimset.evaluate.predictions import SpanPrediction
from claimset.evaluate.release import (
    CONTRACT,
    DETECTION_LABELS,
    KEYS,
    is_release,
    present_configs,
    read_split,
)
from claimset.evaluate.spans import score_spans, split_articles
from claimset.evaluate.tagger import TYPES, MemmTagger, link_attributions, tag_spans
from claimset.io import write_json, write_text
from claimset.labels import CHECKWORTHY, CLAIM_TYPES, STANCE_LABELS, STANCE_TO_FNC1
from claimset.stage import StageReport, progress

MODELS = ("majority", "tfidf_logreg")
TAGGER = "memm_tagger"
# (config, label field, input columns, labels, positive class): one column = single text,
# two = pair.
TASKS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None], ...] = (
    ("claim_detection", "label", ("text",), DETECTION_LABELS, "claim"),
    ("claims", "claim_type", ("text",), CLAIM_TYPES, None),
    ("claims", "checkworthy", ("text",), CHECKWORTHY, "yes"),
    ("stance", "label", ("target", "text"), STANCE_LABELS, None),
)


class PairTfidf:
    """[tfidf(a), tfidf(b), cos(a, b)] for text pairs, one vocabulary for both sides.

    Unique strings are vectorised once (FNC-1 repeats each body ~28 times).
    """

    def __init__(self, cfg: TfidfConfig) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vec = TfidfVectorizer(
            ngram_range=(1, cfg.ngram_max),
            min_df=cfg.min_df,
            max_features=cfg.max_features,
            sublinear_tf=cfg.sublinear_tf,
            lowercase=True,
            dtype=np.float64,
        )

    def fit(self, a: Sequence[str], b: Sequence[str]) -> PairTfidf:
        """Fit the vocabulary on the unique texts of both sides."""
        self.vec.fit(sorted(set(a) | set(b)))
        return self

    def _encode(self, texts: Sequence[str]) -> Any:
        uniq = sorted(set(texts))
        index = {t: i for i, t in enumerate(uniq)}
        return self.vec.transform(uniq)[[index[t] for t in texts]]

    def transform(self, a: Sequence[str], b: Sequence[str]) -> Any:
        """Sparse feature matrix for the pairs (rows are L2-normalised, so a.b is the cosine)."""
        from scipy import sparse

        va, vb = self._encode(a), self._encode(b)
        cos = np.asarray(va.multiply(vb).sum(axis=1))
        return sparse.hstack([va, vb, sparse.csr_matrix(cos)], format="csr")


def _logreg(cfg: LogRegConfig, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=cfg.C,
        max_iter=cfg.max_iter,
        class_weight=None if cfg.class_weight == "none" else cfg.class_weight,
        random_state=seed,
    )


def fit_predict(
    model: str,
    train_x: Sequence[Sequence[str]],
    train_y: Sequence[str],
    test_x: Sequence[Sequence[str]],
    tfidf: TfidfConfig,
    logreg: LogRegConfig,
    seed: int,
) -> tuple[list[str], str | None]:
    """Train ``model`` on (train_x, train_y) and predict test_x; returns (predictions, note).

    ``train_x``/``test_x`` hold one sequence per input column (1 = text, 2 = pair).
    With fewer than two classes in train, logistic regression cannot be fitted and the
    majority prediction is returned with a note saying so.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer

    n_test = len(test_x[0])
    if model == "majority" or len(set(train_y)) < 2:
        dummy = DummyClassifier(strategy="most_frequent").fit(
            np.zeros((len(train_y), 1)), list(train_y)
        )
        note = (
            None if model == "majority" else "fewer than two classes in train: majority prediction"
        )
        return [str(v) for v in dummy.predict(np.zeros((n_test, 1)))], note
    if model != "tfidf_logreg":
        raise ValueError(f"unknown model {model!r}")
    clf = _logreg(logreg, seed)
    if len(train_x) == 1:
        vec = TfidfVectorizer(
            ngram_range=(1, tfidf.ngram_max),
            min_df=tfidf.min_df,
            max_features=tfidf.max_features,
            sublinear_tf=tfidf.sublinear_tf,
        )
        try:
            xtr = vec.fit_transform(list(train_x[0]))
        except ValueError as exc:  # empty vocabulary, e.g. min_df above the train size
            raise InputError("train split", f"TF-IDF cannot be fitted: {exc}") from exc
        clf.fit(xtr, list(train_y))
        return [str(v) for v in clf.predict(vec.transform(list(test_x[0])))], None
    pair = PairTfidf(tfidf).fit(train_x[0], train_x[1])
    clf.fit(pair.transform(train_x[0], train_x[1]), list(train_y))
    return [str(v) for v in clf.predict(pair.transform(test_x[0], test_x[1]))], None


def _ci(ci: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {k: {b: round(x, 6) for b, x in v.items()} for k, v in sorted(ci.items())}


def score_labels(
    gold: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str],
    to_fnc: Mapping[str, str] | None,
    positive: str | None,
    cfg: EvaluateConfig,
) -> dict[str, Any]:
    """The scorer's label report (as ``claimset evaluate`` writes it) for one baseline."""
    rep = classification_report(gold, pred, labels, to_fnc, positive)
    ci = bootstrap_ci(
        encode(gold, labels),
        encode(pred, labels),
        len(labels),
        all_metrics(labels, to_fnc, positive),
        samples=cfg.bootstrap_samples,
        confidence=cfg.confidence,
        seed=cfg.seed,
    )
    out: dict[str, Any] = {
        "n": rep["n"],
        "accuracy": round(rep["accuracy"], 6),
        "macro_f1": round(rep["macro_f1"], 6),
        "macro_f1_classes": rep["macro_f1_classes"],
    }
    if "positive" in rep:
        out["positive"] = {
            k: round(v, 6) if isinstance(v, float) else v for k, v in rep["positive"].items()
        }
    if "fnc" in rep:
        out["fnc_relative"] = round(rep["fnc"]["relative"], 4)
        out["fnc_score"] = rep["fnc"]["score"]
        out["fnc_max"] = rep["fnc"]["max"]
        out["fnc_null"] = rep["fnc"]["null"]
    out["per_class"] = {
        label: {k: round(v, 6) if isinstance(v, float) else v for k, v in pc.items()}
        for label, pc in rep["per_class"].items()
    }
    out["ci"] = _ci(ci)
    return out


def _frames(
    release: Path, config: str, splits: Sequence[str], required: tuple[str, ...] | None = ()
) -> dict[str, pl.DataFrame | None]:
    # required=None: the config's contract columns (release.REQUIRED) must be there.
    return {s: read_split(release, config, s, missing_ok=True, required=required) for s in splits}


def _key(df: pl.DataFrame, config: str) -> str:
    # A release from before the contract keyed claims by item_id.
    return KEYS[config] if KEYS[config] in df.columns else "item_id"


def _label_tasks(
    release: Path,
    cfg: EvaluateConfig,
    present: Sequence[str],
    metrics: dict[str, Any],
    plots: Path,
    predictions_dir: Path | None,
    report: StageReport,
) -> None:
    for config, field, cols, labels, positive in TASKS:
        if config not in present:
            continue
        frames = _frames(release, config, ("train", *cfg.eval_splits))
        train = frames["train"]
        to_fnc = STANCE_TO_FNC1 if config == "stance" else None
        node = metrics.setdefault(config, {}).setdefault(field, {})
        if train is not None:
            missing = [c for c in (*cols, field) if c not in train.columns]
            if missing:
                raise InputError(
                    release / config / "train.parquet", f"missing column(s) {', '.join(missing)}"
                )
            # checkworthy of a non-claim sentence is -1 (no label): not a training example.
            train = train.filter(pl.col(field).is_not_null())
            report.records_in += train.height
        for split in cfg.eval_splits:
            test = frames[split]
            if test is not None:
                test = test.filter(pl.col(field).is_not_null())
            preds: dict[str, list[str]] = {}
            for model in MODELS:
                entry: dict[str, Any]
                if train is None or train.height == 0 or test is None or test.height == 0:
                    which = "train" if train is None or train.height == 0 else split
                    entry = {
                        "n": 0 if test is None else test.height,
                        "note": f"not scored: the {which} split is absent or has no labelled rows",
                    }
                    pred: list[str] = []
                else:
                    pred, note = fit_predict(
                        model,
                        [train[c].to_list() for c in cols],
                        train[field].to_list(),
                        [test[c].to_list() for c in cols],
                        cfg.tfidf,
                        cfg.logreg,
                        cfg.seed,
                    )
                    entry = score_labels(test[field].to_list(), pred, labels, to_fnc, positive, cfg)
                    if note:
                        entry["note"] = note
                    preds[model] = pred
                node.setdefault(model, {})[split] = entry
                ids = test[_key(test, config)].to_list() if test is not None and pred else []
                actual = test[field].to_list() if test is not None and pred else []
                rows = list(zip(ids, actual, pred, strict=True))
                write_text(
                    plots / f"{config}_{field}_{model}_{split}.csv",
                    "item_id,actual,predicted\n" + "".join(f"{i},{a},{p}\n" for i, a, p in rows),
                )
                if predictions_dir is not None:
                    key = KEYS[config]
                    write_text(
                        predictions_dir / f"{config}_{field}_{model}_{split}.csv",
                        f"{key},label\n" + "".join(f"{i},{p}\n" for i, _, p in rows),
                    )
                report.records_out += len(pred)
            if len(preds) == 2 and test is not None:
                node.setdefault("tfidf_logreg_vs_majority", {})[split] = _compare(
                    test[field].to_list(), preds, labels, to_fnc, positive, cfg
                )


def _compare(
    gold: list[str],
    preds: Mapping[str, list[str]],
    labels: Sequence[str],
    to_fnc: Mapping[str, str] | None,
    positive: str | None,
    cfg: EvaluateConfig,
) -> dict[str, Any]:
    res = paired_test(
        encode(gold, labels),
        encode(preds["tfidf_logreg"], labels),
        encode(preds["majority"], labels),
        len(labels),
        headline_metrics(labels, to_fnc, positive),
        method=cfg.compare_method,
        samples=cfg.compare_samples,
        seed=cfg.seed,
    )
    return {
        "method": cfg.compare_method,
        "samples": cfg.compare_samples,
        **{
            name: {"difference": round(v["difference"], 6), "p_value": round(v["p_value"], 6)}
            for name, v in res.items()
        },
    }


def _tag_counts(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> np.ndarray:
    """Per article and tag type: (predicted spans, gold spans, exact matches) -> (n, 3 * types)."""
    out = np.zeros((len(gold), 3 * len(TYPES)), dtype=np.int64)
    for r, (g, p) in enumerate(zip(gold, pred, strict=True)):
        gs, ps = set(tag_spans(g)), set(tag_spans(p))
        for t, kind in enumerate(TYPES):
            gk = {s for s in gs if s[0] == kind}
            pk = {s for s in ps if s[0] == kind}
            out[r, 3 * t : 3 * t + 3] = (len(pk), len(gk), len(gk & pk))
    return out


def _tag_metrics(sums: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for t, kind in enumerate(TYPES):
        n_pred, n_gold, tp = (sums[:, 3 * t + i].astype(float) for i in range(3))
        p = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), 0.0)
        r = np.where(n_gold > 0, tp / np.maximum(n_gold, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
        out.update({f"{kind}_precision": p, f"{kind}_recall": r, f"{kind}_f1": f})
    return out


def _attribution_task(
    release: Path,
    cfg: EvaluateConfig,
    present: Sequence[str],
    metrics: dict[str, Any],
    plots: Path,
    predictions_dir: Path | None,
    report: StageReport,
) -> None:
    frames = _frames(release, "attribution", ("train", *cfg.eval_splits), required=None)
    node = metrics.setdefault("attribution", {}).setdefault(TAGGER, {})
    train = frames["train"]
    if train is None or train.height == 0:
        for split in cfg.eval_splits:
            node[split] = {"note": "not scored: the train split is absent or empty"}
        return
    report.records_in += train.height
    tagger = MemmTagger(cfg.tagger, cfg.seed).fit(
        train["tokens"].to_list(), train["tags"].to_list()
    )
    for split in cfg.eval_splits:
        test = frames[split]
        if test is None or test.height == 0:
            node[split] = {"note": f"not scored: the {split} split is absent or empty"}
            continue
        tokens = test["tokens"].to_list()
        gold_tags = test["tags"].to_list()
        pred_tags = tagger.predict(tokens)
        counts = _tag_counts(gold_tags, pred_tags)
        totals = counts.sum(axis=0)
        point = {k: round(float(v[0]), 6) for k, v in _tag_metrics(totals[None, :]).items()}
        entry: dict[str, Any] = {
            "articles": test.height,
            "tokens": int(sum(len(t) for t in tokens)),
            "tags": {
                kind: {
                    "n_pred": int(totals[3 * t]),
                    "n_gold": int(totals[3 * t + 1]),
                    "exact": int(totals[3 * t + 2]),
                    "precision": point[f"{kind}_precision"],
                    "recall": point[f"{kind}_recall"],
                    "f1": point[f"{kind}_f1"],
                }
                for t, kind in enumerate(TYPES)
            },
            "tags_ci": _ci(
                bootstrap_counts(
                    counts,
                    _tag_metrics,
                    samples=cfg.bootstrap_samples,
                    confidence=cfg.confidence,
                    seed=cfg.seed,
                )
            ),
        }
        span_rows: list[SpanPrediction] = []
        for aid, toks, tg, st, en in zip(
            test["article_id"].to_list(),
            tokens,
            pred_tags,
            test["token_starts"].to_list(),
            test["token_ends"].to_list(),
            strict=True,
        ):
            for (c0, c1), src in link_attributions(toks, tg, st, en):
                span_rows.append(SpanPrediction(0, str(aid), c0, c1, src))
        claims = (
            read_split(release, "claims", split, missing_ok=True) if "claims" in present else None
        )
        if claims is not None and {"speaker_start", "speaker_end"} <= set(claims.columns):
            others = {
                c: _frames(release, c, (split,))[split] for c in ("articles", "claim_detection")
            }
            articles = split_articles({**others, "claims": claims, "attribution": test})
            scored = score_spans(span_rows, claims, articles, cfg, with_speaker=True)
            entry["attribution_e2e"] = {
                k: (round(v, 6) if isinstance(v, float) else v)
                for k, v in scored.items()
                if k != "ci"
            }
            entry["attribution_e2e"]["ci"] = _ci(scored["ci"])
        else:
            entry["attribution_e2e"] = {
                "note": "not scored: no claims config with speaker spans for this split"
            }
        node[split] = entry
        # Token-level confusion for dvc plots; prediction file for claimset evaluate.
        write_text(
            plots / f"attribution_tags_{TAGGER}_{split}.csv",
            "item_id,actual,predicted\n"
            + "".join(
                f"{aid}:{i},{g},{p}\n"
                for aid, gs, ps in zip(
                    test["article_id"].to_list(), gold_tags, pred_tags, strict=True
                )
                for i, (g, p) in enumerate(zip(gs, ps, strict=True))
            ),
        )
        if predictions_dir is not None:
            write_text(
                predictions_dir / f"attribution_{TAGGER}_{split}.csv",
                "article_id,char_start,char_end,speaker_start,speaker_end\n"
                + "".join(
                    f"{r.article_id},{r.start},{r.end},"
                    + (f"{r.speaker[0]},{r.speaker[1]}" if r.speaker else ",")
                    + "\n"
                    for r in span_rows
                ),
            )
        report.records_out += len(span_rows)


def run_baselines(
    release_dir: str | os.PathLike[str],
    metrics_path: str | os.PathLike[str],
    plots_dir: str | os.PathLike[str],
    cfg: EvaluateConfig,
    *,
    predictions_dir: str | os.PathLike[str] | None = None,
) -> StageReport:
    """Train every baseline on train, score on ``cfg.eval_splits``; write metrics and plots.

    Metrics JSON (DVC metrics): ``configs`` (which configs were scored, which are absent),
    then ``{config: {field or model: ...}}``. Plots: one CSV per task/model/split with
    ``item_id,actual,predicted`` rows (DVC confusion template). With ``predictions_dir``,
    also prediction files that ``claimset evaluate`` accepts.
    """
    report = StageReport("baselines")
    release = Path(release_dir)
    if not is_release(release):
        raise InputError(release, "not a release directory (run `claimset publish` first)")
    present = present_configs(release)
    scored_configs = [c for c in CONTRACT if c in present and c != "articles"]
    absent = [c for c in CONTRACT if c not in present]
    metrics: dict[str, Any] = {
        "configs": {
            "scored": scored_configs,
            "absent": absent,
            "note": "absent configs are not in this release (no <config>/<split>.parquet)",
        },
        "params": {
            "tfidf": asdict(cfg.tfidf),
            "logreg": asdict(cfg.logreg),
            "tagger": asdict(cfg.tagger),
            "seed": cfg.seed,
        },
    }
    plots = Path(plots_dir)
    pred_dir = Path(predictions_dir) if predictions_dir is not None else None
    with progress("baselines", 2) as advance:
        _label_tasks(release, cfg, present, metrics, plots, pred_dir, report)
        advance(1)
        if "attribution" in present:
            _attribution_task(release, cfg, present, metrics, plots, pred_dir, report)
        advance(1)
    write_json(metrics_path, metrics)
    report.extra["scored"] = ",".join(scored_configs) or "none"
    report.extra["absent"] = ",".join(absent) or "none"
    cd = metrics.get("claim_detection", {}).get("label", {}).get("tfidf_logreg", {}).get("test", {})
    if "positive" in cd:
        report.extra["claim_detection_test_f1_claim"] = cd["positive"]["f1"]
    st = metrics.get("stance", {}).get("label", {}).get("tfidf_logreg", {}).get("test", {})
    if "macro_f1" in st:
        report.extra["stance_test_macro_f1"] = st["macro_f1"]
    return report
