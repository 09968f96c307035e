"""Compressed JSONL/CSV, Parquet, Hugging Face datasets directories and WARC files, end to
end through run_ingest: articles with their origins, and damaged input quarantined with its
offset while the rest is kept. Fixtures are written by the tests themselves."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from pathlib import Path

import polars as pl
import pytest
import zstandard

ROWS = [
    {"source_id": f"id{i}", "title": f"Title {i}", "body": f"Body {i} reports event {i * 7}."}
    for i in range(40)
]
JSONL = "".join(json.dumps(r) + "\n" for r in ROWS).encode()
CSV = (
    "Body ID,articleBody\n" + "".join(f'{i},"CSV body {i},\nsecond line"\n' for i in range(20))
).encode()
COMPRESS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda d: zstandard.ZstdCompressor().compress(d),
}


@pytest.mark.parametrize("ext", sorted(COMPRESS))
def test_compressed_jsonl_same_as_plain(ingest, tmp_path: Path, ext: str) -> None:
    out = ingest({f"feed/export.jsonl.{ext}": COMPRESS[ext](JSONL)})
    assert out.report["reconciled"] and out.quarantine == []
    rows = out.articles.sort("origin_line")
    assert rows["origin_file"].unique().to_list() == [f"feed/export.jsonl.{ext}"]
    assert rows["origin_line"].to_list() == list(range(1, 41))
    assert rows["source_id"].to_list() == [r["source_id"] for r in ROWS]
    assert rows["origin_format"].unique().to_list() == ["jsonl"]
    plain = ingest({"feed/export.jsonl": JSONL})
    cols = ["article_id", "text", "raw_sha256", "origin_line"]
    assert (
        plain.articles.sort("article_id")
        .select(cols)
        .equals(out.articles.sort("article_id").select(cols))
    )


@pytest.mark.parametrize("ext", sorted(COMPRESS))
def test_compressed_csv(ingest, ext: str) -> None:
    out = ingest({f"fnc/bodies.csv.{ext}": COMPRESS[ext](CSV)})
    assert out.quarantine == []
    rows = out.articles.sort("origin_line")
    assert rows.height == 20
    assert rows["origin_line"].to_list() == list(range(2, 42, 2))
    assert rows["body"][0] == "CSV body 0,\nsecond line"


def test_sidecar_of_compressed_file(ingest) -> None:
    side = json.dumps({"source": "newswire", "language": "de"})
    out = ingest({"x/export.jsonl.gz": gzip.compress(JSONL), "x/export.meta.json": side})
    assert set(out.articles["source"]) == {"newswire"}
    assert set(out.articles["language"]) == {"de"}


def test_truncated_gz_keeps_what_is_readable(ingest) -> None:
    whole = gzip.compress(JSONL, compresslevel=1)
    out = ingest({"feed/cut.jsonl.gz": whole[: len(whole) * 2 // 3]})
    assert out.report["reconciled"]
    (q,) = out.quarantine
    assert q["reason"] == "unreadable"
    kept = out.articles.height
    assert 0 < kept < 40
    # the unreadable part starts right after the last article kept, on the partial line
    assert out.articles["origin_line"].max() == kept
    assert q["origin_line"] == kept + 1
    assert q["origin_file"] == "feed/cut.jsonl.gz"
    assert "truncated" in q["message"] and "compressed byte" in q["message"]
    assert q["excerpt"].startswith(f'{{"source_id": "id{kept}"')
    assert out.report["quarantine_by_reason"] == {"unreadable": 1}


def test_truncated_csv_gz(ingest) -> None:
    whole = gzip.compress(CSV * 1, compresslevel=1)
    out = ingest({"b.csv.gz": whole[: len(whole) // 2]})
    assert out.report["reconciled"]
    assert [q["reason"] for q in out.quarantine] == ["unreadable"]
    q = out.quarantine[0]
    assert q["origin_line"] == 2 * out.articles.height + 2


def test_corrupt_zst_is_quarantined(ingest) -> None:
    data = bytearray(COMPRESS["zst"](JSONL))
    data[len(data) // 2 :] = b"\xff" * (len(data) - len(data) // 2)
    out = ingest({"z.jsonl.zst": bytes(data), "ok.jsonl": JSONL[:200].rsplit(b"\n", 1)[0] + b"\n"})
    assert out.report["reconciled"]
    assert "unreadable" in out.reasons()
    assert "corrupt" in next(q for q in out.quarantine if q["reason"] == "unreadable")["message"]


def test_parquet_with_table_fields(ingest, tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "id": list(range(30)),
            "headline": [f"Headline {i}" for i in range(30)],
            "text": [f"Parquet body {i} about {i * 3}." if i != 5 else None for i in range(30)],
            "date": [None] + [f"2024-02-{1 + i % 28:02d}" for i in range(29)],
        }
    ).with_columns(pl.col("date").str.to_date())
    buf = io.BytesIO()
    df.write_parquet(buf, row_group_size=8)
    mapping = {"source_id": "id", "title": "headline", "body": "text", "published_at": "date"}
    out = ingest({"hub/data/train-00000-of-00001.parquet": buf.getvalue()}, table_fields=mapping)
    assert out.report["reconciled"]
    assert [(q["reason"], q["origin_line"], q["field"]) for q in out.quarantine] == [
        ("missing_field", 6, "text")
    ]
    rows = out.articles.sort("origin_line")
    assert rows.height == 29
    assert rows["origin_format"].unique().to_list() == ["parquet"]
    assert rows["origin_line"].to_list() == [i + 1 for i in range(30) if i != 5]
    first = rows.row(1, named=True)
    assert (first["source_id"], first["title"], first["published_at"]) == (
        "1",
        "Headline 1",
        "2024-02-01",
    )
    assert rows.row(0, named=True)["published_at"] is None


def test_parquet_without_body_column_is_an_error(ingest) -> None:
    from claimset.errors import InputError

    buf = io.BytesIO()
    pl.DataFrame({"content": ["x"]}).write_parquet(buf)
    with pytest.raises(InputError, match="content"):
        ingest({"a.parquet": buf.getvalue()})


def test_corrupt_parquet_is_quarantined(ingest) -> None:
    buf = io.BytesIO()
    pl.DataFrame({"body": ["a b c"] * 3}).write_parquet(buf)
    out = ingest({"bad.parquet": buf.getvalue()[:-20], "good.jsonl": JSONL})
    assert out.report["reconciled"]
    bad = [q for q in out.quarantine if q["origin_file"] == "bad.parquet"]
    assert [(q["reason"], q["origin_line"]) for q in bad] == [("unreadable", 1)]
    assert out.articles.height == 40


def test_hf_save_to_disk_directory(tmp_path: Path) -> None:
    import datasets
    from tests.ingest.conftest import run

    ds = datasets.Dataset.from_dict(
        {"text": [f"Shard body {i} says {i * 11}." for i in range(25)], "title": ["T"] * 25}
    )
    target = tmp_path / "raw" / "hf"
    ds.save_to_disk(str(target), num_shards=2)
    (target / "cache-0123.arrow").write_bytes((target / "data-00000-of-00002.arrow").read_bytes())
    out = run(tmp_path, {}, table_fields={"body": "text", "title": "title"})
    assert out.report["reconciled"]
    files = sorted(set(out.articles["origin_file"]))
    assert files == ["hf/data-00000-of-00002.arrow", "hf/data-00001-of-00002.arrow"]
    assert out.articles.height == 25
    assert out.articles["origin_format"].unique().to_list() == ["arrow"]
    # state.json / dataset_info.json are metadata; an unlisted Arrow file is not a shard
    assert [(q["origin_file"], q["reason"]) for q in out.quarantine] == [
        ("hf/cache-0123.arrow", "unsupported_format")
    ]
    lines = out.articles.filter(pl.col("origin_file") == files[1])["origin_line"].sort()
    assert lines.to_list() == list(range(1, lines.len() + 1))


PAGE = """<html><head><title>Harbour reopens</title></head><body><nav><a href="/">Home</a></nav>
<article><h1>Harbour reopens</h1><p>The city harbour reopened on Monday after repairs that
took eleven months and cost more than the council had planned.</p><p>Officials said ferry
traffic would return to its normal timetable within two weeks.</p></article></body></html>"""


def _warc(gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "test"}))
    req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
    w.write_record(
        w.create_warc_record(
            "https://news.example/harbour", "request", payload=io.BytesIO(b""), http_headers=req
        )
    )

    def response(uri: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        rec = w.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-03-05T10:11:12Z"},
        )
        w.write_record(rec)

    response("https://news.example/harbour", PAGE.encode(), "text/html; charset=utf-8")
    response("https://news.example/logo.png", b"\x89PNG....", "image/png")
    response("https://news.example/gone", b"<html>gone</html>", "text/html", "404 Not Found")
    response("https://news.example/second", PAGE.replace("Harbour", "Bridge").encode(), "text/html")
    return buf.getvalue()


@pytest.mark.parametrize("gz", [False, True])
def test_warc(ingest, gz: bool) -> None:
    name = "crawl/c.warc.gz" if gz else "crawl/c.warc"
    out = ingest({name: _warc(gz)})
    assert out.report["reconciled"] and out.report["records_in"] == 6
    rows = out.articles.sort("origin_line")
    assert rows["url"].to_list() == ["https://news.example/harbour", "https://news.example/second"]
    assert rows["origin_format"].unique().to_list() == ["warc"]
    assert rows["title"].to_list() == ["Harbour reopens", "Bridge reopens"]
    assert rows["body"][0].startswith("The city harbour reopened on Monday")
    assert rows["published_at"].to_list() == ["2024-03-05", "2024-03-05"]  # WARC-Date
    assert out.report["quarantine_by_reason"] == {"warc_not_html": 2, "warc_skipped": 2}
    offsets = sorted([q["origin_line"] for q in out.quarantine] + rows["origin_line"].to_list())
    assert offsets[0] == 0 and len(set(offsets)) == 6  # one distinct byte offset per record
    msgs = " | ".join(q["message"] for q in out.quarantine)
    assert "warcinfo" in msgs and "request" in msgs and "image/png" in msgs and "404" in msgs


@pytest.mark.parametrize("gz", [False, True])
def test_corrupt_warc_record_is_quarantined_rest_kept(ingest, gz: bool) -> None:
    data = bytearray(_warc(gz))
    from warcio.archiveiterator import ArchiveIterator

    it = ArchiveIterator(io.BytesIO(bytes(data)))
    offsets = []
    for _ in it:
        offsets.append(it.get_record_offset())
    target = offsets[2]  # the first HTML response
    if gz:
        data[target + 20 : target + 60] = b"\x00" * 40  # inside the deflate data
    else:
        data[target : target + 8] = b"XXXX/9.9"  # the version line
    out = ingest({"c.warc.gz" if gz else "c.warc": bytes(data)})
    assert out.report["reconciled"]
    bad = [q for q in out.quarantine if q["reason"] == "unreadable"]
    assert [q["origin_line"] for q in bad] == [target]
    assert "cannot be read" in bad[0]["message"]
    assert out.articles["url"].to_list() == ["https://news.example/second"]


def test_unknown_extension_still_unsupported(ingest) -> None:
    out = ingest({"a.json.gz": gzip.compress(b"{}"), "b.xml": "<x/>"})
    assert sorted(out.reasons()) == ["unsupported_format", "unsupported_format"]


def test_hf_dataset_dict_directory(tmp_path: Path) -> None:
    import datasets
    from tests.ingest.conftest import run

    def split(name: str, n: int) -> datasets.Dataset:
        return datasets.Dataset.from_dict(
            {"body": [f"{name} body {i} is {i * 13}." for i in range(n)]}
        )

    datasets.DatasetDict({"train": split("train", 6), "test": split("test", 3)}).save_to_disk(
        str(tmp_path / "raw" / "dd")
    )
    out = run(tmp_path, {})
    assert out.quarantine == []  # dataset_dict.json, state.json, dataset_info.json: metadata
    files = sorted(set(out.articles["origin_file"]))
    assert files == ["dd/test/data-00000-of-00001.arrow", "dd/train/data-00000-of-00001.arrow"]
    assert out.articles.height == 9


def test_table_fields_params_are_typed_and_checked() -> None:
    from tests.ingest.conftest import REPO

    from claimset.config import build, load_section
    from claimset.errors import ConfigError
    from claimset.ingest.config import IngestConfig

    cfg = load_section("ingest", IngestConfig, REPO / "params.yaml")
    assert cfg.table_fields["body"] == "body"
    with pytest.raises(TypeError):
        cfg.table_fields["body"] = "text"  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"table_fields: a column must be mapped to 'body'"):
        build(IngestConfig, {"table_fields": {"title": "t"}}, "params.yaml:ingest")
    with pytest.raises(ConfigError, match=r"unknown key 'table_field'"):
        build(IngestConfig, {"table_field": {"body": "text"}}, "params.yaml:ingest")


def test_arrow_ipc_file_format(ingest, tmp_path: Path) -> None:
    """An .arrow file in the IPC *file* format (Feather v2), not a datasets stream shard."""
    import pyarrow as pa
    import pyarrow.feather as feather

    path = tmp_path / "t.arrow"
    feather.write_feather(
        pa.table({"body": ["Feather body one.", "Feather body two."]}),
        path,
        compression="uncompressed",
    )
    out = ingest({"f/t.arrow": path.read_bytes()})
    assert out.quarantine == []
    assert out.articles.sort("origin_line")["body"].to_list() == [
        "Feather body one.",
        "Feather body two.",
    ]


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_warc_quarantines_the_cut_record(ingest, gz: bool) -> None:
    out = ingest({"c.warc.gz" if gz else "c.warc": _warc(gz)[:-200]})
    assert out.report["reconciled"] and out.report["records_in"] == 6
    assert out.articles["url"].to_list() == ["https://news.example/harbour"]
    (bad,) = [q for q in out.quarantine if q["reason"] == "unreadable"]
    assert "https://news.example/second" in bad["message"] and "truncated" in bad["message"]
    assert bad["origin_line"] == max(q["origin_line"] for q in out.quarantine)
