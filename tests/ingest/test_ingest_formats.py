"""Each supported input format becomes correct article rows with provenance."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SEED = REPO / "data" / "raw" / "seed"
FNC = REPO / ".." / "shared" / "data" / "fnc-1" / "train_bodies.csv"
SEED_TITLE = "Kremlin warns of potential conflict with NATO over troop deployment in Ukraine"


def test_seed_article_row(ingest, tmp_path: Path) -> None:
    if not (SEED / "kremlin-nato-warning.txt").exists():
        pytest.skip("seed article not found in data/raw/seed")
    files = {p.name: p.read_bytes() for p in SEED.iterdir()}
    out = ingest({f"seed/{k}": v for k, v in files.items()})
    assert out.articles.height == 1
    row = out.articles.row(0, named=True)
    assert row["title"] == SEED_TITLE
    assert row["standfirst"].startswith(
        "The Kremlin warns of conflict with NATO if European troops"
    )
    assert row["body"].startswith("The Kremlin has issued a stark warning")
    assert row["body"].endswith("further escalation in the Ukrainian crisis.")
    assert "\n\n\n" not in row["body"]  # the seed's double blank line is one paragraph break
    assert row["text"] == row["title"] + "\n\n" + row["standfirst"] + "\n\n" + row["body"]
    assert row["title_end"] == len(SEED_TITLE)
    assert row["origin_file"] == "seed/kremlin-nato-warning.txt"
    assert (row["origin_line"], row["origin_format"]) == (1, "txt")
    assert row["source"] == "seed" and row["source_id"] == "seed-kremlin-nato"
    assert row["cluster_id"] == row["article_id"]
    import hashlib

    raw = (SEED / "kremlin-nato-warning.txt").read_bytes()
    assert row["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    assert row["text_sha256"] == hashlib.sha256(row["text"].encode()).hexdigest()
    key = f"{row['source_id']}\x00{row['text']}".encode()
    assert row["article_id"] == "a-" + hashlib.sha256(key).hexdigest()[:16]


def test_txt_without_standfirst_and_crlf(ingest) -> None:
    text = "Short headline\r\n\r\nOnly one paragraph of body text here.\r\n"
    out = ingest({"a.txt": text})
    row = out.articles.row(0, named=True)
    assert row["title"] == "Short headline"
    assert row["standfirst"] is None
    assert row["body"] == "Only one paragraph of body text here."
    assert row["text"] == "Short headline\n\nOnly one paragraph of body text here."


def test_txt_standfirst_forced_off_by_sidecar(ingest) -> None:
    text = "Title\n\nFirst body paragraph.\n\nSecond body paragraph.\n"
    out = ingest({"a.txt": text, "a.meta.json": json.dumps({"has_standfirst": False})})
    row = out.articles.row(0, named=True)
    assert row["standfirst"] is None
    assert row["body"] == "First body paragraph.\n\nSecond body paragraph."


def test_jsonl_with_field_mapping(ingest) -> None:
    lines = [
        {
            "id": 17,
            "headline": "Mapped title",
            "content": "Mapped body.",
            "date": "2025-01-02T10:00:00+01:00",
        },
        {"id": "x2", "headline": "Another", "content": "Second body.", "lead": "A lead."},
    ]
    data = "\n".join(json.dumps(x) for x in lines) + "\n"
    mapping = {
        "source_id": "id",
        "title": "headline",
        "body": "content",
        "published_at": "date",
        "standfirst": "lead",
    }
    out = ingest({"feed/export.jsonl": data}, jsonl_fields=mapping)
    rows = {r["source_id"]: r for r in out.articles.to_dicts()}
    assert rows["17"]["title"] == "Mapped title" and rows["17"]["published_at"] == "2025-01-02"
    assert rows["17"]["origin_line"] == 1 and rows["x2"]["origin_line"] == 2
    assert rows["x2"]["text"] == "Another\n\nA lead.\n\nSecond body."
    assert all(r["source"] == "feed" for r in rows.values())


def test_csv_embedded_newlines_and_quotes(ingest) -> None:
    out = ingest({"bodies.csv": (FIXTURES / "bodies.csv").read_bytes()})
    rows = {r["source_id"]: r for r in out.articles.to_dicts()}
    assert (
        rows["7"]["body"]
        == 'The minister said the plan was "final".\n\nA second paragraph, with a comma, follows.'
    )
    assert rows["7"]["title"] == "" and rows["7"]["title_end"] == 0
    assert rows["7"]["text"] == rows["7"]["body"]
    # Physical line where each record starts (record 7 spans lines 2-4).
    assert [rows[k]["origin_line"] for k in ("7", "8", "9")] == [2, 5, 6]
    assert rows["9"]["body"] == "Line one of the body\nline two continues the sentence."
    assert out.report["records_in"] == 3


def test_html_main_text_only(ingest) -> None:
    out = ingest({"page.html": (FIXTURES / "page.html").read_bytes()})
    row = out.articles.row(0, named=True)
    assert row["title"].startswith("Harbour authority approves new ferry terminal")
    assert row["published_at"] == "2025-03-14"
    assert row["author"] == "Mara Vell"
    assert "double passenger capacity by 2028" in row["body"]
    assert "84 million crowns" in row["body"]
    assert "SHOULD_NOT_APPEAR" not in row["text"]
    assert "\n\n" in row["body"]  # paragraphs kept apart
    assert row["origin_format"] == "html"
    # The <h1> repeats the title: the text holds the headline once, as its first paragraph.
    assert row["text"].count("approves new ferry terminal") == 1
    # The byline is printed text and stays (claim candidates leave it out, not ingest).
    assert row["body"].startswith("By Mara Vell\n\nThe harbour authority voted on Thursday")


def test_html_headline_only_page_keeps_its_one_paragraph(ingest) -> None:
    page = (
        "<html><head><title>Storm closes the coast road</title></head><body><article>"
        "<h1>Storm closes the coast road</h1></article></body></html>"
    )
    out = ingest({"short.html": page})
    assert out.reasons() == [] and out.articles.height == 1
    assert out.articles["body"].to_list() == ["Storm closes the coast road"]


@pytest.mark.slow
def test_fnc1_train_bodies_all_rows(tmp_path: Path) -> None:
    if not FNC.exists():
        pytest.skip(f"FNC-1 bodies not found at {FNC}")
    import csv

    from claimset.ingest import run_ingest
    from claimset.ingest.config import IngestConfig
    from claimset.neardup import NearDuplicateConfig

    raw = tmp_path / "fnc-1"
    raw.mkdir()
    shutil.copy(FNC, raw / "train_bodies.csv")  # temp copy, outside the project
    out = tmp_path / "out"
    run_ingest(
        [raw],
        out / "a.parquet",
        out / "q.jsonl",
        out / "d.jsonl",
        out / "r.json",
        IngestConfig(),
        NearDuplicateConfig(),
    )
    with FNC.open(encoding="utf-8", newline="") as fh:
        n_rows = sum(1 for _ in csv.reader(fh)) - 1
    report = json.loads((out / "r.json").read_text())
    assert report["records_in"] == n_rows
    assert report["records_in"] == report["articles"] + report["duplicates"] + report["quarantined"]
    arts = pl.read_parquet(out / "a.parquet")
    assert arts["origin_format"].unique().to_list() == ["csv"]
    assert arts["source"].unique().to_list() == ["fnc-1"]
    assert arts["article_id"].is_sorted()


def test_csv_fast_path_matches_stdlib_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The polars fast path and the stdlib parser give identical records."""
    from claimset.ingest import read_csv as rc
    from claimset.ingest.config import IngestConfig
    from claimset.ingest.pipeline import to_frame
    from claimset.ingest.sources import discover

    data = (
        b"Body ID,articleBody,Extra\r\n"
        b'1,"Multi\r\nline ""quoted"" body",x\r\n'
        b"\r\n"
        b"2,plain body,\r\n"
        b'3,"comma, inside",y'
    )
    (tmp_path / "b.csv").write_bytes(data)
    (tmp_path / "b.meta.json").write_text('{"source": "wire", "language": "de"}', encoding="utf-8")
    cfg = IngestConfig()
    f = discover([tmp_path], cfg)[0]
    fast, q1 = rc.read_csv(f, cfg)
    assert isinstance(fast, pl.DataFrame) and q1 == []
    monkeypatch.setattr(rc, "read_csv_fast", lambda *a: None)
    slow, q2 = rc.read_csv(f, cfg)
    assert isinstance(slow, list) and q2 == []
    slow_df = to_frame(slow)
    cols = slow_df.columns
    assert fast.select(cols).cast(slow_df.schema).to_dicts() == slow_df.to_dicts()
    assert fast["origin_line"].to_list() == [2, 5, 6]
    assert fast["source"].unique().to_list() == ["wire"]


def test_sidecar_field_mapping_and_defaults_for_jsonl(ingest) -> None:
    line = json.dumps({"head": "Sidecar title", "txt": "Sidecar body.", "lang": "fr"}) + "\n"
    meta = {
        "fields": {"title": "head", "body": "txt", "language": "lang"},
        "source": "wire",
        "synthetic": True,
    }
    out = ingest({"x.jsonl": line, "x.meta.json": json.dumps(meta)})
    row = out.articles.row(0, named=True)
    assert (row["title"], row["body"], row["language"]) == ("Sidecar title", "Sidecar body.", "fr")
    assert row["source"] == "wire" and row["synthetic"] is True


def test_text_is_body_without_title_or_standfirst(ingest) -> None:
    """Title-less CSV rows: ``text`` equals ``body`` (one shared buffer), title_end 0."""
    o = ingest({"c/rows.csv": 'Body ID,articleBody\n1,"First body.\n\nSecond para."\n2,Other.\n'})
    assert o.articles["text"].to_list() == o.articles["body"].to_list()
    assert o.articles["title_end"].to_list() == [0, 0]
