"""Raw files -> one normalised ``articles`` table (+ quarantine, duplicates, near-dup clusters)."""

from __future__ import annotations

from claimset.ingest.pipeline import run_ingest

__all__ = ["run_ingest"]
