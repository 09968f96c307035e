"""Read gold labels and prediction files, and align them by item id with clear errors.

Prediction files (CSV, JSONL or parquet; chosen by extension) need an id column (the
config's key: ``sentence_id`` for claim detection, ``claim_id`` for claims, ``item_id`` for
stance; or ``id``) and a label column (``label``, ``prediction``, ``predicted`` or
``Stance``). Problems name the file and the rows (physical line for CSV/JSONL). Against an FNC-1 gold CSV, a prediction file in FNC-1 format (``Headline``,
``Body ID``, ``Stance``) is keyed by the pair instead; the k-th repeat of the same pair
matches the k-th repeat in the gold file. An ``id`` column against FNC-1 gold means the
1-based data row number of the gold file.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from claimset.errors import InputError
from claimset.evaluate.fnc import FNC_LABELS

ID_COLUMNS = ("sentence_id", "claim_id", "item_id", "id")
LABEL_COLUMNS = ("label", "prediction", "predicted", "Stance")
MAX_IDS = 10


@dataclass(frozen=True)
class Gold:
    """Gold labels keyed by id, with the label set and (for FNC-style gold) pair keys."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    label_set: tuple[str, ...]
    source: str
    pair_keys: tuple[str, ...] | None = None
    """FNC-1 gold only: ``<Body ID>\\t<Headline>\\t<k>`` per row, parallel to ``ids``"""
    unlabelled: frozenset[str] = frozenset()
    """Rows of the split without a gold label (-1): predictions for them are ignored"""


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(map(str, list(ids)[:MAX_IDS]))
    more = f" (+{len(ids) - MAX_IDS} more)" if len(ids) > MAX_IDS else ""
    return shown + more


def read_table(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read a CSV, JSONL or parquet file into a string-typed DataFrame."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pl.read_parquet(p)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            rows = [
                json.loads(line)
                for line in p.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            df = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
        elif suffix in (".csv", ".tsv"):
            # csv module, not polars: FNC-1 headlines hold quotes and commas that must round-trip exactly.
            with open(p, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
                records = list(reader)
                fields = reader.fieldnames or []
            df = pl.DataFrame(
                {f: [r.get(f) for r in records] for f in fields},
                schema=dict.fromkeys(fields, pl.String),
            )
        else:
            raise InputError(p, "unsupported format; use .csv, .jsonl or .parquet")
    except FileNotFoundError as exc:
        raise InputError(p, "file not found") from exc
    except (json.JSONDecodeError, UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        raise InputError(p, f"cannot be read: {exc}") from exc
    return df.with_columns([pl.col(c).cast(pl.String) for c in df.columns])


def fnc_pair_keys(headlines: Sequence[str], body_ids: Sequence[str]) -> list[str]:
    """``<Body ID>\\t<Headline>\\t<k>`` where k counts earlier rows with the same pair."""
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for h, b in zip(headlines, body_ids, strict=True):
        pair = (str(b).strip(), str(h))
        keys.append(f"{pair[0]}\t{pair[1]}\t{seen[pair]}")
        seen[pair] += 1
    return keys


def read_fnc_gold(path: str | os.PathLike[str]) -> Gold:
    """An FNC-1 stances CSV (``Headline``, ``Body ID``, ``Stance``) as gold; ids are 1-based rows."""
    from claimset.corpora.fnc1 import read_stances

    df = read_stances(path)
    return Gold(
        ids=tuple(str(r) for r in df["row"].to_list()),
        labels=tuple(df["stance"].to_list()),
        label_set=FNC_LABELS,
        source=str(path),
        pair_keys=tuple(fnc_pair_keys(df["headline"].to_list(), df["body_id"].to_list())),
    )


def read_release_gold(
    release_dir: str | os.PathLike[str], config: str, split: str, field: str
) -> Gold:
    """Gold labels of one release split; ClassLabel codes are decoded with the file's features.

    Rows keyed by the config's key column (``sentence_id``, ``claim_id``, ``item_id``; a
    release from before the key was renamed has ``item_id``). Rows whose label is -1
    (``datasets``' "no label", e.g. ``checkworthy`` of a non-claim) are not scored.
    """
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features

    from claimset.evaluate.release import KEYS, split_path

    path = split_path(release_dir, config, split)
    if not path.is_file():
        raise InputError(path, f"no such release split (config {config!r}, split {split!r})")
    table = pq.read_table(path)
    features = Features.from_arrow_schema(table.schema)
    if field not in features:
        raise InputError(path, f"no label field {field!r}; fields: {', '.join(features)}")
    feat = features[field]
    if not isinstance(feat, ClassLabel):
        raise InputError(path, f"field {field!r} is not a ClassLabel")
    key = KEYS.get(config, "item_id")
    if key not in table.column_names:
        if "item_id" not in table.column_names:
            raise InputError(path, f"no key column {key!r}", field=key)
        key = "item_id"
    ids, labels, unlabelled = [], [], set()
    for i, v in zip(table.column(key).to_pylist(), table.column(field).to_pylist(), strict=True):
        if v is None or int(v) < 0:
            unlabelled.add(str(i))
            continue
        ids.append(str(i))
        labels.append(feat.int2str(int(v)))
    return Gold(
        ids=tuple(ids),
        labels=tuple(labels),
        label_set=tuple(feat.names),
        source=str(path),
        unlabelled=frozenset(unlabelled),
    )


def read_predictions(path: str | os.PathLike[str], gold: Gold) -> dict[str, str]:
    """Predictions aligned to ``gold``: gold id -> predicted label.

    Raises :class:`InputError` naming the file, rows and ids for duplicates, missing ids,
    extra ids and labels outside the gold label set (all problems found are reported
    together).
    """
    from claimset.evaluate.predictions import iter_rows

    records = list(iter_rows(path))
    if not records:
        raise InputError(path, "no prediction rows")
    columns = set().union(*(r.keys() for _, r in records))
    label_col = next((c for c in LABEL_COLUMNS if c in columns), None)
    if label_col is None:
        raise InputError(
            path,
            f"no label column; expected one of {', '.join(LABEL_COLUMNS)} (have {', '.join(sorted(columns))})",
        )
    rows = [n for n, _ in records]

    def value(rec: dict[str, object], col: str) -> str:
        v = rec.get(col)
        return "" if v is None else str(v).strip()

    if gold.pair_keys is not None and {"Headline", "Body ID"} <= columns:
        pred_keys = fnc_pair_keys(
            [str(r.get("Headline") or "") for _, r in records],
            [value(r, "Body ID") for _, r in records],
        )
        to_id = dict(zip(gold.pair_keys, gold.ids, strict=True))
        # Keys absent from gold keep a readable form for the error message.
        ids = [
            to_id.get(k, "Body ID {} / {!r} (repeat {})".format(*k.split("\t"))) for k in pred_keys
        ]
        id_col = "Headline/Body ID"
    else:
        id_col = next((c for c in ID_COLUMNS if c in columns), "")
        if not id_col:
            raise InputError(
                path,
                f"no id column; expected one of {', '.join(ID_COLUMNS)} (have {', '.join(sorted(columns))})",
            )
        ids = [value(r, id_col) or "<empty>" for _, r in records]
    labels = [value(r, label_col) for _, r in records]
    if gold.unlabelled:
        keep = [k for k, i in enumerate(ids) if i not in gold.unlabelled]
        rows, ids, labels = (
            [rows[k] for k in keep],
            [ids[k] for k in keep],
            [labels[k] for k in keep],
        )

    problems: list[str] = []
    first_row: dict[str, int] = {}
    dup_rows: list[str] = []
    for n, i in zip(rows, ids, strict=True):
        if i in first_row:
            dup_rows.append(f"row {n} repeats {i} (row {first_row[i]})")
        else:
            first_row[i] = n
    if dup_rows:
        problems.append(f"duplicate id(s) in field {id_col!r}: " + _names(dup_rows))
    gold_ids = set(gold.ids)
    missing = [i for i in gold.ids if i not in first_row]
    if missing:
        problems.append(f"{len(missing)} gold id(s) without a prediction: {_names(missing)}")
    extra = [f"row {n}: {i}" for n, i in zip(rows, ids, strict=True) if i not in gold_ids]
    if extra:
        problems.append(
            f"{len(extra)} predicted id(s) in field {id_col!r} not in the gold data: {_names(extra)}"
        )
    allowed = set(gold.label_set)
    unknown = [
        f"row {n}: {lab!r}" for n, lab in zip(rows, labels, strict=True) if lab not in allowed
    ]
    if unknown:
        problems.append(
            f"label(s) in field {label_col!r} outside {list(gold.label_set)}: {_names(unknown)}"
        )
    if problems:
        raise InputError(path, "; ".join(problems))
    return dict(zip(ids, labels, strict=True))
