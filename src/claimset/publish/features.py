"""Release columns and Hugging Face ``Features`` per config, and their Arrow encoding.

Label columns are ``ClassLabel`` features (stored as int64 codes, names in
:mod:`claimset.labels` order; ``-1`` is datasets' "no label", used where a field does not
apply, e.g. ``checkworthy`` of a ``not_claim`` sentence). The features travel twice: in each
parquet file's ``huggingface`` schema metadata (what ``datasets`` itself writes) and in the
card's ``dataset_info``. Annotator identities (``reviewer``) and internal grouping columns
are not released.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import polars as pl

from claimset.labels import CHECKWORTHY, LABEL_FIELDS

if TYPE_CHECKING:
    import datasets
    import pyarrow as pa

CLAIM_DETECTION_LABELS: Final = ("not_claim", "claim")
ATTRIBUTION_TAGS: Final = ("O", "B-CONTENT", "I-CONTENT", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE")
CONFIGS: Final = ("articles", "claim_detection", "claims", "attribution", "stance")

# config -> column -> ClassLabel names (for "class_label" and "class_label_list" columns).
RELEASE_LABELS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "articles": {},
    "claim_detection": {"label": CLAIM_DETECTION_LABELS, "checkworthy": CHECKWORTHY},
    "claims": dict(LABEL_FIELDS["claims"]),
    "attribution": {"tags": ATTRIBUTION_TAGS},
    "stance": dict(LABEL_FIELDS["stance"]),
}

# config -> ordered (column, dtype): a datasets Value dtype, "class_label", or a list type.
COLUMNS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "articles": (
        ("article_id", "string"),
        ("title", "string"),
        ("text", "string"),
        ("source", "string"),
        ("url", "string"),
        ("published_at", "string"),
        ("language", "string"),
        ("synthetic", "bool"),
        ("license_note", "string"),
    ),
    "claim_detection": (
        ("sentence_id", "string"),
        ("article_id", "string"),
        ("char_start", "int64"),
        ("char_end", "int64"),
        ("text", "string"),
        ("label", "class_label"),
        ("checkworthy", "class_label"),
        ("n_annotators", "int64"),
        ("agreement", "float64"),
    ),
    "claims": (
        ("claim_id", "string"),
        ("article_id", "string"),
        ("sentence_id", "string"),
        ("char_start", "int64"),
        ("char_end", "int64"),
        ("text", "string"),
        ("speaker_start", "int64"),
        ("speaker_end", "int64"),
        ("speaker_text", "string"),
        ("speaker_name", "string"),
        ("speaker_unnamed", "bool"),
        ("speaker_pronoun", "bool"),
        ("cue", "string"),
        ("claim_type", "class_label"),
        ("checkworthy", "class_label"),
        ("confidence", "float64"),
        ("n_annotators", "int64"),
        ("agreement", "float64"),
    ),
    "attribution": (
        ("article_id", "string"),
        ("tokens", "list:string"),
        ("token_starts", "list:int64"),
        ("token_ends", "list:int64"),
        ("tags", "list:class_label"),
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
        ("context", "string"),
        ("label", "class_label"),
        ("method", "string"),
        ("confidence", "float64"),
        ("n_annotators", "int64"),
        ("agreement", "float64"),
        ("synthetic", "bool"),
    ),
}

# The id column of each config (sort key of its files).
ID_COLUMN: Final[Mapping[str, str]] = {
    "articles": "article_id",
    "claim_detection": "sentence_id",
    "claims": "claim_id",
    "attribution": "article_id",
    "stance": "item_id",
}

_POLARS: Final[Mapping[str, pl.DataType]] = {
    "string": pl.String(),
    "int64": pl.Int64(),
    "float64": pl.Float64(),
    "bool": pl.Boolean(),
    "class_label": pl.Int64(),
    "list:string": pl.List(pl.String),
    "list:int64": pl.List(pl.Int64),
    "list:class_label": pl.List(pl.Int64),
}


def features_for(config: str) -> datasets.Features:
    """The ``datasets.Features`` of a release config."""
    from datasets import ClassLabel, Features, List, Value

    labels = RELEASE_LABELS[config]
    out = {}
    for name, dtype in COLUMNS[config]:
        if dtype == "class_label":
            out[name] = ClassLabel(names=list(labels[name]))
        elif dtype == "list:class_label":
            out[name] = List(ClassLabel(names=list(labels[name])))
        elif dtype.startswith("list:"):
            out[name] = List(Value(dtype.split(":", 1)[1]))
        else:
            out[name] = Value(dtype)
    return Features(out)


def release_frame(config: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select and type the release columns of a split table; labels become ClassLabel codes.

    A null label becomes ``-1`` (no label). Columns absent from ``df`` become typed nulls.
    """
    labels = RELEASE_LABELS[config]
    exprs = []
    for name, dtype in COLUMNS[config]:
        if dtype == "class_label":
            codes = {v: i for i, v in enumerate(labels[name])}
            exprs.append(
                pl.col(name).replace_strict(codes, return_dtype=pl.Int64).fill_null(-1).alias(name)
            )
        elif dtype == "list:class_label":
            exprs.append(pl.col(name))
        elif name in df.columns:
            exprs.append(pl.col(name).cast(_POLARS[dtype]).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=_POLARS[dtype]).alias(name))
    out = df.select(exprs).sort(ID_COLUMN[config])
    for name, dtype in COLUMNS[config]:
        if dtype == "list:class_label":
            out = out.with_columns(_encode_list(out[name], labels[name]))
    return out


def _encode_list(col: pl.Series, names: tuple[str, ...]) -> pl.Series:
    """ClassLabel codes of a list-of-strings column, encoded on the flat values.

    ``list.eval(replace_strict)`` took 3 s on 20M tags; encoding the flat child array and
    putting the list offsets back is one vectorised pass.
    """
    import pyarrow as pa

    codes = {v: i for i, v in enumerate(names)}
    arr = col.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = arr.offsets
    flat = pl.from_arrow(arr.flatten())
    assert isinstance(flat, pl.Series)
    values = flat.replace_strict(codes, return_dtype=pl.Int64).to_arrow()
    start = offsets[0].as_py() if len(offsets) else 0
    rebased = pa.compute.subtract(offsets, pa.scalar(start, offsets.type))
    rebuilt = type(arr).from_arrays(rebased, values, mask=arr.is_null())
    out = pl.from_arrow(rebuilt)
    assert isinstance(out, pl.Series)
    return out.alias(col.name)


def to_arrow(config: str, frame: pl.DataFrame) -> pa.Table:
    """Arrow table with the config's HF features schema (incl. ``huggingface`` metadata).

    polars hands its buffers to Arrow without a copy (no pandas, no Python objects); the
    cast only changes the string/list layouts to the ones ``datasets`` writes.
    """
    schema = features_for(config).arrow_schema
    table = frame.select([f.name for f in schema]).to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(schema)
