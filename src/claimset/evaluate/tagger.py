"""The attribution tagging baseline: a maximum-entropy Markov model (MEMM) over BIO tags.

Each token is classified by a scikit-learn logistic regression from window features (the
word, its shape and suffix, the words around it) and the two previous tags: gold tags in
training, the model's own tags when decoding, left to right (greedy). All sequences are
decoded in step, one ``predict`` call per position. The output is repaired to valid BIO
(an ``I-X`` that does not continue an ``X`` span starts one).

Tag spans become attributions for the end-to-end measure: each CONTENT span is linked to
the nearest SOURCE span of the same sentence (no ``.``, ``!`` or ``?`` token between
them), or to none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimset.evaluate.config import TaggerConfig

SENTENCE_END = frozenset({".", "!", "?"})
TYPES = ("CONTENT", "SOURCE", "CUE")


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word[:6]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def token_features(tokens: Sequence[str], i: int, window: int) -> dict[str, Any]:
    """Features of token ``i`` that do not depend on tags."""
    w = tokens[i]
    lw = w.lower()
    f: dict[str, Any] = {
        "w": lw,
        "suf3": lw[-3:],
        "shape": _shape(w),
        "title": w[:1].isupper(),
        "bos": i == 0,
    }
    for d in range(1, window + 1):
        f[f"w-{d}"] = tokens[i - d].lower() if i - d >= 0 else "<s>"
        f[f"w+{d}"] = tokens[i + d].lower() if i + d < len(tokens) else "</s>"
        f[f"t-{d}"] = tokens[i - d][:1].isupper() if i - d >= 0 else False
    return f


def _with_tags(f: dict[str, Any], prev1: str, prev2: str) -> dict[str, Any]:
    return {**f, "p1": prev1, "p12": f"{prev2}|{prev1}", "p1w": f"{prev1}|{f['w']}"}


def repair(tags: Sequence[str]) -> list[str]:
    """Valid BIO: an ``I-X`` not continuing an ``X`` span becomes ``B-X``."""
    out: list[str] = []
    for t in tags:
        if t.startswith("I-") and (not out or out[-1] == "O" or out[-1][2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
    return out


@dataclass
class MemmTagger:
    """Fit on tagged sequences; tag new ones."""

    cfg: TaggerConfig
    seed: int = 0

    def fit(self, sequences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> MemmTagger:
        """Train on (tokens, tags) sequences with gold previous tags."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        xs, ys = [], []
        for toks, tg in zip(sequences, tags, strict=True):
            for i in range(len(toks)):
                p1 = tg[i - 1] if i >= 1 else "<s>"
                p2 = tg[i - 2] if i >= 2 else "<s>"
                xs.append(_with_tags(token_features(toks, i, self.cfg.window), p1, p2))
                ys.append(tg[i])
        self.labels = sorted(set(ys))
        self.vec = DictVectorizer()
        x = self.vec.fit_transform(xs)
        if len(self.labels) < 2:
            self.clf = None
            return self
        self.clf = LogisticRegression(
            C=self.cfg.C, max_iter=self.cfg.max_iter, random_state=self.seed
        )
        self.clf.fit(x, ys)
        return self

    def predict(self, sequences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Greedy left-to-right decoding of every sequence, in step; BIO-repaired."""
        base = [
            [token_features(toks, i, self.cfg.window) for i in range(len(toks))]
            for toks in sequences
        ]
        out: list[list[str]] = [[] for _ in sequences]
        longest = max((len(t) for t in sequences), default=0)
        for i in range(longest):
            live = [k for k, toks in enumerate(sequences) if i < len(toks)]
            feats = [
                _with_tags(
                    base[k][i],
                    out[k][i - 1] if i >= 1 else "<s>",
                    out[k][i - 2] if i >= 2 else "<s>",
                )
                for k in live
            ]
            if self.clf is None:
                pred = np.array([self.labels[0]] * len(live))
            else:
                pred = self.clf.predict(self.vec.transform(feats))
            for k, t in zip(live, pred, strict=True):
                out[k].append(str(t))
        return [repair(t) for t in out]


def tag_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, first token, last token + 1) for every B-/I- run."""
    spans: list[tuple[str, int, int]] = []
    cur: list[Any] | None = None
    for i, t in enumerate([*tags, "O"]):
        if cur is not None and (t == "O" or t.startswith("B-") or t[2:] != cur[0]):
            spans.append((cur[0], cur[1], i))
            cur = None
        if t.startswith("B-") or (t.startswith("I-") and cur is None):
            cur = [t[2:], i]
    return spans


def link_attributions(
    tokens: Sequence[str], tags: Sequence[str], starts: Sequence[int], ends: Sequence[int]
) -> list[tuple[tuple[int, int], tuple[int, int] | None]]:
    """(content char span, linked source char span or None) for each CONTENT span."""
    spans = tag_spans(tags)
    # stops[k] = sentence-final tokens among tokens[:k]
    stops = np.concatenate([[0], np.cumsum([tok in SENTENCE_END for tok in tokens])])
    sources = [(a, b) for kind, a, b in spans if kind == "SOURCE"]
    out = []
    for kind, a, b in spans:
        if kind != "CONTENT":
            continue
        best: tuple[int, int] | None = None
        best_gap = None
        for s0, s1 in sources:
            lo, hi = (s1, a) if s1 <= a else (b, s0)
            if hi < lo:  # overlapping spans (a repaired tagging): gap 0
                lo = hi
            # A sentence-final token between the two spans: another sentence.
            if stops[hi] - stops[lo]:
                continue
            gap = hi - lo
            if best_gap is None or gap < best_gap:
                best, best_gap = (s0, s1), gap
        source = (starts[best[0]], ends[best[1] - 1]) if best else None
        out.append(((starts[a], ends[b - 1]), source))
    return out
