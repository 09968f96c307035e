"""Claim-span and attribution scoring, with bootstrap intervals over articles.

* **Exact** span match: same article, same ``[char_start, char_end)``; each gold span
  matches at most one prediction (multiset intersection).
* **Overlap** span match: the pairing of :func:`claimset.evaluate.attribution.match`
  (same article, at least one shared character, greedy one-to-one, largest overlap first),
  so overlap P/R/F1 here is the PolNeAR measure's *content* P/R/F1.
* **Attribution end to end** (prediction files with speaker spans): the PolNeAR measure of
  :mod:`claimset.evaluate.attribution` itself: a prediction counts when its content is
  matched and its speaker span overlaps the gold speaker span (or neither names one).

The gold attribution of a release is its ``claims`` config: each claim's span is the
content and its ``speaker_start``/``speaker_end`` the source (null = no speaker).

Intervals: a cluster bootstrap that resamples articles (spans of one article are not
independent), summing each article's counts, via :func:`bootstrap_counts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from claimset.evaluate.attribution import Attribution, match, scores_from_counts, source_right
from claimset.evaluate.bootstrap import bootstrap_counts
from claimset.evaluate.config import EvaluateConfig
from claimset.evaluate.predictions import SpanPrediction

# Per-article count columns.
COUNTS = ("n_pred", "n_gold", "exact", "matched", "source_correct")


def gold_attributions(claims: pl.DataFrame) -> list[Attribution]:
    """The ``claims`` config as attributions (content = claim span, source = speaker span)."""
    out = []
    for aid, c0, c1, s0, s1 in claims.select(
        "article_id", "char_start", "char_end", "speaker_start", "speaker_end"
    ).iter_rows():
        source = ((int(s0), int(s1)),) if s0 is not None and s1 is not None else ()
        out.append(Attribution(str(aid), ((int(c0), int(c1)),), source))
    return out


def predicted_attributions(pred: Sequence[SpanPrediction]) -> list[Attribution]:
    """Prediction rows as attributions (a row without speaker names no source)."""
    return [
        Attribution(p.article_id, ((p.start, p.end),), (p.speaker,) if p.speaker else ())
        for p in pred
    ]


def article_counts(
    pred: Sequence[Attribution], gold: Sequence[Attribution], articles: Sequence[str]
) -> np.ndarray:
    """(articles x COUNTS) integer counts; every article of the split has a row."""
    index = {a: i for i, a in enumerate(articles)}
    counts = np.zeros((len(articles), len(COUNTS)), dtype=np.int64)
    by_doc_pred: dict[str, list[Attribution]] = defaultdict(list)
    by_doc_gold: dict[str, list[Attribution]] = defaultdict(list)
    for a in pred:
        by_doc_pred[a.doc_id].append(a)
    for a in gold:
        by_doc_gold[a.doc_id].append(a)
    for doc in set(by_doc_pred) | set(by_doc_gold):
        if doc not in index:
            raise ValueError(f"article {doc!r} is not in the scored split")
        p, g = by_doc_pred.get(doc, []), by_doc_gold.get(doc, [])
        exact = sum((Counter(a.content for a in p) & Counter(a.content for a in g)).values())
        pairs = match(p, g)
        right = sum(1 for i, j in pairs if source_right(p[i], g[j]))
        counts[index[doc]] = (len(p), len(g), exact, len(pairs), right)
    return counts


def _prf(tp: np.ndarray, n_pred: np.ndarray, n_gold: np.ndarray) -> tuple[np.ndarray, ...]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), 0.0)
        r = np.where(n_gold > 0, tp / np.maximum(n_gold, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return p, r, f


def span_metrics(sums: np.ndarray, with_speaker: bool) -> dict[str, np.ndarray]:
    """Figures from summed counts (B x COUNTS) -> ``{name: (B,)}``."""
    n_pred, n_gold, exact, matched, right = (sums[:, i].astype(float) for i in range(5))
    out: dict[str, np.ndarray] = {}
    for name, tp in (("exact", exact), ("overlap", matched)):
        p, r, f = _prf(tp, n_pred, n_gold)
        out.update({f"{name}_precision": p, f"{name}_recall": r, f"{name}_f1": f})
    if with_speaker:
        p, r, f = _prf(right, n_pred, n_gold)
        out.update({"e2e_precision": p, "e2e_recall": r, "e2e_f1": f})
        out["source_accuracy"] = np.where(matched > 0, right / np.maximum(matched, 1), 0.0)
    return out


def score_spans(
    pred: Sequence[SpanPrediction],
    claims: pl.DataFrame,
    articles: Sequence[str],
    cfg: EvaluateConfig,
    *,
    with_speaker: bool,
) -> dict[str, Any]:
    """Exact/overlap span P/R/F1 (and end-to-end attribution) with article-bootstrap CIs."""
    gold = gold_attributions(claims)
    predicted = predicted_attributions(pred)
    counts = article_counts(predicted, gold, articles)
    totals = counts.sum(axis=0)
    point = {k: float(v[0]) for k, v in span_metrics(totals[None, :], with_speaker).items()}
    out: dict[str, Any] = {
        "articles": len(articles),
        **{name: int(totals[i]) for i, name in enumerate(COUNTS)},
        **point,
    }
    if with_speaker:
        # The same figures as the PolNeAR measure computes them (checked in the tests).
        measure = scores_from_counts(int(totals[0]), int(totals[1]), int(totals[3]), int(totals[4]))
        out["attribution_measure"] = measure.as_dict(digits=6)
    out["ci"] = bootstrap_counts(
        counts,
        lambda sums: span_metrics(sums, with_speaker),
        samples=cfg.bootstrap_samples,
        confidence=cfg.confidence,
        seed=cfg.seed,
    )
    out["ci_unit"] = "article"
    out["ci_confidence"] = cfg.confidence
    out["bootstrap_samples"] = cfg.bootstrap_samples
    return out


def split_articles(frames: Mapping[str, pl.DataFrame | None]) -> list[str]:
    """Sorted article ids of a split over whichever configs are present."""
    ids: set[str] = set()
    for df in frames.values():
        if df is not None and "article_id" in df.columns:
            ids |= {str(a) for a in df["article_id"].to_list()}
    return sorted(ids)
