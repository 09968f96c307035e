"""Articles -> paragraphs and sentences with exact character offsets."""

from __future__ import annotations

from claimset.segment.pipeline import run_segment, segment_articles
from claimset.segment.split import split_text

__all__ = ["run_segment", "segment_articles", "split_text"]
