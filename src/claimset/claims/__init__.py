"""Claim candidates: attribution frames, speakers, cues, category and check-worthiness prior.

``propose_all`` is imported lazily (PEP 562) so that ``claimset.stance`` can use helpers from
this package without a circular import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["propose_all", "propose_all_with_stats"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from claimset.claims import propose

        return getattr(propose, name)
    raise AttributeError(f"module 'claimset.claims' has no attribute {name!r}")
