"""Near-duplicate sketches written straight from neardup's definition, one text and one word
at a time: the oracle the C kernel (``claimset.ingest._sketch``) must equal bit for bit."""

from __future__ import annotations

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
