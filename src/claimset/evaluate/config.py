"""The ``evaluate`` section of params.yaml: scorer statistics and baseline hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class TfidfConfig:
    """scikit-learn TfidfVectorizer settings."""

    ngram_max: int = 2
    min_df: int = 1
    max_features: int = 50000
    sublinear_tf: bool = True

    def __post_init__(self) -> None:
        if self.ngram_max < 1 or self.min_df < 1 or self.max_features < 1:
            raise ValueError("ngram_max, min_df and max_features must be >= 1")


@dataclass(frozen=True)
class LogRegConfig:
    """scikit-learn LogisticRegression settings."""

    C: float = 1.0
    max_iter: int = 2000
    class_weight: Literal["balanced", "none"] = "balanced"

    def __post_init__(self) -> None:
        if self.C <= 0:
            raise ValueError("C must be > 0")


@dataclass(frozen=True)
class Fnc1Config:
    """The ``fnc1_baseline`` system (train on FNC-1 train, score on competition test)."""

    seed: int = 13
    holdout_train_share: float = 0.8
    vocabulary: int = 5000
    stop_words: Literal["english", "none"] = "english"
    cosine_bins: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
    logreg: LogRegConfig = field(default_factory=LogRegConfig)

    def __post_init__(self) -> None:
        if not 0.0 < self.holdout_train_share < 1.0:
            raise ValueError("holdout_train_share must be in (0, 1)")
        if self.vocabulary < 1:
            raise ValueError("vocabulary must be >= 1")


@dataclass(frozen=True)
class TaggerConfig:
    """The attribution tagger baseline: a left-to-right maximum-entropy Markov model.

    Logistic regression over window features of each token plus the two previous tags
    (predicted ones at test time), decoded greedily and repaired to valid BIO.
    """

    window: int = 2
    C: float = 1.0
    max_iter: int = 2000

    def __post_init__(self) -> None:
        if self.window < 0 or self.C <= 0 or self.max_iter < 1:
            raise ValueError("window must be >= 0, C > 0 and max_iter >= 1")


@dataclass(frozen=True)
class EvaluateConfig:
    """Bootstrap / significance settings and baseline hyperparameters."""

    seed: int = 7
    bootstrap_samples: int = 1000
    confidence: float = 0.95
    compare_method: Literal["randomization", "bootstrap"] = "randomization"
    compare_samples: int = 10000
    eval_splits: tuple[str, ...] = ("validation", "test")
    tfidf: TfidfConfig = field(default_factory=TfidfConfig)
    logreg: LogRegConfig = field(default_factory=LogRegConfig)
    tagger: TaggerConfig = field(default_factory=TaggerConfig)
    fnc1: Fnc1Config = field(default_factory=Fnc1Config)

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1.0:
            raise ValueError("confidence must be in [0.5, 1)")
        if self.bootstrap_samples < 0 or self.compare_samples < 1:
            raise ValueError("bootstrap_samples must be >= 0 and compare_samples >= 1")
        bad = [s for s in self.eval_splits if s not in ("train", "validation", "test")]
        if bad:
            raise ValueError(f"eval_splits: unknown split(s) {bad}")
