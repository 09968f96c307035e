"""Measured quality: boundary P/R/F1 of claimset and pysbd on the hand-checked gold set."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimset.segment import split_text
from claimset.segment.quality import gold_boundaries, load_gold, score

GOLD = Path(__file__).parent / "fixtures" / "gold_sentences.json"


def claimset_spans(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e, _ in split_text(text)]


def pysbd_spans(text: str) -> list[tuple[int, int]]:
    pysbd = pytest.importorskip("pysbd")
    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return [(span.start, span.end) for span in seg.segment(text)]


def test_gold_set_size_and_sources() -> None:
    items = load_gold(GOLD)
    assert sum(len(gold_boundaries(i)) for i in items) >= 300
    assert any(i["id"].startswith("seed-") for i in items)
    assert sum(i["id"].startswith("fnc1-") for i in items) >= 30


def test_claimset_f1_at_least_097_and_not_below_pysbd() -> None:
    items = load_gold(GOLD)
    ours = score(items, claimset_spans)
    theirs = score(items, pysbd_spans)
    print(f"\nclaimset {ours.as_dict()}\npysbd    {theirs.as_dict()}")
    assert ours.f1 >= 0.97, ours.as_dict()
    assert ours.f1 >= theirs.f1, (ours.as_dict(), theirs.as_dict())


def test_score_counts_errors() -> None:
    item = {"id": "x", "text": "One. Two. Three.", "sentences": ["One.", "Two.", "Three."]}
    assert score([item], lambda t: [(0, len(t))]).as_dict()["recall"] == 0.0
    perfect = score([item], claimset_spans)
    assert (perfect.tp, perfect.fp, perfect.fn) == (2, 0, 0)
    over = score([item], lambda t: [(0, 2), (2, 4), (5, 9), (10, 16)])
    assert (over.tp, over.fp, over.fn) == (2, 1, 0)
