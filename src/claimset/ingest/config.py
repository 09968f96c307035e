"""The ``ingest:`` section of ``params.yaml``."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

# Article fields a JSONL/CSV/Parquet column can be mapped to (target -> source column name).
MAPPABLE_FIELDS = (
    "source_id",
    "source",
    "url",
    "title",
    "standfirst",
    "body",
    "published_at",
    "language",
    "author",
    "synthetic",
)


def _frozen(d: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class IngestConfig:
    """How raw files become articles.

    ``encodings`` maps a glob (matched against the path relative to the input root, e.g.
    ``"legacy/*.txt"``) to a declared encoding; a ``<name>.meta.json`` sidecar's ``encoding``
    wins over it; ``default_encoding`` applies otherwise.
    """

    default_encoding: str = "utf-8"
    encodings: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    max_chars: int = 1_000_000  # normalised text above this cap -> quarantine (too_large)
    default_language: str = "en"
    default_source: str | None = None  # None -> name of the file's parent directory
    txt_standfirst: Literal["auto", "always", "never"] = "auto"
    standfirst_max_chars: int = 400  # "auto": block 2 is a standfirst only if this short
    jsonl_fields: Mapping[str, str] = field(
        default_factory=lambda: _frozen({f: f for f in MAPPABLE_FIELDS})
    )
    # Parquet files and Hugging Face `datasets` Arrow shards: article field -> column.
    table_fields: Mapping[str, str] = field(
        default_factory=lambda: _frozen({f: f for f in MAPPABLE_FIELDS})
    )
    csv_fields: Mapping[str, str] = field(
        default_factory=lambda: _frozen({"source_id": "Body ID", "body": "articleBody"})
    )
    on_source_id_conflict: Literal["error", "quarantine"] = "error"
    excerpt_chars: int = 200

    def __post_init__(self) -> None:
        for enc in (self.default_encoding, *self.encodings.values()):
            try:
                codecs.lookup(enc)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {enc!r}") from exc
        for name, mapping in (
            ("jsonl_fields", self.jsonl_fields),
            ("csv_fields", self.csv_fields),
            ("table_fields", self.table_fields),
        ):
            bad = sorted(set(mapping) - set(MAPPABLE_FIELDS))
            if bad:
                raise ValueError(
                    f"{name}: unknown article field(s) {bad}; valid: {', '.join(MAPPABLE_FIELDS)}"
                )
            if "body" not in mapping:
                raise ValueError(f"{name}: a column must be mapped to 'body'")
        if self.max_chars < 1:
            raise ValueError(f"max_chars must be >= 1, got {self.max_chars}")
