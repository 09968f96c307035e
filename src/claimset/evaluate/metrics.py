"""Classification metrics on label codes: accuracy, macro-F1, per-class P/R/F1, confusion, FNC-1.

Everything is derived from one confusion matrix so the bootstrap (which recomputes it
thousands of times) and the point estimate share the same arithmetic. The point estimates
are cross-checked against scikit-learn in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from claimset.evaluate.fnc import FNC_LABELS, fnc_from_confusion


def encode(values: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Label strings -> int codes in ``labels`` order (ValueError on an unknown label)."""
    index = {label: i for i, label in enumerate(labels)}
    try:
        return np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    except KeyError as exc:
        raise ValueError(f"unknown label {exc.args[0]!r}; expected one of {list(labels)}") from None


def confusion(gold: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """k x k confusion matrix, rows = gold, columns = predicted."""
    return np.bincount(gold * k + pred, minlength=k * k).reshape(k, k)


def from_confusion(cm: np.ndarray) -> dict[str, Any]:
    """accuracy, macro-F1 and per-class precision/recall/F1/support (zero division -> 0)."""
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    total = cm.sum()
    # Macro-F1 averages over classes present in gold or predictions (scikit-learn's default
    # label set): a class absent from both has no defined F1 and must not count as 0.
    present = (support + predicted) > 0
    return {
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": support,
        "present": present,
    }


def fnc_confusion(
    cm: np.ndarray, labels: Sequence[str], to_fnc: Mapping[str, str] | None
) -> np.ndarray | None:
    """Map a confusion matrix over ``labels`` onto FNC_LABELS (None when not applicable)."""
    if to_fnc is None:
        if list(labels) != list(FNC_LABELS):
            return None
        return np.asarray(cm)
    proj = np.zeros((len(labels), 4))
    for i, label in enumerate(labels):
        proj[i, FNC_LABELS.index(to_fnc[label])] = 1
    return np.asarray(proj.T @ cm @ proj)


def positive_class(cm: np.ndarray, positive: int) -> dict[str, float]:
    """Precision, recall and F1 of class ``positive`` (CheckThat!'s claim-detection figure)."""
    cm = np.asarray(cm, dtype=float)
    tp = cm[positive, positive]
    predicted = cm[:, positive].sum()
    support = cm[positive, :].sum()
    p = tp / predicted if predicted else 0.0
    r = tp / support if support else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def classification_report(
    gold: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str],
    to_fnc: Mapping[str, str] | None = None,
    positive: str | None = None,
) -> dict[str, Any]:
    """Point metrics as a JSON-ready dict (per-class entries keyed by label).

    With ``positive``, also ``positive`` = that class's precision/recall/F1 (binary tasks).
    """
    k = len(labels)
    cm = confusion(encode(gold, labels), encode(pred, labels), k)
    m = from_confusion(cm)
    out: dict[str, Any] = {
        "n": len(gold),
        "labels": list(labels),
        "accuracy": m["accuracy"],
        "macro_f1": m["macro_f1"],
        # Which classes the macro average counted (present in gold or predictions).
        "macro_f1_classes": [label for i, label in enumerate(labels) if m["present"][i]],
        "per_class": {
            label: {
                "precision": float(m["precision"][i]),
                "recall": float(m["recall"][i]),
                "f1": float(m["f1"][i]),
                "support": int(m["support"][i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": list(labels), "rows_gold_cols_pred": cm.astype(int).tolist()},
    }
    if positive is not None:
        out["positive"] = {
            "label": positive,
            **{k: float(v) for k, v in positive_class(cm, list(labels).index(positive)).items()},
        }
    fcm = fnc_confusion(cm, labels, to_fnc)
    if fcm is not None:
        out["fnc"] = fnc_from_confusion(fcm)
    return out
