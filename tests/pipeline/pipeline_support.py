"""Helpers for tests that run the real pipeline in a temporary git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity so commits work on a bare CI machine."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "claimset-tests",
        "GIT_AUTHOR_EMAIL": "tests@claimset.invalid",
        "GIT_COMMITTER_NAME": "claimset-tests",
        "GIT_COMMITTER_EMAIL": "tests@claimset.invalid",
    }
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def project_files() -> list[str]:
    """Files a fresh clone would have: tracked plus untracked-but-not-ignored ones."""
    out = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return sorted({f for f in out.split("\0") if f and (ROOT / f).is_file()})


def pipeline_env() -> dict[str, str]:
    """Environment for stage commands: this venv's `claimset` and `dvc` first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    env["HF_DATASETS_OFFLINE"] = "1"
    env["HF_HUB_OFFLINE"] = "1"
    return env
