"""TF-IDF cosine similarity between short texts (headline, target) and longer ones (body, claim).

IDF comes from an unlabelled corpus (the project's own articles in the pipeline; FNC-1
``train_bodies.csv`` for the quality report): an unsupervised statistic, never fitted on labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


class Similarity:
    """A fitted TF-IDF space; :meth:`cosine` scores aligned pairs of texts."""

    def __init__(self, corpus: Sequence[str], min_df: int = 1) -> None:
        # Sub-linear tf and English stop words: common function words say nothing about topic.
        self.vectorizer = TfidfVectorizer(
            lowercase=True,
            stop_words="english",
            sublinear_tf=True,
            min_df=min_df,
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9'-]+\b",
            dtype=np.float32,
        )
        self.vectorizer.fit(list(corpus) or ["empty"])

    def cosine(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """Cosine similarity of ``left[i]`` with ``right[i]`` for every i (rows are L2-normalised)."""
        if len(left) != len(right):
            raise ValueError("left and right must have the same length")
        if not left:
            return np.zeros(0, dtype=np.float64)
        a = self.vectorizer.transform(list(left))
        b = self.vectorizer.transform(list(right))
        return np.asarray(a.multiply(b).sum(axis=1)).ravel().astype(np.float64)

    def cosine_many(
        self,
        left: Sequence[str],
        right: Sequence[str],
        left_idx: Sequence[int],
        right_idx: Sequence[int],
    ) -> np.ndarray:
        """Cosine for index pairs, transforming each distinct text once (many pairs share a body)."""
        if not left_idx:
            return np.zeros(0, dtype=np.float64)
        a = self.vectorizer.transform(list(left))
        b = self.vectorizer.transform(list(right))
        li = np.asarray(left_idx)
        ri = np.asarray(right_idx)
        return np.asarray(a[li].multiply(b[ri]).sum(axis=1)).ravel().astype(np.float64)
