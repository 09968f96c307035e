"""Raw records and quarantine entries: the shapes every reader produces.

A reader turns one input file into :class:`RawRecord` objects (one per article-like record)
and :class:`Quarantined` entries (one per record that cannot become an article). Every
record a reader sees ends in exactly one of the two, so counts reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Reason codes a quarantine entry can carry (documented in docs/ingest.md).
REASONS: dict[str, str] = {
    "bad_field_type": "a field has the wrong JSON type (e.g. a list where text is expected)",
    "bad_row": "a CSV row has a different number of fields than the header",
    "bad_field_value": "a field value cannot be used (e.g. published_at not an ISO date)",
    "duplicate_source_id": "same source id as an earlier record but different text",
    "empty_body": "the body is empty after normalisation",
    "empty_file": "the file is empty or whitespace only",
    "invalid_json": "a JSONL line is not valid JSON (also a truncated last line)",
    "lone_surrogate": "text contains an unpaired UTF-16 surrogate (\\ud800-\\udfff escape)",
    "missing_field": "the field mapped to body is absent",
    "no_main_text": "HTML page without extractable main text (e.g. navigation only)",
    "not_an_object": "a JSONL line is valid JSON but not an object",
    "nul_byte": "text contains NUL (U+0000): binary data or a wrongly declared UTF-16 file",
    "too_large": "normalised text exceeds ingest.max_chars",
    "undecodable": "bytes are not valid in the declared encoding",
    "unreadable": "the rest of a file, or one WARC record, cannot be read (truncated or corrupt "
    "compressed stream, corrupt Parquet/Arrow data, corrupt WARC record): offset in the message",
    "unsupported_format": "file type not read by ingest (see docs/ingest.md, Formats), or an "
    "Arrow file of a datasets directory that its state.json does not list",
    "warc_not_html": "a WARC response that is not an HTML page (other content type, non-2xx)",
    "warc_skipped": "a WARC record that is not a page (warcinfo, request, metadata, revisit...)",
}


@dataclass
class RawRecord:
    """One input record before normalisation (fields as found, plus provenance)."""

    origin_file: str
    origin_line: int
    origin_format: str
    raw_sha256: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Quarantined:
    """One rejected input record."""

    origin_file: str
    origin_line: int
    origin_format: str
    reason: str
    message: str
    excerpt: str
    field: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASONS:  # a typo here would make the report lie
            raise ValueError(f"unknown quarantine reason {self.reason!r}")

    def to_row(self) -> dict[str, Any]:
        """JSON-ready row for quarantine.jsonl."""
        return {
            "origin_file": self.origin_file,
            "origin_line": self.origin_line,
            "origin_format": self.origin_format,
            "reason": self.reason,
            "field": self.field,
            "message": self.message,
            "excerpt": self.excerpt,
        }


def excerpt(text: str | bytes, limit: int) -> str:
    """A short, JSON-safe excerpt: undecodable bytes and surrogates become escapes."""
    if isinstance(text, bytes):
        text = text[: limit * 4].decode("utf-8", errors="backslashreplace")
    text = text[:limit]
    # Lone surrogates cannot be written as UTF-8; show them as \udXXX escapes instead.
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


class Rejector:
    """Builds :class:`Quarantined` entries for one file (keeps the call sites short)."""

    def __init__(self, origin_file: str, origin_format: str, excerpt_chars: int):
        self.origin_file = origin_file
        self.origin_format = origin_format
        self.limit = excerpt_chars

    def __call__(
        self, reason: str, message: str, raw: str | bytes, line: int, field: str | None = None
    ) -> Quarantined:
        """Quarantine entry for the record at ``line`` whose raw content is ``raw``."""
        return Quarantined(
            self.origin_file,
            line,
            self.origin_format,
            reason,
            message,
            excerpt(raw, self.limit),
            field,
        )
