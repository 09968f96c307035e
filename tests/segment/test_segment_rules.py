"""Sentence boundaries for the hard cases named in the issue, and the stage contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimset.errors import InputError
from claimset.segment import run_segment, segment_articles, split_text
from claimset.segment.config import SegmentConfig
from claimset.segment.split import sentence_ids

REPO = Path(__file__).resolve().parents[2]


def sents(text: str, **cfg: object) -> list[str]:
    out = split_text(text, SegmentConfig(**cfg))  # type: ignore[arg-type]
    for start, end, s in out:
        assert text[start:end] == s
    return [s for _, _, s in out]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Army said so. It left.", ["The U.S. Army said so.", "It left."]),
        ("He moved to the U.S. The move was hard.", ["He moved to the U.S.", "The move was hard."]),
        ("On Sept. 5 it rained. Then it stopped.", ["On Sept. 5 it rained.", "Then it stopped."]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        (
            "John F. Kennedy was shot. J. R. R. Tolkien wrote.",
            ["John F. Kennedy was shot.", "J. R. R. Tolkien wrote."],
        ),
        (
            "Growth was 3.5 per cent. Prices rose 0.2%.",
            ["Growth was 3.5 per cent.", "Prices rose 0.2%."],
        ),
        (
            "He paused... and went on. Then... Silence.",
            ["He paused... and went on.", "Then...", "Silence."],
        ),
        (
            "It was, she said, \u201coptimistic at best \u2026 and at worst, fantasy.\u201d",
            ["It was, she said, \u201coptimistic at best \u2026 and at worst, fantasy.\u201d"],
        ),
        (
            '"We will respond," Peskov said. He declined to elaborate.',
            ['"We will respond," Peskov said.', "He declined to elaborate."],
        ),
        ('He said: "It is over." Then he left.', ['He said: "It is over."', "Then he left."]),
        (
            '"Is it over?" Smith asked. Nobody answered.',
            ['"Is it over?" Smith asked.', "Nobody answered."],
        ),
        ('"Get out!" she shouted. They ran.', ['"Get out!" she shouted.', "They ran."]),
        ("Prices rose (sharply.) Then fell.", ["Prices rose (sharply.)", "Then fell."]),
        ("Visit e.g. the museum. Or not.", ["Visit e.g. the museum.", "Or not."]),
        (
            "Shares of Acme Inc. rose. Acme Inc. The firm grew.",
            ["Shares of Acme Inc. rose.", "Acme Inc.", "The firm grew."],
        ),
        ("See No. 10 Downing St. for details.", ["See No. 10 Downing St. for details."]),
        (
            "The U.S.-led alliance met at 5 p.m. on Monday.",
            ["The U.S.-led alliance met at 5 p.m. on Monday."],
        ),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        (
            "Emoji \U0001f525\u201cHot!\u201d he said. Next.",
            ["Emoji \U0001f525\u201cHot!\u201d he said.", "Next."],
        ),
    ],
)
def test_boundaries(text: str, expected: list[str]) -> None:
    assert sents(text) == expected


def test_headline_and_bullets_without_full_stop() -> None:
    text = "Storm warning issued\n\nKey points:\n- Schools closed\n- Trains cancelled\n* Ferries suspended\n1. Stay home"
    assert sents(text) == [
        "Storm warning issued",
        "Key points:",
        "- Schools closed",
        "- Trains cancelled",
        "* Ferries suspended",
        "1. Stay home",
    ]


def test_sentence_across_line_break() -> None:
    text = "The minister said the\nplan would go ahead in the\nspring. Critics disagreed."
    assert sents(text) == [
        "The minister said the\nplan would go ahead in the\nspring.",
        "Critics disagreed.",
    ]


def test_unterminated_lines_split_by_default_but_configurable() -> None:
    text = "Prime Minister Harper was rushed to safety\nThis criticism blew up"
    assert sents(text) == ["Prime Minister Harper was rushed to safety", "This criticism blew up"]
    assert sents(text, newline_policy="never") == [text]
    assert sents("one\ntwo", newline_policy="always") == ["one", "two"]


def test_extra_abbreviations_param() -> None:
    text = "It weighed abt. Ten tonnes were moved."
    assert len(sents(text)) == 2
    assert sents(text, extra_abbreviations=("abt.",)) == [text]
    with pytest.raises(ValueError, match="lower case"):
        SegmentConfig(extra_abbreviations=("Approx",))


def test_paragraph_numbers_and_ids() -> None:
    arts = pl.DataFrame(
        {
            "article_id": ["a-2", "a-1"],
            "text": [
                "Title\n\nStandfirst.\n\nBody one. Body two.\n\nLast.",
                "No title body. Second.",
            ],
            "title_end": [5, 0],
        }
    )
    s = segment_articles(arts, SegmentConfig())
    assert s["article_id"].to_list() == ["a-1", "a-1", "a-2", "a-2", "a-2", "a-2", "a-2"]
    a2 = s.filter(pl.col("article_id") == "a-2")
    assert a2["paragraph"].to_list() == [0, 1, 2, 2, 3]
    assert a2["index"].to_list() == [0, 1, 2, 3, 4]
    assert a2["sentence_id"].to_list()[2] == "a-2-s0002"
    assert s.filter(pl.col("article_id") == "a-1")["paragraph"].to_list() == [1, 1]  # no title


def test_run_segment_outputs_and_report(tmp_path: Path) -> None:
    arts = pl.DataFrame({"article_id": ["a-1"], "text": ["T\n\nOne. Two."], "title_end": [1]})
    arts.write_parquet(tmp_path / "a.parquet")
    rep = run_segment(
        tmp_path / "a.parquet", tmp_path / "s.parquet", tmp_path / "r.json", SegmentConfig()
    )
    assert (rep.records_in, rep.records_out) == (1, 3)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["sentences"] == 3 and report["paragraphs"] == 2
    first = (tmp_path / "s.parquet").read_bytes()
    run_segment(
        tmp_path / "a.parquet", tmp_path / "s.parquet", tmp_path / "r.json", SegmentConfig()
    )
    assert (tmp_path / "s.parquet").read_bytes() == first


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    pl.DataFrame({"article_id": ["a-1"], "body": ["x"]}).write_parquet(tmp_path / "a.parquet")
    with pytest.raises(InputError, match="'text'"):
        run_segment(
            tmp_path / "a.parquet", tmp_path / "s.parquet", tmp_path / "r.json", SegmentConfig()
        )
    with pytest.raises(InputError, match="no such file"):
        run_segment(
            tmp_path / "nope.parquet", tmp_path / "s.parquet", tmp_path / "r.json", SegmentConfig()
        )


def test_cli_segment(tmp_path: Path) -> None:
    pl.DataFrame(
        {"article_id": ["a-1"], "text": ["T\n\nOne. Two."], "title_end": [1]}
    ).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "p.yaml").write_text("segment:\n  newline_policy: auto\n", encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "claimset.cli",
        "segment",
        "--articles",
        str(tmp_path / "a.parquet"),
        "--sentences",
        str(tmp_path / "s.parquet"),
        "--report",
        str(tmp_path / "r.json"),
        "--params",
        str(tmp_path / "p.yaml"),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert pl.read_parquet(tmp_path / "s.parquet").height == 3
    bad = subprocess.run(
        [*cmd[:5], str(tmp_path / "missing.parquet"), *cmd[6:]],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert bad.returncode == 2 and "missing.parquet" in bad.stderr


def test_chunked_segmentation_equals_single_pass() -> None:
    texts = [f"Title {i}\n\nMr. Smith said {i}. The U.S. agreed.\n\n- a bullet" for i in range(40)]
    arts = pl.DataFrame(
        {
            "article_id": [f"a-{i:03d}" for i in range(40)],
            "text": texts,
            "title_end": [7 + len(str(i)) for i in range(40)],
        }
    )
    small = segment_articles(arts, SegmentConfig(), chunk_bytes=200)
    assert small.equals(segment_articles(arts, SegmentConfig()))
    assert small.height == 40 * 4


def test_sentences_independent_of_core_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimset import parallel

    texts = [f"Title {i}\n\nMr. Smith said {i}. The U.S. agreed.\n\n- a bullet" for i in range(300)]
    arts = pl.DataFrame(
        {
            "article_id": [f"a-{i:04d}" for i in range(300)],
            "text": texts,
            "title_end": [7 + len(str(i)) for i in range(300)],
        }
    )
    arts.write_parquet(tmp_path / "a.parquet")
    out = []
    for n in (1, 5):
        monkeypatch.setattr(parallel, "workers", lambda n=n: n)
        run_segment(
            tmp_path / "a.parquet",
            tmp_path / f"s{n}.parquet",
            tmp_path / f"r{n}.json",
            SegmentConfig(),
        )
        out.append((tmp_path / f"s{n}.parquet").read_bytes())
    assert out[0] == out[1]


def test_unsorted_articles_still_give_sorted_sentences() -> None:
    """The sort is skipped only when the output is already in (article_id, index) order."""
    arts = pl.DataFrame(
        {
            "article_id": ["a-2", "a-1", "a-3"],
            "text": ["Two. Sentences here.", "One. More. Three.", "Last one."],
            "title_end": [0, 0, 0],
        }
    )
    s = segment_articles(arts, SegmentConfig())
    assert s.equals(s.sort("article_id", "index"))
    assert s["article_id"].to_list() == ["a-1"] * 3 + ["a-2"] * 2 + ["a-3"]
    in_order = segment_articles(arts.sort("article_id"), SegmentConfig())
    assert in_order.equals(s)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 123_456)), max_size=40),
    st.integers(0, 3),
)
def test_sentence_ids_are_id_dash_s_padded_index(
    ids: list[str], picks: list[tuple[int, int]], skip: int
) -> None:
    """Indexes of 10,000 and more have more than four digits; a sliced Series works."""
    series = pl.Series(["pad"] * skip + ids, dtype=pl.String).slice(skip)
    rows = [r % len(ids) for r, _ in picks]
    index = [i for _, i in picks]
    got = sentence_ids(series, pl.Series(rows, dtype=pl.Int64), pl.Series(index, dtype=pl.Int64))
    assert got.name == "sentence_id"
    assert got.to_list() == [f"{ids[r]}-s{i:04d}" for r, i in zip(rows, index, strict=True)]


def test_non_ascii_extra_abbreviation_is_matched() -> None:
    cfg = SegmentConfig(extra_abbreviations=("ст.",))
    assert [s for _, _, s in split_text("Мы шли ст. Иванов пришёл.", cfg)] == [
        "Мы шли ст. Иванов пришёл."
    ]
