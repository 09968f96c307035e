"""Shared helpers for the ingest tests: build an input tree, run the stage, read outputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from claimset.ingest import run_ingest
from claimset.ingest.config import IngestConfig
from claimset.neardup import NearDuplicateConfig

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared" / "data"


@dataclasses.dataclass
class Outcome:
    articles: pl.DataFrame
    quarantine: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    report: dict[str, Any]
    out: Path

    def reasons(self) -> list[str]:
        return [q["reason"] for q in self.quarantine]


def write_tree(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            p.write_bytes(content.encode("utf-8"))
        else:
            p.write_bytes(content)
    return root


def run(tmp_path: Path, files: dict[str, bytes | str], **overrides: Any) -> Outcome:
    """Ingest ``files`` (name -> content) with default config plus ``overrides``
    (``near_duplicates``: the near-duplicate section)."""
    raw = write_tree(tmp_path / "raw", files)
    out = tmp_path / "out"
    nd = overrides.pop("near_duplicates", NearDuplicateConfig())
    config = dataclasses.replace(IngestConfig(), **overrides)
    run_ingest(
        [raw],
        out / "articles.parquet",
        out / "q.jsonl",
        out / "d.jsonl",
        out / "r.json",
        config,
        nd,
    )
    return Outcome(
        pl.read_parquet(out / "articles.parquet"),
        [json.loads(x) for x in (out / "q.jsonl").read_text().splitlines()],
        [json.loads(x) for x in (out / "d.jsonl").read_text().splitlines()],
        json.loads((out / "r.json").read_text()),
        out,
    )


@pytest.fixture
def ingest(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _ingest(files: dict[str, bytes | str], **overrides: Any) -> Outcome:
        return run(tmp_path, files, **overrides)

    return _ingest
