"""A release built from the publish fixtures, shared by the evaluate tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimset.publish import build_release
from claimset.publish.config import PublishConfig
from claimset.release_config import DatasetConfig

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared" / "data"
FNC = SHARED / "fnc-1"


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evrel") / "claimset-demo"
    build_release(
        ROOT / "tests" / "publish" / "fixtures" / "splits", out, DatasetConfig(), PublishConfig()
    )
    return out


@pytest.fixture
def fnc_paths() -> tuple[Path, Path]:
    bodies, stances = FNC / "competition_test_bodies.csv", FNC / "competition_test_stances.csv"
    if not (bodies.is_file() and stances.is_file()):
        pytest.skip(f"FNC-1 competition test data not found under {FNC} (shared data not mounted)")
    return bodies, stances
