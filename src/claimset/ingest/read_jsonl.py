"""JSONL exports: one article object per line, columns mapped by ``ingest.jsonl_fields``.

A record never spans lines, so a file is cut after any newline into chunks of about
``CHUNK_BYTES`` (:func:`line_chunks`) and each chunk's lines are parsed on their own
(:func:`parse_lines`): ingest holds a few chunks in memory, never the whole file, and a
line's outcome does not depend on where the cuts fall.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from claimset.ingest.compressed import ByteSource
from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, map_fields
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, is_utf8

CHUNK_BYTES = 4 << 20  # bytes per chunk (a chunk always ends after a whole line)
_BOM = b"\xef\xbb\xbf"


def read_jsonl(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """One record per non-blank line; a bad line quarantines only itself (whole file)."""
    data = f.path.read_bytes()
    if not data.strip():
        return [], [empty_file(f, config, data)]
    return parse_lines(f, config, data, 0)


def empty_file(f: InputFile, config: IngestConfig, head: bytes) -> Quarantined:
    """The quarantine entry of a file that is empty or whitespace only (``head``: its
    first bytes, for the excerpt)."""
    q = Rejector(f.rel, "jsonl", config.excerpt_chars)
    return q("empty_file", "file is empty or whitespace only", head, 1)


def line_chunks(fh: ByteSource, chunk_bytes: int | None = None) -> Iterator[tuple[bytes, int]]:
    """``(chunk, lines before it)``: the file cut after the last newline of every
    ``chunk_bytes`` or so (a longer line makes a longer chunk); the last chunk may end
    without a newline."""
    size = chunk_bytes or CHUNK_BYTES
    pending, lines = b"", 0
    while block := fh.read(size):
        buf = pending + block if pending else block
        cut = buf.rfind(b"\n") + 1
        if cut == 0:  # no line ends here yet
            pending = buf
            continue
        chunk, pending = buf[:cut], buf[cut:]
        yield chunk, lines
        lines += chunk.count(b"\n")
    if pending:
        yield pending, lines


def parse_lines(
    f: InputFile, config: IngestConfig, data: bytes, lines_before: int
) -> tuple[list[RawRecord], list[Quarantined]]:
    """Records and rejections of the lines in ``data``, which follows ``lines_before``
    lines of the file (the whole file, or a chunk from :func:`line_chunks`)."""
    q = Rejector(f.rel, "jsonl", config.excerpt_chars)
    mapping = f.fields if f.fields is not None else dict(config.jsonl_fields)
    utf8 = is_utf8(f.encoding)
    records: list[RawRecord] = []
    rejected: list[Quarantined] = []
    lines = data.split(b"\n")
    # Only the file's last chunk can end without a newline: then its last line is cut off.
    truncated = not data.endswith(b"\n")
    for i, raw in enumerate(lines):
        raw = raw.removesuffix(b"\r")
        if not raw.strip():
            continue  # blank lines are layout, not records
        lineno = lines_before + i + 1
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8") if utf8 else raw.decode(f.encoding)
        except UnicodeDecodeError as exc:
            rejected.append(
                q(
                    "undecodable",
                    f"byte {exc.start} of the line is not valid {f.encoding}",
                    raw,
                    lineno,
                )
            )
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            last = truncated and i == len(lines) - 1
            hint = " (last line has no newline: file truncated?)" if last else ""
            rejected.append(
                q("invalid_json", f"{exc.msg} at column {exc.colno}{hint}", line, lineno)
            )
            continue
        if not isinstance(obj, dict):
            rejected.append(
                q(
                    "not_an_object",
                    f"expected a JSON object, got {type(obj).__name__}",
                    line,
                    lineno,
                )
            )
            continue
        try:
            fields = map_fields(obj, mapping, f.meta)
        except FieldProblem as exc:
            rejected.append(q(exc.reason, exc.message, line, lineno, exc.field))
            continue
        records.append(RawRecord(f.rel, lineno, "jsonl", hashlib.sha256(raw).hexdigest(), fields))
    return records, rejected
