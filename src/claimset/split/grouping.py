"""Group articles that must never be separated by a split.

A group is the transitive closure (union-find) of these "must stay together" relations:

* rows of one article (always);
* articles of one near-duplicate cluster (``cluster_id`` from ingest, always);
* articles whose texts, or whose labelled rows' texts, are near-duplicates according to
  the MinHash pass here (always; this catches duplicates ingest could not see, e.g. the
  same quote in two differently worded articles);
* articles of one source (``group_by_source``);
* articles published in one date window (``date_window_days``).

Group ids are ``g-`` + the smallest article id in the group, so they do not depend on
row order or hash seeds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claimset.split.config import MinHashConfig, SplitConfig

_SPACE = re.compile(r"\s+")
_EPOCH = dt.date(1970, 1, 1)
UNDATED = "undated"


class UnionFind:
    """Union-find over string keys with deterministic representatives (the smallest key)."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._parent: dict[str, str] = {}
        for k in keys:
            self.add(k)

    def add(self, key: str) -> None:
        """Register ``key`` as its own singleton set if unseen."""
        self._parent.setdefault(key, key)

    def find(self, key: str) -> str:
        """Representative of ``key``'s set (path-halving)."""
        parent = self._parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a: str, b: str) -> bool:
        """Join the sets of ``a`` and ``b``; True when they were distinct."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        # The smaller key wins so that the representative is order-independent.
        lo, hi = (ra, rb) if ra < rb else (rb, ra)
        self._parent[hi] = lo
        return True

    def groups(self) -> dict[str, str]:
        """key -> representative for every key."""
        return {k: self.find(k) for k in sorted(self._parent)}


def normalise_text(text: str) -> str:
    """Lower-case, NFKC, whitespace-collapsed text used for near-duplicate comparison."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def shingles(text: str, k: int) -> set[str]:
    """Character k-shingles of normalised ``text`` (the whole text when shorter than k)."""
    norm = normalise_text(text)
    if len(norm) <= k:
        return {norm}
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicate_pairs(texts: Sequence[str], cfg: MinHashConfig) -> list[tuple[int, int, float]]:
    """Index pairs ``(i, j, jaccard)`` with ``i < j`` whose texts are near-duplicates.

    MinHash LSH proposes candidates; each candidate is confirmed with the exact Jaccard
    similarity of the shingle sets, so the result does not depend on LSH false positives.
    Texts shorter than ``cfg.min_chars`` only match on equal normalised text.
    """
    from datasketch import MinHash, MinHashLSH

    pairs: set[tuple[int, int]] = set()
    short: dict[str, list[int]] = {}
    sets: dict[int, set[str]] = {}
    lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm)
    for i, text in enumerate(texts):
        norm = normalise_text(text)
        if len(norm) < cfg.min_chars:
            short.setdefault(norm, []).append(i)
            continue
        sh = shingles(norm, cfg.shingle_chars)
        sets[i] = sh
        # seed=1 is datasketch's default: fixed permutations, identical on every machine.
        mh = MinHash(num_perm=cfg.num_perm, seed=1)
        mh.update_batch([s.encode("utf-8") for s in sorted(sh)])
        for j in lsh.query(mh):
            pairs.add((min(i, int(j)), max(i, int(j))))
        lsh.insert(str(i), mh)
    out: list[tuple[int, int, float]] = []
    for i, j in sorted(pairs):
        sim = jaccard(sets[i], sets[j])
        if sim >= cfg.threshold:
            out.append((i, j, round(sim, 6)))
    for members in short.values():
        if len(members) > 1:
            out.extend((a, b, 1.0) for k, a in enumerate(members) for b in members[k + 1 :])
    return sorted(out)


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
) -> Grouping:
    """Union articles into groups that must land in one split.

    ``row_texts`` holds ``(article_id, text)`` for every labelled row; near-duplicate row
    texts in different articles join those articles.
    """
    uf = UnionFind(a.article_id for a in articles)
    merges = {
        "cluster": 0,
        "near_duplicate_article": 0,
        "near_duplicate_row": 0,
        "source": 0,
        "date_window": 0,
    }

    def join_by(reason: str, keys: dict[str, str | None]) -> None:
        first: dict[str, str] = {}
        for aid in sorted(keys):
            key = keys[aid]
            if key is None:
                continue
            if key in first:
                merges[reason] += int(uf.union(first[key], aid))
            else:
                first[key] = aid

    join_by("cluster", {a.article_id: a.cluster_id for a in articles})
    if cfg.group_by_source:
        join_by("source", {a.article_id: a.source or "<unknown source>" for a in articles})
    windows: dict[str, str] = {}
    if cfg.date_window_days is not None:
        windows = {
            a.article_id: date_window(a.published_at, cfg.date_window_days) for a in articles
        }
        join_by("date_window", dict(windows))

    found: list[tuple[str, str, float]] = []
    with_text = sorted((a.article_id, a.text) for a in articles if a.text)
    for i, j, sim in near_duplicate_pairs([t for _, t in with_text], cfg.minhash):
        a, b = with_text[i][0], with_text[j][0]
        found.append((a, b, sim))
        merges["near_duplicate_article"] += int(uf.union(a, b))
    rows = sorted(row_texts)
    for i, j, sim in near_duplicate_pairs([t for _, t in rows], cfg.minhash):
        a, b = rows[i][0], rows[j][0]
        if a != b:
            found.append((a, b, sim))
            merges["near_duplicate_row"] += int(uf.union(a, b))
    group_of = {aid: f"g-{rep}" for aid, rep in uf.groups().items()}
    return Grouping(
        group_of=group_of, merges=merges, near_duplicates=sorted(set(found)), windows=windows
    )
