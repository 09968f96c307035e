"""The whole pipeline runs with real `dvc repro` in a temporary repository.

This is the test behind the README's promise: a fresh clone reproduces the committed
`dvc.lock` byte for byte, a second `dvc repro` has nothing to do, and the release loads
with Hugging Face `datasets`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from pipeline_support import ROOT, SHARED, git, pipeline_env

pytestmark = pytest.mark.integration


def dvc(cwd: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dvc", *args], cwd=cwd, env=pipeline_env(), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def reproduced(repo_copy: Path) -> Path:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is absent: the FNC-1 stages need ../shared/data/fnc-1")
    result = dvc(repo_copy, "repro")
    assert result.returncode == 0, (
        f"dvc repro failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return repo_copy


def release_dir(repo: Path) -> Path:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    return repo / "data" / "release" / params["dataset"]["name"]


def test_every_stage_ran(reproduced: Path) -> None:
    stages = yaml.safe_load((reproduced / "dvc.yaml").read_text())["stages"]
    lock = yaml.safe_load((reproduced / "dvc.lock").read_text())["stages"]
    assert set(lock) == set(stages)
    name_in_params = yaml.safe_load((reproduced / "params.yaml").read_text())["dataset"]["name"]
    for name, stage in stages.items():
        for kind in ("outs", "metrics", "plots"):
            for out in stage.get(kind, []):
                path = (out if isinstance(out, str) else next(iter(out))).replace(
                    "${dataset.name}", name_in_params
                )
                assert (reproduced / path).exists(), f"stage {name} did not write {path}"


def test_lock_matches_committed_lock(reproduced: Path) -> None:
    committed = ROOT / "dvc.lock"
    if not committed.exists():
        pytest.fail("dvc.lock is not committed: run `make repro` and commit it")
    assert (reproduced / "dvc.lock").read_text() == committed.read_text(), (
        "outputs are not byte-identical to the committed dvc.lock (non-deterministic stage or stale lock)"
    )


def test_second_repro_has_nothing_to_do(reproduced: Path) -> None:
    status = dvc(reproduced, "status")
    assert status.returncode == 0, status.stderr
    assert "up to date" in status.stdout, status.stdout
    again = dvc(reproduced, "repro")
    assert again.returncode == 0, again.stderr
    assert "didn't change, skipping" in again.stdout or "up to date" in again.stdout
    assert "Running stage" not in again.stdout, again.stdout


def test_tracked_files_unchanged(reproduced: Path) -> None:
    assert git(reproduced, "status", "--porcelain", "--untracked-files=no").strip() == ""


@pytest.mark.parametrize(
    ("config", "label"),
    [
        ("articles", None),
        ("claim_detection", "label"),
        ("claims", "claim_type"),
        ("attribution", "tags"),
        ("stance", "label"),
    ],
)
def test_release_loads_with_datasets(reproduced: Path, config: str, label: str | None) -> None:
    import datasets

    ds = datasets.load_dataset(str(release_dir(reproduced)), config)
    assert set(ds) == {"train", "validation", "test"}
    for split in ds.values():
        assert split.num_rows > 0
    if label is not None:
        feat = ds["train"].features[label]
        feat = feat.feature if isinstance(feat, datasets.List) else feat
        assert isinstance(feat, datasets.ClassLabel)


def test_dvc_get_release_through_the_configured_demo_remote(reproduced: Path) -> None:
    """`dvc push` to the repo's demo remote, then `dvc get` the release from a clone."""
    import datasets

    pushed = dvc(reproduced, "push")
    assert pushed.returncode == 0, pushed.stderr
    remote = reproduced.parent / "claimset-dvc-remote"  # a sibling of the repo (.dvc/config)
    assert remote.is_dir() and any(remote.rglob("*"))
    clone = reproduced.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(reproduced), str(clone)], check=True)
    name = release_dir(reproduced).name
    assert not (clone / "data" / "release" / name).exists()
    dest = reproduced.parent / "got"
    got = dvc(reproduced.parent, "get", str(clone), f"data/release/{name}", "-o", str(dest))
    assert got.returncode == 0, got.stderr
    ds = datasets.load_dataset(str(dest), "stance")
    assert (
        ds["test"].num_rows
        == datasets.load_dataset(str(release_dir(reproduced)), "stance")["test"].num_rows
    )
