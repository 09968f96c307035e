"""The one reader of the FNC-1 CSV files (``*_bodies.csv`` and ``*_stances.csv``).

FNC-1 ships two kinds of file: bodies (``Body ID``, ``articleBody``) and stances
(``Headline``, ``Body ID``, ``Stance``; the unlabelled test file lacks ``Stance``).
Bodies and headlines hold commas, quotes and newlines, so the files are read with the
standard library's RFC 4180 ``csv`` reader, which keeps every field byte for byte (polars
would also do, but then each record's physical line is lost). Every record carries the
physical line it starts on, so errors and quarantine entries name ``file:line``.

Callers: the stance quality report (``stance/fnc1.py``), the claims gold
(``claims/gold.py``), the FNC-1 gold import (``annotations/gold.py``), the scorer and the
``fnc1_baseline`` stage (``evaluate/``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import polars as pl

from claimset.errors import InputError

LABELS: Final = ("agree", "disagree", "discuss", "unrelated")
BODY_COLUMNS: Final = ("Body ID", "articleBody")
STANCE_COLUMNS: Final = ("Headline", "Body ID", "Stance")

# A body is up to a few 10 kB; the csv module's 128 kB default field limit is too tight
# for concatenated or malformed files, and a clear error beats a csv.Error mid-file.
_FIELD_LIMIT: Final = 1 << 30


def _records(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical start line, record) for each data record; header and columns checked."""
    csv.field_size_limit(_FIELD_LIMIT)
    try:
        fh = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except FileNotFoundError as exc:
        raise InputError(path, "file not found") from exc
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(path, "empty file: expected a header row", line=1)
            header = [h.strip().lstrip("\ufeff") for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(
                    path,
                    f"missing column(s) {', '.join(map(repr, missing))} "
                    f"(header has {', '.join(map(repr, header))})",
                    line=1,
                )
            index = {name: header.index(name) for name in header}
            start = reader.line_num + 1
            for row in reader:
                if not row or row == [""]:
                    start = reader.line_num + 1
                    continue
                if len(row) != len(header):
                    raise InputError(
                        path,
                        f"record has {len(row)} fields, the header {len(header)}",
                        line=start,
                    )
                yield start, {name: row[i] for name, i in index.items()}
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not UTF-8: {exc}") from exc
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV: {exc}", line=reader.line_num) from exc


def _body_id(path: Path, line: int, value: str) -> str:
    body_id = value.strip()
    if not body_id:
        raise InputError(path, "empty Body ID", line=line, field="Body ID")
    return body_id


def read_bodies(path: str | os.PathLike[str]) -> pl.DataFrame:
    """A bodies CSV -> DataFrame(body_id: str, body: str, line: int), in file order.

    Raises :class:`InputError` naming file, line and field for a missing column, an empty
    or duplicate Body ID, or a record that does not parse.
    """
    p = Path(path)
    ids: list[str] = []
    bodies: list[str] = []
    lines: list[int] = []
    first: dict[str, int] = {}
    for line, rec in _records(p, BODY_COLUMNS):
        body_id = _body_id(p, line, rec["Body ID"])
        if body_id in first:
            raise InputError(
                p,
                f"duplicate Body ID {body_id!r} (first on line {first[body_id]})",
                line=line,
                field="Body ID",
            )
        first[body_id] = line
        ids.append(body_id)
        bodies.append(rec["articleBody"])
        lines.append(line)
    return pl.DataFrame(
        {"body_id": ids, "body": bodies, "line": lines},
        schema={"body_id": pl.String, "body": pl.String, "line": pl.Int64},
    )


def read_stances(
    path: str | os.PathLike[str], *, labelled: bool = True, strict: bool = True
) -> pl.DataFrame:
    """A stances CSV -> DataFrame(row, line, headline, body_id, stance), in file order.

    ``row`` is the 1-based data row (the id FNC-1 tools use), ``line`` the physical line
    the record starts on. With ``labelled=False`` the ``Stance`` column may be absent
    (stance is then null). With ``strict`` (the default) a label outside :data:`LABELS` or
    an empty Body ID is an error naming its line; callers that quarantine such rows pass
    ``strict=False`` and get the values as written (stripped).
    """
    p = Path(path)
    required = STANCE_COLUMNS if labelled else STANCE_COLUMNS[:2]
    rows: list[int] = []
    lines: list[int] = []
    headlines: list[str] = []
    body_ids: list[str] = []
    stances: list[str | None] = []
    for n, (line, rec) in enumerate(_records(p, required), start=1):
        stance = rec.get("Stance")
        stance = stance.strip() if stance is not None else None
        if strict and stance is not None and stance not in LABELS:
            raise InputError(
                p,
                f"stance {stance!r} is not one of {', '.join(LABELS)}",
                line=line,
                field="Stance",
            )
        rows.append(n)
        lines.append(line)
        headlines.append(rec["Headline"])
        body_ids.append(_body_id(p, line, rec["Body ID"]) if strict else rec["Body ID"].strip())
        stances.append(stance)
    return pl.DataFrame(
        {"row": rows, "line": lines, "headline": headlines, "body_id": body_ids, "stance": stances},
        schema={
            "row": pl.Int64,
            "line": pl.Int64,
            "headline": pl.String,
            "body_id": pl.String,
            "stance": pl.String,
        },
    )


def read_pairs(
    bodies_path: str | os.PathLike[str], stances_path: str | os.PathLike[str]
) -> pl.DataFrame:
    """Stances joined with their bodies: row, line, headline, body_id, stance, body.

    A stance whose Body ID is not in the bodies file is an error naming its line.
    """
    bodies = read_bodies(bodies_path)
    stances = read_stances(stances_path)
    known = set(bodies["body_id"].to_list())
    for line, body_id in zip(stances["line"].to_list(), stances["body_id"].to_list(), strict=True):
        if body_id not in known:
            raise InputError(
                stances_path,
                f"Body ID {body_id!r} is not in {bodies_path}",
                line=line,
                field="Body ID",
            )
    return stances.join(bodies.select("body_id", "body"), on="body_id", how="left").sort("row")


def bodies_by_int_id(path: str | os.PathLike[str]) -> dict[int, str]:
    """``{Body ID: articleBody}`` with integer ids (FNC-1's own ids are integers)."""
    df = read_bodies(path)
    out: dict[int, str] = {}
    for body_id, body, line in df.iter_rows():
        try:
            out[int(body_id)] = body
        except ValueError:
            raise InputError(
                path, f"Body ID {body_id!r} is not an integer", line=line, field="Body ID"
            ) from None
    return out
