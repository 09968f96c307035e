"""`dvc get` of a release from a local clone with a local DVC remote (integration)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimset.io import sha256_file
from claimset.publish.checksums import verify_checksums

FIX = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]

PARAMS = """\
dataset:
  name: claimset-demo
  version: 0.1.0
publish:
  examples_per_label: 1
validate: {}
"""

DVC_YAML = """\
stages:
  publish:
    cmd: >-
      claimset publish --splits-dir data/processed/splits --agreement reports/agreement.json
      --out data/release/${dataset.name}
    deps:
      - data/processed/splits
      - reports/agreement.json
    params:
      - dataset
      - publish
    outs:
      - data/release/${dataset.name}
"""


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "GIT_AUTHOR_NAME": "claimset-tests",
        "GIT_AUTHOR_EMAIL": "tests@claimset.invalid",
        "GIT_COMMITTER_NAME": "claimset-tests",
        "GIT_COMMITTER_EMAIL": "tests@claimset.invalid",
    }


def _run(cwd: Path, *cmd: str) -> str:
    out = subprocess.run(list(cmd), cwd=cwd, env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.mark.integration
def test_dvc_get_fetches_the_release_from_a_local_clone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    remote = tmp_path / "dvc-remote"
    (repo / "data" / "processed").mkdir(parents=True)
    (repo / "reports").mkdir()
    shutil.copytree(FIX / "splits", repo / "data" / "processed" / "splits")
    shutil.copy(FIX / "agreement.json", repo / "reports" / "agreement.json")
    (repo / "params.yaml").write_text(PARAMS, encoding="utf-8")
    (repo / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    _run(repo, "git", "init", "-q", "-b", "main")
    _run(repo, "dvc", "init", "-q")
    _run(repo, "dvc", "config", "core.analytics", "false")
    _run(repo, "dvc", "remote", "add", "-d", "demo", str(remote))
    _run(repo, "dvc", "repro", "-q")
    _run(repo, "dvc", "push", "-q")
    _run(repo, "git", "add", "-A")
    _run(repo, "git", "commit", "-q", "-m", "release")
    release = repo / "data" / "release" / "claimset-demo"
    assert verify_checksums(release) == []
    # The release itself is not in git, only in the DVC cache/remote.
    assert "data/release/claimset-demo/README.md" not in _run(repo, "git", "ls-files")

    # A fresh clone has neither the release files nor a DVC cache: only the remote has the data.
    clone = tmp_path / "clone"
    _run(tmp_path, "git", "clone", "-q", str(repo), str(clone))
    assert not (clone / "data" / "release" / "claimset-demo").exists()
    assert not (clone / ".dvc" / "cache").exists()
    shutil.rmtree(repo / ".dvc" / "cache")
    dest = tmp_path / "got"
    _run(tmp_path, "dvc", "get", str(clone), "data/release/claimset-demo", "-o", str(dest))
    assert verify_checksums(dest) == []
    for p in sorted(release.rglob("*")):
        if p.is_file():
            assert sha256_file(dest / p.relative_to(release)) == sha256_file(p)

    import datasets

    ds = datasets.load_dataset(str(dest), "stance", cache_dir=str(tmp_path / "cache"))
    assert ds["train"].features["label"].names == ["favor", "against", "neutral", "unrelated"]
