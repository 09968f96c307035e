"""Benchmark: the validation gate on 1M stance-pair rows against Great Expectations alone.

Target (issue 6): the gate costs at most 2x what GX alone needs for the same expectations.
"GX alone" runs the identical stance_pairs suite through a ValidationDefinition on a pandas
frame that is already in memory; the gate adds what it does on top (polars -> Arrow-backed
pandas conversion, helper columns, result collection, offending rows). Import time is
measured separately and excluded from both.

    .venv/bin/python scripts/bench_validate.py [--rows 1000000] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np
import polars as pl


def stance_pairs(n: int, seed: int = 0) -> pl.DataFrame:
    """Synthetic stance pairs following the stance_pairs contract (valid: the suite passes)."""
    rng = np.random.default_rng(seed)
    labels = np.array(["favor", "against", "neutral", "unrelated"])
    idx = np.arange(n)
    return pl.DataFrame(
        {
            "pair_id": [f"p-{i:08d}" for i in idx],
            "pair_kind": np.where(idx % 5 == 0, "headline", "target"),
            "target_id": [f"t-{i % 97:03d}" for i in idx],
            "target": [f"Target statement number {i % 97}" for i in idx],
            "article_id": [f"a-{i % 50000:016x}" for i in idx],
            "claim_id": pl.Series([None] * n, dtype=pl.String),
            "sentence_id": [f"a-{i % 50000:016x}-s{i % 40:04d}" for i in idx],
            "text": [f"Sentence {i} says something about target {i % 97}." for i in idx],
            "predicted_label": labels[rng.integers(0, 4, n)],
            "score": rng.random(n),
            "model_version": "lexicon-1",
        }
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import great_expectations as gx

    from claimset.validate import ValidateConfig, validate_tables
    from claimset.validate.gate import _context
    from claimset.validate.suites import checks_for, expectation_parameters, has_tables, prepare

    import_s = time.perf_counter() - t0
    df = stance_pairs(args.rows)
    cfg = ValidateConfig()
    params = expectation_parameters(cfg)
    checks = checks_for("stance_pairs", tuple(df.columns), has_tables({}), cfg)

    # GX alone: same suite, same Arrow-backed pandas frame prepared outside the timing.
    ctx = _context(None)
    suite = ctx.suites.add(gx.ExpectationSuite(name="stance_pairs"))
    for c in checks:
        suite.add_expectation(c.make())
    batch = (
        ctx.data_sources.add_pandas("bench")
        .add_dataframe_asset("stance_pairs")
        .add_batch_definition_whole_dataframe("all")
    )
    vd = ctx.validation_definitions.add(
        gx.ValidationDefinition(name="bench", data=batch, suite=suite)
    )
    frames = {
        "arrow": prepare("stance_pairs", df, {}).to_pandas(use_pyarrow_extension_array=True),
        "numpy": prepare("stance_pairs", df, {}).to_pandas(),
    }
    fmt = {"result_format": "SUMMARY", "partial_unexpected_count": cfg.max_offending_rows}
    results: dict[str, Any] = {
        "rows": args.rows,
        "expectations": len(checks),
        "import_seconds": round(import_s, 3),
    }

    def best(fn: Any) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    for kind, pdf in frames.items():
        ok = vd.run(
            batch_parameters={"dataframe": pdf}, expectation_parameters=params, result_format=fmt
        ).success
        assert ok, f"GX alone ({kind}): the synthetic table should pass"
        results[f"gx_alone_{kind}_seconds"] = round(
            best(
                lambda pdf=pdf: vd.run(
                    batch_parameters={"dataframe": pdf},
                    expectation_parameters=params,
                    result_format=fmt,
                )
            ),
            3,
        )
    del frames

    def gate() -> None:
        r = validate_tables({"stance_pairs": df}, cfg, None, raise_on_failure=False)
        assert r.success, r.message()

    results["gate_seconds"] = round(best(gate), 3)
    t = time.perf_counter()
    df.to_pandas(use_pyarrow_extension_array=True)
    results["conversion_seconds"] = round(time.perf_counter() - t, 3)
    results["ratio_gate_vs_gx_alone"] = round(
        results["gate_seconds"] / results["gx_alone_arrow_seconds"], 3
    )
    results["target_ratio"] = 2.0
    results["meets_target"] = results["ratio_gate_vs_gx_alone"] <= 2.0
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2, sort_keys=True)
    return 0 if results["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
