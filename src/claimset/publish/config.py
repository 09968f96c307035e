"""The ``publish`` section of params.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PublishConfig:
    """How the release is written and what the card shows."""

    # Rows quoted per label value in the card's label definitions (taken from train, by item_id).
    examples_per_label: int = 1
    example_max_chars: int = 180
    compression: Literal["zstd", "snappy", "none"] = "zstd"
    # Hub pushes only: repositories are created private unless this is false.
    hub_private: bool = True

    def __post_init__(self) -> None:
        if self.examples_per_label < 0:
            raise ValueError("examples_per_label must be >= 0")
        if self.example_max_chars < 20:
            raise ValueError("example_max_chars must be at least 20")
