"""Atomic, deterministic writes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from claimset import io


def test_write_json_is_sorted_and_stable(tmp_path: Path) -> None:
    p = tmp_path / "a" / "r.json"
    io.write_json(p, {"b": 1, "a": {"d": 2, "c": 3}})
    first = p.read_bytes()
    io.write_json(p, {"a": {"c": 3, "d": 2}, "b": 1})
    assert p.read_bytes() == first
    assert list(json.loads(first)) == ["a", "b"]
    assert first.endswith(b"\n")


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    io.write_text(p, "old")
    with pytest.raises(RuntimeError), io.atomic_open(p) as fh:
        fh.write("partial")
        raise RuntimeError("crash mid-write")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_path_is_new_so_the_writer_creates_the_file(tmp_path: Path) -> None:
    """A pre-created (then truncated) temp file makes ext4 flush it on close; the path must
    not exist until the writer creates it, and nothing may be left beside the output."""
    dest = tmp_path / "out.parquet"
    io.write_text(dest, "old")
    with io.atomic_path(dest, suffix=".parquet") as tmp:
        assert not tmp.exists() and tmp.parent.is_dir() and tmp.parent != tmp_path
        assert tmp.parent.parent == tmp_path  # same filesystem: os.replace stays atomic
        tmp.write_text("new")
        assert dest.read_text() == "old"  # replaced only on success
    assert dest.read_text() == "new"
    assert [x.name for x in tmp_path.iterdir()] == ["out.parquet"]


def test_parquet_writes_are_byte_identical(tmp_path: Path) -> None:
    df = pl.DataFrame({"id": ["b", "a"], "x": [1.5, 2.0]})
    io.write_parquet(tmp_path / "1.parquet", df)
    io.write_parquet(tmp_path / "2.parquet", df)
    assert (tmp_path / "1.parquet").read_bytes() == (tmp_path / "2.parquet").read_bytes()
    assert pl.read_parquet(tmp_path / "1.parquet").equals(df)


def test_jsonl_round_trip(tmp_path: Path) -> None:
    rows = [{"z": 1, "a": "ü"}, {"a": None}]
    assert io.write_jsonl(tmp_path / "q.jsonl", rows) == 2
    assert io.read_jsonl(tmp_path / "q.jsonl") == rows
    assert (tmp_path / "q.jsonl").read_text(encoding="utf-8").splitlines()[
        0
    ] == '{"a": "ü", "z": 1}'
