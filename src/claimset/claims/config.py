"""Params section ``candidates``: the claim-candidate rules' tunable knobs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckworthyWeights:
    """Additive weights of the check-worthiness prior (clipped to [0, 1]).

    Each feature is a boolean over the claim text; the prior is ``base`` plus the weights of
    the features present. Numbers, dates, named entities, comparisons and superlatives are
    what fact-checkers can look up, so they raise the prior; opinion markers lower it.
    """

    base: float = 0.15
    number: float = 0.2
    percent: float = 0.1
    date: float = 0.1
    entity: float = 0.1
    comparison: float = 0.15
    superlative: float = 0.15
    attributed: float = 0.05
    opinion: float = -0.15


@dataclass(frozen=True)
class ModelConfig:
    """The learned attribution tagger (claims/model.py): training and where it runs.

    It is trained by the ``attribution_model`` stage on PolNeAR train when the corpus is
    there; without it there is no model and the rules serve alone.
    """

    # Articles (first by article_id, the order tasks are built in) the tagger pre-annotates;
    # the rules alone serve the rest of the corpus at full speed. 0: rules only.
    max_articles: int = 2000
    # rules: every rules claim stays, the tagger adds claims in sentences the rules
    # attributed nothing in; model: the tagger's spans win where they overlap a rules claim.
    prefer: str = "rules"
    seed: int = 13
    epochs: int = 8
    alpha: float = 2.0e-6
    # Weight of the rare source and cue tags against content and outside tags in training.
    source_weight: float = 2.0
    cue_weight: float = 3.0
    # Multiplier of P(outside) at decoding: below 1 trades precision for recall.
    o_scale: float = 0.5

    def __post_init__(self) -> None:
        if self.prefer not in ("rules", "model"):
            raise ValueError(
                f"candidates.model.prefer must be 'rules' or 'model', not {self.prefer!r}"
            )


@dataclass(frozen=True)
class CandidatesConfig:
    """Rules for proposing claim candidates from sentences."""

    model_version: str = "claims-rules-1"
    # Unattributed sentences shorter than this (in words) are not claims (captions, datelines).
    min_words: int = 5
    # A reporting-verb subject longer than this (in words) is not a speaker phrase.
    max_subject_words: int = 14
    # Titles cannot be labelled in the claims task (see configs/guidelines/claims.md).
    include_title: bool = False
    # How many sentences back a pronoun ("He urged ...") may look for its antecedent.
    pronoun_window: int = 12
    checkworthy: CheckworthyWeights = field(default_factory=CheckworthyWeights)
    model: ModelConfig = field(default_factory=ModelConfig)
