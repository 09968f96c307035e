"""Chunked reading, the on-disk text store, streamed row groups and the vectorised near-dup
sketch: none of them may change a single output value."""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from claimset import parallel
from claimset.ingest import fast_csv, pipeline
from claimset.ingest.spill import TextStore

NAMES = ("articles.parquet", "q.jsonl", "d.jsonl", "r.json")

_WORDS = [
    "the",
    "council",
    "harbour",
    "budget",
    "approved",
    "Monday",
    "Storm",
    "wall",
    "ÉCOLE",
    "straße",
    "naïve",
    "«quoted»",
    "x",
]


def _body(rng: random.Random, i: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 60))]
    text = " ".join(words)
    if i % 3 == 0:
        text += '\n\nSecond "quoted" paragraph, with a comma.'
    if i % 5 == 0:
        text = "  " + text + "\t\u00a0 end\r\n"
    return text


def _csv(n: int, seed: int = 0, crlf: bool = False) -> bytes:
    rng = random.Random(seed)
    nl = "\r\n" if crlf else "\n"
    rows = ["Body ID,articleBody"]
    bodies = [_body(rng, i).replace('"', '""') for i in range(n)]
    for i, body in enumerate(bodies):
        rows.append(f'{i},"{body}"')
        if i % 17 == 0:
            rows.append("")  # blank line between records
    rows.append(f'dup,"{bodies[1]}"')  # an exact duplicate of row 1
    return ("\ufeff" + nl.join(rows) + nl).encode("utf-8")


@pytest.mark.parametrize("crlf", [False, True])
def test_chunk_boundaries_do_not_change_outputs(
    ingest, monkeypatch: pytest.MonkeyPatch, crlf: bool
) -> None:
    """Tiny chunks (every record its own chunk), any number of worker threads (texts land
    in the store in the order threads finish) and several row groups: the same files, to
    the byte, as one chunk on one thread."""
    files = {"c/bodies.csv": _csv(300, crlf=crlf)}
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    whole = ingest(files)
    snap = {n: (whole.out / n).read_bytes() for n in NAMES}
    assert whole.report["records_in"] == 301 and whole.report["duplicates"] == 1
    monkeypatch.setattr(pipeline, "ROW_GROUP_TEXT_BYTES", 2000)
    several = ingest(files)
    assert pq.ParquetFile(several.out / "articles.parquet").metadata.num_row_groups > 5
    assert several.articles.equals(whole.articles)
    monkeypatch.setattr(pipeline, "ROW_GROUP_TEXT_BYTES", 4 << 20)
    for size, workers in ((64, 1), (64, 3), (1000, 2)):
        monkeypatch.setattr(fast_csv, "CHUNK_BYTES", size)
        monkeypatch.setattr(parallel, "workers", lambda n=workers: n)
        small = ingest(files)
        assert {n: (small.out / n).read_bytes() for n in NAMES} == snap
        assert small.articles.equals(whole.articles)


def _jsonl(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        row = {"source_id": f"j{i}", "title": f"Title {i}" if i % 2 else "", "body": _body(rng, i)}
        lines.append(json.dumps(row, ensure_ascii=i % 4 == 0))
        if i % 13 == 0:
            lines.append("   ")  # blank line between records
        if i == 40:
            lines.append("{not json")  # a bad line in the middle
        if i == 55:
            lines.append('{"source_id": "j55b", "body": ' + "x" * 600 + "}")  # long, and bad
    lines.append(lines[3])  # an exact duplicate
    lines.append('{"source_id": "tail", "body": "cut off')  # truncated last line, no newline
    return ("\ufeff" + "\n".join(lines)).encode("utf-8")


def test_jsonl_chunk_boundaries_do_not_change_outputs(
    ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSONL is read chunk by chunk (cut after a newline); any chunk size, even one
    smaller than a line, gives the same files to the byte; line numbers and the truncated
    last line's hint are those of the whole file."""
    from claimset.ingest import read_jsonl

    files = {"j/feed.jsonl": _jsonl(80)}
    whole = ingest(files)
    snap = {n: (whole.out / n).read_bytes() for n in NAMES}
    assert whole.report["records_in"] == 84 and whole.report["duplicates"] == 1
    bad = {q["origin_line"]: q for q in whole.quarantine}
    assert sorted(q["reason"] for q in bad.values()) == ["invalid_json"] * 3
    lines = files["j/feed.jsonl"].decode("utf-8").split("\n")
    assert [lines[i - 1][:9] for i in sorted(bad)] == ["{not json", '{"source_', '{"source_']
    assert "file truncated?" in bad[len(lines)]["message"]
    assert whole.articles.filter(pl.col("source_id") == "j0").height == 1  # BOM removed
    for size in (1, 64, 1000, 1 << 30):
        monkeypatch.setattr(read_jsonl, "CHUNK_BYTES", size)
        small = ingest(files)
        assert {n: (small.out / n).read_bytes() for n in NAMES} == snap


def test_jsonl_line_chunks_cut_after_newlines() -> None:
    import io

    from claimset.ingest.read_jsonl import line_chunks

    data = _jsonl(60, seed=2)
    for size in (1, 50, 700, 10_000):
        pieces = list(line_chunks(io.BytesIO(data), size))
        assert b"".join(p for p, _ in pieces) == data
        lines = 0
        for piece, before in pieces:
            assert before == lines
            lines += piece.count(b"\n")
            assert piece.endswith(b"\n") or piece is pieces[-1][0]


def test_whitespace_only_jsonl_is_one_quarantined_record(ingest) -> None:
    out = ingest({"e/blank.jsonl": "  \n\n \t\n"})
    assert out.reasons() == ["empty_file"] and out.articles.height == 0
    assert out.report["records_in"] == 1 and out.report["reconciled"]


def test_chunked_fast_path_matches_stdlib_path(ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"c/bodies.csv": _csv(120, seed=3)}
    monkeypatch.setattr(fast_csv, "CHUNK_BYTES", 200)
    fast = ingest(files)
    monkeypatch.setattr(fast_csv, "plan", lambda *a: None)  # force the stdlib reader
    slow = ingest(files)
    assert fast.articles.equals(slow.articles)
    assert fast.duplicates == slow.duplicates and fast.report == slow.report


def test_ragged_row_in_a_later_chunk_falls_back_for_the_whole_file(
    ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _csv(80, seed=5).decode("utf-8").rstrip("\n") + "\n999,one,field too many\n"
    monkeypatch.setattr(fast_csv, "CHUNK_BYTES", 300)
    out = ingest({"c/bodies.csv": data})
    assert out.reasons() == ["bad_row"]
    assert out.quarantine[0]["origin_line"] == data.count("\n")
    assert out.report["records_in"] == 82
    assert out.report["articles"] + out.report["duplicates"] == 81


def test_unclosed_quote_in_a_later_chunk_is_still_a_clear_error(
    ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimset.errors import InputError

    data = _csv(60, seed=7).decode("utf-8") + '61,"never closed\nmore\n'
    monkeypatch.setattr(fast_csv, "CHUNK_BYTES", 256)
    with pytest.raises(InputError, match=r"bodies\.csv.*unclosed quote"):
        ingest({"c/bodies.csv": data})


def test_chunks_cut_only_after_whole_records() -> None:
    data = _csv(200, seed=11, crlf=True)
    blocks = [data[i : i + 333] for i in range(0, len(data), 333)]
    for size in (1, 50, 700, 10_000):
        pieces = list(fast_csv.chunks(blocks, size))
        assert b"".join(p for p, _ in pieces) == data
        lines = 0
        for piece, before in pieces:
            assert before == lines
            lines += piece.count(b"\n")
            assert piece.count(b'"') % 2 == 0  # never inside a quoted field
            assert piece.endswith(b"\n") or piece is pieces[-1][0]


def test_row_groups_stream_same_rows(ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "a.jsonl": "".join(
            json.dumps({"source_id": f"s{i}", "title": f"T{i}", "body": f"Body {i} " * (i + 1)})
            + "\n"
            for i in range(50)
        )
    }
    one = ingest(files)
    assert pq.ParquetFile(one.out / "articles.parquet").metadata.num_row_groups == 1
    monkeypatch.setattr(pipeline, "ROW_GROUP_TEXT_BYTES", 100)
    many = ingest(files)  # same output directory: the file is replaced
    assert pq.ParquetFile(many.out / "articles.parquet").metadata.num_row_groups > 10
    assert many.articles.equals(one.articles)


def test_rows_per_group_from_the_data_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "ROW_GROUP_TEXT_BYTES", 1000)
    monkeypatch.setattr(pipeline, "ROW_GROUP_ROWS", 50)
    assert pipeline.rows_per_group(text_bytes=10_000, rows=100) == 10  # 100 bytes a row
    assert pipeline.rows_per_group(text_bytes=100, rows=100) == 50  # capped in rows
    assert pipeline.rows_per_group(text_bytes=10**9, rows=2) == 1  # rows larger than a group
    assert pipeline.rows_per_group(text_bytes=0, rows=0) == 1


def test_text_store_round_trip(tmp_path) -> None:
    values = ["", "plain", "ÉCOLE – naïve «x»", "emoji 👍🏽 zwj", "", "a" * 10_000]
    with TextStore(tmp_path) as store:
        pos1, len1 = store.append(pl.Series(values[:3]))
        pos2, len2 = store.append(pl.Series(["pad", *values[3:]]).slice(1))
        pos, lens = np.concatenate([pos1, pos2]), np.concatenate([len1, len2])
        order = np.array([5, 0, 3, 2, 1, 4])
        assert store.read(pos[order], lens[order]).to_list() == [values[i] for i in order]
        assert store.read(pos[:0], lens[:0]).to_list() == []
        with pytest.raises(OSError, match="end of the file"):
            store.read(np.array([pos[5]]), np.array([lens[5] + 1]))
        with pytest.raises(ValueError, match="position -1"):
            store.read(np.array([-1]), np.array([1]))
    assert list(tmp_path.iterdir()) == []  # the store leaves no file behind


def test_text_store_appends_from_many_threads(tmp_path) -> None:
    """Workers append at once: each call gets its own range, every text reads back."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(8)
    parts = [[_body(rng, i) * rng.randint(1, 40) for i in range(50)] for _ in range(40)]
    with TextStore(tmp_path) as store, ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(lambda p: store.append(pl.Series(p)), parts))
        for part, (pos, lens) in zip(parts, refs, strict=True):
            assert store.read(pos, lens).to_list() == part
        starts = sorted(int(pos[0]) for pos, _ in refs)
        sizes = {int(pos[0]): int(lens.sum()) for pos, lens in refs}
        assert all(a + sizes[a] == b for a, b in itertools.pairwise(starts))  # no overlap


def test_undecodable_row_in_a_later_chunk(ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad byte far into the file: the stdlib reader takes over and quarantines one row."""
    data = _csv(90, seed=9)
    cut = data.index(b"\n80,") + 1
    data = data[:cut] + b'80,"bad \xfe byte"\n' + data[cut:]
    monkeypatch.setattr(fast_csv, "CHUNK_BYTES", 256)
    small = ingest({"c/bodies.csv": data})
    assert small.reasons() == ["undecodable"]
    assert small.quarantine[0]["origin_line"] == data[:cut].count(b"\n") + 1
    monkeypatch.setattr(fast_csv, "CHUNK_BYTES", 1 << 30)
    whole = ingest({"c/bodies.csv": data})
    assert whole.articles.equals(small.articles) and whole.quarantine == small.quarantine
