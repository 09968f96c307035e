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
from claimset.evaluate.metrics import fnc_confusion, from_confusion, positive_class

Metric = Callable[[np.ndarray], float]


def metric_functions(
    labels: Sequence[str],
    to_fnc: Mapping[str, str] | None = None,
    positive: str | None = None,
) -> dict[str, Metric]:
    """Headline scalar metrics over a confusion matrix: accuracy, macro_f1 and, if applicable,
    fnc_relative and the ``positive`` class's precision/recall/F1."""
    fns: dict[str, Metric] = {
        "accuracy": lambda cm: from_confusion(cm)["accuracy"],
        "macro_f1": lambda cm: from_confusion(cm)["macro_f1"],
    }
    if positive is not None:
        pos = list(labels).index(positive)
        for part in ("precision", "recall", "f1"):
            fns[f"positive_{part}"] = lambda cm, part=part: positive_class(cm, pos)[part]  # type: ignore[misc]
    if fnc_confusion(np.eye(len(labels)), labels, to_fnc) is not None:

        def fnc_relative(cm: np.ndarray) -> float:
            fcm = fnc_confusion(cm, labels, to_fnc)
            assert fcm is not None
            return fnc_from_confusion(fcm)["relative"]

        fns["fnc_relative"] = fnc_relative
    return fns


def all_metrics(
    labels: Sequence[str], to_fnc: Mapping[str, str] | None = None, positive: str | None = None
) -> Callable[[np.ndarray], dict[str, float]]:
    """Every figure of a classification report as ``{name: value}`` from one confusion matrix:
    the headline metrics of :func:`metric_functions` plus ``<precision|recall|f1>[<label>]``."""
    headline = metric_functions(labels, to_fnc, positive)
    rest = {k: v for k, v in headline.items() if k not in ("accuracy", "macro_f1")}

    def compute(cm: np.ndarray) -> dict[str, float]:
        m = from_confusion(cm)
        out = {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}
        for i, label in enumerate(labels):
            for part in ("precision", "recall", "f1"):
                out[f"{part}[{label}]"] = float(m[part][i])
        out.update({name: fn(cm) for name, fn in rest.items()})
        return out

    return compute


def _cms(gold: np.ndarray, pred: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices for each row of resample indices ``idx`` (B x n) -> (B, k, k)."""
    b = idx.shape[0]
    codes = gold[idx] * k + pred[idx] + (np.arange(b)[:, None] * k * k)
    return np.bincount(codes.ravel(), minlength=b * k * k).reshape(b, k, k)


def bootstrap_ci(
    gold: np.ndarray,
    pred: np.ndarray,
    k: int,
    metrics: Mapping[str, Metric] | Callable[[np.ndarray], dict[str, float]],
    *,
    samples: int,
    confidence: float,
    seed: int,
    chunk: int = 200,
) -> dict[str, dict[str, float]]:
    """Percentile bootstrap interval of each metric: ``{name: {"low", "high"}}``.

    ``metrics`` is either ``{name: fn(cm) -> float}`` or one ``fn(cm) -> {name: float}``
    (:func:`all_metrics`), which computes every figure from one pass over the matrix.
    """
    n = len(gold)
    if n == 0 or samples == 0:
        return {}
    if isinstance(metrics, Mapping):
        fns = dict(metrics)

        def compute(cm: np.ndarray) -> dict[str, float]:
            return {name: fn(cm) for name, fn in fns.items()}

    else:
        compute = metrics
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {}
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        for cm in _cms(gold, pred, rng.integers(0, n, size=(b, n)), k):
            for name, v in compute(cm).items():
                values.setdefault(name, []).append(v)
        done += b
    return percentile_intervals(values, confidence)


def percentile_intervals(
    values: Mapping[str, Sequence[float] | np.ndarray], confidence: float
) -> dict[str, dict[str, float]]:
    """``{name: {"low", "high"}}``: the percentile interval of each bootstrap distribution."""
    alpha = (1.0 - confidence) / 2.0
    return {
        name: {"low": float(np.quantile(v, alpha)), "high": float(np.quantile(v, 1.0 - alpha))}
        for name, v in values.items()
    }


def bootstrap_counts(
    counts: np.ndarray,
    metrics: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    *,
    samples: int,
    confidence: float,
    seed: int,
    chunk: int = 200,
) -> dict[str, dict[str, float]]:
    """Cluster bootstrap over units (documents) of additive counts.

    ``counts`` is (units x c), e.g. per article: predicted spans, gold spans, matches.
    Each resample draws units with replacement and sums their rows; ``metrics`` maps the
    (B x c) sums to ``{name: (B,) values}``. Resampling documents, not spans, keeps the
    dependence between spans of one document inside each resample.
    """
    n = counts.shape[0]
    if n == 0 or samples == 0:
        return {}
    rng = np.random.default_rng(seed)
    values: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        sums = counts[rng.integers(0, n, size=(b, n))].sum(axis=1)
        for name, v in metrics(sums).items():
            values.setdefault(name, []).append(np.asarray(v, dtype=float))
        done += b
    return percentile_intervals({k: np.concatenate(v) for k, v in values.items()}, confidence)


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
