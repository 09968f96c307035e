"""A string column's UTF-8 bytes as Arrow large_string buffers, for the C kernels and the
text store (no Python string per value).

polars holds strings as views; getting their bytes contiguous costs a copy of the column.
ingest makes that copy once per chunk (:class:`Utf8Column`) and hands it to the hashes, the
near-duplicate sketch and the text store.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    arr = texts.to_arrow()
    # polars exports large_string; a cast, even a no-op one, imports pyarrow.compute (~30 ms).
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    return (data if data is not None else b""), offsets


@dataclass(frozen=True)
class Utf8Column:
    """A string column's bytes (``data``) and ``len + 1`` int64 ``offsets`` into them (nulls
    as empty strings; offsets not rebased, see :func:`utf8_buffers`)."""

    data: Any
    offsets: np.ndarray

    @classmethod
    def of(cls, texts: pl.Series) -> Utf8Column:
        """The column's buffers (one copy of its bytes)."""
        return cls(*utf8_buffers(texts))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def spans(self) -> bytes:
        """Each value's ``(start, end)`` in ``data``, as int64 pairs (the kernels' layout)."""
        spans = np.empty((len(self), 2), dtype=np.int64)
        spans[:, 0], spans[:, 1] = self.offsets[:-1], self.offsets[1:]
        return spans.tobytes()


def as_utf8(texts: pl.Series | Utf8Column) -> Utf8Column:
    """``texts`` as a :class:`Utf8Column` (converted if it is a Series)."""
    return texts if isinstance(texts, Utf8Column) else Utf8Column.of(texts)
