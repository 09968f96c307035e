"""Regex helpers for polars (Rust regex) column operations.

Rust's Unicode-aware ``\\b`` is an order of magnitude slower than the ASCII one on large
columns (measured: 2.1 s vs 0.02 s for the cue pre-filter over 7 MB of sentences). All
lexicons here are ASCII words, so an ASCII word boundary is equivalent for them.
"""

from __future__ import annotations


def polars_regex(pattern: str) -> str:
    """``pattern`` with every ``\\b`` made an ASCII word boundary (Rust regex syntax only)."""
    return pattern.replace(r"\b", r"(?-u:\b)")
