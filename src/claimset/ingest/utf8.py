"""A string column's UTF-8 bytes as Arrow large_string buffers, for the C kernels and the
text store (no Python string per value)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa


def utf8_buffers(texts: pl.Series) -> tuple[Any, np.ndarray]:
    """``(data, offsets)``: the data buffer and the ``len(texts) + 1`` int64 offsets of each
    value in it (nulls as empty strings).

    The offsets are not rebased: for a sliced Series they start where its first value does.
    """
    if texts.null_count():
        texts = texts.fill_null("")
    arr = texts.to_arrow().cast(pa.large_string())
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    return (data if data is not None else b""), offsets
