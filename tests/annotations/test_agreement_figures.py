"""Agreement figures: Krippendorff's alpha, kappa, span F1, per annotator, bootstrap CI (issue 6, point 3)."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pytest
from agg_support import run

from claimset.annotations.agreement import field_agreement
from claimset.annotations.config import AggregateConfig

CFG = AggregateConfig(bootstrap_samples=300, min_pair_items=2, seed=7)


def votes_from(matrix: dict[str, list[str | None]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for who, answers in matrix.items():
        for i, v in enumerate(answers):
            if v is not None:
                out.setdefault(f"i{i}", {})[who] = v
    return out


CODERS = {
    "a": ["x", "x", "y", "y", "z", "x", "y", None],
    "b": ["x", "y", "y", "y", "z", "x", None, "z"],
    "c": ["x", "x", "y", "z", "z", None, "y", "z"],
}


def test_alpha_matches_the_krippendorff_package_and_kappa_sklearn() -> None:
    fa = field_agreement(votes_from(CODERS), CFG, ("x", "y", "z"))
    code = {"x": 0, "y": 1, "z": 2}
    data = np.array([[np.nan if v is None else code[v] for v in row] for row in CODERS.values()])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert fa["alpha"] == pytest.approx(expected, abs=1e-6)
    lo, hi = fa["alpha_ci"]
    assert lo <= fa["alpha"] <= hi and lo < hi
    assert set(fa["kappa"]) == {"a|b", "a|c", "b|c"}
    from sklearn.metrics import cohen_kappa_score

    ab = cohen_kappa_score(
        ["x", "x", "y", "y", "z", "x"], ["x", "y", "y", "y", "z", "x"], labels=["x", "y", "z"]
    )
    assert fa["kappa"]["a|b"]["kappa"] == pytest.approx(ab, abs=1e-6)
    assert set(fa["per_label"]) == {"x", "y", "z"}


def test_perfect_agreement_is_one_and_bootstrap_is_seeded() -> None:
    same = votes_from({"a": ["x", "y", "x", "y"], "b": ["x", "y", "x", "y"]})
    fa = field_agreement(same, CFG, ("x", "y"))
    assert fa["alpha"] == 1.0
    a1 = field_agreement(votes_from(CODERS), CFG, ("x", "y", "z"))["alpha_ci"]
    a2 = field_agreement(votes_from(CODERS), CFG, ("x", "y", "z"))["alpha_ci"]
    other = field_agreement(
        votes_from(CODERS), AggregateConfig(bootstrap_samples=300, seed=8), ("x", "y", "z")
    )
    assert a1 == a2
    assert other["alpha_ci"] != a1


def test_agreement_json_has_every_figure(tmp_path: Path) -> None:
    r = run(tmp_path, AggregateConfig(bootstrap_samples=100, min_pair_items=1))
    ag = r.agreement
    assert set(ag["fields"]) >= {"stance", "claim_tokens", "claim_type", "speaker"}
    # claim presence is measured over word tokens, so units both annotators left unmarked
    # exist and alpha is not forced to <= 0 (as it would be over marked-span clusters only)
    tokens = ag["fields"]["claim_tokens"]
    assert tokens["n_items_multi"] > 2 * ag["fields"]["claim_type"]["n_items_multi"]
    assert tokens["alpha"] is not None and tokens["alpha"] > 0
    stance = ag["fields"]["stance"]
    assert stance["alpha"] is not None and len(stance["alpha_ci"]) == 2
    assert set(stance["per_label"]) == {"favor", "against", "neutral", "unrelated"}
    assert "alice@example.org|bob@example.org" in stance["kappa"]
    f1 = ag["span_f1"]["claim"]["pairs"]["alice@example.org|bob@example.org"]
    # alice and bob: identical warning spans, identical "possibility" spans, bob has none in p4
    assert f1 == {"tasks": 3, "exact_f1": 0.8, "overlap_f1": 0.8}
    alice = ag["annotators"]["alice@example.org"]
    assert alice["median_lead_time"] == pytest.approx(12.5)
    assert 0.0 <= alice["agreement_with_consensus"] <= 1.0 and alice["items"] > 0
    md = r.paths.agreement_md.read_text()
    assert "Krippendorff" in md and "alice@example.org" in md and "| stance |" in md
