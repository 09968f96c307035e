"""Benchmark: ingest + segment over FNC-1 bodies replicated to >= 100 MB.

Also times claimset.claims.propose_all (when importable), blingfire (with offsets) and
pysbd on a sample, and prints MB/s, ratios and peak memory. The replicated corpus is
written to a temporary directory, never into the repository.

Replicas are made textually distinct (a per-replica letter rotation) so that exact-duplicate
removal and near-duplicate clustering do not collapse the corpus back to 3.7 MB: a real
corpus of millions of articles is mostly unique text, and that is the case to measure.

Usage: python scripts/bench_ingest.py [--mb 100] [--fnc ../shared/data/fnc-1/train_bodies.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FNC = ROOT / ".." / "shared" / "data" / "fnc-1" / "train_bodies.csv"


def rotate(text: str, lower: int, upper: int) -> str:
    """Rotate ASCII letters: keeps lengths, spacing and punctuation, changes every word."""
    lo, up = string.ascii_lowercase, string.ascii_uppercase
    table = str.maketrans(lo + up, lo[lower:] + lo[:lower] + up[upper:] + up[:upper])
    return text.translate(table)


def build_corpus(fnc: Path, target_mb: float, out: Path) -> int:
    """Write a CSV of FNC-1 bodies replicated to at least ``target_mb``; return its bytes."""
    with fnc.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, bodies = rows[0], rows[1:]
    size, r = 0, 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        while size < target_mb * 1e6:
            for body_id, body in bodies:
                w.writerow([f"r{r}-{body_id}", rotate(body, r % 26, (r // 26) % 26)])
            r += 1
            size = out.stat().st_size if r % 5 == 0 else size + sum(len(b[1]) for b in bodies)
            fh.flush()
            size = out.stat().st_size
    return out.stat().st_size


def worker(corpus: Path, work: Path, params: Path) -> None:
    """Run ingest + segment (+ candidates) in this process; print JSON timings."""
    import polars as pl

    from claimset.config import load_section
    from claimset.ingest import run_ingest
    from claimset.ingest.config import IngestConfig
    from claimset.segment import run_segment
    from claimset.segment.config import SegmentConfig

    icfg = load_section("ingest", IngestConfig, params)
    scfg = load_section("segment", SegmentConfig, params)
    t0 = time.perf_counter()
    run_ingest(
        [corpus],
        work / "articles.parquet",
        work / "q.jsonl",
        work / "d.jsonl",
        work / "ingest.json",
        icfg,
    )
    t1 = time.perf_counter()
    run_segment(work / "articles.parquet", work / "sentences.parquet", work / "segment.json", scfg)
    t2 = time.perf_counter()
    rss_stages = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out: dict[str, object] = {
        "ingest_s": t1 - t0,
        "segment_s": t2 - t1,
        "peak_rss_bytes": rss_stages,
        "ingest_report": json.loads((work / "ingest.json").read_text()),
        "segment_report": json.loads((work / "segment.json").read_text()),
    }
    try:
        from claimset.claims import propose_all  # type: ignore[attr-defined]
        from claimset.claims.config import CandidatesConfig  # type: ignore[import-not-found]
        from claimset.stance.config import StanceConfig  # type: ignore[import-not-found]
    except ImportError as exc:
        out["candidates"] = f"not importable: {exc}"
    else:
        arts = pl.read_parquet(work / "articles.parquet")
        sents = pl.read_parquet(work / "sentences.parquet")
        ccfg = load_section("candidates", CandidatesConfig, params)
        stcfg = load_section("stance", StanceConfig, params)
        t3 = time.perf_counter()
        claims, pairs = propose_all(arts, sents, ROOT / "configs" / "targets.yaml", ccfg, stcfg)
        out["candidates_s"] = time.perf_counter() - t3
        out["claims"], out["pairs"] = claims.height, pairs.height
    print(json.dumps(out))


def sample_text(corpus: Path, chars: int) -> tuple[list[str], int]:
    """Article bodies from the start of the corpus (original replica) totalling ``chars``."""
    parts, n = [], 0
    with corpus.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for _, body in reader:
            parts.append(body)
            n += len(body)
            if n >= chars:
                break
    return parts, n


def bench_blingfire(bodies: list[str]) -> tuple[float, int]:
    import blingfire

    t = time.perf_counter()
    n = 0
    for b in bodies:
        _, offsets = blingfire.text_to_sentences_and_offsets(b)
        n += len(offsets)
    return time.perf_counter() - t, n


def bench_pysbd(bodies: list[str]) -> tuple[float, int]:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    t = time.perf_counter()
    n = 0
    for b in bodies:
        n += len(seg.segment(b))
    return time.perf_counter() - t, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=100.0, help="corpus size to build (MB)")
    ap.add_argument("--fnc", type=Path, default=DEFAULT_FNC)
    ap.add_argument("--params", type=Path, default=ROOT / "params.yaml")
    ap.add_argument("--pysbd-kb", type=float, default=200.0, help="pysbd sample size (KB)")
    ap.add_argument("--blingfire-mb", type=float, default=5.0, help="blingfire sample size (MB)")
    ap.add_argument(
        "--worker", nargs=2, type=Path, metavar=("CORPUS", "WORKDIR"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.params)
        return 0
    if not args.fnc.exists():
        print(f"FNC-1 bodies not found at {args.fnc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="claimset-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "bodies.csv"
        size = build_corpus(args.fnc, args.mb, corpus)
        mb = size / 1e6
        print(f"corpus: {mb:.1f} MB ({corpus})")
        # A child process so that its peak RSS is the stages' own, not corpus building.
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--params",
                str(args.params),
                "--worker",
                str(corpus),
                str(work),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        ingest_s, segment_s = res["ingest_s"], res["segment_s"]
        both = ingest_s + segment_s
        ours = mb / both
        print(
            f"ingest:            {ingest_s:7.2f} s  {mb / ingest_s:8.1f} MB/s  ({res['ingest_report']['articles']} articles)"
        )
        print(
            f"segment:           {segment_s:7.2f} s  {mb / segment_s:8.1f} MB/s  ({res['segment_report']['sentences']} sentences)"
        )
        print(f"ingest+segment:    {both:7.2f} s  {ours:8.1f} MB/s  (target >= 50 MB/s)")
        print(
            f"peak RSS:          {child_rss / 1e6:7.0f} MB = {child_rss / size:.2f}x input (target <= 3x)"
        )
        if "candidates_s" in res:
            c = res["candidates_s"]
            print(
                f"candidates:        {c:7.2f} s  {mb / c:8.1f} MB/s  ({res['claims']} claims, {res['pairs']} pairs)"
            )
        else:
            print(f"candidates:        skipped ({res.get('candidates')})")

        bodies, _ = sample_text(corpus, int(args.blingfire_mb * 1e6))
        bf_mb = sum(len(b.encode()) for b in bodies) / 1e6
        t, ns = bench_blingfire(bodies)
        bf = bf_mb / t
        print(
            f"blingfire+offsets: {t:7.2f} s  {bf:8.1f} MB/s  on {bf_mb:.1f} MB sample ({ns} sentences)"
        )
        small, _ = sample_text(corpus, int(args.pysbd_kb * 1e3))
        ps_mb = sum(len(b.encode()) for b in small) / 1e6
        t, ns = bench_pysbd(small)
        ps = ps_mb / t
        print(
            f"pysbd:             {t:7.2f} s  {ps:8.2f} MB/s  on {ps_mb:.2f} MB sample ({ns} sentences)"
        )
        print(f"ratios: claimset/blingfire = {ours / bf:.1f}x, claimset/pysbd = {ours / ps:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
