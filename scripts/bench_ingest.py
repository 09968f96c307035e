"""Benchmark: ingest + segment over FNC-1 bodies replicated to >= 100 MB.

Also times claimset.claims.propose_all (when importable), blingfire (with offsets) and
pysbd on a sample, and prints MB/s, ratios and peak memory. The replicated corpus is
written to a temporary directory, never into the repository.

Replicas are made textually distinct (a per-replica letter rotation) so that exact-duplicate
removal and near-duplicate clustering do not collapse the corpus back to 3.7 MB: a real
corpus of millions of articles is mostly unique text, and that is the case to measure.

Each stage runs in its own child process (as ``claimset ingest`` / ``claimset segment``
do), ``--repeat`` times; best and median MB/s are printed with the load average, since
the machine is shared.

Usage: python scripts/bench_ingest.py [--mb 100] [--repeat 3] [--fnc ../shared/data/fnc-1/train_bodies.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


# Output files of each stage, in the order run_ingest / run_segment take them.
STAGE_OUTPUTS = {
    "ingest": ("articles.parquet", "q.jsonl", "d.jsonl", "ingest.json"),
    "segment": ("sentences.parquet", "segment.json"),
}


def worker(stage: str, corpus: Path, work: Path, params: Path) -> None:
    """Run one stage in this process (as ``claimset <stage>`` does); print JSON figures.

    ``stage`` is ``ingest``, ``segment`` or ``candidates``. Each runs in its own child
    process so that its peak RSS is its own, as when DVC runs the stages one by one.
    """
    import polars as pl

    from claimset.config import load_section

    # As `dvc repro` does, the stage's outputs are deleted before it runs (a run never
    # replaces the previous run's files).
    for name in STAGE_OUTPUTS.get(stage, ()):
        (work / name).unlink(missing_ok=True)
    out: dict[str, object] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    if stage == "ingest":
        from claimset.ingest import run_ingest
        from claimset.ingest.config import IngestConfig
        from claimset.neardup import NearDuplicateConfig

        icfg = load_section("ingest", IngestConfig, params)
        ncfg = load_section("near_duplicates", NearDuplicateConfig, params)
        out["baseline_rss_bytes"] = _maxrss()  # interpreter + libraries, before any data
        t0, c0 = time.perf_counter(), time.process_time()
        run_ingest([corpus], *(work / name for name in STAGE_OUTPUTS["ingest"]), icfg, ncfg)
        out["report"] = json.loads((work / "ingest.json").read_text())
    elif stage == "segment":
        from claimset.segment import run_segment
        from claimset.segment.config import SegmentConfig

        scfg = load_section("segment", SegmentConfig, params)
        out["baseline_rss_bytes"] = _maxrss()  # interpreter + libraries, before any data
        t0, c0 = time.perf_counter(), time.process_time()
        run_segment(work / "articles.parquet", *(work / n for n in STAGE_OUTPUTS["segment"]), scfg)
        out["report"] = json.loads((work / "segment.json").read_text())
    else:
        try:
            from claimset.claims.config import CandidatesConfig
            from claimset.claims.propose import propose_all_with_stats
            from claimset.stance.config import StanceConfig
        except ImportError as exc:
            out["candidates"] = f"not importable: {exc}"
        else:
            # The whole corpus by default; BENCH_CANDIDATES_MB > 0: a prefix, for quick runs.
            arts = pl.read_parquet(work / "articles.parquet")
            limit = float(os.environ.get("BENCH_CANDIDATES_MB", "0")) * 1e6
            sents = pl.read_parquet(work / "sentences.parquet")
            if limit > 0:
                arts = arts.filter(arts["text"].str.len_bytes().cum_sum() <= limit)
                sents = sents.filter(pl.col("article_id").is_in(arts["article_id"].implode()))
            out["candidates_mb"] = int(arts["text"].str.len_bytes().sum()) / 1e6
            ccfg = load_section("candidates", CandidatesConfig, params)
            stcfg = load_section("stance", StanceConfig, params)
            n_workers = os.environ.get("BENCH_CANDIDATES_WORKERS")
            workers = int(n_workers) if n_workers else None
            # CPU of this process (all its threads) plus that of the parser's worker processes.
            kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t3, c3 = time.perf_counter(), time.process_time()
            claims, pairs, stats = propose_all_with_stats(
                arts, sents, ROOT / "configs" / "targets.yaml", ccfg, stcfg, workers
            )
            out["candidates_s"] = time.perf_counter() - t3
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            out["candidates_cpu_s"] = (
                time.process_time()
                - c3
                + (kids.ru_utime + kids.ru_stime)
                - (kids0.ru_utime + kids0.ru_stime)
            )
            out["candidates_peak_rss_bytes"] = (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            )
            out["candidates_worker_peak_rss_bytes"] = kids.ru_maxrss * 1024
            out["claims"], out["pairs"] = claims.height, pairs.height
            out["attributed_sentences"] = stats.attributed_sentences
            out["candidates_load1"] = os.getloadavg()[0]
            del claims, pairs, arts, sents
            # Informative: the headline x body predictor on FNC-1's competition test pairs, as
            # headline_pairs() runs it for configured sources (IDF from train_bodies, as in
            # preannotation_quality; the fit is timed apart).
            fnc_dir = DEFAULT_FNC.parent
            bodies_csv = fnc_dir / "competition_test_bodies.csv"
            stances_csv = fnc_dir / "competition_test_stances.csv"
            if bodies_csv.exists() and stances_csv.exists():
                from claimset.claims.gold import read_fnc1_bodies
                from claimset.stance.fnc1 import pair_relatedness, read_stances
                from claimset.stance.predictor import headline_stance
                from claimset.stance.similarity import Similarity

                bodies = read_fnc1_bodies(bodies_csv)
                stances = read_stances(stances_csv)
                t4 = time.perf_counter()
                sim = Similarity(list(read_fnc1_bodies(DEFAULT_FNC).values()), min_df=2)
                out["headline_fit_s"] = time.perf_counter() - t4
                t4 = time.perf_counter()
                cos = pair_relatedness(sim, bodies, stances, stcfg.overlap_weight)
                df = stances.with_columns(
                    pl.col("body_id").replace_strict(bodies, return_dtype=pl.String).alias("text"),
                    pl.Series("cosine", cos),
                )
                out["headline_pairs"] = headline_stance(df, "text", "cosine", stcfg).height
                out["headline_s"] = time.perf_counter() - t4
            else:
                out["headline"] = "FNC-1 competition test files not found"
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0
    out["peak_rss_bytes"] = _maxrss()
    print(json.dumps(out))


def _maxrss() -> int:
    """Peak resident set size of this process so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_stage(stage: str, corpus: Path, work: Path, params: Path) -> dict[str, Any]:
    """One stage in a fresh child process; its JSON figures plus the load average after it."""
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--params",
            str(params),
            "--worker",
            stage,
            str(corpus),
            str(work),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    res: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    res["load1"] = os.getloadavg()[0]
    return res


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


def bench_blingfire(bodies: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and sentences of blingfire (one thread) over ``bodies``."""
    import blingfire

    t, c = time.perf_counter(), time.process_time()
    n = 0
    for b in bodies:
        _, offsets = blingfire.text_to_sentences_and_offsets(b)
        n += len(offsets)
    return time.perf_counter() - t, time.process_time() - c, n


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
    ap.add_argument("--repeat", type=int, default=3, help="ingest + segment runs (best/median)")
    ap.add_argument("--pysbd-kb", type=float, default=200.0, help="pysbd sample size (KB)")
    ap.add_argument("--blingfire-mb", type=float, default=5.0, help="blingfire sample size (MB)")
    ap.add_argument(
        "--candidates-mb",
        type=float,
        default=0.0,
        help="candidates + pairs on this prefix of the corpus (MB); 0: the whole corpus",
    )
    ap.add_argument(
        "--candidates-workers",
        type=int,
        default=0,
        help="parser worker processes for candidates; 0: the stage's default (CPU count)",
    )
    ap.add_argument(
        "--worker",
        nargs=3,
        metavar=("STAGE", "CORPUS", "WORKDIR"),
        help=argparse.SUPPRESS,
    )
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]), args.params)
        return 0
    if not args.fnc.exists():
        print(f"FNC-1 bodies not found at {args.fnc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="claimset-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "bodies.csv"
        size = build_corpus(args.fnc, args.mb, corpus)
        mb = size / 1e6
        print(f"corpus: {mb:.1f} MB ({corpus}); {os.cpu_count()} CPUs")
        print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        runs = []
        for i in range(max(1, args.repeat)):
            ing = run_stage("ingest", corpus, work, args.params)
            seg = run_stage("segment", corpus, work, args.params)
            runs.append((ing, seg))
            both = ing["wall_s"] + seg["wall_s"]
            cpu = ing["cpu_s"] + seg["cpu_s"]
            print(
                f"run {i + 1}: ingest {mb / ing['wall_s']:5.1f} MB/s ({ing['wall_s']:.2f} s,"
                f" {ing['peak_rss_bytes'] / 1e6:.0f} MB peak), segment"
                f" {mb / seg['wall_s']:5.1f} MB/s ({seg['wall_s']:.2f} s,"
                f" {seg['peak_rss_bytes'] / 1e6:.0f} MB peak), combined {mb / both:5.1f} MB/s"
                f" wall, {mb / cpu:5.1f} MB per CPU-second; load {ing['load1']:.2f}/{seg['load1']:.2f}"
            )
        ing_rep, seg_rep = runs[-1][0]["report"], runs[-1][1]["report"]
        print(f"({ing_rep['articles']} articles, {seg_rep['sentences']} sentences)")

        def figures(key: str, stages: tuple[int, ...]) -> list[float]:
            return sorted(sum(r[s][key] for s in stages) for r in runs)

        print(f"{'step':<16}{'best':>10}{'median':>10}   (MB/s, wall; {len(runs)} runs)")
        for name, stages in (("ingest", (0,)), ("segment", (1,)), ("ingest+segment", (0, 1))):
            walls = figures("wall_s", stages)
            print(f"{name:<16}{mb / walls[0]:10.1f}{mb / statistics.median(walls):10.1f}")
        cpus = figures("cpu_s", (0, 1))
        print(
            f"{'  per CPU-s':<16}{mb / cpus[0]:10.1f}{mb / statistics.median(cpus):10.1f}"
            f"   (x2 = ceiling on 2 idle cores; target >= 25 MB/s wall and >= 3x blingfire)"
        )
        peak = max(max(r[0]["peak_rss_bytes"], r[1]["peak_rss_bytes"]) for r in runs)
        for name, s in (("ingest", 0), ("segment", 1)):
            p = max(r[s]["peak_rss_bytes"] for r in runs)
            base = max(r[s].get("baseline_rss_bytes", 0) for r in runs)
            print(
                f"peak RSS {name:<8} {p / 1e6:7.0f} MB = {p / size:.2f}x input"
                f"  (of which interpreter+libraries {base / 1e6:.0f} MB;"
                f" data {(p - base) / 1e6:.0f} MB = {(p - base) / size:.2f}x input)"
            )
        print(f"peak RSS (max)    {peak / 1e6:7.0f} MB = {peak / size:.2f}x input (target <= 3x)")

        os.environ["BENCH_CANDIDATES_MB"] = str(args.candidates_mb)
        if args.candidates_workers:
            os.environ["BENCH_CANDIDATES_WORKERS"] = str(args.candidates_workers)
        res = run_stage("candidates", corpus, work, args.params)
        if "candidates_s" in res:
            c, cmb, cpu = res["candidates_s"], res["candidates_mb"], res["candidates_cpu_s"]
            print(
                f"candidates+pairs:  {c:7.2f} s  {cmb / c:8.1f} MB/s wall on {cmb:.1f} MB;"
                f" {cpu / cmb:.3f} CPU-s per MB ({cmb / cpu:.1f} MB per CPU-s, parser workers"
                f" included); target >= 10 MB/s wall; load {res['candidates_load1']:.2f}"
            )
            print(
                f"  peak RSS {res['candidates_peak_rss_bytes'] / 1e6:.0f} MB (largest child"
                f" {res['candidates_worker_peak_rss_bytes'] / 1e6:.0f} MB: counts the parent's"
                f" pages at spawn, a parser worker itself is far smaller);"
                f" {res['claims']} claims ({res['attributed_sentences']} attributed sentences),"
                f" {res['pairs']} target pairs"
            )
        else:
            print(f"candidates:        skipped ({res.get('candidates')})")
        if "headline_s" in res:
            n, t = res["headline_pairs"], res["headline_s"]
            print(
                f"headline x body:   {t:7.2f} s  {n / t:8.0f} pairs/s on FNC-1 competition test"
                f" ({n} pairs; IDF fit on train bodies {res['headline_fit_s']:.2f} s apart)"
            )
        elif "headline" in res:
            print(f"headline x body:   skipped ({res['headline']})")

        ours = mb / statistics.median(figures("wall_s", (0, 1)))
        parallel_cores = os.cpu_count() or 1
        bodies, _ = sample_text(corpus, int(args.blingfire_mb * 1e6))
        bf_mb = sum(len(b.encode()) for b in bodies) / 1e6
        t, bf_cpu, ns = bench_blingfire(bodies)
        bf = bf_mb / t
        print(
            f"blingfire+offsets: {t:7.2f} s  {bf:8.1f} MB/s  on {bf_mb:.1f} MB sample ({ns} sentences;"
            f" {bf_mb / bf_cpu:.1f} MB per CPU-second)"
        )
        small, _ = sample_text(corpus, int(args.pysbd_kb * 1e3))
        ps_mb = sum(len(b.encode()) for b in small) / 1e6
        t, ns = bench_pysbd(small)
        ps = ps_mb / t
        print(
            f"pysbd:             {t:7.2f} s  {ps:8.2f} MB/s  on {ps_mb:.2f} MB sample ({ns} sentences)"
        )
        print(
            f"ratios (median ingest+segment): claimset/blingfire = {ours / bf:.1f}x,"
            f" claimset/pysbd = {ours / ps:.0f}x"
        )
        # Under load the wall figures depend on when each ran; CPU time does much less.
        ours_cpu = mb / statistics.median(cpus)
        print(
            f"per CPU-second: claimset {ours_cpu:.1f} MB (x{parallel_cores} cores ="
            f" {ours_cpu * parallel_cores:.1f}), blingfire {bf_mb / bf_cpu:.1f} MB (one thread):"
            f" {ours_cpu * parallel_cores / (bf_mb / bf_cpu):.1f}x on idle cores"
        )
        print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
