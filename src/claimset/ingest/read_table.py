"""Parquet files and Hugging Face ``datasets`` Arrow shards, columns mapped by
``ingest.table_fields``.

``Dataset.save_to_disk`` writes Arrow IPC *stream* files (``data-00000-of-00003.arrow``)
beside ``state.json`` and ``dataset_info.json``; a dataset on the Hub is usually a folder
of Parquet shards. Both are read with pyarrow one record batch at a time
(:func:`batches`), so memory holds a batch, never the corpus. ``origin_line`` is the row's
1-based number in its file. Each row goes through the same field mapping and checks as a
JSONL object (:func:`claimset.ingest.fields.map_fields`), so a wrong value quarantines
that row only. Date and timestamp columns mapped to ``published_at`` are taken as dates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from claimset.errors import InputError
from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, map_fields
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile

BATCH_ROWS = 1024  # rows per record batch read from a Parquet file


def mapping_of(f: InputFile, config: IngestConfig) -> dict[str, str]:
    """The column mapping of ``f``: its sidecar's ``fields``, else ``ingest.table_fields``."""
    return f.fields if f.fields is not None else dict(config.table_fields)


def batches(f: InputFile) -> Iterator[pa.RecordBatch]:
    """The file's record batches in order (pyarrow errors propagate: the caller
    quarantines the rest of the file)."""
    if f.fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(f.path)
        yield from pf.iter_batches(batch_size=BATCH_ROWS)
        return
    import pyarrow.ipc as ipc

    with pa.memory_map(str(f.path), "r") as source:
        try:
            reader: Any = ipc.open_stream(source)
        except pa.ArrowInvalid:
            source.seek(0)
            file_reader = ipc.open_file(source)  # Arrow IPC file format (Feather v2)
            for i in range(file_reader.num_record_batches):
                yield file_reader.get_batch(i)
            return
        yield from reader


def check_schema(f: InputFile, schema: pa.Schema, mapping: dict[str, str]) -> None:
    """A missing body column stops the stage (as a CSV header without it does)."""
    body = mapping["body"]
    if body not in schema.names:
        raise InputError(
            f.rel,
            f"no column {body!r} (mapped to body); columns: {schema.names}",
            field=body,
        )


def parse_batch(
    f: InputFile, config: IngestConfig, batch: pa.RecordBatch, rows_before: int
) -> tuple[list[RawRecord], list[Quarantined]]:
    """Records and rejections of one batch, which follows ``rows_before`` rows of the file."""
    q = Rejector(f.rel, f.fmt or "parquet", config.excerpt_chars)
    mapping = mapping_of(f, config)
    batch = _dates_as_text(batch, mapping.get("published_at"))
    records: list[RawRecord] = []
    rejected: list[Quarantined] = []
    for i, row in enumerate(batch.to_pylist()):
        rowno = rows_before + i + 1
        raw = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
        try:
            fields = map_fields(row, mapping, f.meta)
        except FieldProblem as exc:
            rejected.append(q(exc.reason, exc.message, raw, rowno, exc.field))
            continue
        sha = hashlib.sha256(raw.encode("utf-8", errors="surrogatepass")).hexdigest()
        records.append(RawRecord(f.rel, rowno, f.fmt or "parquet", sha, fields))
    return records, rejected


def _dates_as_text(batch: pa.RecordBatch, column: str | None) -> pa.RecordBatch:
    """A date/timestamp column mapped to published_at as ISO text (checked like JSONL's)."""
    if column is None or column not in batch.schema.names:
        return batch
    i = batch.schema.get_field_index(column)
    kind = batch.schema.field(i).type
    if not (pa.types.is_date(kind) or pa.types.is_timestamp(kind)):
        return batch
    text = pc.strftime(batch.column(i), format="%Y-%m-%d")
    return batch.set_column(i, column, text)


def unreadable(f: InputFile, config: IngestConfig, rows_read: int, exc: Exception) -> Quarantined:
    """The quarantine entry for the part of the file from row ``rows_read + 1`` on that
    pyarrow cannot read (corrupt or truncated file)."""
    q = Rejector(f.rel, f.fmt or "parquet", config.excerpt_chars)
    why = ascii(str(exc))[1:-1][:200]  # the error text may quote raw bytes
    msg = f"cannot read the file from row {rows_read + 1} on ({type(exc).__name__}: {why})"
    return q("unreadable", msg, b"", rows_read + 1)
