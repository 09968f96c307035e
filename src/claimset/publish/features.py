"""Release columns and Hugging Face ``Features`` per config, and their Arrow encoding.

Label columns are ``ClassLabel`` features (stored as int64 codes, names in
:mod:`claimset.labels` order). The features travel twice: in each parquet file's
``huggingface`` schema metadata (what ``datasets`` itself writes) and in the card's
``dataset_info``. Annotator identities (``reviewer``) and internal grouping columns are not
released.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import polars as pl

from claimset.labels import LABEL_FIELDS

if TYPE_CHECKING:
    import datasets
    import pyarrow as pa

# config -> ordered (column, dtype) where dtype is a datasets Value dtype or "class_label".
COLUMNS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "claims": (
        ("item_id", "string"),
        ("article_id", "string"),
        ("source", "string"),
        ("published_at", "string"),
        ("char_start", "int64"),
        ("char_end", "int64"),
        ("text", "string"),
        ("speaker", "string"),
        ("claim_type", "class_label"),
        ("checkworthy", "class_label"),
        ("method", "string"),
        ("confidence", "float64"),
        ("n_annotators", "int64"),
        ("agreement", "float64"),
        ("synthetic", "bool"),
    ),
    "stance": (
        ("item_id", "string"),
        ("article_id", "string"),
        ("source", "string"),
        ("published_at", "string"),
        ("pair_kind", "string"),
        ("target_id", "string"),
        ("target", "string"),
        ("text", "string"),
        ("label", "class_label"),
        ("method", "string"),
        ("confidence", "float64"),
        ("n_annotators", "int64"),
        ("agreement", "float64"),
        ("synthetic", "bool"),
    ),
}

_POLARS: Final[Mapping[str, type[pl.DataType] | pl.DataType]] = {
    "string": pl.String,
    "int64": pl.Int64,
    "float64": pl.Float64,
    "bool": pl.Boolean,
    "class_label": pl.Int64,
}


def features_for(config: str) -> datasets.Features:
    """The ``datasets.Features`` of a release config."""
    from datasets import ClassLabel, Features, Value

    labels = LABEL_FIELDS[config]
    return Features(
        {
            name: ClassLabel(names=list(labels[name])) if dtype == "class_label" else Value(dtype)
            for name, dtype in COLUMNS[config]
        }
    )


def release_frame(config: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select and type the release columns from a split table; labels become ClassLabel codes.

    Columns absent from ``df`` (optional in the labels contract) become typed nulls.
    """
    labels = LABEL_FIELDS[config]
    exprs = []
    for name, dtype in COLUMNS[config]:
        if dtype == "class_label":
            codes = {v: i for i, v in enumerate(labels[name])}
            exprs.append(pl.col(name).replace_strict(codes, return_dtype=pl.Int64).alias(name))
        elif name in df.columns:
            exprs.append(pl.col(name).cast(_POLARS[dtype]).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=_POLARS[dtype]).alias(name))
    return df.select(exprs).sort("item_id")


def to_arrow(config: str, frame: pl.DataFrame) -> pa.Table:
    """Arrow table with the config's HF features schema (incl. ``huggingface`` metadata)."""
    import pyarrow as pa

    schema = features_for(config).arrow_schema
    columns = [
        pa.array(frame[name].to_list(), type=schema.field(name).type) for name in schema.names
    ]
    return pa.Table.from_arrays(columns, schema=schema)
