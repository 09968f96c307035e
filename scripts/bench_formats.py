"""Ingest throughput per input format on the same articles (issue 17, point 1).

Builds FNC-1 train bodies, replicated and letter-rotated to about ``--mb`` MB (as
``bench_ingest.py`` does), in a temporary directory as plain JSONL, the four compressed
JSONL forms, Parquet and a Hugging Face ``save_to_disk`` directory, and a WARC.gz of
the first ``--warc-pages`` bodies as HTML pages; runs ``claimset ingest`` on each in its own
child process and prints wall seconds, MB/s of the uncompressed JSONL-equivalent and of
the file on disk, peak RSS (GNU time) and records in/out. Usage: ``python scripts/bench_formats.py [--mb 20]``.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import html
import io
import json
import lzma
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import rotate

REPO = Path(__file__).resolve().parents[1]
FNC = REPO / ".." / "shared" / "data" / "fnc-1" / "train_bodies.csv"
# GNU time prints the child's peak RSS (KB) as the last line of stderr.
TIME = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
PARAMS = "ingest:\n  on_source_id_conflict: quarantine\n  table_fields: {source_id: source_id, body: body}\nnear_duplicates: {}\n"


def rows(target_mb: float) -> list[dict[str, str]]:
    csv.field_size_limit(2**31 - 1)
    with FNC.open(encoding="utf-8", newline="") as fh:
        bodies = [(r[0], r[1]) for r in list(csv.reader(fh))[1:]]
    out, size, r = [], 0, 0
    while size < target_mb * 1e6:
        for body_id, body in bodies:
            text = rotate(body, r % 26, (r // 26) % 26)
            out.append({"source_id": f"r{r}-{body_id}", "body": text})
            size += len(text.encode()) + 40
        r += 1
    return out


def warc(records: list[dict[str, str]]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for rec in records:
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in rec["body"].split("\n") if p.strip())
        page = f"<html><head><title>{rec['source_id']}</title></head><body><article>{paras}</article></body></html>"
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        uri = f"https://news.example/{rec['source_id']}"
        w.write_record(
            w.create_warc_record(
                uri, "response", payload=io.BytesIO(page.encode()), http_headers=http
            )
        )
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--warc-pages", type=int, default=1000)
    args = ap.parse_args()
    if not FNC.exists():
        sys.exit(f"FNC-1 bodies not found at {FNC}")
    recs = rows(args.mb)
    plain = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode()
    mb = len(plain) / 1e6
    with tempfile.TemporaryDirectory(prefix="claimset-bench-formats-") as tmp:
        root = Path(tmp)
        inputs: dict[str, tuple[Path, float]] = {}

        def put(name: str, data: bytes, logical_mb: float = mb) -> None:
            d = root / name.replace(".", "_")
            d.mkdir()
            (d / name).write_bytes(data)
            inputs[name] = (d, logical_mb)

        put("c.jsonl", plain)
        put("c.jsonl.gz", gzip.compress(plain, compresslevel=6))
        put("c.jsonl.zst", zstandard.ZstdCompressor(level=3).compress(plain))
        put("c.jsonl.bz2", bz2.compress(plain))
        put("c.jsonl.xz", lzma.compress(plain, preset=1))
        pq = io.BytesIO()
        pl.DataFrame(recs).write_parquet(pq)
        put("c.parquet", pq.getvalue())
        import datasets

        hf = root / "hf"
        datasets.Dataset.from_list(recs).save_to_disk(str(hf / "ds"), num_shards=4)
        inputs["save_to_disk (4 shards)"] = (hf, mb)
        pages = recs[: args.warc_pages]
        page_mb = sum(len(r["body"].encode()) for r in pages) / 1e6
        put("c.warc.gz", warc(pages), page_mb)
        (root / "params.yaml").write_text(PARAMS)
        print(
            f"corpus: {len(recs)} records, {mb:.1f} MB as plain JSONL; WARC: {len(pages)} pages, {page_mb:.1f} MB of body text"
        )
        print(
            f"{'input':26} {'on disk MB':>10} {'seconds':>8} {'MB/s (text)':>12} {'MB/s (disk)':>12}  {'peak RSS':>8}  in -> out"
        )
        for name, (d, logical) in inputs.items():
            disk = sum(p.stat().st_size for p in d.rglob("*") if p.is_file()) / 1e6
            out = root / "out"
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            run = subprocess.run(
                [
                    *TIME,
                    str(Path(sys.executable).with_name("claimset")),
                    "ingest",
                    str(d),
                    "--articles",
                    str(out / "a.parquet"),
                    "--quarantine",
                    str(out / "q.jsonl"),
                    "--duplicates",
                    str(out / "d.jsonl"),
                    "--report",
                    str(out / "r.json"),
                    "--params",
                    str(root / "params.yaml"),
                ],
                check=True,
                capture_output=True,
            )
            secs = time.perf_counter() - t0
            rep = json.loads((out / "r.json").read_text())
            rss = (
                f"{int(run.stderr.decode().strip().splitlines()[-1]) / 1024:.0f} MB"
                if TIME
                else "n/a"
            )
            print(
                f"{name:26} {disk:10.1f} {secs:8.2f} {logical / secs:12.1f} {disk / secs:12.1f}  {rss:>8}  {rep['records_in']} -> {rep['articles']}"
            )


if __name__ == "__main__":
    main()
