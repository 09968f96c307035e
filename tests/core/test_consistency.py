"""The pieces that name each other agree: dvc.yaml, the CLI, params.yaml and the config classes.

These catch the slow rot of a pipeline: a stage whose command no longer exists, a params
key nobody reads (or one read but not declared, so DVC never re-runs on its change), and
an output path written by two stages.
"""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimset.cli import build_parser
from claimset.config import SECTIONS, load_all, read_params, section_class

ROOT = Path(__file__).resolve().parents[2]
# Data Docs HTML directories: written by the GX gate with run timestamps, deliberately not
# DVC outputs (their hash would change dvc.lock on every run); git-ignored instead.
SIDE_ARTIFACTS = {"reports/validation", "reports/validation-splits"}
STAGE_ORDER = [
    "ingest",
    "segment",
    "candidates",
    "tasks",
    "aggregate",
    "validate",
    "split",
    "publish",
    "baselines",
]


def dvc_stages() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]  # type: ignore[no-any-return]


def render(text: str) -> str:
    """Apply DVC's ${dataset.name}-style templating from params.yaml."""
    params = read_params(ROOT / "params.yaml")
    for section, values in params.items():
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, str | int | float):
                    text = text.replace("${" + f"{section}.{key}" + "}", str(value))
    return text


def leaf_keys(data: Any, prefix: str = "") -> set[str]:
    if isinstance(data, dict) and data:
        out: set[str] = set()
        for k, v in data.items():
            out |= leaf_keys(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    return {prefix}


def test_pipeline_has_the_documented_stages_in_order() -> None:
    names = list(dvc_stages())
    core = [n for n in names if n in STAGE_ORDER]
    assert core == STAGE_ORDER


@pytest.mark.parametrize("stage", list(dvc_stages()))
def test_stage_command_parses_with_the_cli(stage: str) -> None:
    cmd = render(" ".join(dvc_stages()[stage]["cmd"].split()))
    argv = shlex.split(cmd)
    assert argv[0] == "claimset", f"stage {stage} must call the claimset CLI, not {argv[0]}"
    args = build_parser().parse_args(argv[1:])
    assert callable(args.handler)


@pytest.mark.parametrize("stage", list(dvc_stages()))
def test_stage_paths_in_command_are_declared(stage: str) -> None:
    """Every data/, reports/ or configs/ path a command names is a dep or an out of the stage."""
    spec = dvc_stages()[stage]
    declared: set[str] = set()
    for kind in ("deps", "outs", "metrics", "plots"):
        for entry in spec.get(kind, []):
            declared.add(render(entry if isinstance(entry, str) else next(iter(entry))))
    for token in shlex.split(render(spec["cmd"])):
        value = token.split("=", 1)[-1]
        if value in SIDE_ARTIFACTS:
            assert (ROOT / ".gitignore").read_text().count("/" + value + "/") == 1
            continue
        if value.startswith(("data/", "reports/", "configs/", "../shared/", "tests/")):
            assert any(value == d or value.startswith(d.rstrip("/") + "/") for d in declared), (
                f"stage {stage}: {value} is used by the command but not declared in dvc.yaml"
            )


def test_no_output_is_written_by_two_stages() -> None:
    seen: dict[str, str] = {}
    for name, spec in dvc_stages().items():
        for kind in ("outs", "metrics", "plots"):
            for entry in spec.get(kind, []):
                path = render(entry if isinstance(entry, str) else next(iter(entry)))
                assert path not in seen, f"{path} is an output of both {seen[path]} and {name}"
                seen[path] = name


def test_params_file_loads_into_typed_configs() -> None:
    configs = load_all(ROOT / "params.yaml")
    assert set(configs) == set(SECTIONS)


def test_every_params_key_is_declared_by_a_stage_and_exists() -> None:
    params = read_params(ROOT / "params.yaml")
    declared: set[str] = set()
    for spec in dvc_stages().values():
        for entry in spec.get("params", []):
            assert isinstance(entry, str), "params entries must name keys of params.yaml"
            declared.add(entry)
    keys = leaf_keys(params)
    for d in declared:
        assert any(k == d or k.startswith(d + ".") for k in keys), (
            f"dvc.yaml declares {d}, absent from params.yaml"
        )
    for k in keys:
        assert any(k == d or k.startswith(d + ".") for d in declared), (
            f"params.yaml key {k} is read by no stage"
        )


def test_every_config_field_has_a_value_in_params() -> None:
    """A dataclass field missing from params.yaml would silently use a code default."""
    params = read_params(ROOT / "params.yaml")
    for name in SECTIONS:
        cls = section_class(name)
        section = params.get(name) or {}
        for f in dataclasses.fields(cls):
            assert f.name in section, (
                f"params.yaml:{name} lacks {f.name!r} (make the value visible to DVC)"
            )
