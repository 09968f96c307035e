"""The FNC-1 weighted score, exactly as the official scorer computes it.

Official rule (FakeNewsChallenge/fnc-1 ``scorer.py`` and fnc-1-baseline ``utils/score.py``)::

    if g_stance == t_stance:
        score += 0.25
        if g_stance != 'unrelated':
            score += 0.50
    if g_stance in RELATED and t_stance in RELATED:
        score += 0.25

so an exact unrelated match earns 0.25, an exact related match 1.0, and a wrong related
label for a related pair 0.25. MAX is the score of the gold labels against themselves,
NULL the score of predicting ``unrelated`` everywhere, and the relative score is
``100 * score / MAX`` (the figure FNC-1 papers quote, e.g. 75.2 for the official baseline on
competition test).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

FNC_LABELS: Final = ("agree", "disagree", "discuss", "unrelated")
RELATED: Final = FNC_LABELS[:3]


def pair_score(gold: str, pred: str) -> float:
    """Score of one (gold, predicted) pair under the official rule."""
    score = 0.0
    if gold == pred:
        score += 0.25
        if gold != "unrelated":
            score += 0.50
    if gold in RELATED and pred in RELATED:
        score += 0.25
    return score


# WEIGHTS[g, t]: score of gold g predicted as t, in FNC_LABELS order; used on confusion matrices.
WEIGHTS: Final = np.array([[pair_score(g, t) for t in FNC_LABELS] for g in FNC_LABELS])


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Raw FNC-1 score of ``pred`` against ``gold`` (same length)."""
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    return float(sum(pair_score(g, t) for g, t in zip(gold, pred, strict=True)))


def fnc_from_confusion(cm: np.ndarray) -> dict[str, float]:
    """Score, max, null and relative forms from a confusion matrix in FNC_LABELS order."""
    score = float((cm * WEIGHTS).sum())
    support = cm.sum(axis=1)
    max_score = float((support * np.diag(WEIGHTS)).sum())
    null_score = float(support[FNC_LABELS.index("unrelated")] * WEIGHTS[3, 3])
    return {
        "score": score,
        "max": max_score,
        "null": null_score,
        "relative": 100.0 * score / max_score if max_score else 0.0,
        "null_relative": 100.0 * null_score / max_score if max_score else 0.0,
    }


def fnc_report(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """FNC-1 score, MAX, NULL and relative (percent of MAX) for label sequences."""
    unknown = sorted({*gold, *pred} - set(FNC_LABELS))
    if unknown:
        raise ValueError(f"labels outside FNC-1's {list(FNC_LABELS)}: {unknown}")
    idx = {label: i for i, label in enumerate(FNC_LABELS)}
    cm = np.zeros((4, 4))
    np.add.at(cm, ([idx[g] for g in gold], [idx[t] for t in pred]), 1)
    return fnc_from_confusion(cm)
