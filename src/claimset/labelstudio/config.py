"""Params section ``tasks``: how Label Studio task files are built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TasksConfig:
    """Options of the ``tasks`` stage."""

    # Characters of article text shown around a stance text as its context (each side).
    stance_context_chars: int = 600
    # Pre-fill the check-worthy choice when the prior is at least this (yes) / below (no).
    checkworthy_threshold: float = 0.5
    # Skip claims tasks whose paragraph has no candidate (the contract: one task per paragraph
    # with at least one candidate). Kept as a switch for projects that want every paragraph.
    claims_paragraphs_without_candidates: bool = False
    # Body paragraphs before a claims task shown above it as read-only context; extended back
    # to the paragraph that names a pronoun speaker when that name is not in them.
    claims_context_paragraphs: int = 2
