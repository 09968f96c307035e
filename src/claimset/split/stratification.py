"""Assign whole groups to splits so that sizes and label distributions match the targets.

The algorithm (documented in docs/release.md):

1. Each group is a row of a count matrix ``C`` (groups x strata); a stratum is one label
   value of one labelled field (e.g. stance=favor, claim_type=warning). Strata are
   organised in *blocks*, one per labelled field, each with a weight.
2. For an assignment ``A`` (group -> split) the split totals are ``n[s, k]``. The loss is,
   per block ``b`` with ``N_b`` rows, ``sum_{s,k in b} (n[s,k] - r_s N_k)^2 / N_b`` (label
   distribution) plus ``size_weight * sum_s (n[s,b] - r_s N_b)^2 / N_b`` (split size), plus a
   large penalty for every split with a positive ratio that receives no row of a block
   although enough groups exist.
3. Search:
   * ``order`` given (temporal split): the groups are in time order and only contiguous
     assignments (train, then validation, then test) are allowed; every pair of cut points
     is evaluated, O(G^2).
   * at most ``exhaustive_max_groups`` groups: every one of ``S**G`` assignments is scored
     (vectorised); among the assignments whose loss equals the minimum, the seed picks one.
   * otherwise: ``restarts`` runs of greedy assignment (largest group first; later restarts
     use seeded random orders) each followed by local search (move one group to another
     split while the loss drops); the best run wins, ties go to the earliest.

Everything depends only on the count matrix, the ratios and the seed, so the result is
identical across runs and machines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EMPTY_PENALTY = 1e6


@dataclass(frozen=True)
class Block:
    """Columns of the count matrix that partition the rows of one labelled field."""

    name: str
    columns: tuple[int, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_groups`."""

    splits: np.ndarray
    """group index -> split index"""
    loss: float
    method: str
    candidates: int
    """number of assignments scored"""


def _split_totals(counts: np.ndarray, splits: np.ndarray, n_splits: int) -> np.ndarray:
    out = np.zeros((n_splits, counts.shape[1]))
    np.add.at(out, splits, counts)
    return out


class _Loss:
    """Vectorised loss over split totals ``n`` of shape (..., S, K)."""

    def __init__(
        self, counts: np.ndarray, ratios: np.ndarray, blocks: Sequence[Block], size_weight: float
    ):
        self.ratios = ratios
        self.blocks = [b for b in blocks if counts[:, list(b.columns)].sum() > 0]
        self.size_weight = size_weight
        totals = counts.sum(axis=0)
        self.targets = ratios[:, None] * totals[None, :]  # (S, K)
        self.block_n = {b.name: float(totals[list(b.columns)].sum()) for b in self.blocks}
        # A split may only be required to be non-empty for a block when enough groups have rows.
        self.enforce_nonempty = {}
        positive = int((ratios > 0).sum())
        for b in self.blocks:
            groups_with_rows = int((counts[:, list(b.columns)].sum(axis=1) > 0).sum())
            self.enforce_nonempty[b.name] = groups_with_rows >= positive

    def __call__(self, n: np.ndarray) -> np.ndarray:
        loss = np.zeros(n.shape[:-2])
        for b in self.blocks:
            cols = list(b.columns)
            nb = self.block_n[b.name]
            diff = n[..., cols] - self.targets[:, cols]
            label_term = (diff**2).sum(axis=(-1, -2)) / nb
            sizes = n[..., cols].sum(axis=-1)  # (..., S)
            size_term = ((sizes - self.ratios * nb) ** 2).sum(axis=-1) / nb
            term = label_term + self.size_weight * size_term
            if self.enforce_nonempty[b.name]:
                empty = ((sizes == 0) & (self.ratios > 0)).sum(axis=-1)
                term = term + EMPTY_PENALTY * empty
            loss = loss + b.weight * term
        return loss


def assign_groups(
    counts: np.ndarray,
    ratios: Sequence[float],
    blocks: Sequence[Block],
    *,
    seed: int,
    exhaustive_max_groups: int = 10,
    restarts: int = 16,
    size_weight: float = 2.0,
    order: Sequence[int] | None = None,
) -> Assignment:
    """Assign each group (row of ``counts``) to a split index; see the module docstring."""
    counts = np.asarray(counts, dtype=float)
    r = np.asarray(ratios, dtype=float)
    n_groups, n_splits = counts.shape[0], len(r)
    loss_fn = _Loss(counts, r, blocks, size_weight)
    if n_groups == 0:
        return Assignment(np.zeros(0, dtype=np.int64), 0.0, "empty", 0)
    if order is not None:
        return _contiguous(counts, loss_fn, np.asarray(order, dtype=np.int64), n_splits)
    if n_groups <= exhaustive_max_groups:
        return _exhaustive(counts, loss_fn, n_splits, seed)
    return _local_search(counts, loss_fn, n_splits, seed, restarts)


def _exhaustive(counts: np.ndarray, loss_fn: _Loss, n_splits: int, seed: int) -> Assignment:
    n_groups = counts.shape[0]
    # All S**G assignments as base-S digits; row m is assignment m.
    m = n_splits**n_groups
    codes = np.arange(m, dtype=np.int64)
    digits = np.empty((m, n_groups), dtype=np.int64)
    for g in range(n_groups):
        digits[:, g] = codes % n_splits
        codes //= n_splits
    n = np.stack(
        [(digits == s).astype(float) @ counts for s in range(n_splits)], axis=1
    )  # (M, S, K)
    losses = loss_fn(n)
    best = losses.min()
    ties = np.flatnonzero(np.isclose(losses, best, rtol=0.0, atol=1e-9))
    pick = int(ties[np.random.default_rng(seed).integers(len(ties))])
    return Assignment(digits[pick].copy(), float(losses[pick]), "exhaustive", m)


def _contiguous(counts: np.ndarray, loss_fn: _Loss, order: np.ndarray, n_splits: int) -> Assignment:
    if n_splits != 3:
        raise ValueError("temporal (contiguous) assignment needs exactly three splits")
    g = len(order)
    best: tuple[float, int, int] | None = None
    scored = 0
    for i in range(g + 1):
        for j in range(i, g + 1):
            splits = np.empty(g, dtype=np.int64)
            splits[order[:i]] = 0
            splits[order[i:j]] = 1
            splits[order[j:]] = 2
            loss = float(loss_fn(_split_totals(counts, splits, n_splits)))
            scored += 1
            if best is None or loss < best[0] - 1e-12:
                best = (loss, i, j)
    assert best is not None
    _, i, j = best
    splits = np.empty(g, dtype=np.int64)
    splits[order[:i]], splits[order[i:j]], splits[order[j:]] = 0, 1, 2
    return Assignment(splits, best[0], "temporal", scored)


def _local_search(
    counts: np.ndarray, loss_fn: _Loss, n_splits: int, seed: int, restarts: int
) -> Assignment:
    rng = np.random.default_rng(seed)
    n_groups = counts.shape[0]
    sizes = counts.sum(axis=1)
    best: Assignment | None = None
    scored = 0
    eye = np.eye(n_splits)
    for run in range(restarts):
        # Run 0: largest groups first, ties by index (stable sort); later runs: seeded orders.
        order = np.argsort(-sizes, kind="stable") if run == 0 else rng.permutation(n_groups)
        splits = np.full(n_groups, -1, dtype=np.int64)
        n = np.zeros((n_splits, counts.shape[1]))
        for g in order:
            # Score every split for this group at once: (S, S, K) candidate totals.
            cand = n[None, :, :] + eye[:, :, None] * counts[g][None, None, :]
            losses = loss_fn(cand)
            scored += n_splits
            s = int(np.argmin(losses))
            splits[g] = s
            n = cand[s]
        current = float(loss_fn(n))
        improved = True
        while improved:
            improved = False
            for g in range(n_groups):
                s0 = splits[g]
                cand = (
                    n[None, :, :]
                    - eye[s0][None, :, None] * counts[g][None, None, :]
                    + eye[:, :, None] * counts[g][None, None, :]
                )
                losses = loss_fn(cand)
                scored += n_splits
                s = int(np.argmin(losses))
                if losses[s] < current - 1e-9:
                    splits[g] = s
                    n = cand[s]
                    current = float(losses[s])
                    improved = True
        if best is None or current < best.loss - 1e-9:
            best = Assignment(splits.copy(), current, "local_search", 0)
    assert best is not None
    return Assignment(best.splits, best.loss, "local_search", scored)
