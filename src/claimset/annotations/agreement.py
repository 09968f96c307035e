"""Inter-annotator agreement: Krippendorff's alpha (``krippendorff``), Cohen's kappa
(scikit-learn), span F1 between annotators, per-annotator figures and a seeded bootstrap
confidence interval on alpha. Every figure is rounded so the JSON is byte-stable.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from claimset.annotations.aggregate import Decision, iou
from claimset.annotations.config import AggregateConfig
from claimset.annotations.export import NO_SPAN_VALUE

Votes = Mapping[str, Mapping[str, str]]  # item -> annotator -> value


def _r(x: float | None, nd: int = 6) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), nd)


def reliability_matrix(votes: Votes, domain: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Annotators x items matrix of value indices (NaN = no answer), items with >= 2 coders."""
    items = sorted(i for i, v in votes.items() if len(v) >= 2)
    people = sorted({a for i in items for a in votes[i]})
    index = {v: n for n, v in enumerate(domain)}
    m = np.full((len(people), len(items)), np.nan)
    row = {a: n for n, a in enumerate(people)}
    for j, item in enumerate(items):
        for a, v in votes[item].items():
            m[row[a], j] = index[v]
    return m, items


def alpha_nominal(matrix: np.ndarray, n_values: int) -> float | None:
    """Krippendorff's alpha (nominal) via the ``krippendorff`` package; None if undefined."""
    import krippendorff

    if matrix.shape[1] == 0:
        return None
    present = np.unique(matrix[~np.isnan(matrix)])
    if present.size < 2:
        return None  # a single observed value: alpha is undefined (0/0)
    value = krippendorff.alpha(
        reliability_data=matrix, level_of_measurement="nominal", value_domain=list(range(n_values))
    )
    return None if math.isnan(value) else float(value)


def bootstrap_alpha(matrix: np.ndarray, n_values: int, cfg: AggregateConfig) -> list[float | None]:
    """Percentile bootstrap CI of alpha, resampling items (columns) with a seeded generator."""
    if cfg.bootstrap_samples == 0 or matrix.shape[1] < 2:
        return [None, None]
    rng = np.random.default_rng(cfg.seed)
    draws = []
    for _ in range(cfg.bootstrap_samples):
        cols = rng.integers(0, matrix.shape[1], matrix.shape[1])
        a = alpha_nominal(matrix[:, cols], n_values)
        if a is not None:
            draws.append(a)
    if not draws:
        return [None, None]
    tail = (1.0 - cfg.bootstrap_ci) / 2 * 100
    lo, hi = np.percentile(draws, [tail, 100 - tail])
    return [_r(float(lo)), _r(float(hi))]


def field_agreement(
    votes: Votes, cfg: AggregateConfig, domain: Sequence[str] | None = None
) -> dict[str, Any]:
    """Alpha (overall, with bootstrap CI, and per label one-vs-rest) and pairwise kappa for one field."""
    from sklearn.metrics import cohen_kappa_score

    values = sorted({v for item in votes.values() for v in item.values()} | set(domain or ()))
    matrix, items = reliability_matrix(votes, values)
    out: dict[str, Any] = {
        "n_items": len(votes),
        "n_items_multi": len(items),
        "n_annotators": len({a for v in votes.values() for a in v}),
        "alpha": _r(alpha_nominal(matrix, len(values))),
        "alpha_ci": bootstrap_alpha(matrix, len(values), cfg),
        "alpha_ci_level": cfg.bootstrap_ci,
        "per_label": {},
        "kappa": {},
    }
    for n, label in enumerate(values):
        binary = np.where(np.isnan(matrix), np.nan, (matrix == n).astype(float))
        out["per_label"][label] = _r(alpha_nominal(binary, 2))
    people = sorted({a for v in votes.values() for a in v})
    kappas = []
    for a, b in itertools.combinations(people, 2):
        shared = sorted(i for i, v in votes.items() if a in v and b in v)
        if len(shared) < cfg.min_pair_items:
            continue
        ya = [votes[i][a] for i in shared]
        yb = [votes[i][b] for i in shared]
        k = (
            _r(float(cohen_kappa_score(ya, yb, labels=values)))
            if len(set(ya) | set(yb)) > 1
            else None
        )
        out["kappa"][f"{a}|{b}"] = {"n_items": len(shared), "kappa": k}
        if k is not None:
            kappas.append(k)
    out["kappa_mean"] = _r(statistics.fmean(kappas)) if kappas else None
    return out


def _match(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]], threshold: float) -> int:
    """One-to-one greedy matching of spans by IoU (highest first), counting pairs >= threshold."""
    pairs = sorted(
        ((iou(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    n = 0
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            n += 1
    return n


def span_f1(annotations: pl.DataFrame, cfg: AggregateConfig) -> dict[str, Any]:
    """Pairwise span F1 between annotators over the tasks both completed, per span label.

    ``exact``: identical (start, end); ``overlap``: one-to-one matches with IoU >= span_iou.
    F1 = 2 * matches / (|A| + |B|), symmetric in the two annotators.
    """
    rows = annotations.filter(pl.col("project") == "claims")
    done: dict[str, set[str]] = defaultdict(set)
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in rows.iter_rows(named=True):
        done[r["annotator"]].add(r["task_key"])
        if (
            r["field"] in ("claim", "speaker")
            and r["value"] != NO_SPAN_VALUE
            and r["char_start"] is not None
        ):
            spans[(r["field"], r["annotator"], r["task_key"])].append(
                (r["char_start"], r["char_end"])
            )
    out: dict[str, Any] = {}
    for label in ("claim", "speaker"):
        pairs: dict[str, Any] = {}
        for a, b in itertools.combinations(sorted(done), 2):
            shared = sorted(done[a] & done[b])
            if not shared:
                continue
            na = nb = exact = overlap = 0
            for t in shared:
                sa = sorted(set(spans.get((label, a, t), [])))
                sb = sorted(set(spans.get((label, b, t), [])))
                na, nb = na + len(sa), nb + len(sb)
                exact += len(set(sa) & set(sb))
                overlap += _match(sa, sb, cfg.span_iou)
            if na + nb == 0:
                continue
            pairs[f"{a}|{b}"] = {
                "tasks": len(shared),
                "exact_f1": _r(2 * exact / (na + nb)),
                "overlap_f1": _r(2 * overlap / (na + nb)),
            }
        out[label] = {
            "pairs": pairs,
            "exact_f1_mean": _r(statistics.fmean(p["exact_f1"] for p in pairs.values()))
            if pairs
            else None,
            "overlap_f1_mean": _r(statistics.fmean(p["overlap_f1"] for p in pairs.values()))
            if pairs
            else None,
        }
    return out


def annotator_stats(
    annotations: pl.DataFrame, decisions: Mapping[str, Mapping[str, Decision]]
) -> dict[str, Any]:
    """Per annotator: tasks, items, answers compared with consensus, agreement with it, median lead time."""
    rows = annotations.filter(pl.col("project").is_in(["claims", "stance"]))
    out: dict[str, Any] = {}
    for who in sorted(set(rows["annotator"].to_list())):
        mine = rows.filter(pl.col("annotator") == who)
        leads = mine.unique("annotation_id").drop_nulls("lead_time")["lead_time"].to_list()
        compared = agreed = 0
        items: set[str] = set()
        for item, fields in decisions.items():
            for d in fields.values():
                if who in d.votes:
                    items.add(item)
                    if d.label is not None:
                        compared += 1
                        agreed += d.votes[who] == d.label
        out[who] = {
            "tasks": mine["task_key"].n_unique(),
            "items": len(items),
            "answers_compared": compared,
            "agreement_with_consensus": _r(agreed / compared) if compared else None,
            "median_lead_time": _r(statistics.median(leads), 3) if leads else None,
        }
    return out


def votes_by_field(
    decisions: Mapping[str, Mapping[str, Decision]], fields: Iterable[str]
) -> dict[str, dict[str, dict[str, str]]]:
    """field -> item -> annotator -> value, from the aggregation decisions (every vote is kept there)."""
    out: dict[str, dict[str, dict[str, str]]] = {f: {} for f in fields}
    for item, per in decisions.items():
        for f, d in per.items():
            if f in out:
                out[f][item] = dict(d.votes)
    return out
