"""The ``dataset`` section of params.yaml: identity of a release (name, version, licence, card metadata)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class DatasetConfig:
    """Release identity and the card's YAML metadata.

    ``name`` is the release directory name under ``data/release/``; ``version`` is a
    semantic version printed in the card and the checksums header of the publish report.
    """

    name: str = "claimset-demo"
    version: str = "0.1.0"
    pretty_name: str = "claimset demo: claims and stance in news"
    license: str = "cc-by-4.0"
    language: tuple[str, ...] = ("en",)
    task_categories: tuple[str, ...] = ("text-classification",)
    task_ids: tuple[str, ...] = ("fact-checking", "multi-class-classification")
    tags: tuple[str, ...] = ("stance-detection", "claim-detection", "check-worthiness", "news")
    homepage: str | None = None
    authors: tuple[str, ...] = ("The claimset maintainers",)
    citation_key: str = "claimset_demo"
    year: int = 2026
    summary: str = (
        "Claims (with claim type and check-worthiness) and stance labels (favor, against, "
        "neutral, unrelated towards a target proposition) annotated in news articles."
    )
    # Who annotated and how, when it differs from the usual Label Studio workflow (the
    # card's "Annotation process" prints it as given).
    annotation_note: str | None = None
    # Whether annotators saw the machine pre-annotations. The card's annotation section and
    # its limitations both follow this one value, so they cannot disagree.
    preannotations_shown: bool = True
    # Licence of each article source's text (source name -> licence id or note). Sources
    # not listed get ``default_source_license``: real news text is the publishers'.
    source_licenses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_source_license: str = "copyright of the publishers; check before redistributing"
    # The config ``load_dataset(path)`` opens without a config name.
    default_config: str = "claim_detection"

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(
                f"name {self.name!r} must be lower-case letters, digits, '.', '_' or '-'"
            )
        if not _VERSION.match(self.version):
            raise ValueError(f"version {self.version!r} must look like 1.2.3")
        if not self.language:
            raise ValueError("language must list at least one language code")
        configs = ("articles", "claim_detection", "claims", "attribution", "stance")
        if self.default_config not in configs:
            raise ValueError(f"default_config must be one of {', '.join(configs)}")
