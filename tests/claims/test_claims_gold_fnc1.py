"""Claims quality on all hand gold files (seed + FNC-1 bodies); needs the shared FNC-1 data."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimset.claims.config import CandidatesConfig
from claimset.claims.gold import load_gold, read_fnc1_bodies, score_claims

ROOT = Path(__file__).resolve().parents[2]
FNC1 = ROOT / ".." / "shared" / "data" / "fnc-1" / "competition_test_bodies.csv"


@pytest.mark.skipif(not FNC1.exists(), reason="FNC-1 data not found at ../shared/data/fnc-1")
def test_gold_targets_met():
    docs = load_gold(ROOT / "tests" / "claims" / "gold", read_fnc1_bodies(FNC1), root=ROOT)
    assert len(docs) >= 11
    r = score_claims(docs, CandidatesConfig())
    assert r["precision"] >= 0.85 and r["recall"] >= 0.85
    assert r["speaker_accuracy"] >= 0.9
