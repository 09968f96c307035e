"""The one near-duplicate system: signature -> bands -> clusters (as datatrove's minhash).

ingest uses it to give every article a ``cluster_id``; split uses it to keep near-duplicate
articles and labelled rows in one split, and to check that no near-duplicate pair crosses
splits. Both read the one ``near_duplicates:`` params section (:class:`NearDuplicateConfig`).
"""

from __future__ import annotations

from claimset.neardup.clusters import (
    candidate_pairs,
    cluster_ids,
    clusters_from_keys,
    components,
    near_duplicate_pairs,
)
from claimset.neardup.config import NearDuplicateConfig
from claimset.neardup.signature import band_keys, optimal_bands, signatures

__all__ = [
    "NearDuplicateConfig",
    "band_keys",
    "candidate_pairs",
    "cluster_ids",
    "clusters_from_keys",
    "components",
    "near_duplicate_pairs",
    "optimal_bands",
    "signatures",
]
