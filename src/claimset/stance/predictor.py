"""Transparent stance predictor: lexical cues + negation flip + TF-IDF similarity.

Every decision is a threshold on a count a reader can recompute by hand:

* target pairs: ``net = support - oppose`` where harm words count as opposition unless a
  flip cue says the harm follows from *not* doing it; ``net >= margin`` -> favor,
  ``net <= -margin`` -> against, otherwise (or with a balance cue) neutral; a pair whose
  text shares too little with the target is unrelated.
* headline x body pairs (FNC-1): TF-IDF cosine below ``related_threshold`` -> unrelated;
  otherwise the body's refute-word rate (per 100 words) >= ``refute_min`` -> against
  (FNC-1 disagree), hedge-word rate >= ``hedge_min`` -> neutral (discuss), else favor (agree).

The score is the predictor's confidence in its label, in (0, 1): a logistic function of the
distance from the deciding threshold, so items near a threshold get scores near 0.5.
"""

from __future__ import annotations

import polars as pl

from claimset.stance.config import StanceConfig
from claimset.stance.cues import BALANCE, FLIP, HARM, HEDGE, OPPOSE, REFUTE, SUPPORT

FNC1_TO_LABEL = {
    "agree": "favor",
    "disagree": "against",
    "discuss": "neutral",
    "unrelated": "unrelated",
}
LABEL_TO_FNC1 = {v: k for k, v in FNC1_TO_LABEL.items()}


def _logistic(x: pl.Expr, slope: float) -> pl.Expr:
    return 1.0 / (1.0 + (-(x * slope)).exp())


def target_stance(df: pl.DataFrame, text: str, related: str, cfg: StanceConfig) -> pl.DataFrame:
    """Add ``predicted_label`` and ``score`` to ``df`` from column ``text`` and bool ``related``."""
    w = cfg.cues
    t = pl.col(text)
    harm = t.str.count_matches(HARM).cast(pl.Float64) * (w.oppose * 0.5)
    flip = t.str.contains(FLIP) if w.negation_flip else pl.lit(False)
    support = t.str.count_matches(SUPPORT).cast(pl.Float64) * w.support + pl.when(flip).then(
        harm
    ).otherwise(0.0)
    oppose = t.str.count_matches(OPPOSE).cast(pl.Float64) * w.oppose + pl.when(flip).then(
        0.0
    ).otherwise(harm)
    net = support - oppose
    balanced = t.str.contains(BALANCE)
    m = cfg.stance_margin
    out = df.with_columns(net.alias("_net"), balanced.alias("_bal"))
    n = pl.col("_net")
    label = (
        pl.when(~pl.col(related))
        .then(pl.lit("unrelated"))
        .when(pl.col("_bal") & (n.abs() < 2 * m))
        .then(pl.lit("neutral"))
        .when(n >= m)
        .then(pl.lit("favor"))
        .when(n <= -m)
        .then(pl.lit("against"))
        .otherwise(pl.lit("neutral"))
    )
    # The score is graded, not one value per label, so that "most uncertain first" ranks:
    # it grows with the net cue margin, shrinks when support and opposition cues are both
    # present, and grows with how clearly the text is about the target (keyword hits, when
    # the caller has counted them) and, for neutral, with the absence of any cue.
    sup, opp = pl.col("_sup"), pl.col("_opp")
    evidence = sup + opp
    ambiguity = (
        pl.when(evidence > 0)
        .then(pl.min_horizontal(sup, opp) / pl.max_horizontal(sup, opp))
        .otherwise(0.0)
    )
    rel = (
        (pl.col("hits").cast(pl.Float64).clip(0.0, 4.0) / 4.0)
        if "hits" in df.columns
        else pl.lit(0.5)
    )
    words = t.str.count_matches(r"\S+").cast(pl.Float64)
    brevity = 1.0 / (1.0 + words / 25.0)
    decided = 0.5 + 0.45 * _tanh(n.abs() - m + 0.5) * (1.0 - 0.5 * ambiguity) * (0.6 + 0.4 * rel)
    neutral = 0.5 + 0.2 * rel + 0.15 / (1.0 + evidence) + 0.1 * brevity
    score = (
        pl.when(~pl.col(related))
        .then(0.6 + 0.1 * brevity)
        .when(pl.col("_bal"))
        .then(0.5 + 0.1 * rel + 0.1 * brevity)
        .when(n.abs() >= m)
        .then(decided)
        .otherwise(neutral)
    )
    out = out.with_columns(support.alias("_sup"), oppose.alias("_opp"))
    return out.with_columns(label.alias("predicted_label"), score.round(4).alias("score")).drop(
        "_net", "_bal", "_sup", "_opp"
    )


def _tanh(x: pl.Expr) -> pl.Expr:
    return 2.0 / (1.0 + (-2.0 * x).exp()) - 1.0


def headline_stance(df: pl.DataFrame, body: str, cosine: str, cfg: StanceConfig) -> pl.DataFrame:
    """Add FNC-1-style ``predicted_label`` and ``score`` from a body column and a cosine column."""
    b = pl.col(body)
    words = b.str.count_matches(r"\S+").cast(pl.Float64).clip(lower_bound=1.0)
    refute = b.str.count_matches(REFUTE).cast(pl.Float64) * 100.0 * cfg.cues.refute / words
    hedge = b.str.count_matches(HEDGE).cast(pl.Float64) * 100.0 * cfg.cues.hedge / words
    out = df.with_columns(refute.alias("refute_rate"), hedge.alias("hedge_rate"))
    c = pl.col(cosine)
    thr = cfg.related_threshold
    label = (
        pl.when(c < thr)
        .then(pl.lit("unrelated"))
        .when(pl.col("refute_rate") >= cfg.refute_min)
        .then(pl.lit("against"))
        .when(pl.col("hedge_rate") >= cfg.hedge_min)
        .then(pl.lit("neutral"))
        .otherwise(pl.lit("favor"))
    )
    # Relatedness confidence: distance of the cosine from the threshold, scaled to its range.
    rel_conf = _logistic((c - thr).abs(), 20.0)
    score = pl.when(c < thr).then(rel_conf).otherwise(rel_conf * 0.5 + 0.25)
    return out.with_columns(label.alias("predicted_label"), score.round(4).alias("score"))
