"""The ``segment:`` section of ``params.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SegmentConfig:
    """Sentence splitter settings (the rule lists themselves live in claimset.segment.rules)."""

    # Extra abbreviations (lower case, with their final dot, e.g. "approx.") that never end
    # a sentence; matched case-insensitively.
    extra_abbreviations: tuple[str, ...] = ()
    # A single newline inside a paragraph (no full stop before it):
    #   auto   - ends the sentence unless the text clearly runs on (next line starts lower
    #            case, or the line ends with a comma, hyphen or a word like "the"/"and");
    #   always - every line is its own unit; never - only bullet lines are split off.
    newline_policy: Literal["auto", "always", "never"] = "auto"

    def __post_init__(self) -> None:
        for a in self.extra_abbreviations:
            if not a.endswith(".") or a != a.lower() or " " in a:
                raise ValueError(
                    f"extra_abbreviations: {a!r} must be lower case, end with '.', no spaces"
                )
