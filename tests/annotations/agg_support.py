"""Helpers shared by the annotation tests: run the aggregate stage on the checked-in fixture."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from claimset.annotations.config import AggregateConfig
from claimset.annotations.stage import AggregatePaths, run_aggregate
from claimset.io import read_jsonl

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = REPO / ".." / "shared" / "data"
CLAIMS_XML = REPO / "configs" / "labelstudio" / "claims.xml"
STANCE_XML = REPO / "configs" / "labelstudio" / "stance.xml"
ARTICLE = json.loads((FIXTURES / "article.json").read_text(encoding="utf-8"))


def load_fixture(project: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "exports" / project / "export.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@dataclasses.dataclass
class Run:
    paths: AggregatePaths
    annotations: pl.DataFrame
    labels_stance: pl.DataFrame
    labels_claims: pl.DataFrame
    unresolved: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]
    agreement: dict[str, Any]


def make_paths(tmp: Path, exports: Path, **extra: Any) -> AggregatePaths:
    out = tmp / "out"
    return AggregatePaths(
        exports=exports,
        claims_config=CLAIMS_XML,
        stance_config=STANCE_XML,
        annotations_out=out / "annotations.parquet",
        labels_claims=out / "labels_claims.parquet",
        labels_stance=out / "labels_stance.parquet",
        unresolved=out / "unresolved.jsonl",
        quarantine=out / "quarantine.jsonl",
        agreement=out / "agreement.json",
        agreement_md=out / "agreement.md",
        **extra,
    )


def copy_exports(
    tmp: Path, projects: tuple[str, ...] = ("claims", "stance", "review_stance")
) -> Path:
    dest = tmp / "exports"
    for p in projects:
        shutil.copytree(FIXTURES / "exports" / p, dest / p)
    return dest


def run(
    tmp: Path, cfg: AggregateConfig | None = None, exports: Path | None = None, **extra: Any
) -> Run:
    paths = make_paths(tmp, exports or copy_exports(tmp), **extra)
    run_aggregate(paths, cfg or AggregateConfig(bootstrap_samples=200))
    return Run(
        paths=paths,
        annotations=pl.read_parquet(paths.annotations_out),
        labels_stance=pl.read_parquet(paths.labels_stance),
        labels_claims=pl.read_parquet(paths.labels_claims),
        unresolved=read_jsonl(paths.unresolved),
        quarantine=read_jsonl(paths.quarantine),
        agreement=json.loads(paths.agreement.read_text(encoding="utf-8")),
    )
