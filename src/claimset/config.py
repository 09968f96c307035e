"""Typed, frozen configuration loaded from ``params.yaml``.

Each domain declares its section as a frozen dataclass next to its code and registers it
in :data:`SECTIONS`. :func:`load_section` builds one section; unknown keys are rejected
with a message that quotes the bad key and the closest valid one, so a typo in
``params.yaml`` never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from claimset.errors import ConfigError

T = TypeVar("T")

DEFAULT_PARAMS = Path("params.yaml")
# libyaml's loader when PyYAML has it (its wheels do): 25x faster than the pure-Python one,
# which took 60 ms of every stage's start-up for params.yaml alone. Same values either way.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# section name -> "module:Class". Modules are imported lazily so that loading one section
# does not import every domain's dependencies.
SECTIONS: dict[str, str] = {
    "dataset": "claimset.release_config:DatasetConfig",
    "ingest": "claimset.ingest.config:IngestConfig",
    "near_duplicates": "claimset.neardup.config:NearDuplicateConfig",
    "segment": "claimset.segment.config:SegmentConfig",
    "candidates": "claimset.claims.config:CandidatesConfig",
    "stance": "claimset.stance.config:StanceConfig",
    "tasks": "claimset.labelstudio.config:TasksConfig",
    "aggregate": "claimset.annotations.config:AggregateConfig",
    "validate": "claimset.validate.config:ValidateConfig",
    "split": "claimset.split.config:SplitConfig",
    "publish": "claimset.publish.config:PublishConfig",
    "evaluate": "claimset.evaluate.config:EvaluateConfig",
}


def read_params(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """Read the raw YAML mapping from ``path``."""
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level")
    return data


def section_class(name: str) -> type[Any]:
    """Return the dataclass registered for section ``name``."""
    module, _, cls = SECTIONS[name].partition(":")
    found: type[Any] = getattr(importlib.import_module(module), cls)
    return found


def load_section(name: str, cls: type[T], path: str | Path = DEFAULT_PARAMS) -> T:
    """Build the frozen config ``cls`` from section ``name`` of ``path``."""
    data = read_params(path)
    if name not in data:
        raise ConfigError(f"{path}: missing section {name!r}")
    return build(cls, data[name], where=f"{path}:{name}")


def load_all(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """Validate every section of ``path``; return section name -> config object."""
    data = read_params(path)
    _reject_unknown(data, SECTIONS.keys(), where=str(path))
    return {
        name: build(section_class(name), data.get(name, {}), where=f"{path}:{name}")
        for name in SECTIONS
    }


def _reject_unknown(data: Mapping[str, Any], valid: typing.Iterable[str], where: str) -> None:
    valid = sorted(valid)
    for key in data:
        if key not in valid:
            close = difflib.get_close_matches(str(key), valid, n=1)
            hint = close[0] if close else valid[0]
            raise ConfigError(
                f"{where}: unknown key {key!r}; did you mean {hint!r}? (valid: {', '.join(valid)})"
            )


def build(cls: type[T], data: Any, where: str) -> T:
    """Recursively build dataclass ``cls`` from a mapping, checking keys and types."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(data, fields, where)
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        kwargs[key] = _coerce(hints[key], value, f"{where}.{key}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return build(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(
                f"{where}: {value!r} is not allowed; use one of {', '.join(map(repr, args))}"
            )
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item = args[0] if args else Any
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        vt = args[1] if len(args) == 2 else Any
        return types.MappingProxyType(
            {str(k): _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
        )
    if tp is Any:
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r} (e.g. 0.5)")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r} (e.g. 3)")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    return value
