"""JSONL exports: one article object per line, columns mapped by ``ingest.jsonl_fields``."""

from __future__ import annotations

import hashlib
import json

from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, map_fields
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, is_utf8


def read_jsonl(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """One record per non-blank line; a bad line quarantines only itself."""
    data = f.path.read_bytes()
    q = Rejector(f.rel, "jsonl", config.excerpt_chars)
    if not data.strip():
        return [], [q("empty_file", "file is empty or whitespace only", data, 1)]
    mapping = f.fields if f.fields is not None else dict(config.jsonl_fields)
    utf8 = is_utf8(f.encoding)
    records: list[RawRecord] = []
    rejected: list[Quarantined] = []
    lines = data.split(b"\n")
    truncated = not data.endswith(b"\n")
    for i, raw in enumerate(lines):
        raw = raw.removesuffix(b"\r")
        if not raw.strip():
            continue  # blank lines are layout, not records
        lineno = i + 1
        if i == 0 and raw.startswith(b"\xef\xbb\xbf"):
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
