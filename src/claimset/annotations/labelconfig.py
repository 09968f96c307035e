"""Label Studio label configs (XML) as the schema an export must fit."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from claimset.errors import ConfigError

# Control tags whose <Choice>/<Label> children enumerate allowed values.
_VALUE_TAGS = {"Labels": "labels", "Choices": "choices", "TextArea": "textarea"}


@dataclass(frozen=True)
class Control:
    """One control tag: its result ``type``, target object and allowed values."""

    name: str
    type: str
    to_name: str
    values: tuple[str, ...]
    per_region: bool = False
    single: bool = False


@dataclass(frozen=True)
class LabelConfig:
    """The controls of one project's label config plus its version (sha256 of the XML)."""

    version: str
    controls: dict[str, Control]
    relations: tuple[str, ...]
    objects: tuple[str, ...] = field(default_factory=tuple)

    def choices(self, name: str) -> tuple[str, ...]:
        """Allowed values of control ``name`` (raises ConfigError if absent)."""
        try:
            return self.controls[name].values
        except KeyError as exc:
            raise ConfigError(f"label config {self.version[:12]} has no control {name!r}") from exc


def parse_label_config(xml: str, version: str | None = None) -> LabelConfig:
    """Parse Label Studio XML into a :class:`LabelConfig`; ``version`` defaults to its sha256."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ConfigError(f"label config is not valid XML: {exc}") from exc
    controls: dict[str, Control] = {}
    relations: list[str] = []
    objects: list[str] = []
    for el in root.iter():
        if el.tag in _VALUE_TAGS and "name" in el.attrib:
            child = "Label" if el.tag == "Labels" else "Choice"
            values = tuple(c.attrib["value"] for c in el.iter(child) if "value" in c.attrib)
            controls[el.attrib["name"]] = Control(
                name=el.attrib["name"],
                type=_VALUE_TAGS[el.tag],
                to_name=el.attrib.get("toName", ""),
                values=values,
                per_region=el.attrib.get("perRegion", "false").lower() == "true",
                single=el.tag == "Choices"
                and el.attrib.get("choice", "single").startswith("single"),
            )
        elif el.tag == "Relation" and "value" in el.attrib:
            relations.append(el.attrib["value"])
        elif el.tag in {"Text", "HyperText", "Paragraphs"} and "name" in el.attrib:
            objects.append(el.attrib["name"])
    sha = version or hashlib.sha256(xml.encode("utf-8")).hexdigest()
    return LabelConfig(
        version=sha, controls=controls, relations=tuple(relations), objects=tuple(objects)
    )


def load_label_config(path: str | Path) -> LabelConfig:
    """Read and parse a label config file; its version is the sha256 of the file bytes."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: label config not found") from exc
    return parse_label_config(raw.decode("utf-8"), hashlib.sha256(raw).hexdigest())
