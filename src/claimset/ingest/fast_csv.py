"""Fast path for large, well-formed UTF-8 CSV files: a C scanner parses the records.

The standard-library reader in :mod:`claimset.ingest.read_csv` handles every CSV but runs
at about 40 MB/s and holds every body as a Python string. For the common case (valid UTF-8,
RFC 4180 quoting, every row as wide as the header, only plain-text fields mapped) this path
scans each chunk once in C (:mod:`claimset.ingest._csv`), which yields every record's byte
span and physical start line (so that ``origin_line`` and ``raw_sha256`` are identical to
the slow path) and the mapped columns as Arrow string buffers, handed to polars without a
copy. Its values are those polars' ``read_csv`` gives (empty unquoted cells are null, empty
quoted cells are empty strings; column names are polars' own). Anything unusual raises
:class:`SlowPath` and the caller falls back to the slow path, which produces the precise
per-row quarantine entries or the whole-file error.

The file is cut into chunks of whole records (:func:`chunks`), parsed chunk by chunk
(:func:`parse_chunk`, independent of the other chunks once the header is known), so that
only a few chunks of raw bytes are in memory at a time and chunks can be parsed on
several threads. A record's values never depend on where the chunks were cut.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa

from claimset.ingest import _csv
from claimset.ingest.digests import sha256_hex_array
from claimset.ingest.fields import FieldProblem, iso_date
from claimset.ingest.sources import InputFile, is_utf8

# Fields that need no per-value validation (dates and booleans go through the slow path).
PLAIN_FIELDS = frozenset(
    {"source_id", "source", "url", "title", "standfirst", "body", "language", "author"}
)
CHUNK_BYTES = 4 << 20  # raw bytes per parse chunk (a chunk always ends after a whole record)
_BOM = b"\xef\xbb\xbf"
# Columns of a chunk without records (same as a chunk with some).
_EMPTY_SCHEMA = {c: pl.String for c in sorted(PLAIN_FIELDS | {"published_at"})} | {
    "synthetic": pl.Boolean,
    "origin_file": pl.String,
    "origin_line": pl.Int64,
    "origin_format": pl.String,
    "raw_sha256": pl.String,
}


class SlowPath(Exception):
    """The file needs the standard-library reader (raised instead of returning None)."""


def chunks(blocks: Iterable[bytes], chunk_bytes: int | None = None) -> Iterator[tuple[bytes, int]]:
    """Cut a byte stream into ``(chunk, newlines before it)``; chunks end after a record.

    A chunk is at most ``chunk_bytes`` long unless one record is longer (then it runs to
    the last record end read so far). The last chunk may end without a newline (or inside
    an unclosed quote: :func:`parse_chunk` then asks for the slow path).

    Every byte is scanned once and copied once (into its chunk): the quote state at the
    end of the scanned part carries over from block to block, and a cut leaves no record
    end in the scanned part (it is always at the last one found).
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    pending = _Pending()
    lines = 0
    scanned = 0  # pending[:scanned] has been scanned; in_quote is the state there
    in_quote = False
    within = last = 0  # last record end found at most chunk_bytes in / at all (0: none)
    for block in blocks:
        pending.append(block)
        while pending.size >= chunk_bytes:
            if scanned < chunk_bytes:  # then no record end has been found yet
                within, in_quote = pending.record_end(scanned, chunk_bytes, in_quote)
                last = within
                scanned = chunk_bytes
            if not within and scanned < pending.size:
                end, in_quote = pending.record_end(scanned, pending.size, in_quote)
                last = end or last
                scanned = pending.size
            cut = within or last
            if cut == 0:
                break  # one record longer than the buffer: read more
            piece = pending.take(cut)
            yield piece, lines
            lines += _csv.newlines(piece)
            scanned -= cut
            within = last = 0
    if pending.size:
        yield pending.take(pending.size), lines


class _Pending:
    """Bytes read but not yet cut into chunks, kept as the blocks they came in."""

    def __init__(self) -> None:
        self.parts: list[memoryview] = []
        self.size = 0

    def append(self, block: bytes) -> None:
        self.parts.append(memoryview(block))
        self.size += len(block)

    def record_end(self, start: int, stop: int, in_quote: bool) -> tuple[int, bool]:
        """:func:`_csv.record_end` over the bytes ``[start, stop)`` of all parts."""
        end, offset = 0, 0
        for part in self.parts:
            lo, hi = max(start - offset, 0), min(stop - offset, len(part))
            if lo < hi:
                found, in_quote = _csv.record_end(part, lo, hi, in_quote)
                end = offset + found if found else end
            offset += len(part)
            if offset >= stop:
                break
        return end, in_quote

    def take(self, n: int) -> bytes:
        """The first ``n`` bytes as one bytes object, removed from the parts."""
        taken: list[memoryview] = []
        while n:
            part = self.parts[0]
            if len(part) <= n:
                taken.append(self.parts.pop(0))
                n -= len(part)
                self.size -= len(part)
            else:
                taken.append(part[:n])
                self.parts[0] = part[n:]
                self.size -= n
                n = 0
        return b"".join(taken)


def read_blocks(fh: BinaryIO, size: int | None = None) -> Iterator[bytes]:
    """The file's bytes in blocks of ``size`` (default: the chunk size)."""
    while block := fh.read(size or CHUNK_BYTES):
        yield block


@dataclass(frozen=True)
class Plan:
    """What :func:`parse_chunk` needs to know about the file (fixed before any chunk)."""

    f: InputFile
    mapping: dict[str, str]
    published: str | None


def plan(f: InputFile, mapping: dict[str, str]) -> Plan | None:
    """A :class:`Plan` if the file can take the fast path at all, else None."""
    if not is_utf8(f.encoding) or not set(mapping) <= PLAIN_FIELDS:
        return None
    if "synthetic" in f.meta and not isinstance(f.meta["synthetic"], bool):
        return None
    published = f.meta.get("published_at")
    if published is not None:
        try:
            published = iso_date(str(published), "published_at")
        except FieldProblem:
            return None
    return Plan(f, mapping, published)


def parse_chunk(
    p: Plan, data: bytes, lines_before: int, header: bytes | None
) -> tuple[pl.DataFrame, bytes]:
    """Records of one chunk as a frame (columns as pipeline.to_frame), and the header record.

    ``header`` is None for the file's first chunk, which must hold the header record;
    later chunks get the first chunk's header. Raises :class:`SlowPath` on anything the
    fast path does not handle.
    """
    start, first_line, blank_before = 0, lines_before + 1, False
    if header is None:
        header, start, newlines, blank_before = _header(data)
        first_line += newlines
    width = _width(header)
    names = _names(header)  # (None if polars could not read the header)
    columns = sorted({names.index(c) for c in p.mapping.values() if names and c in names})
    problem, lines, spans, values = _csv.records(data, start, width, columns, first_line)
    if problem is not None:
        raise SlowPath(problem)
    origin_lines = np.frombuffer(lines, dtype=np.int64)
    n = len(origin_lines)
    if n == 0:  # only blank lines
        return pl.DataFrame(schema=_EMPTY_SCHEMA), header
    if names is None or p.mapping["body"] not in names or blank_before:
        raise SlowPath("polars would not have read this header")
    df = pl.DataFrame(
        [
            pl.Series(
                names[i],
                pa.LargeStringArray.from_buffers(
                    n, pa.py_buffer(off), pa.py_buffer(val), pa.py_buffer(valid), nulls
                ),
            )
            for i, (off, val, valid, nulls) in zip(columns, values, strict=True)
        ]
    )
    raw_sha = sha256_hex_array(data, spans, n)
    return _frame(p, df, pl.Series("raw_sha256", raw_sha), origin_lines), header


def header_of(first_chunk: bytes) -> bytes:
    """The header record of the file whose first chunk this is (:class:`SlowPath` if the
    fast path cannot read it): what :func:`parse_chunk` needs for every later chunk."""
    return _header(first_chunk)[0]


def _header(data: bytes) -> tuple[bytes, int, int, bool]:
    """``(header, start of the next record, newlines before it, blank record before)``."""
    problem, hs, he, start, newlines, _, blank_before = _csv.header(
        data, 3 if data.startswith(_BOM) else 0
    )
    if problem is not None:
        raise SlowPath(problem)
    return data[hs:he], start, newlines, blank_before


@functools.lru_cache(maxsize=16)
def _width(header: bytes) -> int:
    """Unquoted commas in the header record."""
    problem, _, _, _, _, commas, _ = _csv.header(header, 0)
    if problem is not None:
        raise SlowPath(problem)
    return int(commas)


@functools.lru_cache(maxsize=16)
def _names(header: bytes) -> tuple[str, ...] | None:
    """Column names as polars reads the header (quotes, duplicates, undecodable bytes), or
    None when polars cannot read it; must be ``_width(header) + 1`` names."""
    try:
        names = pl.read_csv(
            io.BytesIO(header), has_header=True, infer_schema=False, n_rows=0, encoding="utf8"
        ).columns
    except Exception:  # any polars problem with the header means "use the slow path"
        return None
    return tuple(names) if len(names) == _width(header) + 1 else None


def _frame(p: Plan, df: pl.DataFrame, raw_sha: pl.Series, lines: np.ndarray) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    f, mapping = p.f, p.mapping
    for target in sorted(mapping):
        column = mapping[target]
        col = pl.col(column) if column in df.columns else pl.lit(None, dtype=pl.String)
        # Like map_fields: an empty non-body cell means "not given" (sidecar default applies).
        if target != "body":
            col = pl.when(col.str.len_bytes() > 0).then(col)
        default = f.meta.get(target)
        if default is not None:
            col = col.fill_null(pl.lit(str(default)))
        exprs.append(col.alias(target))
    for key in sorted(PLAIN_FIELDS - set(mapping)):
        default = f.meta.get(key)
        exprs.append(pl.lit(None if default is None else str(default), dtype=pl.String).alias(key))
    exprs.append(pl.lit(p.published, dtype=pl.String).alias("published_at"))
    return df.select(exprs).with_columns(
        pl.lit(bool(f.meta.get("synthetic", False))).alias("synthetic"),
        pl.lit(f.rel).alias("origin_file"),
        pl.Series("origin_line", lines, dtype=pl.Int64),
        pl.lit("csv").alias("origin_format"),
        raw_sha,
    )


def read_csv_fast(f: InputFile, data: bytes, mapping: dict[str, str]) -> pl.DataFrame | None:
    """Records of a well-formed CSV as one frame (columns as pipeline.to_frame), or None."""
    p = plan(f, mapping)
    if p is None:
        return None
    frames: list[pl.DataFrame] = []
    header: bytes | None = None
    try:
        for piece, before in chunks([data]):
            frame, header = parse_chunk(p, piece, before, header)
            frames.append(frame)
    except SlowPath:
        return None
    return pl.concat(frames) if frames else None
