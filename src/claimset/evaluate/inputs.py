"""Read gold labels and prediction files, and align them by item id with clear errors.

Prediction files (CSV, JSONL or parquet; chosen by extension) need an id column
(``item_id`` or ``id``) and a label column (``label``, ``prediction``, ``predicted`` or
``Stance``). Against an FNC-1 gold CSV, a prediction file in FNC-1 format (``Headline``,
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

ID_COLUMNS = ("item_id", "id")
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
    df = read_table(path)
    missing = [c for c in ("Headline", "Body ID", "Stance") if c not in df.columns]
    if missing:
        raise InputError(path, f"not an FNC-1 stances file: missing column(s) {', '.join(missing)}")
    bad = [str(i + 1) for i, s in enumerate(df["Stance"].to_list()) if s not in FNC_LABELS]
    if bad:
        raise InputError(path, f"gold rows with labels outside {list(FNC_LABELS)}: {_names(bad)}")
    return Gold(
        ids=tuple(str(i + 1) for i in range(df.height)),
        labels=tuple(df["Stance"].to_list()),
        label_set=FNC_LABELS,
        source=str(path),
        pair_keys=tuple(fnc_pair_keys(df["Headline"].to_list(), df["Body ID"].to_list())),
    )


def read_release_gold(
    release_dir: str | os.PathLike[str], config: str, split: str, field: str
) -> Gold:
    """Gold labels of one release split; ClassLabel codes are decoded with the file's features."""
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features

    path = Path(release_dir) / config / f"{split}.parquet"
    if not path.is_file():
        raise InputError(path, f"no such release split (config {config!r}, split {split!r})")
    table = pq.read_table(path)
    features = Features.from_arrow_schema(table.schema)
    if field not in features:
        raise InputError(path, f"no label field {field!r}; fields: {', '.join(features)}")
    feat = features[field]
    if not isinstance(feat, ClassLabel):
        raise InputError(path, f"field {field!r} is not a ClassLabel")
    # Release 15.1 keys claims by claim_id and claim_detection by sentence_id.
    key = next(c for c in ("item_id", "claim_id", "sentence_id", "article_id") if c in features)
    ids = [str(v) for v in table.column(key).to_pylist()]
    labels = [feat.int2str(int(v)) for v in table.column(field).to_pylist()]
    return Gold(ids=tuple(ids), labels=tuple(labels), label_set=tuple(feat.names), source=str(path))


def read_predictions(path: str | os.PathLike[str], gold: Gold) -> dict[str, str]:
    """Predictions aligned to ``gold``: gold id -> predicted label.

    Raises :class:`InputError` naming the ids for duplicates, missing ids, extra ids and
    labels outside the gold label set (all problems found are reported together).
    """
    df = read_table(path)
    label_col = next((c for c in LABEL_COLUMNS if c in df.columns), None)
    if label_col is None:
        raise InputError(path, f"no label column; expected one of {', '.join(LABEL_COLUMNS)}")
    if gold.pair_keys is not None and {"Headline", "Body ID"} <= set(df.columns):
        pred_keys = fnc_pair_keys(df["Headline"].to_list(), df["Body ID"].to_list())
        to_id = dict(zip(gold.pair_keys, gold.ids, strict=True))
        # Keys absent from gold keep a readable form for the error message.
        ids = [
            to_id.get(k, "Body ID {} / {!r} (repeat {})".format(*k.split("\t"))) for k in pred_keys
        ]
    else:
        id_col = next((c for c in ID_COLUMNS if c in df.columns), None)
        if id_col is None:
            raise InputError(path, f"no id column; expected one of {', '.join(ID_COLUMNS)}")
        ids = [str(v).strip() if v is not None else "<empty>" for v in df[id_col].to_list()]
    labels = [str(v).strip() if v is not None else "" for v in df[label_col].to_list()]

    problems: list[str] = []
    counts = Counter(ids)
    dups = sorted(i for i, n in counts.items() if n > 1)
    if dups:
        problems.append(f"duplicate id(s): {_names(dups)}")
    gold_ids = set(gold.ids)
    missing = [i for i in gold.ids if i not in counts]
    if missing:
        problems.append(f"{len(missing)} gold id(s) without a prediction: {_names(missing)}")
    extra = sorted(set(ids) - gold_ids)
    if extra:
        problems.append(f"{len(extra)} predicted id(s) not in the gold data: {_names(extra)}")
    allowed = set(gold.label_set)
    unknown = sorted({i for i, lab in zip(ids, labels, strict=True) if lab not in allowed})
    if unknown:
        bad_labels = sorted({lab for lab in labels if lab not in allowed})
        problems.append(
            f"unknown label(s) {bad_labels} (allowed: {list(gold.label_set)}) for id(s): {_names(unknown)}"
        )
    if problems:
        raise InputError(path, "; ".join(problems))
    return dict(zip(ids, labels, strict=True))
