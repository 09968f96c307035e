"""``croissant.json``: the release described in Croissant 1.1 (JSON-LD), built with mlcroissant.

One ``FileSet`` per config (``<config>/*.parquet``, relative to the JSON-LD file, so the
description works offline and after a copy), one ``RecordSet`` per config whose fields are
the parquet columns plus ``split`` (read from the file name), one ``splits`` record set,
the licence and the Responsible-AI fields. Nothing here reads the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claimset.labels import SPLITS
from claimset.publish.features import COLUMNS, RELEASE_LABELS

_TYPES = {
    "string": "TEXT",
    "int64": "INT64",
    "float64": "FLOAT64",
    "bool": "BOOL",
    "class_label": "INT64",
}


@dataclass(frozen=True)
class CroissantFacts:
    """What the Croissant description states, all from params or the release."""

    name: str
    description: str
    version: str
    licenses: tuple[str, ...]
    citation: str
    url: str | None
    language: tuple[str, ...]
    keywords: tuple[str, ...]
    configs: Mapping[str, Sequence[str]]
    """config -> splits that have a file"""
    config_descriptions: Mapping[str, str]
    data_collection: str
    annotation_protocol: tuple[str, ...]
    annotation_platform: tuple[str, ...]
    annotations_per_item: str
    biases: tuple[str, ...]
    limitations: tuple[str, ...]
    use_cases: tuple[str, ...]
    sensitive_information: tuple[str, ...]


def _field(config: str, column: str, dtype: str, description: str | None) -> Any:
    import mlcroissant as mlc

    kind = dtype.split(":", 1)[1] if dtype.startswith("list:") else dtype
    labels = RELEASE_LABELS[config].get(column)
    desc = description or ""
    if labels:
        desc = (
            (desc + " " if desc else "")
            + "ClassLabel codes: "
            + ", ".join(f"{i}={v}" for i, v in enumerate(labels))
        )
        if dtype == "class_label":
            desc += "; -1 = no label"
    return mlc.Field(
        id=f"{config}/{column}",
        name=column,
        description=desc or None,
        data_types=[getattr(mlc.DataType, _TYPES[kind])],
        is_array=True if dtype.startswith("list:") else None,
        array_shape="-1" if dtype.startswith("list:") else None,
        source=mlc.Source(file_set=f"{config}-parquet", extract=mlc.Extract(column=column)),
    )


def build_croissant(facts: CroissantFacts, column_docs: Mapping[str, Mapping[str, str]]) -> str:
    """The JSON-LD text (sorted keys, two-space indent, trailing newline)."""
    import mlcroissant as mlc

    distribution: list[Any] = []
    record_sets: list[Any] = [
        mlc.RecordSet(
            id="splits",
            name="splits",
            description="The splits of every config (whole articles per split).",
            data_types=[mlc.DataType.SPLIT],
            key=["splits/name"],
            fields=[
                mlc.Field(id="splits/name", name="name", data_types=[mlc.DataType.TEXT]),
            ],
            data=[{"splits/name": s} for s in SPLITS],
        )
    ]
    for config in sorted(facts.configs):
        splits = list(facts.configs[config])
        distribution.append(
            mlc.FileSet(
                id=f"{config}-parquet",
                name=f"{config}-parquet",
                description=f"Parquet files of the {config} config, one per split "
                f"({', '.join(splits)}).",
                encoding_formats=[mlc.EncodingFormat.PARQUET],
                includes=[f"{config}/*.parquet"],
            )
        )
        fields = [
            _field(config, col, dtype, column_docs.get(config, {}).get(col))
            for col, dtype in COLUMNS[config]
        ]
        fields.append(
            mlc.Field(
                id=f"{config}/split",
                name="split",
                description="The split, from the file name.",
                data_types=[mlc.DataType.TEXT],
                references=mlc.Source(field="splits/name"),
                source=mlc.Source(
                    file_set=f"{config}-parquet",
                    extract=mlc.Extract(file_property=mlc.FileProperty.filename),
                    transforms=[mlc.Transform(regex=r"^(train|validation|test)(?:\.parquet)?$")],
                ),
            )
        )
        record_sets.append(
            mlc.RecordSet(
                id=config,
                name=config,
                description=facts.config_descriptions.get(config),
                fields=fields,
            )
        )
    metadata = mlc.Metadata(
        conforms_to=[
            "http://mlcommons.org/croissant/1.1",
            "http://mlcommons.org/croissant/RAI/1.0",
        ],
        name=facts.name,
        description=facts.description,
        version=facts.version,
        license=list(facts.licenses),
        cite_as=facts.citation,
        url=facts.url,
        in_language=list(facts.language),
        keywords=list(facts.keywords),
        distribution=distribution,
        record_sets=record_sets,
        data_collection=facts.data_collection,
        data_collection_type=["Manual Human Curation"],
        data_annotation_protocol=list(facts.annotation_protocol),
        data_annotation_platform=list(facts.annotation_platform),
        annotations_per_item=facts.annotations_per_item,
        data_biases=list(facts.biases),
        data_limitations=list(facts.limitations),
        data_use_cases=list(facts.use_cases),
        personal_sensitive_information=list(facts.sensitive_information),
    )
    doc = metadata.to_json()
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
