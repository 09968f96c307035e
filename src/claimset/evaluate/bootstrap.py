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


class BatchMetrics:
    """Every figure of a classification report, computed on a stack of confusion matrices.

    ``BatchMetrics(labels, to_fnc, positive)(cms)`` maps (B x k x k) matrices to
    ``{name: (B,) values}``: accuracy, macro_f1 (over classes present in gold or
    predictions), ``<precision|recall|f1>[<label>]`` (unless ``per_class=False``), the
    ``positive`` class's ``positive_precision/recall/f1`` and ``fnc_relative`` where
    applicable. Vectorised: bootstraps and paired tests run thousands of resamples.
    """

    def __init__(
        self,
        labels: Sequence[str],
        to_fnc: Mapping[str, str] | None = None,
        positive: str | None = None,
        *,
        per_class: bool = True,
    ) -> None:
        self.labels = list(labels)
        self.positive = None if positive is None else self.labels.index(positive)
        self.per_class = per_class
        self.proj: np.ndarray | None = None
        if fnc_confusion(np.eye(len(labels)), labels, to_fnc) is not None:
            from claimset.evaluate.fnc import FNC_LABELS

            proj = np.zeros((len(labels), 4))
            for i, label in enumerate(labels):
                proj[i, FNC_LABELS.index(to_fnc[label] if to_fnc else label)] = 1
            self.proj = proj

    def __call__(self, cms: np.ndarray) -> dict[str, np.ndarray]:
        """Figures of each matrix of the (B x k x k) stack ``cms``."""
        from claimset.evaluate.fnc import WEIGHTS

        cm = np.asarray(cms, dtype=float)
        tp = np.einsum("bii->bi", cm)
        support = cm.sum(axis=2)
        predicted = cm.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(predicted > 0, tp / predicted, 0.0)
            recall = np.where(support > 0, tp / support, 0.0)
            f1 = np.where(
                precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0
            )
            total = cm.sum(axis=(1, 2))
            present = (support + predicted) > 0
            n_present = present.sum(axis=1)
            out = {
                "accuracy": np.where(total > 0, tp.sum(axis=1) / total, 0.0),
                "macro_f1": np.where(n_present > 0, (f1 * present).sum(axis=1) / n_present, 0.0),
            }
            if self.per_class:
                for i, label in enumerate(self.labels):
                    out[f"precision[{label}]"] = precision[:, i]
                    out[f"recall[{label}]"] = recall[:, i]
                    out[f"f1[{label}]"] = f1[:, i]
            if self.positive is not None:
                i = self.positive
                out["positive_precision"] = precision[:, i]
                out["positive_recall"] = recall[:, i]
                out["positive_f1"] = f1[:, i]
            if self.proj is not None:
                fcm = np.einsum("ki,bkl,lj->bij", self.proj, cm, self.proj)
                score = (fcm * WEIGHTS).sum(axis=(1, 2))
                best = (fcm.sum(axis=2) * np.diag(WEIGHTS)).sum(axis=1)
                out["fnc_relative"] = np.where(best > 0, 100.0 * score / best, 0.0)
        return out


def all_metrics(
    labels: Sequence[str], to_fnc: Mapping[str, str] | None = None, positive: str | None = None
) -> BatchMetrics:
    """Every figure (headline and per class), vectorised: see :class:`BatchMetrics`."""
    return BatchMetrics(labels, to_fnc, positive)


def headline_metrics(
    labels: Sequence[str], to_fnc: Mapping[str, str] | None = None, positive: str | None = None
) -> BatchMetrics:
    """The headline figures only (paired tests): no per-class entries."""
    return BatchMetrics(labels, to_fnc, positive, per_class=False)


def _cms(gold: np.ndarray, pred: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices for each row of resample indices ``idx`` (B x n) -> (B, k, k)."""
    b = idx.shape[0]
    codes = gold[idx] * k + pred[idx] + (np.arange(b)[:, None] * k * k)
    return np.bincount(codes.ravel(), minlength=b * k * k).reshape(b, k, k)


def bootstrap_ci(
    gold: np.ndarray,
    pred: np.ndarray,
    k: int,
    metrics: Mapping[str, Metric] | BatchMetrics,
    *,
    samples: int,
    confidence: float,
    seed: int,
    chunk: int = 200,
) -> dict[str, dict[str, float]]:
    """Percentile bootstrap interval of each metric: ``{name: {"low", "high"}}``.

    ``metrics`` is either ``{name: fn(cm) -> float}`` or a :class:`BatchMetrics`, which
    computes every figure on a whole chunk of resampled matrices at once.
    """
    n = len(gold)
    if n == 0 or samples == 0:
        return {}
    rng = np.random.default_rng(seed)
    values: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        cms = _cms(gold, pred, rng.integers(0, n, size=(b, n)), k)
        for name, v in _evaluate(metrics, cms).items():
            values.setdefault(name, []).append(v)
        done += b
    return percentile_intervals({k_: np.concatenate(v) for k_, v in values.items()}, confidence)


def _evaluate(
    metrics: Mapping[str, Metric] | BatchMetrics, cms: np.ndarray
) -> dict[str, np.ndarray]:
    if isinstance(metrics, BatchMetrics):
        return metrics(cms)
    return {name: np.array([fn(cm) for cm in cms]) for name, fn in metrics.items()}


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
    metrics: Mapping[str, Metric] | BatchMetrics,
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
    obs_a = _evaluate(metrics, _cms(gold, pred_a, full, k))
    obs_b = _evaluate(metrics, _cms(gold, pred_b, full, k))
    observed = {name: (float(obs_a[name][0]), float(obs_b[name][0])) for name in obs_a}
    hits = dict.fromkeys(observed, 0)
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
        va, vb = _evaluate(metrics, cas), _evaluate(metrics, cbs)
        for name, (a, bb) in observed.items():
            d = a - bb
            ds = va[name] - vb[name]
            if method == "randomization":
                hits[name] += int(np.sum(np.abs(ds) >= abs(d) - 1e-12))
            elif d >= 0:
                hits[name] += int(np.sum(ds >= 2 * d - 1e-12))
            else:
                hits[name] += int(np.sum(ds <= 2 * d + 1e-12))
        done += b
    return {
        name: {
            "a": observed[name][0],
            "b": observed[name][1],
            "difference": observed[name][0] - observed[name][1],
            "p_value": (hits[name] + 1) / (samples + 1),
        }
        for name in observed
    }
