"""Label and score distribution of predicted stance pairs (reports/preannotation.json)."""

from __future__ import annotations

from typing import Any

import polars as pl


def distribution(pairs: pl.DataFrame) -> dict[str, Any]:
    """Pairs per predicted label, and the spread of their scores.

    ``distinct_scores`` and the quantiles show whether "most uncertain first" can rank the
    pairs at all (a predictor that gives most pairs one score cannot).
    """
    if pairs.is_empty():
        return {"pairs": 0, "by_label": {}, "score": None}
    by_label = {
        str(label): int(n)
        for label, n in pairs.group_by("predicted_label").len().sort("predicted_label").iter_rows()
    }
    s = pairs["score"].cast(pl.Float64)
    top_share = pairs.group_by("score").len()["len"].max()
    return {
        "pairs": pairs.height,
        "by_label": by_label,
        "by_kind": {
            str(k): int(n)
            for k, n in pairs.group_by("pair_kind").len().sort("pair_kind").iter_rows()
        },
        "score": {
            "min": round(float(s.min()), 4),  # type: ignore[arg-type]
            "p10": round(float(s.quantile(0.1, "nearest")), 4),  # type: ignore[arg-type]
            "median": round(float(s.quantile(0.5, "nearest")), 4),  # type: ignore[arg-type]
            "p90": round(float(s.quantile(0.9, "nearest")), 4),  # type: ignore[arg-type]
            "max": round(float(s.max()), 4),  # type: ignore[arg-type]
            "distinct_scores": int(s.n_unique()),
            "largest_tie_share": round(int(top_share) / pairs.height, 4),  # type: ignore[arg-type]
        },
    }
