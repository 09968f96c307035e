"""Read a release's configs through their column contract (what the scorer and baselines use).

A release is ``<dir>/<config>/<split>.parquet`` as written by ``claimset publish``, with
the Hugging Face features in each file's ``huggingface`` schema metadata. ``ClassLabel``
codes (and lists of them, e.g. the attribution tags) are decoded back to their names with
those features; a code of -1 (``datasets``' "no label") becomes null.

Only the columns a consumer needs are required, so a release that adds columns keeps
working; a missing one is an error naming the file and the column.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import polars as pl

from claimset.errors import InputError
from claimset.labels import SPLITS

# The release's column contract (issue 15); the columns this package reads are REQUIRED.
CONTRACT: Final[Mapping[str, tuple[str, ...]]] = {
    "articles": (
        "article_id",
        "title",
        "text",
        "source",
        "url",
        "published_at",
        "language",
        "synthetic",
        "license_note",
    ),
    "claim_detection": (
        "sentence_id",
        "article_id",
        "char_start",
        "char_end",
        "text",
        "label",
        "checkworthy",
        "n_annotators",
        "agreement",
    ),
    "claims": (
        "claim_id",
        "article_id",
        "sentence_id",
        "char_start",
        "char_end",
        "text",
        "speaker_start",
        "speaker_end",
        "speaker_text",
        "speaker_name",
        "speaker_unnamed",
        "speaker_pronoun",
        "cue",
        "claim_type",
        "checkworthy",
        "confidence",
        "n_annotators",
        "agreement",
    ),
    "attribution": ("article_id", "tokens", "token_starts", "token_ends", "tags"),
    "stance": ("item_id", "article_id", "target", "text", "label"),
}
REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "articles": ("article_id", "text"),
    "claim_detection": ("sentence_id", "article_id", "char_start", "char_end", "text", "label"),
    "claims": (
        "claim_id",
        "article_id",
        "char_start",
        "char_end",
        "text",
        "speaker_start",
        "speaker_end",
    ),
    "attribution": ("article_id", "tokens", "token_starts", "token_ends", "tags"),
    "stance": ("item_id", "article_id", "target", "text", "label"),
}
# The row key of each config (prediction files are keyed by it, or by article_id for spans).
KEYS: Final[Mapping[str, str]] = {
    "articles": "article_id",
    "claim_detection": "sentence_id",
    "claims": "claim_id",
    "attribution": "article_id",
    "stance": "item_id",
}
DETECTION_LABELS: Final = ("not_claim", "claim")
ATTRIBUTION_TAGS: Final = ("O", "B-CONTENT", "I-CONTENT", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE")


def is_release(release_dir: str | os.PathLike[str]) -> bool:
    """A directory that ``claimset publish`` wrote (it always holds the card)."""
    return (Path(release_dir) / "README.md").is_file()


def present_configs(release_dir: str | os.PathLike[str]) -> list[str]:
    """The contract's configs that have at least one split file, in contract order."""
    root = Path(release_dir)
    return [c for c in CONTRACT if any((root / c / f"{s}.parquet").is_file() for s in SPLITS)]


def split_path(release_dir: str | os.PathLike[str], config: str, split: str) -> Path:
    """``<release>/<config>/<split>.parquet``."""
    return Path(release_dir) / config / f"{split}.parquet"


def read_split(
    release_dir: str | os.PathLike[str],
    config: str,
    split: str,
    *,
    required: tuple[str, ...] | None = None,
    missing_ok: bool = False,
) -> pl.DataFrame | None:
    """One config split with ClassLabel codes decoded to names, sorted by the config's key.

    Returns None for an absent split file when ``missing_ok`` (the caller says why it is
    not scored), else raises :class:`InputError` naming the path.
    """
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features

    if config not in CONTRACT:
        raise InputError(
            release_dir, f"unknown config {config!r}; use one of {', '.join(CONTRACT)}"
        )
    path = split_path(release_dir, config, split)
    if not path.is_file():
        if missing_ok:
            return None
        raise InputError(path, f"no such release split (config {config!r}, split {split!r})")
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise InputError(path, f"not a readable parquet file: {exc}") from exc
    need = REQUIRED[config] if required is None else required
    missing = [c for c in need if c not in table.column_names]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)} of the {config!r} contract "
            f"(file has {', '.join(table.column_names)})",
        )
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    features = (
        Features.from_arrow_schema(table.schema)
        if table.schema.metadata and b"huggingface" in table.schema.metadata
        else {}
    )
    for name, feat in features.items():
        inner = getattr(feat, "feature", None)
        if isinstance(feat, ClassLabel):
            df = df.with_columns(_decode(pl.col(name), feat.names).alias(name))
        elif isinstance(inner, ClassLabel):
            df = df.with_columns(
                pl.col(name).list.eval(_decode(pl.element(), inner.names)).alias(name)
            )
    key = KEYS[config]
    return df.sort(key) if key in df.columns else df


def _decode(expr: pl.Expr, names: list[str]) -> pl.Expr:
    mapping = {i: n for i, n in enumerate(names)}
    mapping[-1] = None  # type: ignore[assignment]
    return expr.replace_strict(mapping, return_dtype=pl.String)


def article_texts(release_dir: str | os.PathLike[str]) -> dict[str, str]:
    """``{article_id: text}`` over every split of the ``articles`` config (empty if absent)."""
    out: dict[str, str] = {}
    for split in SPLITS:
        df = read_split(release_dir, "articles", split, missing_ok=True)
        if df is not None:
            out.update(zip(df["article_id"].to_list(), df["text"].to_list(), strict=True))
    return out
