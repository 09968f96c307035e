"""Article text kept on disk, not in memory, between reading and writing.

The articles file is sorted by ``article_id``, so no row can be written before every text
has been read and hashed. Instead of holding the whole corpus in memory until then, each
chunk's texts are appended to an unlinked temporary file as they are prepared; the writer
reads back the few megabytes of one row group at a time. Only a position and a length per
text stay in memory. The bytes read back are the bytes written (UTF-8), so outputs are
unchanged; the file lives in the page cache, not in the process.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest import _store
from claimset.ingest.utf8 import Utf8Column, as_utf8


class TextStore:
    """Append-only store of non-null strings; rows are read back by (position, length)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        # Closed by close() / the context manager, not by a with block here.
        self._fh = tempfile.TemporaryFile(dir=directory, prefix=".claimset-texts-")  # noqa: SIM115
        self._size = 0

    def __enter__(self) -> TextStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Delete the file (it has no name; closing frees it)."""
        self._fh.close()

    def append(self, texts: pl.Series | Utf8Column) -> tuple[np.ndarray, np.ndarray]:
        """Store ``texts`` (nulls as empty); return each one's (position, byte length)."""
        col = as_utf8(texts)
        buf, offsets = col.data, col.offsets
        lo, hi = int(offsets[0]), int(offsets[-1])
        if hi > lo:
            self._fh.seek(self._size)
            self._fh.write(memoryview(buf)[lo:hi])
        positions = offsets[:-1] - lo + self._size
        self._size += hi - lo
        return positions.astype(np.int64), np.diff(offsets).astype(np.int64)

    def read(self, positions: np.ndarray, lengths: np.ndarray) -> pl.Series:
        """The strings at ``positions`` (with ``lengths``), in that order.

        One kernel call reads them all without the GIL (no Python object per string), so
        the read overlaps the parquet writer's compression on the other threads.
        """
        self._fh.flush()
        offsets, data = _store.gather(
            self._fh.fileno(),
            np.ascontiguousarray(positions, dtype=np.int64).data,
            np.ascontiguousarray(lengths, dtype=np.int64).data,
        )
        arr = pa.LargeStringArray.from_buffers(
            len(positions), pa.py_buffer(offsets), pa.py_buffer(data)
        )
        # The bytes are those append() took from polars strings: valid UTF-8, not re-checked.
        return pl.Series(arr, dtype=pl.String)
