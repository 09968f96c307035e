"""The C scanner behind the CSV fast path gives exactly what the numpy + polars version gave.

``reference_fast_csv`` is that version, kept as the oracle: for every input both must cut
the same chunks and either both ask for the slow path or both return identical frames
(values, nulls, dtypes, ``origin_line``, ``raw_sha256``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import reference_fast_csv as ref
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claimset.ingest import _csv, fast_csv
from claimset.ingest.sources import InputFile

EXAMPLES = int(os.environ.get("CSV_KERNEL_EXAMPLES", "200"))  # more: a longer fuzz
MAPPING = {"source_id": "Body ID", "body": "articleBody", "title": "Headline"}
_FILE = InputFile(path=Path("c/bodies.csv"), rel="c/bodies.csv", fmt="csv", encoding="utf-8")


def _blocks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def _run(mod: Any, data: bytes, chunk: int, block: int, mapping: dict[str, str]) -> Any:
    """What the pipeline does with a file: ("slow", pieces), ("empty", pieces) or the frames
    of its chunks."""
    plan = mod.plan(_FILE, mapping)
    pieces = list(mod.chunks(_blocks(data, block), chunk))
    if not pieces or not pieces[0][0].strip():
        return "empty", pieces
    frames, header = [], None
    try:
        for piece, before in pieces:
            frame, header = mod.parse_chunk(plan, piece, before, header)
            frames.append(frame)
    except mod.SlowPath:
        return "slow", pieces
    except ValueError:  # the old version crashed on a file holding only a BOM
        return "slow", pieces
    return frames, pieces


def _same(data: bytes, chunk: int = 1 << 20, block: int = 1 << 20, mapping=MAPPING) -> Any:
    new, new_pieces = _run(fast_csv, data, chunk, block, mapping)
    old, old_pieces = _run(ref, data, chunk, block, mapping)
    assert new_pieces == old_pieces
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return new
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert a.schema == b.schema
        assert a.to_dict(as_series=False) == b.to_dict(as_series=False)
    return pl.concat([f.select(sorted(f.columns)) for f in new])


# ---- well-formed files: any field content, quoted as RFC 4180 requires -----------------------

_TEXT = st.text(st.sampled_from([*'ab ,"\r\n\té€😀x', "\u00a0", "\ufeff"]), min_size=0, max_size=12)


def _cell(value: str, force_quote: bool) -> str:
    if force_quote or any(c in value for c in ',"\r\n') or value[:1] == '"':
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def _files(draw: st.DrawFn) -> tuple[bytes, bool, list[str | None]]:
    """A well-formed file, whether it has a body column, and the bodies written into it,
    one per row (None: unquoted empty, which polars reads as null)."""
    columns = draw(
        st.lists(
            st.sampled_from(["Body ID", "articleBody", "Headline", "x", "y z"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(_cell(c, draw(st.booleans())) for c in columns)]
    bodies: list[str | None] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", " ", "\t", "\r"])))  # blank line
            continue
        values = [draw(_TEXT) for _ in columns]
        quoted = [draw(st.booleans()) for _ in columns]
        line = ",".join(_cell(v, q) for v, q in zip(values, quoted, strict=True))
        lines.append(line)
        if len(line.encode()) < 64 and not line.encode().strip():
            continue  # a whitespace-only single cell is a blank line
        i = columns.index("articleBody") if "articleBody" in columns else 0
        quoted_cell = _cell(values[i], quoted[i]).startswith('"')
        bodies.append(values[i] if values[i] or quoted_cell else None)
    text = nl.join(lines) + draw(st.sampled_from(["", nl]))
    data = (draw(st.sampled_from(["", "\ufeff"])) + text).encode("utf-8")
    return data, "articleBody" in columns, bodies


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files(), st.integers(1, 80), st.integers(1, 50))
def test_well_formed_files_match_oracle(
    file: tuple[bytes, bool, list[str | None]], chunk: int, block: int
) -> None:
    _same(file[0], chunk, block)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files(), st.integers(1, 80))
def test_well_formed_files_give_the_written_bodies(
    file: tuple[bytes, bool, list[str | None]], chunk: int
) -> None:
    """A well-formed file with a body column always takes the fast path, whatever the
    chunk size, and reads back exactly the bodies that were written; without a body
    column, rows send it to the slow path."""
    data, has_body, bodies = file
    got = _same(data, chunk)
    if bodies and not has_body:
        assert got == "slow"
        return
    assert not isinstance(got, str)
    assert got["body"].to_list() == (bodies if has_body else [])


# ---- anything at all: stray quotes, bad bytes, ragged rows, odd line ends --------------------

_TOKENS = st.sampled_from(
    ["a", "é", ",", '"', '""', "\r", "\n", "\r\n", " ", "\t", "\xff", "\xc3", "\x00", "\ufeff"]
)


@st.composite
def _noise(draw: st.DrawFn) -> bytes:
    head = draw(st.sampled_from(["Body ID,articleBody\n", "articleBody\n", "", '"Body ID",x\n']))
    body = "".join(draw(st.lists(_TOKENS, max_size=40)))
    raw = (head + body).encode("utf-8")
    return raw.replace("\xff".encode(), b"\xff").replace("\xc3".encode(), b"\xc3")


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_noise(), st.integers(1, 60), st.integers(1, 40))
@example(b"\xef\xbb\xbf", 10, 10)
@example(b'articleBody\n"""', 1, 1)
@example(b'articleBody\n""a""a""\n"a"b"c"\n', 100, 100)
@example(b"Body ID,articleBody\n\r,\n1\r,\r\r\n", 100, 100)
@example(b"  \nBody ID,articleBody\n1,x\n", 100, 100)
@example(b'Body ID,articleBody\n1,x"y"z\n2,"a""b"\r\n', 100, 100)
@example(b'Body ID,articleBody\n1,"x"y\n', 100, 100)
@example(b"Body ID,articleBody\n1,\xc3\n", 100, 100)
@example(b'a,a,"articleBody"\n1,2,3\n', 100, 100)
def test_any_bytes_match_oracle(data: bytes, chunk: int, block: int) -> None:
    _same(data, chunk, block)


_FIELD_TOKENS = st.sampled_from(["a", "é", " ", "\r", '""', '"', "\t", "x y"])


@st.composite
def _odd_rows(draw: st.DrawFn) -> bytes:
    """Two-column rows whose cells are mostly plain or quoted, with stray quotes, quote
    runs and carriage returns in odd places (where polars' reading is not RFC 4180's)."""
    rows = ["Body ID,articleBody"]
    for _ in range(draw(st.integers(0, 6))):
        cells = []
        for _ in range(2):
            inside = "".join(draw(st.lists(_FIELD_TOKENS, max_size=5)))
            kind = draw(st.integers(0, 3))
            cell = inside if kind == 0 else '"' + inside.replace('"', '""') + '"'
            if kind == 3:  # quoted, then one more odd piece
                cell += draw(st.sampled_from(["\r", '""', 'a"', '"a"', "\r\r"]))
            cells.append(cell)
        rows.append(",".join(cells) + draw(st.sampled_from(["", "\r"])))
    return "\n".join(rows).encode("utf-8")


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_odd_rows(), st.integers(1, 60))
def test_odd_cells_match_oracle(data: bytes, chunk: int) -> None:
    _same(data, chunk, 7)


@st.composite
def _odd_headers(draw: st.DrawFn) -> bytes:
    """Headers with repeated, empty, quoted or undecodable names and lines before them."""
    names = draw(
        st.lists(
            st.sampled_from(
                [
                    *("articleBody", '"articleBody"', "Body ID", "", '"a""b"', "a_duplicated_0"),
                    *('"x,y"', "\xff", '"\r\n"', " ", "articleBody\r"),
                ]
            ),
            min_size=1,
            max_size=4,
        )
    )
    before = "".join(draw(st.lists(st.sampled_from(["\n", "\r\n", " \n", "\t\n"]), max_size=2)))
    header = before + ",".join(names)
    rows = [",".join(_cell(draw(_TEXT), draw(st.booleans())) for _ in names) for _ in range(2)]
    data = draw(st.sampled_from(["", "\ufeff"])) + "\n".join([header, *rows]) + "\n"
    return data.encode("utf-8").replace("\xff".encode(), b"\xff")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_odd_headers(), st.integers(1, 60))
def test_odd_headers_match_oracle(data: bytes, chunk: int) -> None:
    _same(data, chunk, 11)


# ---- the kernel's own contract -----------------------------------------------------------------


def test_record_end_carries_quote_state() -> None:
    data = b'1,"a\nb"\n2,"c\n'
    assert _csv.record_end(data, 0, len(data), False) == (8, True)
    assert _csv.record_end(data, 0, 5, False) == (0, True)
    assert _csv.record_end(data, 5, len(data), True) == (8, True)
    assert _csv.record_end(b"a\nb\nc", 0, 3, False) == (2, False)
    with pytest.raises(ValueError, match="outside"):
        _csv.record_end(data, 0, len(data) + 1, False)


def test_records_columns_and_nulls() -> None:
    data = b'x,"a""b",\r\n\r\n,"",z\n"p\nq",r,"s"'
    problem, lines, spans, cols = _csv.records(data, 0, 2, [0, 2], 7)
    assert problem is None
    assert list(memoryview(lines).cast("q")) == [7, 9, 10]
    assert list(memoryview(spans).cast("q")) == [0, 9, 13, 18, 19, 30]
    (off0, val0, bits0, nulls0), (off2, val2, bits2, nulls2) = cols
    assert list(memoryview(off0).cast("q")) == [0, 1, 1, 4] and val0 == b"xp\nq"
    assert nulls0 == 1 and bits0 == b"\x05"
    assert list(memoryview(off2).cast("q")) == [0, 0, 1, 2] and val2 == b"zs"
    assert nulls2 == 1 and bits2 == b"\x06"
    with pytest.raises(ValueError, match="outside"):
        _csv.records(data, 0, 2, [3], 1)
    with pytest.raises(ValueError, match="twice"):
        _csv.records(data, 0, 2, [1, 1], 1)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'a,"b\n', "unclosed quote"),
        (b'a,"b"c\n', "text after a closing quote"),
        (b'a,b"c\n', "odd number of quotes inside an unquoted field"),
        (b"a,b,c\n", "record width differs from the header"),
        (b"a,\xed\xa0\x80\n", "invalid UTF-8"),
    ],
)
def test_records_problems(data: bytes, problem: str) -> None:
    assert _csv.records(data, 0, 1, [1], 1)[0] == problem


def test_utf8_valid_agrees_with_python() -> None:
    samples = [b"plain", "é€😀".encode(), b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
    samples += [b"x" * 20 + b"\xe2\x82", b"\xf0\x9f\x98\x80" * 5 + b"\x80", b"a" * 33]
    for s in samples:
        try:
            s.decode("utf-8")
            expected = len(s)
        except UnicodeDecodeError as exc:
            expected = exc.start
        assert _csv.utf8_valid(s, 0) == expected, s


def test_newlines_counts_every_newline() -> None:
    for data in [b"", b"\n", b"a\nb\r\n" * 37, bytes(range(256)) * 5]:
        assert _csv.newlines(data) == data.count(b"\n")


def test_raw_sha256_is_the_record_bytes() -> None:
    data = b'Body ID,articleBody\r\n1,"two\r\nlines"\r\n2,x\r\n'
    frame = _same(data)
    assert frame["raw_sha256"].to_list() == [
        hashlib.sha256(b'1,"two\r\nlines"').hexdigest(),
        hashlib.sha256(b"2,x").hexdigest(),
    ]
    assert frame["origin_line"].to_list() == [2, 4]
