"""SHA-256 hex digests of many byte ranges in one call (the ``_sha256`` kernel).

ingest hashes every raw record (``raw_sha256``) and every normalised text twice
(``text_sha256``, and ``article_id`` from the source id, a NUL and the text). One hashlib
call per value costs more in set-up and Python strings than the hashing itself; the kernel
hashes all ranges of a buffer with the GIL released and returns the hex digests as one
Arrow string buffer.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
from typing_extensions import Buffer

from claimset.ingest import _sha256
from claimset.ingest.utf8 import Utf8Column, as_utf8


def sha256_hex_array(data: Buffer, spans: Buffer, n: int) -> pa.LargeStringArray:
    """Lowercase hex SHA-256 of ``data[start:end]`` for the ``n`` int64 (start, end) pairs
    in ``spans``, as an Arrow string array."""
    return pa.LargeStringArray.from_buffers(
        n,
        pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int64)),
        pa.py_buffer(_sha256.sha256_hex(data, spans)),
    )


def sha256_of_strings(texts: pl.Series | Utf8Column, name: str | None = None) -> pl.Series:
    """Hex SHA-256 of each value's UTF-8 bytes (nulls hash as the empty string)."""
    col = as_utf8(texts)
    name = name if name is not None else getattr(texts, "name", "")
    return pl.Series(name, sha256_hex_array(col.data, col.spans(), len(col)))


def keyed_sha256(keys: pl.Series, texts: pl.Series | Utf8Column, name: str = "") -> pl.Series:
    """Hex SHA-256 of ``key + "\\0" + text`` per row (nulls as empty strings), without
    building the joined strings."""
    k, col = Utf8Column.of(keys), as_utf8(texts)
    if len(k) != len(col):
        raise ValueError(f"{len(k)} keys for {len(col)} texts")
    n = len(col)
    digests = _sha256.sha256_hex_keyed(k.data, k.spans(), col.data, col.spans())
    offsets = pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int64))
    return pl.Series(name, pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(digests)))
