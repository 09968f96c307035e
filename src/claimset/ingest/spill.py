"""Article text kept on disk, not in memory, between reading and writing.

The articles file is sorted by ``article_id``, so no row can be written before every text
has been read and hashed. Instead of holding the whole corpus in memory until then, each
chunk's texts are appended to an unlinked temporary file as they are prepared (on the
thread that prepared them); the writer
reads back the few megabytes of one row group at a time. Only a position and a length per
text stay in memory. The bytes read back are the bytes written (UTF-8), so outputs are
unchanged; the file lives in the page cache, not in the process.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest import _store
from claimset.ingest.utf8 import Utf8Column, as_utf8


class TextStore:
    """Append-only store of non-null strings; rows are read back by (position, length).

    ``append`` may be called from several threads at once: each call reserves its range
    of the file under a lock and writes it without the lock (``os.pwrite`` releases the
    GIL). Where a text lands depends on which call came first; what is read back does not.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        # Closed by close() / the context manager, not by a with block here. Written and
        # read by position on its descriptor only (never through the Python buffer).
        self._fh = tempfile.TemporaryFile(dir=directory, prefix=".claimset-texts-")  # noqa: SIM115
        self._fd = self._fh.fileno()
        self._size = 0
        self._lock = threading.Lock()

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
        with self._lock:
            start = self._size
            self._size += hi - lo
        data = memoryview(buf)[lo:hi]
        done = 0
        while done < len(data):
            done += os.pwrite(self._fd, data[done:], start + done)
        positions = offsets[:-1] - lo + start
        return positions.astype(np.int64), np.diff(offsets).astype(np.int64)

    def read(self, positions: np.ndarray, lengths: np.ndarray) -> pl.Series:
        """The strings at ``positions`` (with ``lengths``), in that order.

        One kernel call reads them all without the GIL (no Python object per string), so
        the read overlaps the parquet writer's compression on the other threads.
        """
        offsets, data = _store.gather(
            self._fd,
            np.ascontiguousarray(positions, dtype=np.int64).data,
            np.ascontiguousarray(lengths, dtype=np.int64).data,
        )
        arr = pa.LargeStringArray.from_buffers(
            len(positions), pa.py_buffer(offsets), pa.py_buffer(data)
        )
        # The bytes are those append() took from polars strings: valid UTF-8, not re-checked.
        return pl.Series(arr, dtype=pl.String)
