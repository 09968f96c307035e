"""Article text kept on disk, not in memory, between reading and writing.

The articles file is sorted by ``article_id``, so no row can be written before every text
has been read and hashed. Instead of holding the whole corpus in memory until then, each
chunk's texts are appended to an unlinked temporary file as they are prepared; the writer
reads back the few megabytes of one row group at a time. Only a position and a length per
text stay in memory. The bytes read back are the bytes written (UTF-8), so outputs are
unchanged; the file lives in the page cache, not in the process.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np
import polars as pl

from claimset.ingest.utf8 import utf8_buffers


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

    def append(self, texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
        """Store ``texts`` (nulls as empty); return each one's (position, byte length)."""
        buf, offsets = utf8_buffers(texts)
        lo, hi = int(offsets[0]), int(offsets[-1])
        if hi > lo:
            self._fh.seek(self._size)
            self._fh.write(memoryview(buf)[lo:hi])
        positions = offsets[:-1] - lo + self._size
        self._size += hi - lo
        return positions.astype(np.int64), np.diff(offsets).astype(np.int64)

    def read(self, positions: np.ndarray, lengths: np.ndarray) -> pl.Series:
        """The strings at ``positions`` (with ``lengths``), in that order."""
        self._fh.flush()
        fd = self._fh.fileno()
        values = [
            os.pread(fd, n, p) if n else b""
            for p, n in zip(positions.tolist(), lengths.tolist(), strict=True)
        ]
        return pl.Series(values, dtype=pl.Binary).cast(pl.String)
