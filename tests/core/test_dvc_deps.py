"""dvc.yaml is exact: each stage lists the code its command imports and the params keys it reads.

Code: the import closure of the stage's CLI handler (the handler's own imports plus its command
module's top-level imports, then every ``claimset`` module those import, lazily or not). A
package directory may stand for its files when the stage imports all of them.
Params: the sections the closure loads with ``load_section("<name>", ...)`` and, of each, the
fields the closure reads as attributes (``cfg.<field>``) outside the config class itself.
Both directions fail: a missing entry leaves stale outputs, an extra one re-runs for nothing.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import inspect
import re
import shlex
import textwrap
from functools import cache
from pathlib import Path

import pytest
import yaml

from claimset.cli import build_parser
from claimset.config import section_class

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PKG = SRC / "claimset"


def dvc_stages() -> dict:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ModuleNotFoundError, ValueError):
        return False


def _file(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin).resolve()


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """``claimset`` modules imported anywhere in ``tree`` (function bodies included)."""
    found: set[str] = set()
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = ".".join(base[: len(base) - node.level + 1])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "claimset" and _is_module(name):
                found.add(name)
    return found


def _with_parents(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


@cache
def _module_imports(module: str) -> frozenset[str]:
    path = _file(module)
    if path.suffix != ".py":  # a compiled extension imports nothing we can read
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(_imports(tree, module, path.name == "__init__.py"))


def _closure(start: set[str]) -> set[Path]:
    seen: set[str] = set()
    todo = sorted(set().union(*(_with_parents(m) for m in start)))
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        for dep in _module_imports(mod):
            todo.extend(_with_parents(dep) - seen)
    return {f for f in map(_file, seen) if f.suffix == ".py"}


def _handler(stage: str):
    argv = shlex.split(" ".join(dvc_stages()[stage]["cmd"].split()).replace("${", "X{"))
    assert argv[0] == "claimset"
    return build_parser().parse_args(argv[1:]).handler


def stage_code(stage: str) -> set[Path]:
    """Files the stage's command runs: cli.py, its handler and everything they import."""
    handler = _handler(stage)
    module = handler.__module__
    tree = ast.parse(textwrap.dedent(inspect.getsource(handler)))
    mod_tree = ast.parse(_file(module).read_text(encoding="utf-8"))
    top = ast.Module(body=[n for n in mod_tree.body if isinstance(n, ast.Import | ast.ImportFrom)])
    start = {"claimset.cli", "claimset.commands"}
    start |= _imports(tree, module, False) | _imports(top, module, False)
    # cli.py imports every command module to build the parser; only this one's handler runs,
    # so the command module is a dep but its other handlers' imports are not followed.
    cli_own = {m for m in _module_imports("claimset.cli") if not m.startswith("claimset.commands")}
    return _closure(start | cli_own) | {_file(module)}


def expected_code_deps(files: set[Path]) -> set[str]:
    """The files as dvc.yaml should list them: whole directories where every .py is used."""
    out: set[str] = set()

    def visit(directory: Path) -> None:
        pys = {p.resolve() for p in directory.rglob("*.py")}
        if directory != PKG and pys and pys <= files:
            out.add(directory.relative_to(ROOT).as_posix())
            return
        for child in sorted(directory.iterdir()):
            if child.is_dir() and child.name != "__pycache__":
                visit(child)
            elif child.suffix == ".py" and child.resolve() in files:
                out.add(child.relative_to(ROOT).as_posix())

    visit(PKG)
    return out


def declared_code_deps(stage: str) -> set[str]:
    return {d for d in dvc_stages()[stage].get("deps", []) if d.startswith("src/")}


def _typed_names(func: ast.AST, classes: set[str]) -> dict[str, str]:
    """Names in ``func`` that hold a config object: annotated parameters and load_section results."""
    typed: dict[str, str] = {}
    args = getattr(func, "args", None)
    if args is not None:
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.annotation is not None:
                words = set(re.findall(r"\w+", ast.unparse(arg.annotation)))
                hit = sorted(words & classes)
                if hit:
                    typed[arg.arg] = hit[0]
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", getattr(node.value.func, "attr", None))
            == "load_section"
            and len(node.value.args) > 1
            and isinstance(node.value.args[1], ast.Name)
            and node.value.args[1].id in classes
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    typed[target.id] = node.value.args[1].id
    return typed


def _fields_read(trees: list[ast.AST], classes: dict[str, type]) -> set[tuple[str, str]]:
    """(config class, field) pairs read through a config-typed name, a used config method, or
    ``asdict(cfg)``."""
    read: set[tuple[str, str]] = set()
    methods: dict[tuple[str, str], set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                        used = {
                            n.attr
                            for n in ast.walk(item)
                            if isinstance(n, ast.Attribute)
                            and isinstance(n.value, ast.Name)
                            and n.value.id == "self"
                        }
                        methods[(node.name, item.name)] = used
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                continue
            typed = _typed_names(node, set(classes))
            if not typed:
                continue
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in typed
                ):
                    read.add((typed[sub.value.id], sub.attr))
                elif (
                    isinstance(sub, ast.Call)
                    and getattr(sub.func, "id", getattr(sub.func, "attr", None)) == "asdict"
                    and sub.args
                    and isinstance(sub.args[0], ast.Name)
                    and sub.args[0].id in typed
                ):
                    cls = typed[sub.args[0].id]
                    read |= {(cls, f.name) for f in dataclasses.fields(classes[cls])}
    for (cls, method), used in methods.items():
        if (cls, method) in read:
            read |= {(cls, attr) for attr in used}
    return read


def _handler_files(stage: str) -> set[Path]:
    """Closure files, with the handler's command module narrowed to the handler itself."""
    files = stage_code(stage)
    handler = _handler(stage)
    files.discard(_file(handler.__module__))
    return files


def expected_params(stage: str) -> set[str]:
    """``section.field`` for every field the stage reads; ``section`` when it reads them all."""
    files = _handler_files(stage)
    handler_tree = ast.parse(textwrap.dedent(inspect.getsource(_handler(stage))))
    trees = [handler_tree] + [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(files)]
    sections: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_section"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                sections.add(node.args[0].value)
    classes = {section_class(s).__name__: section_class(s) for s in sections}
    read = _fields_read(trees, classes)
    out: set[str] = set()
    for section in sections:
        cls = section_class(section)
        names = [f.name for f in dataclasses.fields(cls)]
        used = [n for n in names if (cls.__name__, n) in read]
        out |= {section} if used == names else {f"{section}.{n}" for n in used}
    return out


STAGES = [s for s, spec in dvc_stages().items() if spec["cmd"].split()[0] == "claimset"]


@pytest.mark.parametrize("stage", STAGES)
def test_stage_lists_exactly_the_code_it_imports(stage: str) -> None:
    expected = expected_code_deps(stage_code(stage))
    declared = declared_code_deps(stage)
    assert declared == expected, (
        f"dvc.yaml stage {stage!r}: missing {sorted(expected - declared)}, "
        f"extra {sorted(declared - expected)}"
    )


def _expand(entries: set[str]) -> set[str]:
    """``section`` stands for all of its fields; ``section.field`` for one."""
    out: set[str] = set()
    for entry in entries:
        section, _, field = entry.partition(".")
        if field:
            out.add(f"{section}.{field.split('.')[0]}")
        else:
            out |= {f"{section}.{f.name}" for f in dataclasses.fields(section_class(section))}
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_stage_lists_exactly_the_params_it_reads(stage: str) -> None:
    expected = _expand(expected_params(stage))
    declared = _expand(set(dvc_stages()[stage].get("params", [])))
    assert declared == expected, (
        f"dvc.yaml stage {stage!r}: missing {sorted(expected - declared)}, "
        f"extra {sorted(declared - expected)}"
    )
