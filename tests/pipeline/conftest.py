"""Fixtures that copy the project into a temporary git repository for real `dvc repro` runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_support import ROOT, SHARED, git, project_files


@pytest.fixture(scope="session")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A committed copy of the project in a temp dir, with ../shared beside it as in CI."""
    base = tmp_path_factory.mktemp("repo")
    dest = base / "main"
    for rel in project_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    if SHARED.exists():
        (base / "shared").symlink_to(SHARED.resolve())
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "copy")
    yield dest
