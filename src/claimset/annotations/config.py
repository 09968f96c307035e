"""The ``aggregate`` section of ``params.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class AggregateConfig:
    """How annotations become gold labels and how agreement is measured.

    ``method`` picks crowd-kit's MajorityVote or DawidSkene. Items answered by fewer than
    ``min_annotators`` people, and ties, go to the unresolved queue. Imported gold sources
    (one expert "annotator", e.g. FNC-1) need only ``import_min_annotators``.
    """

    method: Literal["majority", "dawid_skene"] = "majority"
    min_annotators: int = 2
    import_min_annotators: int = 1
    # Two CLAIM/SPEAKER spans of different annotators denote the same item when their
    # character IoU (intersection over union) is at least this.
    span_iou: float = 0.5
    dawid_skene_iterations: int = 100
    # Two labels whose aggregated probabilities differ by less than this count as a tie.
    tie_epsilon: float = 1e-9
    bootstrap_samples: int = 1000
    bootstrap_ci: float = 0.95
    seed: int = 13
    # Pairs of annotators sharing fewer items than this get no Cohen's kappa.
    min_pair_items: int = 5
    # Name given to the FNC-1 import when it acts as one expert annotator.
    gold_annotator: str = "fnc-1@import.invalid"

    def __post_init__(self) -> None:
        if self.min_annotators < 1 or self.import_min_annotators < 1:
            raise ValueError("min_annotators and import_min_annotators must be >= 1")
        if not 0.0 < self.span_iou <= 1.0:
            raise ValueError("span_iou must be in (0, 1]")
        if not 0.0 < self.bootstrap_ci < 1.0:
            raise ValueError("bootstrap_ci must be in (0, 1)")
        if self.bootstrap_samples < 0:
            raise ValueError("bootstrap_samples must be >= 0")
