"""The params loader builds frozen, typed configs and rejects bad keys and values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from claimset.config import build, load_section
from claimset.errors import ConfigError


@dataclass(frozen=True)
class Inner:
    threshold: float = 0.5
    shingle: int = 5


@dataclass(frozen=True)
class Section:
    method: Literal["majority", "dawid_skene"] = "majority"
    ratios: dict[str, float] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    inner: Inner = field(default_factory=Inner)
    cap: int | None = None


def test_builds_nested_frozen_objects() -> None:
    cfg = build(
        Section,
        {
            "method": "dawid_skene",
            "ratios": {"train": 0.8},
            "names": ["a", "b"],
            "inner": {"threshold": 1},
        },
        "p",
    )
    assert cfg.method == "dawid_skene"
    assert cfg.ratios["train"] == 0.8
    assert cfg.names == ("a", "b")
    assert cfg.inner == Inner(threshold=1.0, shingle=5)
    assert isinstance(cfg.inner.threshold, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.method = "majority"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.ratios["train"] = 0.1  # type: ignore[index]


def test_unknown_key_quotes_bad_and_valid_key() -> None:
    with pytest.raises(ConfigError) as exc:
        build(Section, {"inner": {"treshold": 0.3}}, "params.yaml:aggregate")
    msg = str(exc.value)
    assert "'treshold'" in msg
    assert "'threshold'" in msg
    assert "params.yaml:aggregate.inner" in msg


def test_bad_literal_names_a_valid_value() -> None:
    with pytest.raises(ConfigError, match=r"'mode'.*'majority'"):
        build(Section, {"method": "mode"}, "p")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"inner": {"shingle": "five"}}, "expected an integer"),
        ({"inner": {"shingle": True}}, "expected an integer"),
        ({"inner": {"threshold": "high"}}, "expected a number"),
        ({"names": "abc"}, "expected a list"),
        ({"ratios": [1, 2]}, "expected a mapping"),
    ],
)
def test_wrong_types_are_rejected(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        build(Section, data, "p")


def test_optional_accepts_none_and_value() -> None:
    assert build(Section, {"cap": None}, "p").cap is None
    assert build(Section, {"cap": 7}, "p").cap == 7


def test_load_section_reports_missing_section(tmp_path: Path) -> None:
    p = tmp_path / "params.yaml"
    p.write_text("other: {}\n")
    with pytest.raises(ConfigError, match="missing section 'aggregate'"):
        load_section("aggregate", Section, p)


def test_load_section_reports_bad_yaml(tmp_path: Path) -> None:
    p = tmp_path / "params.yaml"
    p.write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_section("a", Section, p)
