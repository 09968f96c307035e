"""At least 30 bad or edge inputs, each with an asserted outcome: a clear error, a quarantine
entry with its reason, or a documented normalisation. Counts must always reconcile."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimset.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = '{"source_id": "ok-1", "title": "Fine", "body": "A fine body."}\n'


def jl(*objs: Any) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


def txt(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


# name -> (files, expected quarantine reasons, extra check on the outcome or None, config overrides)
QUARANTINE_CASES: dict[
    str, tuple[dict[str, bytes | str], list[str], Callable[[Any], None] | None, dict[str, Any]]
] = {
    "invalid_json_line": (
        {
            "a.jsonl": GOOD
            + '{"title": "x", "body": \n'
            + jl({"source_id": "ok-2", "title": "T", "body": "Body two."})
        },
        ["invalid_json"],
        lambda o: (
            (o.articles.height == 2 and o.quarantine[0]["origin_line"] == 2)
            or pytest.fail(str(o.quarantine))
        ),
        {},
    ),
    "truncated_last_line": (
        {"a.jsonl": GOOD + '{"source_id": "cut", "title": "Cut", "bo'},
        ["invalid_json"],
        lambda o: (
            "truncated" in o.quarantine[0]["message"] or pytest.fail(o.quarantine[0]["message"])
        ),
        {},
    ),
    "mixed_types_title_number": (
        {"a.jsonl": GOOD + jl({"source_id": "n", "title": 42, "body": "Body."})},
        ["bad_field_type"],
        lambda o: o.quarantine[0]["field"] == "title" or pytest.fail(str(o.quarantine)),
        {},
    ),
    "mixed_types_body_list": (
        {"a.jsonl": jl({"title": "T", "body": ["para one", "para two"]})},
        ["bad_field_type"],
        lambda o: o.quarantine[0]["field"] == "body" or pytest.fail(str(o.quarantine)),
        {},
    ),
    "synthetic_not_bool": (
        {"a.jsonl": jl({"title": "T", "body": "B.", "synthetic": "maybe"})},
        ["bad_field_type"],
        None,
        {},
    ),
    "not_an_object": ({"a.jsonl": GOOD + '["a", "list"]\n'}, ["not_an_object"], None, {}),
    "missing_body": ({"a.jsonl": jl({"title": "No body here"})}, ["missing_field"], None, {}),
    "bad_date": (
        {"a.jsonl": jl({"title": "T", "body": "B.", "published_at": "last Tuesday"})},
        ["bad_field_value"],
        None,
        {},
    ),
    "lone_surrogate": (
        {"a.jsonl": GOOD + '{"title": "Bad \\ud800 escape", "body": "Body."}\n'},
        ["lone_surrogate"],
        lambda o: o.quarantine[0]["field"] == "title" or pytest.fail(str(o.quarantine)),
        {},
    ),
    "cp1252_undeclared": (
        {"a.txt": "Caf\u00e9 owner\u2019s view\n\nBody \u2013 text.\n".encode("cp1252")},
        ["undecodable"],
        None,
        {},
    ),
    "utf16_as_utf8": ({"a.txt": "Title\n\nBody.\n".encode("utf-16")}, ["undecodable"], None, {}),
    "invalid_utf8_one_jsonl_line": (
        {
            "a.jsonl": GOOD.encode()
            + b'{"title": "T", "body": "bad \xff byte"}\n'
            + jl({"source_id": "z", "title": "Z", "body": "Zed."}).encode()
        },
        ["undecodable"],
        lambda o: (
            (o.articles.height == 2 and o.quarantine[0]["origin_line"] == 2)
            or pytest.fail(str(o.quarantine))
        ),
        {},
    ),
    "invalid_bytes_one_csv_row": (
        {"b.csv": b'Body ID,articleBody\n1,"good row"\n2,"bad \xfe row"\n3,"another good row"\n'},
        ["undecodable"],
        lambda o: (
            (o.articles.height == 2 and o.quarantine[0]["origin_line"] == 3)
            or pytest.fail(str(o.quarantine))
        ),
        {},
    ),
    "nul_bytes": ({"a.txt": "Title\n\nBody with \x00 a NUL.\n"}, ["nul_byte"], None, {}),
    "empty_txt_file": ({"a.txt": b""}, ["empty_file"], None, {}),
    "empty_jsonl_file": ({"a.jsonl": b""}, ["empty_file"], None, {}),
    "whitespace_only_txt": ({"a.txt": " \n\t\r\n  \n"}, ["empty_file"], None, {}),
    "whitespace_only_article": (
        {"a.jsonl": jl({"title": "Has a title", "body": " \n\u00a0\u200b\t"})},
        ["empty_body"],
        None,
        {},
    ),
    "title_only_txt": ({"a.txt": "Just a title\n"}, ["empty_body"], None, {}),
    "ten_mb_article": (
        {"big.txt": "Big\n\n" + ("All work and no play makes a big article. " * 250_000)},
        ["too_large"],
        lambda o: len(o.quarantine[0]["excerpt"]) <= 200 or pytest.fail("excerpt not capped"),
        {},
    ),
    "over_configured_cap": (
        {"a.txt": txt("T", "x" * 101)},
        ["too_large"],
        None,
        {"max_chars": 100},
    ),
    "duplicate_id_quarantine_policy": (
        {
            "a.jsonl": jl(
                {"source_id": "s1", "title": "A", "body": "First text."},
                {"source_id": "s1", "title": "A", "body": "Changed text."},
            )
        },
        ["duplicate_source_id"],
        lambda o: (
            "a.jsonl:1" in o.quarantine[0]["message"] or pytest.fail(o.quarantine[0]["message"])
        ),
        {"on_source_id_conflict": "quarantine"},
    ),
    "html_all_navigation": (
        {"nav.html": (FIXTURES / "nav_only.html").read_bytes()},
        ["no_main_text"],
        None,
        {},
    ),
    "html_bare_navigation_and_footer": (
        {
            "bare.html": "<html><body><nav>Home | About</nav><header>Daily News - Subscribe"
            " now</header><footer>© 2024 Site</footer></body></html>"
        },
        ["no_main_text"],
        None,
        {},
    ),
    "csv_row_wrong_field_count": (
        {"b.csv": 'Body ID,articleBody\n1,"ok"\n2,"too","many"\n'},
        ["bad_row"],
        None,
        {},
    ),
    "unsupported_extension": (
        {"notes.docx": b"PK\x03\x04binary"},
        ["unsupported_format"],
        None,
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(QUARANTINE_CASES))
def test_quarantine_case(ingest, name: str) -> None:
    files, reasons, check, overrides = QUARANTINE_CASES[name]
    out = ingest(files, **overrides)
    assert sorted(out.reasons()) == sorted(reasons), out.quarantine
    for q in out.quarantine:
        assert q["origin_file"] and q["origin_line"] >= 1 and q["message"]
        assert set(q) == {
            "origin_file",
            "origin_line",
            "origin_format",
            "reason",
            "field",
            "message",
            "excerpt",
        }
    r = out.report
    assert r["records_in"] == r["articles"] + r["duplicates"] + r["quarantined"]
    assert r["quarantine_by_reason"] == {k: reasons.count(k) for k in sorted(set(reasons))}
    if check is not None:
        check(out)


# name -> (files, expected message fragments, config overrides)
ERROR_CASES: dict[str, tuple[dict[str, bytes | str], list[str], dict[str, Any]]] = {
    "duplicate_id_different_text": (
        {
            "a.jsonl": jl({"source_id": "s1", "title": "A", "body": "First text."}),
            "b.jsonl": jl(
                {"source_id": "s2", "title": "B", "body": "Other."},
                {"source_id": "s1", "title": "A", "body": "Changed text."},
            ),
        },
        ["b.jsonl:2", "a.jsonl:1", "'s1'", "source_id"],
        {},
    ),
    "csv_unclosed_quote": (
        {"b.csv": 'Body ID,articleBody\n1,"fine"\n2,"never closed\nmore text\n3,"x"\n'},
        ["b.csv:3", "unclosed quote"],
        {},
    ),
    "csv_missing_body_column": ({"b.csv": "id,text\n1,hello\n"}, ["b.csv:1", "'articleBody'"], {}),
    "sidecar_not_json": (
        {"a.txt": txt("T", "B."), "a.meta.json": "{not json"},
        ["a.meta.json", "sidecar"],
        {},
    ),
    "sidecar_unknown_encoding": (
        {"a.txt": txt("T", "B."), "a.meta.json": '{"encoding": "klingon-8"}'},
        ["a.meta.json", "'encoding'", "klingon-8"],
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_error_case(ingest, name: str) -> None:
    files, fragments, overrides = ERROR_CASES[name]
    with pytest.raises(InputError) as exc:
        ingest(files, **overrides)
    msg = str(exc.value)
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, msg


def test_missing_input_path(tmp_path: Path) -> None:
    from claimset.ingest import run_ingest
    from claimset.ingest.config import IngestConfig
    from claimset.neardup import NearDuplicateConfig

    with pytest.raises(InputError, match="no such file"):
        run_ingest(
            [tmp_path / "nope"],
            tmp_path / "a",
            tmp_path / "q",
            tmp_path / "d",
            tmp_path / "r",
            IngestConfig(),
            NearDuplicateConfig(),
        )


# Inputs that are accepted, with the normalisation they must receive.
def _body(out: Any) -> str:
    assert out.quarantine == [], out.quarantine
    return str(out.articles["body"][0])


def test_cp1252_declared_in_sidecar(ingest) -> None:
    data = "Caf\u00e9 owner\u2019s view\n\nBody \u2013 text.\n".encode("cp1252")
    out = ingest({"a.txt": data, "a.meta.json": '{"encoding": "cp1252"}'})
    assert out.articles["title"][0] == "Caf\u00e9 owner\u2019s view"
    assert _body(out) == "Body \u2013 text."


def test_cp1252_declared_in_params(ingest) -> None:
    data = "T\u00eftle\n\nBody \u20ac5.\n".encode("cp1252")
    out = ingest({"legacy/a.txt": data}, encodings={"legacy/*.txt": "cp1252"})
    assert _body(out) == "Body \u20ac5."


def test_bom_removed_txt_and_jsonl(ingest) -> None:
    out = ingest(
        {"a.txt": b"\xef\xbb\xbfTitle\n\nBody.\n", "b.jsonl": b"\xef\xbb\xbf" + GOOD.encode()}
    )
    assert out.quarantine == []
    assert sorted(out.articles["title"].to_list()) == ["Fine", "Title"]


def test_mixed_newlines(ingest) -> None:
    out = ingest({"a.txt": "Title\r\n\r\nLine one\rline two\r\n\r\nNext para\n"})
    assert _body(out) == "Next para"
    assert (
        out.articles["text"][0] == "Title\n\nLine one line two\n\nNext para"
    )  # standfirst: one line


def test_zero_width_and_bidi_removed_rtl_letters_kept(ingest) -> None:
    body = "Zero\u200bwidth \u202eevil\u202c and \u200f\u0645\u0631\u062d\u0628\u0627 \U0001f468\u200d\U0001f469 ok"
    out = ingest({"a.jsonl": jl({"title": "T", "body": body})})
    assert (
        _body(out)
        == "Zerowidth evil and \u0645\u0631\u062d\u0628\u0627 \U0001f468\u200d\U0001f469 ok"
    )


def test_nfd_becomes_nfc(ingest) -> None:
    out = ingest(
        {
            "a.jsonl": jl(
                {"title": "Cafe\u0301", "body": "Re\u0301sume\u0301 of A\u030angstro\u0308m."}
            )
        }
    )
    assert out.articles["title"][0] == "Caf\u00e9"
    assert _body(out) == "R\u00e9sum\u00e9 of \u00c5ngstr\u00f6m."


def test_emoji_before_quote_and_control_chars(ingest) -> None:
    out = ingest(
        {"a.jsonl": jl({"title": "T", "body": 'She wrote \U0001f525"Fire!" \x07and\u00a0left.'})}
    )
    assert _body(out) == 'She wrote \U0001f525"Fire!" and left.'


def test_source_id_number_accepted(ingest) -> None:
    out = ingest({"a.jsonl": jl({"source_id": 123, "title": "T", "body": "B."})})
    assert out.articles["source_id"][0] == "123"


def test_duplicate_id_same_text_is_a_duplicate(ingest) -> None:
    rec = {"source_id": "s1", "title": "A", "body": "Same text."}
    out = ingest({"a.jsonl": jl(rec, rec)})
    assert out.articles.height == 1 and out.quarantine == []
    assert len(out.duplicates) == 1
    d = out.duplicates[0]
    assert (d["origin_line"], d["duplicate_of"], d["duplicate_of_line"]) == (
        2,
        out.articles["article_id"][0],
        1,
    )


def test_same_text_in_two_formats_kept_once(ingest) -> None:
    out = ingest(
        {
            "a.txt": "Title\n\nSame   body.\n",
            "b.jsonl": jl({"title": "Title", "body": "Same body."}),
        }
    )
    assert out.articles.height == 1
    assert out.articles["origin_file"][0] == "a.txt"  # first in sorted input order wins
    assert [d["origin_file"] for d in out.duplicates] == ["b.jsonl"]
    assert out.report["duplicates"] == 1
