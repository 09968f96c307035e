"""Stable ids, determinism, near-duplicate clusters and the CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from claimset.neardup import NearDuplicateConfig, cluster_ids, optimal_bands, signatures

REPO = Path(__file__).resolve().parents[2]

STORY = (
    "The city council approved the harbour budget on Monday after a long debate. "
    "Councillors argued for hours about the cost of dredging the old channel and about "
    "who should pay for the new sea wall that engineers say is needed before the winter storms. "
    "The mayor said the decision would protect hundreds of homes in the lower town.\n\n"
    "Opposition members said the plan relied on optimistic forecasts of tourist revenue and "
    "warned that taxes could rise if visitor numbers fell short of the projections again.\n\n"
    "Work on the sea wall is due to begin in the spring and to take about three years, "
    "according to the harbour office, which will publish the tender next month."
)


def test_article_id_depends_on_content_and_source_id(ingest) -> None:
    a = ingest({"a.jsonl": json.dumps({"source_id": "x", "title": "T", "body": "Body."}) + "\n"})
    ids = a.articles["article_id"].to_list()
    # Fixed value: the id is sha256 over source_id + NUL + text, identical on every machine.
    assert ids == ["a-" + __import__("hashlib").sha256(b"x\x00T\n\nBody.").hexdigest()[:16]]


def test_outputs_byte_identical_across_runs(ingest) -> None:
    files = {
        "b/x.jsonl": "".join(
            json.dumps({"source_id": f"s{i}", "title": f"T{i}", "body": STORY[i:]}) + "\n"
            for i in range(5)
        ),
        "a/y.txt": "Title\n\nStandfirst here.\n\nBody one.\n",
        "a/z.csv": 'Body ID,articleBody\n1,"bad\xfe"\n2,"Body one."\n',
    }
    names = ("articles.parquet", "q.jsonl", "d.jsonl", "r.json")
    first = ingest(files)
    snap = {n: (first.out / n).read_bytes() for n in names}
    second = ingest(dict(reversed(list(files.items()))))
    assert {n: (second.out / n).read_bytes() for n in names} == snap
    assert first.report["records_in"] == 8 and first.report["articles"] == 8


def test_near_duplicates_share_cluster(ingest) -> None:
    changed = STORY.replace(
        "Opposition members said the plan relied on optimistic forecasts",
        "Opposition members claimed the plan depended on rosy forecasts",
    )
    other = "A completely different story about a football match in which the home side won."
    out = ingest(
        {
            "a.jsonl": "".join(
                json.dumps({"source_id": sid, "title": "Harbour budget approved", "body": b}) + "\n"
                for sid, b in (("orig", STORY), ("repub", changed), ("other", other * 3))
            )
        }
    )
    rows = {r["source_id"]: r for r in out.articles.to_dicts()}
    assert rows["orig"]["cluster_id"] == rows["repub"]["cluster_id"]
    assert rows["orig"]["cluster_id"] == min(
        rows["orig"]["article_id"], rows["repub"]["article_id"]
    )
    assert rows["other"]["cluster_id"] == rows["other"]["article_id"]
    assert out.report["near_duplicate_clusters"] == 1
    assert out.report["articles_in_near_duplicate_clusters"] == 2


def test_threshold_from_params_controls_clustering(ingest) -> None:
    half = STORY.split("\n\n")
    edited = half[0] + "\n\nSomething else entirely was reported by the local paper about ferries."
    files = {
        "a.jsonl": "".join(
            json.dumps({"source_id": s, "title": "T", "body": b}) + "\n"
            for s, b in (("p", STORY), ("q", edited))
        )
    }
    loose = ingest(files, near_duplicates=NearDuplicateConfig(threshold=0.3))
    assert loose.articles["cluster_id"].n_unique() == 1
    strict = ingest(files, near_duplicates=NearDuplicateConfig(threshold=0.95))
    assert strict.articles["cluster_id"].n_unique() == 2


def test_signature_similarity_tracks_jaccard() -> None:
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(5000)]
    base = list(rng.choice(vocab, 600))
    cfg = NearDuplicateConfig(num_perm=256, shingle_words=1)
    for keep in (0.9, 0.6, 0.3):
        n = int(len(base) * keep)
        other = base[:n] + list(rng.choice(vocab, len(base) - n))
        a, b = set(base), set(other)
        true_j = len(a & b) / len(a | b)
        sig = signatures(pl.Series([" ".join(base), " ".join(other)]), cfg)
        est = float((sig[0] == sig[1]).mean())
        assert abs(est - true_j) < 0.1, (keep, est, true_j)


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 128), (0.9, 64), (0.7, 256)])
def test_band_layout_matches_datasketch(threshold: float, num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    assert optimal_bands(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_cluster_ids_empty_and_wordless() -> None:
    cfg = NearDuplicateConfig()
    assert cluster_ids([], pl.Series([], dtype=pl.String), cfg) == []
    assert cluster_ids(["a-2", "a-1"], pl.Series(["...", "!!!"]), cfg) == ["a-2", "a-1"]


def test_cli_ingest_and_error_exit(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Title\n\nBody text.\n", encoding="utf-8")
    params = tmp_path / "params.yaml"
    params.write_text(
        "ingest:\n  max_chars: 5000\nnear_duplicates:\n  threshold: 0.8\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    exe = [sys.executable, "-m", "claimset.cli"]
    args = [
        "ingest",
        str(raw),
        "--articles",
        str(out / "a.parquet"),
        "--quarantine",
        str(out / "q.jsonl"),
        "--duplicates",
        str(out / "d.jsonl"),
        "--report",
        str(out / "r.json"),
        "--params",
        str(params),
    ]
    ok = subprocess.run(exe + args, capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    assert "[ingest] in=1 out=1 quarantined=0" in ok.stderr
    assert "seconds" not in (out / "r.json").read_text()
    (raw / "b.csv").write_text('Body ID,articleBody\n1,"open\n', encoding="utf-8")
    bad = subprocess.run(exe + args, capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "b.csv:2" in bad.stderr


def test_signatures_independent_of_grouping() -> None:
    """A text's signature depends on that text alone (ingest sketches chunk by chunk)."""
    texts = pl.Series([STORY[i:] + f" variant {i}" for i in range(30)] + ["short", "", None])
    cfg = NearDuplicateConfig()
    whole = signatures(texts, cfg)
    parts = np.concatenate([signatures(texts.slice(lo, 7), cfg) for lo in range(0, 33, 7)])
    assert np.array_equal(whole, parts)
    assert (whole[-2:] == np.iinfo(np.uint64).max).all()  # no words: every bin empty


def test_outputs_independent_of_core_count(ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunking follows the number of cores; the bytes written must not."""
    from claimset import parallel

    files = {
        "a.jsonl": "".join(
            json.dumps({"source_id": f"s{i}", "title": f"T{i}", "body": STORY[i:] + "\t x"}) + "\n"
            for i in range(200)
        )
    }
    names = ("articles.parquet", "q.jsonl", "d.jsonl", "r.json")
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    one = ingest(files)
    snap = {n: (one.out / n).read_bytes() for n in names}
    monkeypatch.setattr(parallel, "workers", lambda: 7)
    seven = ingest(files)
    assert {n: (seven.out / n).read_bytes() for n in names} == snap


def test_digests_equal_hashlib_on_sliced_and_null_values() -> None:
    """text_sha256 and the keyed digest are plain SHA-256 of the UTF-8 bytes (nulls as
    empty), also for a sliced Series whose values start inside a shared buffer."""
    import hashlib

    from claimset.ingest.digests import text_and_keyed_sha256

    texts = pl.Series(["pad", "é" * 3000, None, "short"]).slice(1)
    keys = pl.Series(["pad", "k1", "k2", None]).slice(1)
    plain, keyed = text_and_keyed_sha256(keys, texts)
    raw = [("é" * 3000).encode(), b"", b"short"]
    assert plain == [hashlib.sha256(t).hexdigest() for t in raw]
    assert keyed == [
        hashlib.sha256(k + b"\0" + t).hexdigest()
        for k, t in zip([b"k1", b"k2", b""], raw, strict=True)
    ]
