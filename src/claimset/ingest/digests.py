"""SHA-256 hex digests of many byte ranges in one call (the ``_sha256`` kernel).

ingest hashes every raw record (``raw_sha256``) and every normalised text twice
(``text_sha256``, ``article_id``). One hashlib call per value costs more in set-up and
Python strings than the hashing itself; the kernel hashes all ranges of a buffer with the
GIL released and returns the hex digests as one Arrow string buffer.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
from typing_extensions import Buffer

from claimset.ingest import _sha256
from claimset.ingest.utf8 import utf8_buffers


def sha256_hex_array(data: Buffer, spans: Buffer, n: int) -> pa.LargeStringArray:
    """Lowercase hex SHA-256 of ``data[start:end]`` for the ``n`` int64 (start, end) pairs
    in ``spans``, as an Arrow string array."""
    return pa.LargeStringArray.from_buffers(
        n,
        pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int64)),
        pa.py_buffer(_sha256.sha256_hex(data, spans)),
    )


def sha256_of_strings(texts: pl.Series) -> pl.Series:
    """Hex SHA-256 of each value's UTF-8 bytes (nulls hash as the empty string)."""
    data, offsets = utf8_buffers(texts)
    n = len(texts)
    spans = np.empty((n, 2), dtype=np.int64)
    spans[:, 0], spans[:, 1] = offsets[:-1], offsets[1:]
    return pl.Series(texts.name, sha256_hex_array(data, spans.tobytes(), n))
