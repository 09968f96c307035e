"""Fast path for large, well-formed UTF-8 CSV files: polars parses, numpy finds records.

The standard-library reader in :mod:`claimset.ingest.read_csv` handles every CSV but holds
every body as a Python string and runs far slower. For the common case (valid UTF-8,
balanced quotes, every row as wide as the header, only plain-text fields mapped) this path
parses each chunk with ``polars.read_csv`` and locates each record's bytes with vectorised
quote-parity arithmetic (numpy): a newline ends a record when an even number of quotes
precedes it, so the newlines inside a record's quoted fields give its physical start line,
and ``origin_line`` and ``raw_sha256`` (hashlib over the record's bytes) are identical to
the slow path's. Anything unusual raises :class:`SlowPath` and the caller falls back to the
slow path, which produces the precise per-row quarantine entries or the whole-file error
(naming file, line and field).

The file is cut into chunks of whole records (:func:`chunks`), parsed chunk by chunk
(:func:`parse_chunk`, independent of the other chunks once the header is known), so that
only a few chunks of raw bytes are in memory at a time and chunks can be parsed on
several threads. A record's values never depend on where the chunks were cut.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from claimset.ingest.compressed import ByteSource
from claimset.ingest.digests import sha256_hex
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
_NL, _QUOTE, _COMMA = 10, 34, 44


class SlowPath(Exception):
    """The file needs the standard-library reader (raised instead of returning None)."""


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
    p: Plan, data: bytes, lines_before: int, header: bytes | None
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
    raw_sha = sha256_hex(view[starts_l[i] : ends_l[i]] for i in rows_i)
    return _frame(p, df, pl.Series("raw_sha256", raw_sha, dtype=pl.String), lines[rows_i]), header


def header_commas(header: bytes) -> int:
    """Unquoted commas in the header record."""
    spans = record_spans(header)
    if spans is None:
        raise SlowPath
    return int(spans[2][0])


def header_of(first_chunk: bytes) -> bytes:
    """The header record of the file whose first chunk this is (:class:`SlowPath` if the
    fast path cannot read it): what :func:`parse_chunk` needs for every later chunk."""
    data = first_chunk.removeprefix(_BOM)
    spans = record_spans(data)
    if spans is None:
        raise SlowPath
    for s, e in zip(spans[0].tolist(), spans[1].tolist(), strict=True):
        e = e - 1 if e > s and data[e - 1] == 13 else e
        if data[s:e].strip():
            return data[s:e]
    raise SlowPath


def read_blocks(fh: ByteSource, size: int | None = None) -> Iterator[bytes]:
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
