"""Attribution measure: content overlap P/R/F1, source accuracy, end-to-end P/R/F1.

One measure serves two callers: the PolNeAR pre-annotation figures (``preannotation_quality``)
and ``claimset evaluate``'s attribution scoring, so both report the same numbers for the same
spans.

- An attribution is a **content** (what was said: one or more, possibly discontinuous,
  ``[start, end)`` character ranges in a document) and a **source** (who said it: zero or more
  ranges; empty means the attribution names no source).
- A prediction and a gold attribution **match** when they are in the same document and their
  contents share at least one character. Pairing is one-to-one and greedy: the candidate pairs
  are taken largest shared-character count first, ties broken by (prediction index, gold
  index), so the result does not depend on dict or set order.
- **Content** precision = matched / predicted, recall = matched / gold.
- On a matched pair the **source is right** when the predicted source ranges share at least one
  character with the gold source ranges, or when neither names a source (PolNeAR has
  attributions without a Source span; predicting none for them is the right answer).
- **End to end** a prediction counts when it is matched *and* its source is right:
  precision = source-right / predicted, recall = source-right / gold.

Zero denominators give 0.0 (no predictions: precision 0; nothing matched: accuracy 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

Range = tuple[int, int]  # [start, end) character offsets


@dataclass(frozen=True)
class Attribution:
    """One attribution in one document: content ranges and (optional) source ranges."""

    doc_id: str
    content: tuple[Range, ...]  # one or more (discontinuous) ranges
    source: tuple[Range, ...] = ()  # empty = no source mention

    def __post_init__(self) -> None:
        if not self.content:
            raise ValueError(f"attribution in {self.doc_id!r} has no content range")
        for kind, ranges in (("content", self.content), ("source", self.source)):
            for start, end in ranges:
                if start < 0 or end < start:
                    raise ValueError(
                        f"attribution in {self.doc_id!r}: bad {kind} range [{start}, {end})"
                    )


def _merged(ranges: Sequence[Range]) -> list[Range]:
    """Sorted, non-overlapping, non-empty ranges covering the same characters."""
    out: list[Range] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def shared_chars(a: Sequence[Range], b: Sequence[Range]) -> int:
    """Characters covered by both range sets (each set's own overlaps counted once)."""
    left, right = _merged(a), _merged(b)
    i = j = total = 0
    while i < len(left) and j < len(right):
        lo = max(left[i][0], right[j][0])
        hi = min(left[i][1], right[j][1])
        if hi > lo:
            total += hi - lo
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return total


def source_right(pred: Attribution, gold: Attribution) -> bool:
    """The predicted source overlaps the gold source by >= 1 char, or neither names one."""
    if not pred.source and not gold.source:
        return True
    return shared_chars(pred.source, gold.source) > 0


def match(pred: Sequence[Attribution], gold: Sequence[Attribution]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing within each doc by shared content characters (>=1 char),
    largest overlap first, ties broken deterministically by (pred index, gold index).

    Returns ``(pred index, gold index)`` pairs sorted by prediction index.
    """
    gold_by_doc: dict[str, list[int]] = defaultdict(list)
    for g, attribution in enumerate(gold):
        gold_by_doc[attribution.doc_id].append(g)
    candidates: list[tuple[int, int, int]] = []
    for p, attribution in enumerate(pred):
        merged = _merged(attribution.content)
        if not merged:
            continue
        lo, hi = merged[0][0], merged[-1][1]
        for g in gold_by_doc.get(attribution.doc_id, ()):
            other = gold[g].content
            # Cheap bounding-box rejection before the exact count.
            if min(s for s, _ in other) >= hi or max(e for _, e in other) <= lo:
                continue
            shared = shared_chars(merged, other)
            if shared > 0:
                candidates.append((-shared, p, g))
    candidates.sort()
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, p, g in candidates:
        if p in used_pred or g in used_gold:
            continue
        used_pred.add(p)
        used_gold.add(g)
        pairs.append((p, g))
    pairs.sort()
    return pairs


@dataclass(frozen=True)
class AttributionScores:
    """Counts and rates of one comparison (see the module docstring for the definitions)."""

    n_pred: int
    n_gold: int
    n_matched: int
    n_source_correct: int
    content_precision: float
    content_recall: float
    content_f1: float
    source_accuracy: float
    e2e_precision: float
    e2e_recall: float
    e2e_f1: float

    def as_dict(self, digits: int = 4) -> dict[str, int | float]:
        """Plain dict for a JSON report, rates rounded to ``digits``."""
        out: dict[str, int | float] = {}
        for name, value in self.__dict__.items():
            out[name] = round(value, digits) if isinstance(value, float) else value
        return out


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def scores_from_counts(
    n_pred: int, n_gold: int, n_matched: int, n_source_correct: int
) -> AttributionScores:
    """Rates from the four counts (so per-document counts can be summed, then scored)."""
    cp, cr = _ratio(n_matched, n_pred), _ratio(n_matched, n_gold)
    ep, er = _ratio(n_source_correct, n_pred), _ratio(n_source_correct, n_gold)
    return AttributionScores(
        n_pred=n_pred,
        n_gold=n_gold,
        n_matched=n_matched,
        n_source_correct=n_source_correct,
        content_precision=cp,
        content_recall=cr,
        content_f1=_f1(cp, cr),
        source_accuracy=_ratio(n_source_correct, n_matched),
        e2e_precision=ep,
        e2e_recall=er,
        e2e_f1=_f1(ep, er),
    )


def score(pred: Sequence[Attribution], gold: Sequence[Attribution]) -> AttributionScores:
    """Match ``pred`` to ``gold`` and score content, source and end to end (micro over docs)."""
    pairs = match(pred, gold)
    correct = sum(1 for p, g in pairs if source_right(pred[p], gold[g]))
    return scores_from_counts(len(pred), len(gold), len(pairs), correct)
