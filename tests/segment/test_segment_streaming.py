"""The fast splitter equals the reference one; batching, threads and streaming change no byte."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import reference_split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_segment_offsets_property import TEXT

from claimset import parallel
from claimset.errors import ClaimsetError, InputError
from claimset.segment import batches, pipeline, run_segment, segment_articles
from claimset.segment.config import SegmentConfig
from claimset.segment.split import split_sentences

SEED = Path(__file__).resolve().parents[2] / "data" / "raw" / "seed"
CONFIGS = [
    SegmentConfig(),
    SegmentConfig(newline_policy="always"),
    SegmentConfig(newline_policy="never"),
    SegmentConfig(extra_abbreviations=("abt.", "(odd.", "approx.", "x.y.z.")),
]


def _docs(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc": range(len(texts)), "text": texts}, schema={"doc": pl.Int64, "text": pl.String}
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=5), st.sampled_from(CONFIGS))
def test_split_equals_reference_implementation(texts: list[str], config: SegmentConfig) -> None:
    docs = _docs(texts)
    assert split_sentences(docs, config).equals(reference_split.split_sentences(docs, config))


RULE_TEXTS = [
    "Mr. Smith met Dr. Jones. They talked. He moved to the U.S. The move was hard.",
    "It weighed abt. Ten tonnes. Ask (odd. Then go. The x.y.z. The end. X.Y.Z. and so on.",
    '"Is it over?" Smith asked. "Get out!" she shouted. He said: "It is over." Then he left.',
    "Storm warning\n\nKey points:\n- Schools closed\n- Trains\n1. Stay home\n2. Or not",
    "The minister said the\nplan would go ahead in the\nspring. Critics of\nit disagreed, and\nleft",
    "  \n  leading blank lines then text. 'the quote. ‘The other. (And so on.) «Fin.»",
    "J. R. R. Tolkien wrote. John F. Kennedy was shot. U.S.A. The U.N. said. u.n. the end",
    "No. 10 Downing St. for details. Acme Inc. The firm grew. Acme Inc. rose. etc. etc.",
]


@pytest.mark.parametrize("config", CONFIGS)
def test_rule_texts_equal_reference(config: SegmentConfig) -> None:
    docs = _docs(RULE_TEXTS)
    assert split_sentences(docs, config).equals(reference_split.split_sentences(docs, config))


def test_seed_article_equals_reference() -> None:
    seed = SEED / "kremlin-nato-warning.txt"
    if not seed.exists():
        pytest.skip("shared seed article not available")
    docs = _docs([seed.read_text(encoding="utf-8")])
    for config in CONFIGS:
        assert split_sentences(docs, config).equals(reference_split.split_sentences(docs, config))


def _articles(n: int) -> pl.DataFrame:
    texts = [
        f"Title {i}\n\nMr. Smith said {i}. The U.S. agreed.{' More text here.' * (i % 7)}\n\n- a bullet"
        for i in range(n)
    ]
    return pl.DataFrame(
        {
            "article_id": [f"a-{i:04d}" for i in range(n)],
            "text": texts,
            "title_end": [0 if i % 5 == 0 else 7 + len(str(i)) for i in range(n)],
        },
        schema={"article_id": pl.String, "text": pl.String, "title_end": pl.Int64},
    )


def test_rebatch_keeps_rows_and_order() -> None:
    df = _articles(50)
    frames = [df.slice(0, 7), df.slice(7, 0), df.slice(7, 30), df.slice(37, 13)]
    for chunk in (1, 50, 300, 10**9):
        out = list(batches.rebatch(frames, chunk))
        assert pl.concat(out).equals(df)
        assert all(b.height > 0 for b in out)
        if chunk == 1:
            assert len(out) == df.height  # every row its own batch
        if chunk == 10**9:
            assert len(out) == 1


def test_ordered_map_keeps_order() -> None:
    items = list(range(40))
    for n in (1, 2, 5):
        assert list(parallel.ordered_map(lambda x: x * x, iter(items), n)) == [x * x for x in items]


def _run(tmp_path: Path, name: str, **kw: int) -> bytes:
    run_segment(
        tmp_path / "a.parquet",
        tmp_path / f"{name}.parquet",
        tmp_path / f"{name}.json",
        SegmentConfig(),
        **kw,
    )
    return (tmp_path / f"{name}.parquet").read_bytes()


@pytest.mark.parametrize("workers", [1, 2, 5])
def test_output_bytes_independent_of_batching_and_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    arts = _articles(400)
    arts.write_parquet(tmp_path / "a.parquet")
    monkeypatch.setattr(pipeline, "ROW_GROUP_ROWS", 512)  # several row groups
    monkeypatch.setitem(pipeline.PARQUET_OPTIONS, "row_group_size", 512)
    one = _run(tmp_path, "one", chunk_bytes=1 << 30)
    monkeypatch.setattr(parallel, "workers", lambda: workers)
    monkeypatch.setattr(pipeline, "READ_ROWS", 7)  # many read batches
    for chunk in (1, 777, 5000):
        assert _run(tmp_path, f"c{chunk}", chunk_bytes=chunk) == one
        assert (tmp_path / f"c{chunk}.json").read_text() == (tmp_path / "one.json").read_text()
    expected = segment_articles(arts, SegmentConfig())
    assert pl.read_parquet(tmp_path / "one.parquet").equals(expected)
    assert expected.height > 400 * 4


def test_report_figures(tmp_path: Path) -> None:
    arts = _articles(30)
    arts.write_parquet(tmp_path / "a.parquet")
    _run(tmp_path, "s", chunk_bytes=100)
    s = pl.read_parquet(tmp_path / "s.parquet")
    lengths = s["char_end"] - s["char_start"]
    assert json.loads((tmp_path / "s.json").read_text()) == {
        "articles": 30,
        "sentences": s.height,
        "paragraphs": s.select(pl.struct("article_id", "paragraph").n_unique()).item(),
        "sentences_per_article_mean": round(s.height / 30, 4),
        "sentence_chars_median": float(lengths.median()),  # type: ignore[arg-type]
        "sentence_chars_max": int(lengths.max()),  # type: ignore[arg-type]
        "sentences_over_1000_chars": 0,
    }


def test_unsorted_input_file_gives_sorted_output(tmp_path: Path) -> None:
    arts = _articles(60)
    arts.reverse().write_parquet(tmp_path / "a.parquet")
    _run(tmp_path, "s", chunk_bytes=500)
    assert pl.read_parquet(tmp_path / "s.parquet").equals(segment_articles(arts, SegmentConfig()))


def test_empty_input(tmp_path: Path) -> None:
    _articles(0).write_parquet(tmp_path / "a.parquet")
    _run(tmp_path, "s")
    out = pl.read_parquet(tmp_path / "s.parquet")
    assert out.height == 0 and out.schema == pipeline.SENTENCE_SCHEMA
    assert json.loads((tmp_path / "s.json").read_text())["sentences"] == 0


def test_bad_rows_are_errors_and_leave_no_output(tmp_path: Path) -> None:
    arts = _articles(20)
    (tmp_path / "s.parquet").write_bytes(b"previous")
    arts.with_columns(
        pl.when(pl.col("article_id") == "a-0013").then(None).otherwise("text").alias("text")
    ).write_parquet(tmp_path / "a.parquet")
    with pytest.raises(InputError, match="null text"):
        _run(tmp_path, "s", chunk_bytes=100)
    arts.with_columns(
        pl.when(pl.col("article_id") == "a-0013")
        .then(pl.lit(" \n "))
        .otherwise("text")
        .alias("text")
    ).write_parquet(tmp_path / "a.parquet")
    with pytest.raises(ClaimsetError, match="1 article"):
        _run(tmp_path, "s", chunk_bytes=100)
    pl.concat([arts, arts.tail(1)]).write_parquet(tmp_path / "a.parquet")
    with pytest.raises(InputError, match="duplicate article_id"):
        _run(tmp_path, "s")
    assert (tmp_path / "s.parquet").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "s.parquet"]
