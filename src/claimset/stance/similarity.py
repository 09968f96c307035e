"""Relatedness of a short text (headline, target) and a longer one (body, claim).

relatedness = (1 - w) * max(cos(short, long), cos(short, lead of long)) + w * 0.5 * overlap

* cos: TF-IDF cosine over lightly stemmed content words ("shooting" and "shot" stay apart,
  "reports" and "reported" meet); IDF comes from an unlabelled corpus (the project's own
  articles in the pipeline; FNC-1 ``train_bodies.csv`` for the quality report): an
  unsupervised statistic, never fitted on labels;
* lead: the first 600 characters, where a related body usually restates the headline;
* overlap: the share of the short text's content words that occur in the long text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

LEAD_CHARS = 600
_WORD = re.compile(r"[a-z][a-z0-9'-]+")
_SUFFIXES = ("ing", "edly", "ed", "es", "s", "'s")


def _stem(word: str) -> str:
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def analyze(text: str) -> list[str]:
    """Lower-cased, stop-word-free, lightly stemmed content words of ``text``."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


class Similarity:
    """A fitted TF-IDF space over :func:`analyze` tokens."""

    def __init__(self, corpus: Sequence[str], min_df: int = 1) -> None:
        # Sub-linear tf: a word repeated ten times is not ten times as topical.
        self.vectorizer = TfidfVectorizer(
            analyzer=analyze, sublinear_tf=True, min_df=min_df, dtype=np.float32
        )
        docs = list(corpus)
        self.vectorizer.fit(docs if docs else ["empty"])

    def cosine(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """Cosine similarity of ``left[i]`` with ``right[i]`` for every i (rows are L2-normalised)."""
        if len(left) != len(right):
            raise ValueError("left and right must have the same length")
        return self.cosine_many(left, right, list(range(len(left))), list(range(len(right))))

    def cosine_many(
        self,
        left: Sequence[str],
        right: Sequence[str],
        left_idx: Sequence[int],
        right_idx: Sequence[int],
    ) -> np.ndarray:
        """Cosine for index pairs, transforming each distinct text once (many pairs share a body)."""
        if len(left_idx) == 0:
            return np.zeros(0, dtype=np.float64)
        a = self.vectorizer.transform(list(left))
        b = self.vectorizer.transform(list(right))
        li, ri = np.asarray(left_idx), np.asarray(right_idx)
        return np.asarray(a[li].multiply(b[ri]).sum(axis=1)).ravel().astype(np.float64)

    def relatedness(
        self,
        short: Sequence[str],
        long: Sequence[str],
        short_idx: Sequence[int],
        long_idx: Sequence[int],
        overlap_weight: float,
    ) -> np.ndarray:
        """The relatedness score above for index pairs (short[short_idx[i]], long[long_idx[i]])."""
        cos = np.maximum(
            self.cosine_many(short, long, short_idx, long_idx),
            self.cosine_many(short, [t[:LEAD_CHARS] for t in long], short_idx, long_idx),
        )
        s_words = [set(analyze(t)) for t in short]
        l_words = [set(analyze(t)) for t in long]
        ov = np.array(
            [
                len(s_words[i] & l_words[j]) / max(1, len(s_words[i]))
                for i, j in zip(short_idx, long_idx, strict=True)
            ],
            dtype=np.float64,
        )
        return (1.0 - overlap_weight) * cos + overlap_weight * 0.5 * ov
