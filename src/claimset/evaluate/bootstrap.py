"""Bootstrap confidence intervals and paired significance tests (seeded, vectorised).

* :func:`bootstrap_ci`: percentile intervals from ``samples`` resamples of the items.
* :func:`paired_test`: is system A different from system B on the same items?
  ``randomization`` (approximate randomisation, Noreen 1989): swap the two systems'
  predictions on each item with probability 1/2; p = (#{|d*| >= |d|} + 1) / (samples + 1).
  ``bootstrap`` (paired bootstrap, Berg-Kirkpatrick et al. 2012): resample items; p =
  (#{d* >= 2d} + 1) / (samples + 1) for the observed sign of d (one-sided, as in the paper).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np

from claimset.evaluate.fnc import fnc_from_confusion
from claimset.evaluate.metrics import fnc_confusion, from_confusion

Metric = Callable[[np.ndarray], float]


def metric_functions(
    labels: Sequence[str], to_fnc: Mapping[str, str] | None = None
) -> dict[str, Metric]:
    """Scalar metrics over a confusion matrix: accuracy, macro_f1 and, if applicable, fnc_relative."""
    fns: dict[str, Metric] = {
        "accuracy": lambda cm: from_confusion(cm)["accuracy"],
        "macro_f1": lambda cm: from_confusion(cm)["macro_f1"],
    }
    if fnc_confusion(np.eye(len(labels)), labels, to_fnc) is not None:

        def fnc_relative(cm: np.ndarray) -> float:
            fcm = fnc_confusion(cm, labels, to_fnc)
            assert fcm is not None
            return fnc_from_confusion(fcm)["relative"]

        fns["fnc_relative"] = fnc_relative
    return fns


def _cms(gold: np.ndarray, pred: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices for each row of resample indices ``idx`` (B x n) -> (B, k, k)."""
    b = idx.shape[0]
    codes = gold[idx] * k + pred[idx] + (np.arange(b)[:, None] * k * k)
    return np.bincount(codes.ravel(), minlength=b * k * k).reshape(b, k, k)


def bootstrap_ci(
    gold: np.ndarray,
    pred: np.ndarray,
    k: int,
    metrics: Mapping[str, Metric],
    *,
    samples: int,
    confidence: float,
    seed: int,
    chunk: int = 200,
) -> dict[str, dict[str, float]]:
    """Percentile bootstrap interval of each metric: ``{name: {"low", "high"}}``."""
    n = len(gold)
    if n == 0 or samples == 0:
        return {}
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {name: [] for name in metrics}
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        for cm in _cms(gold, pred, rng.integers(0, n, size=(b, n)), k):
            for name, fn in metrics.items():
                values[name].append(fn(cm))
        done += b
    alpha = (1.0 - confidence) / 2.0
    return {
        name: {"low": float(np.quantile(v, alpha)), "high": float(np.quantile(v, 1.0 - alpha))}
        for name, v in values.items()
    }


def paired_test(
    gold: np.ndarray,
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    k: int,
    metrics: Mapping[str, Metric],
    *,
    method: Literal["randomization", "bootstrap"],
    samples: int,
    seed: int,
    chunk: int = 200,
) -> dict[str, dict[str, float]]:
    """Per metric: A's value, B's value, difference A - B and the p-value of the difference."""
    n = len(gold)
    rng = np.random.default_rng(seed)
    full = np.arange(n)[None, :]
    cm_a, cm_b = _cms(gold, pred_a, full, k)[0], _cms(gold, pred_b, full, k)[0]
    observed = {name: (fn(cm_a), fn(cm_b)) for name, fn in metrics.items()}
    hits = dict.fromkeys(metrics, 0)
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        if method == "randomization":
            swap = rng.random((b, n)) < 0.5
            pa = np.where(swap, pred_b[None, :], pred_a[None, :])
            pb = np.where(swap, pred_a[None, :], pred_b[None, :])
            g = np.broadcast_to(gold, (b, n))
        else:
            idx = rng.integers(0, n, size=(b, n))
            pa, pb, g = pred_a[idx], pred_b[idx], gold[idx]
        offs = np.arange(b)[:, None] * k * k
        cas = np.bincount((g * k + pa + offs).ravel(), minlength=b * k * k).reshape(b, k, k)
        cbs = np.bincount((g * k + pb + offs).ravel(), minlength=b * k * k).reshape(b, k, k)
        for ca, cb in zip(cas, cbs, strict=True):
            for name, fn in metrics.items():
                a, bb = observed[name]
                d = a - bb
                ds = fn(ca) - fn(cb)
                if method == "randomization":
                    hits[name] += int(abs(ds) >= abs(d) - 1e-12)
                else:
                    hits[name] += int(ds >= 2 * d - 1e-12) if d >= 0 else int(ds <= 2 * d + 1e-12)
        done += b
    return {
        name: {
            "a": observed[name][0],
            "b": observed[name][1],
            "difference": observed[name][0] - observed[name][1],
            "p_value": (hits[name] + 1) / (samples + 1),
        }
        for name in metrics
    }
