"""Article text kept on disk, not in memory, between reading and writing.

The articles file is sorted by ``article_id``, so no row can be written before every text
has been read and hashed. Instead of holding the whole corpus in memory until then, each
chunk's texts are appended to an unlinked temporary file as they are prepared (on the
thread that prepared them); the writer reads back the few megabytes of one row group at a
time with plain file reads (a memory map would count every page it touches in the
process's resident set, i.e. the whole corpus by the end of the write). Only a position
and a length per text stay in memory. The bytes read back are the bytes written (UTF-8), so outputs are unchanged; the
file lives in the page cache, not in the process.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from types import TracebackType

import numpy as np
import polars as pl
import pyarrow as pa


class TextStore:
    """Append-only store of strings; rows are read back by (position, length).

    ``append`` may be called from several threads at once (each call writes its texts as
    one block under a lock). Where a text lands depends on which call came first; what is
    read back does not.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        # Closed by close() / the context manager, not by a with block here.
        self._fh = tempfile.TemporaryFile(dir=directory, prefix=".claimset-texts-")  # noqa: SIM115
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

    def append(self, texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
        """Store ``texts`` (nulls as empty); return each one's (position, byte length)."""
        arr = texts.cast(pl.String).fill_null("").to_arrow()
        if arr.type != pa.large_string():
            arr = arr.cast(pa.large_string())
        n = len(arr)
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
        lo, hi = int(offsets[0]), int(offsets[-1]) if n else 0
        data = arr.buffers()[2]
        with self._lock:
            start = self._size
            if hi > lo:
                self._fh.seek(start)
                self._fh.write(memoryview(data)[lo:hi])
            self._size += max(hi - lo, 0)
        positions = offsets[:-1] - lo + start
        return positions.astype(np.int64), np.diff(offsets).astype(np.int64)

    def read(self, positions: np.ndarray, lengths: np.ndarray) -> pl.Series:
        """The strings at ``positions`` (with ``lengths``), in that order."""
        positions = np.asarray(positions, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if len(positions) and (positions.min() < 0 or lengths.min() < 0):
            bad = int(positions.min() if positions.min() < 0 else lengths.min())
            raise ValueError(f"position {bad} or a length is negative")
        if len(positions) and int((positions + lengths).max()) > self._size:
            raise OSError(f"a text runs past the end of the file ({self._size} bytes)")
        fh = self._fh
        with self._lock:
            fh.flush()
            parts = []
            for p, n in zip(positions.tolist(), lengths.tolist(), strict=True):
                fh.seek(p)
                parts.append(fh.read(n))
        data = b"".join(parts)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        arr = pa.LargeStringArray.from_buffers(
            len(lengths), pa.py_buffer(offsets), pa.py_buffer(data)
        )
        # The bytes are those append() took from polars strings: valid UTF-8, not re-checked.
        return pl.Series(arr, dtype=pl.String)
