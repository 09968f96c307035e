"""Params section ``stance``: the transparent stance predictor's parameters."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CueWeights:
    """Weights of the lexical cue families in the stance score (see stance/cues.py)."""

    support: float = 1.0
    oppose: float = 1.0
    refute: float = 1.5
    hedge: float = 0.6
    negation_flip: bool = True


@dataclass(frozen=True)
class StanceConfig:
    """Pairing and prediction parameters for stance pairs."""

    model_version: str = "stance-lexical-1"
    # A claim sentence concerns a target when at least this many distinct target keywords occur
    # in it, or in its article's title + standfirst (see stance/pairs.py for the exact rule).
    min_keyword_hits: int = 2
    # In an article about a target, an unattributed claim with no keyword is paired only when
    # its check-worthiness prior reaches this.
    topic_min_checkworthy: float = 0.5
    # Headline x body pairs are built only for articles whose ``source`` is listed here.
    headline_sources: tuple[str, ...] = ()
    # Relatedness of a headline x body pair (stance/similarity.py): at or above this is
    # "related", else "unrelated"; overlap_weight mixes word overlap into the TF-IDF cosine.
    related_threshold: float = 0.135
    overlap_weight: float = 0.5
    # Net cue score (support - oppose) beyond +/- this margin gives favor/against; else neutral.
    stance_margin: float = 0.5
    # For headline x body pairs (FNC-1 style): hedge/refute share of body sentences needed.
    refute_min: float = 0.75
    hedge_min: float = 0.5
    # An article that concerns no target gets this many pairs (its most check-worthy claims,
    # with the target they come nearest to) predicted ``unrelated``: annotators confirm the
    # negatives a stance dataset needs. 0: none.
    unrelated_per_article: int = 1
    cues: CueWeights = field(default_factory=CueWeights)
