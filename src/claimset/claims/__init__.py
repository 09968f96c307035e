"""Claim candidates: attribution frames, speakers, cues, category and check-worthiness prior."""

from claimset.claims.propose import propose_all, propose_all_with_stats

__all__ = ["propose_all", "propose_all_with_stats"]
