"""The compiled split kernel equals the polars regex rules it replaced, on arbitrary text."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import reference_polars_split
import unicode_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_segment_offsets_property import TEXT

from claimset.segment import _split
from claimset.segment.config import SegmentConfig
from claimset.segment.rules import CONNECTORS, MAYBE_FINAL, NEVER_FINAL, OPENERS, SAYING
from claimset.segment.split import sentence_ids, split_sentences

CONFIGS = [
    SegmentConfig(),
    SegmentConfig(newline_policy="always"),
    SegmentConfig(newline_policy="never"),
    SegmentConfig(extra_abbreviations=("abt.", "(odd.", "approx.", "x.y.z.", "a\tb.")),
]


def _case_variants(word: str) -> st.SearchStrategy[str]:
    """``word`` in random case, with k/s sometimes as KELVIN SIGN / LONG S (they fold to them)."""
    odd = {"k": "\u212a", "s": "\u017f"}
    return st.lists(st.integers(0, 2), min_size=len(word), max_size=len(word)).map(
        lambda picks: "".join(
            (c, c.upper(), odd.get(c, c.upper()))[p] for c, p in zip(word, picks, strict=True)
        )
    )


WORDS = sorted(NEVER_FINAL | MAYBE_FINAL | OPENERS | SAYING | CONNECTORS | {"abt.", "approx."})
# Pieces of text the rules react to, weighted towards boundaries and their exceptions.
TOKEN = st.one_of(
    st.sampled_from(WORDS).flatmap(_case_variants),
    st.sampled_from(
        [
            ". ",
            "? ",
            "! ",
            "… ",
            "...",
            ".\n",
            ".\n\n",
            "\n",
            "\n\n",
            " \n ",
            "\u2028",
            '." ',
            '?" ',
            "!” ",
            ".’) ",
            ".) ",
            '."',
            "» ",
            "«",
            "“",
            "‘",
            "(",
            "[",
            "]",
            "J. ",
            "F. ",
            "U.S. ",
            "U.S.A. ",
            "u.n. ",
            "x.y.z. ",
            "3.5",
            "1. ",
            "12) ",
            "1234. ",
            "- ",
            "* ",
            "• ",
            "– ",
            "— ",
            "▪ ",
            "● ",
            "◦ ",
            "‣ ",
            "٣. ",
            "٣٤٥) ",
            "Smith ",
            "O’Neil ",
            "Mr. ",
            "Ms. ",
            "Dr. Who ",
            "said",
            "asked ",
            "Said ",
            " the\n",
            " and\n",
            ",\n",
            ";\n",
            "-\n",
            "&\n",
            "/\n",
            "\u00a0",
            "\u3000",
            "\t",
            "\u200b",
            "\u0345",
            "É",
            "é",
            "Ω",
            "ω",
            "ǅ",
            "ß",
            "\u212a",
            "Q.V. ",
            "a.B.c.D. ",
            "x" + "Q." * 16,
            ")" * 7,
            "“" * 40,
            "ſt. ",
            "a" * 85,
            " " * 40,
            "x" * 30 + ".",
        ]
    ),
    st.characters(blacklist_categories=("Cs",)),
    st.text(alphabet="aAzZ .,'’-\n", min_size=1, max_size=6),
)
WEIGHTED = st.lists(st.one_of(TOKEN, st.just(" ")), max_size=60).map("".join)


def _docs(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc": range(len(texts)), "text": texts}, schema={"doc": pl.Int64, "text": pl.String}
    )


def _check(texts: list[str], config: SegmentConfig) -> None:
    docs = _docs(texts)
    got = split_sentences(docs, config)
    want = reference_polars_split.split_sentences(docs, config)
    assert got.to_dicts() == want.to_dicts()
    assert got.schema == want.schema


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WEIGHTED, min_size=1, max_size=4), st.sampled_from(CONFIGS))
def test_kernel_equals_polars_rules_weighted(texts: list[str], config: SegmentConfig) -> None:
    _check(texts, config)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=4), st.sampled_from(CONFIGS))
def test_kernel_equals_polars_rules_arbitrary(texts: list[str], config: SegmentConfig) -> None:
    _check(texts, config)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\nHello.",
        "ſt. Louis. \u212aan. The end",  # folds: "st." and "kan." are abbreviations
        "He met Mr\u212a. Then left.",
        "A\u0345. The end.",  # (?i)\p{L} includes U+0345
        "x" * 79 + " The",  # a first word cut by the 80-character head
        "Smith " * 5 + "said it. Ok",  # more than four capitalised words before "said"
        '"Why?" Jean Luc Picard said. Then.',
        "Long." + " " * 100 + "the end",
        "end)))))))))). Next",  # a terminator beyond the last 8 characters
    ],
)
def test_kernel_edge_cases(text: str) -> None:
    for config in CONFIGS:
        _check([text, text], config)


def _window_texts() -> list[str]:
    """Texts whose deciding character sits just inside or outside a window of the rules."""
    texts = []
    for k in range(70, 90):  # the 80-character head
        texts += [
            "Go. " + "“" * k + "The" + "x" * (k % 3) + " end.",  # first word vs the head's end
            "Go. " + "(" * k + "lower case.",
            '"Why?" A' + "b" * k + " said it.",  # "<Name> said" cut by the head
            '"Why?" Jo' + " " * k + "said it.",
            " " * k + "- item\nNext line\n1. x",  # a bullet after leading whitespace
            " " * k + "12) item\nNext line",
        ]
    for k in range(4, 12):  # the last 8 characters of the core
        texts += ["Wow." + ")" * k + " Next one.", 'Wow?"' + ")" * k + " Smith said."]
    for k in range(12, 20):  # the last 32 characters of the core
        texts += ["It is x" + "Q." * k + " Zebra ran.", "It is " + "Q." * k + " Zebra ran."]
        texts += ["It is (" + "x" * (2 * k - 4) + " Dr. Who", "Foo " + "x" * (2 * k) + " of\nbar"]
    return texts


@pytest.mark.parametrize("config", CONFIGS)
def test_kernel_window_edges(config: SegmentConfig) -> None:
    _check(_window_texts(), config)


def test_unicode_tables_are_current() -> None:
    """_split_tables.h is what the installed polars' regex engine gives (regenerate if not)."""
    assert unicode_tables.HEADER.read_text(encoding="utf-8") == unicode_tables.header_text()


def test_case_folding_onto_ascii_is_kelvin_and_long_s_only() -> None:
    """The kernel folds ASCII letters plus U+212A and U+017F, as the regex engine does."""
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c >= 0x80]
    chars = pl.Series([chr(c) for c in cps], dtype=pl.String)
    folding = chars.filter(chars.str.contains(r"(?i)^[a-z]$")).to_list()
    assert folding == ["\u017f", "\u212a"]


def _words() -> list[bytes]:
    return [b"mr.", b"u.s.", b"the", b"said", b"of"]


def _views(texts: list[str]) -> tuple[pa.Buffer, list[pa.Buffer]]:
    arr = pl.Series(texts, dtype=pl.String).to_arrow(compat_level=pl.CompatLevel.newest())
    bufs = arr.buffers()
    return bufs[1].slice(16 * arr.offset, 16 * len(arr)), bufs[2:]


def _view(length: int, index: int, offset: int) -> bytes:
    return np.array([length, 0, index, offset], dtype=np.int32).tobytes()


def _inline(text: bytes) -> bytes:
    """A view holding ``text`` (at most 12 bytes) itself."""
    return np.array([len(text)], dtype=np.int32).tobytes() + text.ljust(12, b"\x00")


def test_kernel_reads_views_and_rejects_bad_arguments() -> None:
    texts = ["Hello. World.", "A longer text than twelve bytes. Yes.", "Short. S."]
    views, data = _views(texts)
    cols, offs, text = _split.split(views, data, *_words(), 0)
    assert text == b"Hello.World.A longer text than twelve bytes.Yes.Short.S."
    assert np.frombuffer(offs, dtype=np.int64).tolist() == [0, 6, 12, 44, 48, 54, 56]
    assert np.frombuffer(cols, dtype=np.int64).reshape(5, 6)[0].tolist() == [0, 0, 1, 1, 2, 2]
    buf = pa.py_buffer(b"x" * 20)
    assert _split.split(_view(20, 0, 0), [buf], *_words(), 0)[2] == b"x" * 20
    for bad in (_view(20, 0, 1), _view(20, 1, 0), _view(-1, 0, 0), _view(13, 0, -1)):
        with pytest.raises(ValueError, match="outside"):
            _split.split(bad, [buf], *_words(), 0)
    with pytest.raises(ValueError, match="16 bytes"):
        _split.split(b"\x00" * 12, [buf], *_words(), 0)
    with pytest.raises(ValueError, match="UTF-8"):
        _split.split(_inline(b"ab\xc3"), [], *_words(), 0)
    with pytest.raises(ValueError, match="UTF-8"):
        _split.split(_view(14, 0, 0), [pa.py_buffer(b"x" * 13 + "é".encode()[:1])], *_words(), 0)
    with pytest.raises(ValueError, match="ASCII"):
        _split.split(views, data, "é.".encode(), *_words()[1:], 0)
    with pytest.raises(ValueError, match="policy"):
        _split.split(views, data, *_words(), 3)


def test_non_ascii_extra_abbreviation_rejected() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        SegmentConfig(extra_abbreviations=("ст.",))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 123_456)), max_size=40),
    st.integers(0, 3),
)
def test_sentence_ids_are_id_dash_s_padded_index(
    ids: list[str], picks: list[tuple[int, int]], skip: int
) -> None:
    """Ids of up to 12 bytes sit inside their views, longer ones in a data buffer; indexes
    of 10,000 and more have more than four digits; a sliced Series starts at an offset."""
    series = pl.Series(["pad"] * skip + ids, dtype=pl.String).slice(skip)
    rows = [r % len(ids) for r, _ in picks]
    index = [i for _, i in picks]
    got = sentence_ids(series, pl.Series(rows, dtype=pl.Int64), pl.Series(index, dtype=pl.Int64))
    assert got.name == "sentence_id"
    assert got.to_list() == [f"{ids[r]}-s{i:04d}" for r, i in zip(rows, index, strict=True)]


def test_sentence_ids_reject_bad_arguments() -> None:
    views, data = _views(["a-0123456789abcdef", "b"])
    one = np.array([0], dtype=np.int64).tobytes()
    assert _split.sentence_ids(views, data, one, one) == (
        np.array([0, 24], dtype=np.int64).tobytes(),
        b"a-0123456789abcdef-s0000",
    )
    for rows, index in ((np.array([2]), np.array([0])), (np.array([0]), np.array([-1]))):
        with pytest.raises(ValueError, match=r"range|negative"):
            _split.sentence_ids(views, data, rows.astype(np.int64).tobytes(), index.tobytes())
    with pytest.raises(ValueError, match="8 bytes"):
        _split.sentence_ids(views, data, one, one + one)
    with pytest.raises(ValueError, match="view"):
        _split.sentence_ids(_view(40, 0, 0), [pa.py_buffer(b"x" * 20)], one, one)
