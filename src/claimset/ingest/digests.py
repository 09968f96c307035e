"""SHA-256 hex digests of many values (``hashlib``).

ingest hashes every raw record (``raw_sha256``) and every normalised text twice
(``text_sha256``, and ``article_id`` from the source id, a NUL and the text). hashlib
releases the GIL on values of 2 KiB and more, so the chunks ingest prepares on threads hash
in parallel.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable

import numpy as np
import polars as pl
import pyarrow as pa


def sha256_hex(values: Iterable[bytes | memoryview]) -> list[str]:
    """Lowercase hex SHA-256 of each bytes-like value."""
    sha = hashlib.sha256
    return [sha(v).hexdigest() for v in values]


def text_and_keyed_sha256(keys: pl.Series, texts: pl.Series) -> tuple[list[str], list[str]]:
    """Hex SHA-256 of each text, and of ``key + "\\0" + text``, in one pass over the texts."""
    if len(keys) != len(texts):
        raise ValueError(f"{len(keys)} keys for {len(texts)} texts")
    sha = hashlib.sha256
    plain, keyed = [], []
    for k, t in zip(_utf8(keys), _utf8(texts), strict=True):
        plain.append(sha(t).hexdigest())
        h = sha(k)
        h.update(b"\0")
        h.update(t)
        keyed.append(h.hexdigest())
    return plain, keyed


def _utf8(s: pl.Series) -> list[memoryview]:
    """Each value's UTF-8 bytes (nulls as empty), as views of one Arrow buffer: no Python
    string or bytes object per value."""
    arr = s.cast(pl.String).fill_null("").to_arrow()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    view = memoryview(data if data is not None else b"")
    bounds = offsets.tolist()
    return [view[a:b] for a, b in itertools.pairwise(bounds)]
