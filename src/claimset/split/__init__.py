"""Grouped, stratified, deterministic train/validation/test splits with a leakage report."""

from claimset.split.stage import run_split, split_frames

__all__ = ["run_split", "split_frames"]
