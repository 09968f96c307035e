"""Check-worthiness prior: a transparent score that rises with checkable content.

Numbers, dates, named entities, comparisons and superlatives are what a fact-checker can look
up; opinion markers ("should", "need") make a claim harder to check. The weights live in
params.yaml (``candidates.checkworthy``). Vectorised: one polars expression over the column.
"""

from __future__ import annotations

import polars as pl

from claimset.claims.categories import OPINION_TEXT
from claimset.claims.config import CheckworthyWeights
from claimset.claims.regex import polars_regex

NUMBER = (
    r"(?i)\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|trillion|dozen|half|third|quarter)\b"
)
PERCENT = r"(?i)%|\bper\s*cent\b|\bpercent\b"
DATE = (
    r"(?i)\b(?:1[6-9]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"last\s+(?:year|month|week)|this\s+(?:year|month|week)|decade|century)\b"
)
# A capitalised word that is not the first word of the text: a crude named-entity signal.
ENTITY = r"\S\s+(?:[A-Z][a-z]+|[A-Z]{2,})"
COMPARISON = (
    r"(?i)\b(?:than|compared\s+(?:with|to)|more|less|fewer|higher|lower|larger|smaller|greater|"
    r"bigger|since|twice|double|rose|fell|increase[sd]?|decrease[sd]?)\b"
)
SUPERLATIVE = (
    r"(?i)\b(?:most|least|best|worst|largest|biggest|highest|lowest|greatest|smallest|first|last|"
    r"only|record|youngest|oldest|longest|shortest|fastest|slowest|deadliest|strongest|weakest)\b"
)
# Deontic wording only (a conditional "should such a scenario unfold" is not an opinion).
OPINION = OPINION_TEXT


def checkworthy_expr(text: str, attributed: str, weights: CheckworthyWeights) -> pl.Expr:
    """Polars expression computing the prior in [0, 1] from column ``text`` and bool ``attributed``."""
    t = pl.col(text)
    score = (
        pl.lit(weights.base)
        + t.str.contains(NUMBER).cast(pl.Float64) * weights.number
        + t.str.contains(PERCENT).cast(pl.Float64) * weights.percent
        + t.str.contains(DATE).cast(pl.Float64) * weights.date
        + t.str.contains(ENTITY).cast(pl.Float64) * weights.entity
        + t.str.contains(COMPARISON).cast(pl.Float64) * weights.comparison
        + t.str.contains(SUPERLATIVE).cast(pl.Float64) * weights.superlative
        + pl.col(attributed).cast(pl.Float64) * weights.attributed
        + t.str.contains(OPINION).cast(pl.Float64) * weights.opinion
    )
    return score.clip(0.0, 1.0).round(4)


# Polars (Rust regex) versions: ASCII word boundaries are much faster (claims/regex.py).
NUMBER = polars_regex(NUMBER)
PERCENT = polars_regex(PERCENT)
DATE = polars_regex(DATE)
COMPARISON = polars_regex(COMPARISON)
SUPERLATIVE = polars_regex(SUPERLATIVE)
