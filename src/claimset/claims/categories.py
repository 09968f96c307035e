"""Claim category pre-annotation: factual, prediction, opinion or warning.

Rules follow the tie-breaks in configs/guidelines/claims.md: a harm raised to deter (cue
"warned", "cautioned") is a warning; "should", "need", "best", "wrong" make an opinion;
modal or future wording ("will", "could", "inevitability") makes a prediction; otherwise
factual. The reporting cue's own category, when it has one, comes first.
"""

from __future__ import annotations

import polars as pl

from claimset.claims.regex import polars_regex

# Deontic "should" only: "should such a scenario unfold" is a conditional, not an opinion.
OPINION_TEXT = (
    r"(?i)\bshould\s+(?:not\s+|never\s+)?(?:be|have|do|go|get|make|take|give|send|reject|approve|"
    r"build|stop|start|pay|act|adopt|consider|remain|keep|resign|ban|allow)\b|\bmust\b|\bought\s+to\b|"
    r"\bneed(?:s|ed)?\s+to\b|\bthe\s+need\s+for\b|\bwrong\b|\bbest\b|\bbetter\b|\bpremature\b|"
    r"\bunacceptable\b|\bonly\s+realistic\b|\bdeserv(?:e|es|ed)\b|\bfantasy\b|\bcaution\s+and\s+restraint\b"
)
PREDICTION_TEXT = (
    r"(?i)\b(?:will|would|could|may|might|shall|going\s+to|expected\s+to|likely|unlikely|"
    r"inevitab\w*|forecast\w*|by\s+20\d\d|within\s+(?:a|two|three|\d+)\s+\w+)\b"
)


def category_expr(text: str, cue_category: str) -> pl.Expr:
    """Polars expression giving the category from ``text`` and the cue's category hint column."""
    hint = pl.col(cue_category)
    t = pl.col(text)
    return (
        pl.when(hint == "warning")
        .then(pl.lit("warning"))
        .when((hint == "opinion") | t.str.contains(OPINION_TEXT))
        .then(pl.lit("opinion"))
        .when((hint == "prediction") | t.str.contains(PREDICTION_TEXT))
        .then(pl.lit("prediction"))
        .otherwise(pl.lit("factual"))
    )


# Polars (Rust regex) versions: ASCII word boundaries are much faster (claims/regex.py).
OPINION_TEXT = polars_regex(OPINION_TEXT)
PREDICTION_TEXT = polars_regex(PREDICTION_TEXT)
