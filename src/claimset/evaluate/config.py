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
    """The FNC-1 reference run: competition test data split by body with claimset's split code."""

    train_share: float = 0.8
    seed: int = 13
    tfidf: TfidfConfig = field(
        default_factory=lambda: TfidfConfig(ngram_max=1, min_df=2, max_features=5000)
    )
    logreg: LogRegConfig = field(default_factory=LogRegConfig)

    def __post_init__(self) -> None:
        if not 0.0 < self.train_share < 1.0:
            raise ValueError("train_share must be in (0, 1)")


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
    fnc1: Fnc1Config = field(default_factory=Fnc1Config)

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1.0:
            raise ValueError("confidence must be in [0.5, 1)")
        if self.bootstrap_samples < 0 or self.compare_samples < 1:
            raise ValueError("bootstrap_samples must be >= 0 and compare_samples >= 1")
        bad = [s for s in self.eval_splits if s not in ("train", "validation", "test")]
        if bad:
            raise ValueError(f"eval_splits: unknown split(s) {bad}")
