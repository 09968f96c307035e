"""Near-duplicate sketches written straight from neardup's definition, one text and one word
at a time: the oracle the C kernel (``claimset.ingest._sketch``) must equal bit for bit."""

from __future__ import annotations

import itertools

import numpy as np

from claimset.ingest.config import NearDuplicateConfig

MIX = np.uint64(0x9E3779B97F4A7C15)
EMPTY = np.iinfo(np.uint64).max


def reference_signatures(texts: list[str | None], cfg: NearDuplicateConfig) -> np.ndarray:
    """``(len(texts), num_perm)`` densified one-permutation MinHash values (None as "")."""
    m, k = cfg.num_perm, cfg.shingle_words
    seed = np.uint64((cfg.seed * int(MIX)) % (1 << 64))
    sig = np.full((len(texts), m), EMPTY, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row, text in enumerate(texts):
            raw = (text or "").encode("utf-8")
            words = [w for w in bytes(b if b > 32 else 32 for b in raw).split(b" ") if w]
            hs = []
            for w in words:
                head = bytes(b + 32 if 65 <= b <= 90 else b for b in w[:8]).ljust(8, b"\0")
                h = np.frombuffer(head, dtype="<u8")[0] * MIX + np.uint64(len(w))
                h ^= h >> np.uint64(29)
                hs.append((h * MIX) ^ seed)
            if len(hs) >= k:
                shingles = []
                for i in range(len(hs) - k + 1):
                    s = hs[i]
                    for j in range(1, k):
                        s = s * MIX + hs[i + j]
                    shingles.append(s)
            else:
                shingles = hs
            for s in shingles:
                s = s * MIX
                s ^= s >> np.uint64(31)
                b = int(s % np.uint64(m))
                sig[row, b] = min(sig[row, b], s // np.uint64(m))
            filled = [c for c in range(m) if sig[row, c] != EMPTY]
            if filled:
                for c in range(m):
                    if sig[row, c] == EMPTY:
                        src = next(c + d for d in range(1, m + 1) if (c + d) % m in filled)
                        sig[row, c] = sig[row, src % m] + np.uint64(src - c) * MIX
    return sig


def reference_keys(sig: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """``(rows, bands)`` LSH keys: per band, ``key = key * MIX + value`` from 0."""
    keys = np.zeros((sig.shape[0], len(ranges)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band, (lo, hi) in enumerate(ranges):
            for j in range(lo, hi):
                keys[:, band] = keys[:, band] * MIX + sig[:, j]
    return keys


def reference_pairs(keys: np.ndarray, max_bucket_pairs: int = 64) -> set[tuple[int, int]]:
    """Rows sharing a key in some band: all pairs of a bucket, or consecutive members of a
    bucket of more than ``max_bucket_pairs`` rows."""
    out: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = {}
        for row, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(row)
        for rows in buckets.values():
            if len(rows) > max_bucket_pairs:
                out.update(itertools.pairwise(rows))
            else:
                out.update((a, b) for i, a in enumerate(rows) for b in rows[i + 1 :])
    return out


def reference_clusters(ids: list[str], pairs: set[tuple[int, int]]) -> list[str]:
    """For each row, the smallest id among the rows connected to it by ``pairs``."""
    links: dict[int, set[int]] = {i: set() for i in range(len(ids))}
    for a, b in pairs:
        links[a].add(b)
        links[b].add(a)
    out = list(ids)
    seen: set[int] = set()
    for start in range(len(ids)):
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            x = todo.pop()
            group.append(x)
            for y in links[x] - seen:
                seen.add(y)
                todo.append(y)
        first = min(ids[i] for i in group)
        for i in group:
            out[i] = first
    return out
