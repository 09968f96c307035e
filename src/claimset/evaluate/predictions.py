"""Span and attribution prediction files: read, check, and say exactly what is wrong.

A span prediction file (CSV, JSONL or parquet, chosen by extension) has one row per
predicted span:

* ``article_id``: an article of the scored split;
* ``char_start``, ``char_end``: ``[start, end)`` code-point offsets into ``articles.text``;
* for attribution, also ``speaker_start``, ``speaker_end``: the speaker (source) mention,
  both empty/null when the prediction names no speaker.

Every problem is an :class:`~claimset.errors.InputError` naming the file, the row (the
physical line for CSV and JSONL, the 1-based row for parquet) and the field.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimset.errors import InputError

Row = tuple[int, dict[str, Any]]


def iter_rows(path: str | os.PathLike[str]) -> Iterator[Row]:
    """(row number, record) for every record of a CSV, JSONL or parquet file.

    The row number is the line a CSV record starts on (the header is line 1), the line of a
    JSONL record, or the 1-based row of a parquet file. CSV values are strings ("" = empty).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.is_file():
        raise InputError(p, "file not found")
    if suffix in (".csv", ".tsv"):
        csv.field_size_limit(1 << 30)
        try:
            with open(p, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
                if reader.fieldnames is None:
                    raise InputError(p, "empty file: expected a header row", line=1)
                start = reader.line_num + 1
                for rec in reader:
                    if None in rec:
                        raise InputError(p, "more fields than the header", line=start)
                    yield start, dict(rec)
                    start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise InputError(p, f"not UTF-8: {exc}") from exc
        except csv.Error as exc:
            raise InputError(p, f"malformed CSV: {exc}") from exc
    elif suffix in (".jsonl", ".ndjson"):
        try:
            with open(p, encoding="utf-8") as fh:
                for n, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(p, f"not JSON: {exc.msg}", line=n) from exc
                    if not isinstance(rec, dict):
                        raise InputError(p, "a JSONL line must be an object", line=n)
                    yield n, rec
        except UnicodeDecodeError as exc:
            raise InputError(p, f"not UTF-8: {exc}") from exc
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(p)
        except Exception as exc:
            raise InputError(p, f"not a readable parquet file: {exc}") from exc
        for n, rec in enumerate(table.to_pylist(), start=1):
            yield n, rec
    else:
        raise InputError(p, "unsupported format; use .csv, .jsonl or .parquet")


def require_columns(
    path: str | os.PathLike[str], row: int, rec: Mapping[str, Any], cols: tuple[str, ...]
) -> None:
    """Raise naming the first column of ``cols`` missing from ``rec``."""
    missing = [c for c in cols if c not in rec]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)} (have {', '.join(map(str, rec))})",
            line=row,
            field=missing[0],
        )


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def get_int(
    path: str | os.PathLike[str],
    row: int,
    rec: Mapping[str, Any],
    name: str,
    *,
    optional: bool = False,
) -> int | None:
    """An integer field (CSV strings are parsed); empty is an error unless ``optional``."""
    value = rec.get(name)
    if _empty(value):
        if optional:
            return None
        raise InputError(path, "empty; expected an integer offset", line=row, field=name)
    if isinstance(value, bool):
        raise InputError(path, f"{value!r} is not an integer", line=row, field=name)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(path, f"{value!r} is not an integer", line=row, field=name) from None


def get_str(path: str | os.PathLike[str], row: int, rec: Mapping[str, Any], name: str) -> str:
    """A non-empty string field."""
    value = rec.get(name)
    if _empty(value):
        raise InputError(path, "empty", line=row, field=name)
    return str(value).strip()


@dataclass(frozen=True)
class SpanPrediction:
    """One predicted span (and, for attribution, its speaker span) with its file row."""

    row: int
    article_id: str
    start: int
    end: int
    speaker: tuple[int, int] | None = None


def read_span_predictions(
    path: str | os.PathLike[str],
    texts: Mapping[str, int | None],
    *,
    with_speaker: bool,
) -> list[SpanPrediction]:
    """Read a span (or, ``with_speaker``, attribution) prediction file.

    ``texts`` maps each article of the scored split to its text length (None when the
    release has no ``articles`` config): an article outside it, or an offset outside
    ``[0, len(text)]``, is an error naming the row and field.
    """
    cols = ("article_id", "char_start", "char_end") + (
        ("speaker_start", "speaker_end") if with_speaker else ()
    )
    out: list[SpanPrediction] = []
    for row, rec in iter_rows(path):
        require_columns(path, row, rec, cols)
        article = get_str(path, row, rec, "article_id")
        if article not in texts:
            shown = ", ".join(sorted(texts)[:5]) + (" ..." if len(texts) > 5 else "")
            raise InputError(
                path,
                f"article {article!r} is not in the scored split (its articles: {shown})",
                line=row,
                field="article_id",
            )
        start = get_int(path, row, rec, "char_start")
        end = get_int(path, row, rec, "char_end")
        assert start is not None and end is not None
        _check_range(path, row, start, end, texts[article], ("char_start", "char_end"))
        speaker = None
        if with_speaker:
            s0 = get_int(path, row, rec, "speaker_start", optional=True)
            s1 = get_int(path, row, rec, "speaker_end", optional=True)
            if (s0 is None) != (s1 is None):
                missing = "speaker_start" if s0 is None else "speaker_end"
                raise InputError(
                    path,
                    "give both speaker_start and speaker_end, or leave both empty (no speaker)",
                    line=row,
                    field=missing,
                )
            if s0 is not None and s1 is not None:
                _check_range(path, row, s0, s1, texts[article], ("speaker_start", "speaker_end"))
                speaker = (s0, s1)
        out.append(SpanPrediction(row, article, start, end, speaker))
    return out


def _check_range(
    path: str | os.PathLike[str],
    row: int,
    start: int,
    end: int,
    length: int | None,
    names: tuple[str, str],
) -> None:
    if start < 0:
        raise InputError(path, f"{start} is negative", line=row, field=names[0])
    if end <= start:
        raise InputError(
            path,
            f"{names[1]} {end} must be greater than {names[0]} {start}",
            line=row,
            field=names[1],
        )
    if length is not None and end > length:
        raise InputError(
            path,
            f"{end} is past the end of the article text ({length} characters)",
            line=row,
            field=names[1],
        )
