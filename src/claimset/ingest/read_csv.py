"""CSV files (e.g. FNC-1 ``train_bodies.csv``): RFC 4180 quoting, embedded newlines and quotes.

The standard library's C parser is used in strict mode so that an unclosed quote is a
clear error instead of silently swallowing the rest of the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator

import polars as pl

from claimset.errors import InputError
from claimset.ingest.compressed import DamagedTail, read_bytes, unreadable
from claimset.ingest.config import IngestConfig
from claimset.ingest.fast_csv import last_record_end, read_csv_fast
from claimset.ingest.fields import FieldProblem, map_fields
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, decode, is_utf8

# Surrogate escapes stand for bytes that were not valid in the declared encoding.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_FIELD_LIMIT = 2**31 - 1  # the default 128 KiB limit would reject long articles


class _LineTap:
    """Feeds lines to csv.reader and remembers them, to recover each row's raw text."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.taken.append(line)
            yield line

    def pop(self) -> str:
        raw = "".join(self.taken)
        self.taken.clear()
        return raw


def read_csv(
    f: InputFile, config: IngestConfig
) -> tuple[list[RawRecord] | pl.DataFrame, list[Quarantined]]:
    """One record per data row; the header names the columns.

    Well-formed UTF-8 files take the vectorised fast path (a DataFrame of records);
    everything else, and every file with a problem, goes through the stdlib parser.
    """
    data, damaged = _content(f, config)
    q = Rejector(f.rel, "csv", config.excerpt_chars)
    if not data.strip() and not damaged:
        return [], [q("empty_file", "file is empty or whitespace only", data, 1)]
    mapping = f.fields if f.fields is not None else dict(config.csv_fields)
    fast = read_csv_fast(f, data, mapping) if data.strip() else None
    if fast is not None:
        return fast, damaged
    records, rejected = _read_csv_stdlib(f, config, data, mapping) if data.strip() else ([], [])
    return records, rejected + damaged


def read_csv_slow(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """The standard-library path only (after the fast path gave up on the file)."""
    data, damaged = _content(f, config)
    if not data.strip():
        q = Rejector(f.rel, "csv", config.excerpt_chars)
        return [], damaged or [q("empty_file", "file is empty or whitespace only", data, 1)]
    mapping = f.fields if f.fields is not None else dict(config.csv_fields)
    records, rejected = _read_csv_stdlib(f, config, data, mapping)
    return records, rejected + damaged


def _content(f: InputFile, config: IngestConfig) -> tuple[bytes, list[Quarantined]]:
    """The file's (decompressed) bytes up to its last complete record, and the quarantine
    entry of the unreadable rest when the compressed stream is damaged."""
    data, damage = read_bytes(f.path, f.codec)
    if damage is None:
        return data, []
    cut = last_record_end(data)
    found = DamagedTail(damage, data[cut:], data.count(b"\n", 0, cut) + 1)
    return data[:cut], [unreadable(f.rel, "csv", config.excerpt_chars, found)]


def _read_csv_stdlib(
    f: InputFile, config: IngestConfig, data: bytes, mapping: dict[str, str]
) -> tuple[list[RawRecord], list[Quarantined]]:
    q = Rejector(f.rel, "csv", config.excerpt_chars)
    enc = "utf-8" if is_utf8(f.encoding) else f.encoding
    try:
        text = decode(data, f.encoding)
        lossy = False
    except UnicodeDecodeError:
        # Decode anyway with escapes so that only the rows holding bad bytes are quarantined.
        text = data.removeprefix(b"\xef\xbb\xbf").decode(enc, errors="surrogateescape")
        lossy = True
    csv.field_size_limit(_FIELD_LIMIT)
    tap = _LineTap(text)
    reader = csv.reader(tap, strict=True)
    records: list[RawRecord] = []
    rejected: list[Quarantined] = []
    start = 1
    try:
        header = next(reader)
    except StopIteration:
        return [], [q("empty_file", "file has no header row", data, 1)]
    except csv.Error as exc:
        raise InputError(f.rel, f"cannot parse the CSV header: {exc}", line=1) from exc
    tap.pop()
    missing = sorted(c for c in set(mapping.values()) if c not in header)
    if mapping["body"] in missing:
        raise InputError(
            f.rel,
            f"header has no column {mapping['body']!r} (mapped to body); header: {header}",
            line=1,
            field=mapping["body"],
        )
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(
                f.rel, f"malformed CSV ({exc}); an unclosed quote opens this record", line=start
            ) from exc
        raw = tap.pop()
        lineno, start = start, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line between records
        if lossy and _ESCAPED_BYTE.search(raw):
            rejected.append(
                q("undecodable", f"row holds bytes that are not valid {f.encoding}", raw, lineno)
            )
            continue
        if len(row) != len(header):
            rejected.append(
                q("bad_row", f"row has {len(row)} fields, header has {len(header)}", raw, lineno)
            )
            continue
        obj = {name: row[i] for name, i in index.items()}
        try:
            fields = map_fields(obj, mapping, f.meta)
        except FieldProblem as exc:
            rejected.append(q(exc.reason, exc.message, raw, lineno, exc.field))
            continue
        # Raw bytes of the record without its line terminator (same as the fast path).
        raw_bytes = raw.removesuffix("\n").removesuffix("\r").encode(enc, errors="surrogateescape")
        records.append(
            RawRecord(f.rel, lineno, "csv", hashlib.sha256(raw_bytes).hexdigest(), fields)
        )
    return records, rejected
