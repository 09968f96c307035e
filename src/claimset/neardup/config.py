"""The ``near_duplicates:`` section of ``params.yaml`` (read by ingest and split alike)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NearDuplicateConfig:
    """MinHash over word shingles, LSH banding, verified pairs, connected components."""

    threshold: float = 0.8  # estimated Jaccard similarity of the word-shingle sets
    num_perm: int = 128  # signature length
    shingle_words: int = 5  # words per shingle
    seed: int = 1  # seed of the shingle hash (xxh3-64)

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm < 16:
            raise ValueError(f"num_perm must be >= 16, got {self.num_perm}")
        if self.shingle_words < 1:
            raise ValueError(f"shingle_words must be >= 1, got {self.shingle_words}")
        if not 0 <= self.seed < 2**64:
            raise ValueError(f"seed must be in [0, 2**64), got {self.seed}")
