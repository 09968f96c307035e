"""Group articles that must never be separated by a split.

A group is a connected component (``claimset.neardup.components``) of these "must stay
together" relations:

* rows of one article (always);
* articles of one near-duplicate cluster (``cluster_id`` from ingest, always);
* articles whose texts, or whose labelled rows' texts, are near-duplicates according to
  the near-duplicate system (:mod:`claimset.neardup`, the one ingest uses, with the same
  ``near_duplicates:`` params) run here over the labelled articles and rows (always; this
  catches duplicates ingest could not see, e.g. the same quote in two differently worded
  articles);
* articles of one source (``group_by_source``);
* articles published in one date window (``date_window_days``).

Group ids are ``g-`` + the smallest article id in the group, so they do not depend on
row order or hash seeds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from claimset.neardup import NearDuplicateConfig, components, near_duplicate_pairs
from claimset.neardup.clusters import least_per_component
from claimset.split.config import SplitConfig

_EPOCH = dt.date(1970, 1, 1)
UNDATED = "undated"


def date_window(published_at: str | None, days: int) -> str:
    """Window label for an ISO date: ``w<index>`` counted in ``days`` from 1970-01-01."""
    if not published_at:
        return UNDATED
    try:
        day = dt.date.fromisoformat(str(published_at)[:10])
    except ValueError:
        return UNDATED
    return f"w{(day - _EPOCH).days // days:06d}"


@dataclass(frozen=True)
class ArticleInfo:
    """What grouping needs to know about one article."""

    article_id: str
    cluster_id: str | None = None
    source: str | None = None
    published_at: str | None = None
    text: str | None = None


@dataclass
class Grouping:
    """Result of :func:`build_groups`."""

    group_of: dict[str, str]
    """article_id -> group_id"""
    merges: dict[str, int] = field(default_factory=dict)
    """reason -> number of unions that joined two previously separate groups"""
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    """(key a, key b, jaccard) pairs found by the MinHash pass"""
    windows: dict[str, str] = field(default_factory=dict)
    """article_id -> date window (only with date_window_days)"""

    @property
    def n_groups(self) -> int:
        """Number of distinct groups."""
        return len(set(self.group_of.values()))


def build_groups(
    articles: Sequence[ArticleInfo],
    row_texts: Sequence[tuple[str, str]],
    cfg: SplitConfig,
    near_duplicates: NearDuplicateConfig,
) -> Grouping:
    """Join articles into groups that must land in one split.

    ``row_texts`` holds ``(article_id, text)`` for every labelled row; near-duplicate row
    texts in different articles join those articles. ``merges`` counts, per reason (in the
    order below), the joins of two groups that were separate until then.
    """
    ids = sorted({a.article_id for a in articles})
    index = {aid: i for i, aid in enumerate(ids)}
    edges: list[tuple[int, int]] = []
    merges: dict[str, int] = {}
    groups = len(ids)

    def join(reason: str, pairs: Sequence[tuple[str, str]]) -> None:
        nonlocal groups
        edges.extend((index[a], index[b]) for a, b in pairs)
        now = int(components(len(ids), np.array(edges, dtype=np.int64)).max(initial=-1)) + 1
        merges[reason] = groups - now
        groups = now

    def same_key(keys: dict[str, str | None]) -> list[tuple[str, str]]:
        first: dict[str, str] = {}
        out = []
        for aid in sorted(keys):
            key = keys[aid]
            if key is None:
                continue
            out.append((first.setdefault(key, aid), aid))
        return out

    join("cluster", same_key({a.article_id: a.cluster_id for a in articles}))
    if cfg.group_by_source:
        join("source", same_key({a.article_id: a.source or "<unknown source>" for a in articles}))
    else:
        merges["source"] = 0
    windows: dict[str, str] = {}
    if cfg.date_window_days is not None:
        windows = {
            a.article_id: date_window(a.published_at, cfg.date_window_days) for a in articles
        }
        join("date_window", same_key(dict(windows)))
    else:
        merges["date_window"] = 0

    found: list[tuple[str, str, float]] = []
    with_text = sorted((a.article_id, a.text) for a in articles if a.text)
    for i, j, sim in near_duplicate_pairs([t for _, t in with_text], near_duplicates):
        found.append((with_text[i][0], with_text[j][0], sim))
    join("near_duplicate_article", [(a, b) for a, b, _ in found])
    rows = sorted(row_texts)
    row_found = []
    for i, j, sim in near_duplicate_pairs([t for _, t in rows], near_duplicates):
        a, b = rows[i][0], rows[j][0]
        if a != b:
            row_found.append((a, b, sim))
    join("near_duplicate_row", [(a, b) for a, b, _ in row_found])
    found += row_found
    labels = components(len(ids), np.array(edges, dtype=np.int64))
    group_of = {
        aid: f"g-{rep}" for aid, rep in zip(ids, least_per_component(ids, labels), strict=True)
    }
    order = ("cluster", "near_duplicate_article", "near_duplicate_row", "source", "date_window")
    return Grouping(
        group_of=group_of,
        merges={k: merges[k] for k in order},
        near_duplicates=sorted(set(found)),
        windows=windows,
    )
