"""Boundary precision/recall/F1 of a sentence splitter against a gold set.

A boundary is the end offset of a sentence (trailing whitespace excluded), except the end
of the text, which every splitter gets right for free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Splitter = Callable[[str], Iterable[tuple[int, int]]]  # text -> (start, end) spans


@dataclass(frozen=True)
class BoundaryScore:
    """Micro-averaged boundary counts and scores."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Counts and rounded scores, for reports."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold items ``{"id", "text", "sentences"}`` from a gold JSON file."""
    return list(json.loads(Path(path).read_text(encoding="utf-8"))["items"])


def gold_boundaries(item: dict[str, Any]) -> set[int]:
    """End offsets of the gold sentences (found in order in the text), minus the text end."""
    text, pos, ends = item["text"], 0, set()
    for sentence in item["sentences"]:
        start = text.index(sentence, pos)
        pos = start + len(sentence)
        ends.add(pos)
    return ends - {len(text.rstrip())}


def predicted_boundaries(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """End offsets of predicted spans with trailing whitespace trimmed, minus the text end."""
    ends = {
        start + len(text[start:end].rstrip()) for start, end in spans if text[start:end].strip()
    }
    return ends - {len(text.rstrip())}


def score(items: Iterable[dict[str, Any]], splitter: Splitter) -> BoundaryScore:
    """Micro-averaged boundary score of ``splitter`` over gold ``items``."""
    tp = fp = fn = 0
    for item in items:
        gold = gold_boundaries(item)
        pred = predicted_boundaries(item["text"], splitter(item["text"]))
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return BoundaryScore(tp, fp, fn)
