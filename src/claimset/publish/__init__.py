"""Hugging Face dataset releases: parquet per config and split, dataset card, checksums, hub push."""

from claimset.publish.release import build_release

__all__ = ["build_release"]
