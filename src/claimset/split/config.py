"""The ``split`` section of params.yaml."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SplitRatios:
    """Target share of labelled rows per split; must sum to 1."""

    train: float = 0.7
    validation: float = 0.15
    test: float = 0.15

    def __post_init__(self) -> None:
        values = (self.train, self.validation, self.test)
        if any(v < 0 for v in values):
            raise ValueError("ratios must be non-negative")
        if not math.isclose(sum(values), 1.0, abs_tol=1e-6):
            raise ValueError(f"ratios must sum to 1, got {sum(values):.4f}")

    def as_dict(self) -> dict[str, float]:
        """Split name -> ratio, in canonical split order."""
        return {"train": self.train, "validation": self.validation, "test": self.test}


@dataclass(frozen=True)
class SplitConfig:
    """How labelled rows are grouped and assigned to train/validation/test.

    Rows of one article are always kept together, and so are articles of one
    near-duplicate cluster (``cluster_id`` from ingest, plus a pass of the near-duplicate
    system over the labelled articles and rows, with the ``near_duplicates:`` params).
    ``group_by_source`` additionally keeps each source in a single split;
    ``date_window_days`` keeps each publication-date window together, and
    ``temporal: true`` assigns those windows chronologically (oldest to train, newest to test).
    """

    seed: int = 13
    ratios: SplitRatios = field(default_factory=SplitRatios)
    group_by_source: bool = False
    date_window_days: int | None = None
    temporal: bool = False
    # Groups up to this count are assigned by exhaustive search (3**n assignments);
    # larger inputs use seeded restarts of a greedy assignment plus local search.
    exhaustive_max_groups: int = 10
    restarts: int = 16
    # Weight of split-size error relative to label-distribution error in the objective.
    size_weight: float = 2.0
    # Weight of the group-count (articles per split) term relative to one labelled config.
    group_weight: float = 0.5
    fail_on_leakage: bool = True
    # Run claimset.validate's ``splits`` suite (Great Expectations) on the outputs.
    validation_gate: bool = True
    on_missing_article: Literal["error", "own_group"] = "error"
    # A corpus too small for the ratios: an empty split (or a split missing a label value)
    # either stops the stage ("fail") or is released and named in splits.json and the card.
    on_empty_split: Literal["publish", "fail"] = "publish"
    on_missing_label: Literal["publish", "fail"] = "publish"

    def __post_init__(self) -> None:
        if self.date_window_days is not None and self.date_window_days < 1:
            raise ValueError("date_window_days must be at least 1")
        if self.temporal and self.date_window_days is None:
            raise ValueError("temporal: true needs date_window_days")
        if self.exhaustive_max_groups > 12:
            raise ValueError(
                "exhaustive_max_groups above 12 would enumerate more than 531441 assignments"
            )
        if self.restarts < 1:
            raise ValueError("restarts must be at least 1")
