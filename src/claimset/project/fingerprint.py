"""Content fingerprints of the claimset code a project's stages run.

A project made by ``claimset init`` does not copy the claimset source: its stages run the
installed package. Pointing DVC at that package's directories would make every ``.pyc`` that
Python writes there a "changed dependency" (``.dvcignore`` does not apply outside the
project), so the project's first stage, ``fingerprint``, hashes the source files of each code
path instead and writes one small file per path. Stages depend on those files: a stage re-runs
when its code changes, and only then. Bytecode and compiled objects are not part of a
fingerprint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from claimset import io
from claimset.errors import ClaimsetError
from claimset.stage import StageReport

_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo", ".so"}


def package_root() -> Path:
    """The directory of the ``claimset`` package that is running."""
    import claimset

    return Path(claimset.__file__).resolve().parent


def code_files(path: Path) -> list[Path]:
    """Source files of one code path (a module or a package directory), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ClaimsetError(f"{path}: no such module or package in the installed claimset")
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and not _SKIP_DIRS.intersection(p.relative_to(path).parts)
        and p.suffix not in _SKIP_SUFFIXES
    )


def fingerprint(name: str, root: Path | None = None) -> str:
    """One line per file (sha256, path relative to the package) of code path ``name``."""
    base = root or package_root()
    lines = []
    for f in code_files(base / name):
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        lines.append(f"{digest}  {f.relative_to(base).as_posix()}")
    return "\n".join(lines) + "\n"


def fingerprint_file(name: str) -> str:
    """Where the fingerprint of code path ``name`` goes, relative to the output directory."""
    return f"{name}.sha256"


def write_fingerprints(
    out_dir: Path, names: Sequence[str], root: Path | None = None
) -> StageReport:
    """Write ``<out_dir>/<name>.sha256`` for every code path in ``names`` (atomic writes)."""
    report = StageReport("fingerprint")
    for name in names:
        text = fingerprint(name, root)
        report.records_in += text.count("\n")
        io.write_text(out_dir / fingerprint_file(name), text)
        report.records_out += 1
    report.extra["code"] = str(root or package_root())
    return report
