"""Test oracle: the CSV fast path as it was before the C scanner (claimset.ingest._csv).

Kept as it was (only this paragraph is new; the parts the kernel did not replace are
imported from fast_csv) so that tests/ingest/test_csv_kernel.py can check that the
kernel-based ``claimset.ingest.fast_csv`` cuts the same chunks, returns identical frames and
asks for the slow path on exactly the same inputs. Not used by ``src/``.

Fast path for large, well-formed UTF-8 CSV files: polars parses, numpy finds records.

The standard-library reader in :mod:`claimset.ingest.read_csv` handles every CSV but runs
at about 40 MB/s and holds every body as a Python string. For the common case (valid UTF-8,
balanced quotes, every row as wide as the header, only plain-text fields mapped) this path
parses with polars and locates each record's bytes with vectorised quote-parity
arithmetic, so that ``origin_line`` and ``raw_sha256`` are identical to the slow path.
Anything unusual returns ``None`` and the caller falls back to the slow path, which
produces the precise per-row quarantine entries or the whole-file error.

The file is cut into chunks of whole records (:func:`chunks`), parsed chunk by chunk
(:func:`parse_chunk`, independent of the other chunks once the header is known), so that
only a few chunks of raw bytes are in memory at a time and chunks can be parsed on
several threads. A record's values never depend on where the chunks were cut.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl

# What did not change with the kernel (constants, the file plan, reading blocks, mapping a
# parsed chunk to the record columns) the oracle shares with fast_csv.
from claimset.ingest.fast_csv import (  # noqa: F401
    _BOM,
    _EMPTY_SCHEMA,
    CHUNK_BYTES,
    PLAIN_FIELDS,
    Plan,
    SlowPath,
    _frame,
    plan,
    read_blocks,
)
from claimset.parallel import parallel_map

_NL, _QUOTE, _COMMA = 10, 34, 44


def sha256_many(chunks: Sequence[Any], n_workers: int | None = None) -> list[str]:
    """Hex sha256 of each bytes-like chunk, on threads (hashlib releases the GIL)."""
    return parallel_map(lambda c: hashlib.sha256(c).hexdigest(), chunks, n_workers)


def record_spans(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(start, end, unquoted commas) per physical record of RFC 4180 ``data``, or None.

    A newline ends a record when an even number of quotes precedes it. Returns None when
    the quotes do not balance (an unclosed quote: the slow path reports it).
    """
    spans = _spans(data)
    return None if spans is None else spans[:3]


def _spans(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`record_spans` plus the positions of all newlines."""
    arr = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(arr == _QUOTE)
    if len(quotes) % 2:
        return None
    nl = np.flatnonzero(arr == _NL)
    ends = nl[np.searchsorted(quotes, nl) % 2 == 0]
    if len(arr) and (len(ends) == 0 or ends[-1] != len(arr) - 1):
        ends = np.append(ends, len(arr))  # last record without a trailing newline
    starts = np.concatenate([[0], ends[:-1] + 1])
    commas = np.flatnonzero(arr == _COMMA)
    commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    per_record = np.diff(np.searchsorted(commas, np.concatenate([starts, [len(arr) + 1]])))
    return starts, ends, per_record, nl


def last_record_end(buf: bytes, end: int | None = None, tries: int = 256) -> int:
    """Offset just after the last newline in ``buf[:end]`` that ends a record, or 0 if none.

    ``buf`` starts at a record boundary, so a newline ends a record when an even number of
    quotes precedes it. Candidates are tried from the end; many embedded newlines in a
    quoted tail fall back to the vectorised count.
    """
    end = len(buf) if end is None else min(end, len(buf))
    total = buf.count(b'"', 0, end)
    pos = end
    for _ in range(tries):
        nl = buf.rfind(b"\n", 0, pos)
        if nl < 0:
            return 0
        if (total - buf.count(b'"', nl, end)) % 2 == 0:
            return nl + 1
        pos = nl
    arr = np.frombuffer(buf, dtype=np.uint8)[:end]
    quotes = np.flatnonzero(arr == _QUOTE)
    nls = np.flatnonzero(arr[:pos] == _NL)
    ok = nls[np.searchsorted(quotes, nls) % 2 == 0]
    return int(ok[-1]) + 1 if len(ok) else 0


def chunks(blocks: Iterable[bytes], chunk_bytes: int | None = None) -> Iterator[tuple[bytes, int]]:
    """Cut a byte stream into ``(chunk, newlines before it)``; chunks end after a record.

    A chunk is at most ``chunk_bytes`` long unless one record is longer. The last chunk
    may end without a newline (or inside an unclosed quote: :func:`parse_chunk` then asks
    for the slow path).
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    buf = b""
    lines = 0
    for block in blocks:
        buf += block
        while len(buf) >= chunk_bytes:
            cut = last_record_end(buf, chunk_bytes) or last_record_end(buf)
            if cut == 0:
                break  # one record longer than the buffer: read more
            piece, buf = buf[:cut], buf[cut:]
            yield piece, lines
            lines += piece.count(b"\n")
    if buf:
        yield buf, lines


def parse_chunk(
    p: Plan, data: bytes, lines_before: int, header: bytes | None, n_workers: int | None = 1
) -> tuple[pl.DataFrame, bytes]:
    """Records of one chunk as a frame (columns as pipeline.to_frame), and the header record.

    ``header`` is None for the file's first chunk, which must hold the header record;
    later chunks get the first chunk's header. Raises :class:`SlowPath` on anything the
    fast path does not handle.
    """
    if header is None:
        data = data.removeprefix(_BOM)
    spans = _spans(data)
    if spans is None:
        raise SlowPath
    starts, ends, commas, nl = spans
    # Physical line numbers: 1 + newlines before the record start.
    lines = np.searchsorted(nl, starts) + 1 + lines_before
    view = memoryview(data)
    starts_l, ends_l = starts.tolist(), ends.tolist()
    # A record's raw bytes exclude its line terminator (as in the slow path).
    ends_l = [
        e - 1 if e > s and data[e - 1] == 13 else e for s, e in zip(starts_l, ends_l, strict=True)
    ]
    # Long lines are never blank; if one were, the row count check below catches it.
    blank = [e - s < 64 and not data[s:e].strip() for s, e in zip(starts_l, ends_l, strict=True)]
    if header is None:
        if all(blank):
            raise SlowPath
        header_i = blank.index(False)
        header = bytes(view[starts_l[header_i] : ends_l[header_i]])
        after = list(range(header_i + 1, len(blank)))
        text = data
    else:
        after = list(range(len(blank)))
        text = header + b"\n" + data
    rows_i = [i for i in after if not blank[i]]
    width = header_commas(header)
    if any(commas[i] != width for i in rows_i):
        raise SlowPath  # ragged rows: let the slow path quarantine them one by one
    if not rows_i:  # only blank lines
        return pl.DataFrame(schema=_EMPTY_SCHEMA), header
    try:
        df = pl.read_csv(io.BytesIO(text), infer_schema=False, has_header=True, encoding="utf8")
    except Exception as exc:  # any polars parse problem means "use the slow path"
        raise SlowPath from exc
    if df.height == len(after) and len(after) != len(rows_i):
        df = df.filter(
            pl.Series([not blank[i] for i in after])
        )  # polars keeps blank lines as null rows
    if df.height != len(rows_i) or p.mapping["body"] not in df.columns:
        raise SlowPath
    raw_sha = sha256_many([view[starts_l[i] : ends_l[i]] for i in rows_i], n_workers)
    return _frame(p, df, pl.Series("raw_sha256", raw_sha, dtype=pl.String), lines[rows_i]), header


def header_commas(header: bytes) -> int:
    """Unquoted commas in the header record."""
    spans = record_spans(header)
    if spans is None:
        raise SlowPath
    return int(spans[2][0])
