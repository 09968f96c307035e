"""Benchmark: candidates + stance pairs over the 100 MB benchmark corpus (FNC-1 bodies).

The corpus is the one scripts/bench_ingest.py builds (its ``build_corpus``), ingested and
segmented once, untimed. Then, each in a child process (as ``claimset candidates`` runs):

- the fast path, rules only, over the whole corpus: claims + stance pairs (target pairs
  against configs/targets.yaml), MB/s of article text;
- the attribution tagger (rules + tagger, claims/hybrid.py) over the first ``--model-articles``
  articles, when a trained tagger exists (data/models/attribution-tagger.pkl), MB/s of the
  text it saw.

Prints one JSON object with both speeds, the load average before and after, and the counts.
Everything is written to a temporary directory, never into the repository.

Usage: python scripts/bench_candidates.py [--mb 100] [--model-articles 300]
       [--fnc ../shared/data/fnc-1/train_bodies.csv] [--model data/models/attribution-tagger.pkl]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from bench_ingest import DEFAULT_FNC, build_corpus  # noqa: E402


def _child(mode: str, work: Path, model: Path, n_articles: int) -> None:
    import polars as pl

    from claimset.claims.propose import propose_all_with_stats
    from claimset.claims.stage import load_configs, load_tagger

    cand, stance = load_configs(ROOT / "params.yaml")
    articles = pl.read_parquet(work / "articles.parquet")
    sentences = pl.read_parquet(work / "sentences.parquet")
    tagger = None
    if mode == "model":
        tagger = load_tagger(model)
        if tagger is None:
            print(json.dumps({"skipped": f"{model} holds no trained tagger"}))
            return
        keep = articles["article_id"].sort().head(n_articles)
        articles = articles.filter(pl.col("article_id").is_in(keep.implode()))
        sentences = sentences.filter(pl.col("article_id").is_in(keep.implode()))
    mb = articles["text"].str.len_bytes().sum() / 1e6
    t0 = time.perf_counter()
    claims, pairs, _ = propose_all_with_stats(
        articles, sentences, ROOT / "configs" / "targets.yaml", cand, stance, tagger=tagger
    )
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "articles": articles.height,
                "mb": round(mb, 2),
                "seconds": round(seconds, 2),
                "mb_per_s": round(mb / seconds, 2),
                "claims": claims.height,
                "pairs": pairs.height,
                "model_claims": claims.filter(pl.col("rule") == "model").height,
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--fnc", type=Path, default=DEFAULT_FNC)
    ap.add_argument(
        "--model", type=Path, default=ROOT / "data" / "models" / "attribution-tagger.pkl"
    )
    ap.add_argument("--model-articles", type=int, default=300)
    ap.add_argument("--child", choices=["rules", "model"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.work, args.model, args.model_articles)
        return 0
    claimset = [sys.executable, "-m", "claimset.cli"]
    with tempfile.TemporaryDirectory(prefix="bench-candidates-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus" / "bodies.csv"
        corpus.parent.mkdir()
        size = build_corpus(args.fnc, args.mb, corpus)
        for cmd in (
            [*claimset, "ingest", str(corpus.parent), "--articles", str(work / "articles.parquet"),
             "--quarantine", str(work / "q.jsonl"), "--duplicates", str(work / "d.jsonl"),
             "--report", str(work / "ingest.json")],
            [*claimset, "segment", "--articles", str(work / "articles.parquet"),
             "--sentences", str(work / "sentences.parquet"), "--report", str(work / "seg.json")],
        ):  # fmt: skip
            subprocess.run(cmd, check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
        out: dict[str, object] = {"corpus_bytes": size, "load_before": os.getloadavg()}
        for mode in ("rules", "model"):
            got = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--work", str(work),
                 "--model", str(args.model), "--model-articles", str(args.model_articles)],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            if got.returncode != 0:
                out[mode] = {"failed": got.stderr.strip().splitlines()[-5:]}
            else:
                out[mode] = json.loads(got.stdout.strip().splitlines()[-1])
            print(json.dumps({mode: out[mode]}), file=sys.stderr, flush=True)
        out["load_after"] = os.getloadavg()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
