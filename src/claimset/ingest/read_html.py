"""Saved HTML pages: main text, title, date and author via trafilatura."""

from __future__ import annotations

import hashlib
from typing import Any

from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, check_value
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, decode, line_of

# A fixed upper bound instead of trafilatura's default "today" keeps outputs independent of
# the wall clock; no extensive search so a date in the body text is never guessed as the date.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}
# Page chrome removed before extraction. trafilatura's own extractor drops it, but when that
# finds nothing its fallback extractors return whatever text is left, so a page with only a
# bare <nav> or <header> would become an article of menu entries.
_CHROME = ["//nav", "//header", "//footer", "//aside"]


def read_html(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """One article per page; navigation/boilerplate/script/style never reach the text."""
    import trafilatura

    data = f.path.read_bytes()
    q = Rejector(f.rel, "html", config.excerpt_chars)
    if not data.strip():
        return [], [q("empty_file", "file is empty or whitespace only", data, 1)]
    try:
        html = decode(data, f.encoding)
    except UnicodeDecodeError as exc:
        msg = f"byte {exc.start} is not valid {f.encoding} ({exc.reason}); declare the encoding in a sidecar"
        return [], [q("undecodable", msg, data, line_of(data, exc.start))]
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        # Precision mode drops link lists; otherwise a navigation-only page falls back to
        # its menu entries as "text".
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        date_extraction_params=_DATE_PARAMS,
        prune_xpath=_CHROME,
    )
    meta: dict[str, Any] = {}
    if doc is not None:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
    body = meta.get("text")
    if not body or not body.strip():
        return [], [
            q("no_main_text", "no main text found (navigation or boilerplate only)", html, 1)
        ]
    fields: dict[str, Any] = dict(f.meta)
    try:
        for key in sorted(fields):
            if fields[key] is not None:
                fields[key] = check_value(key, key, fields[key])
        date = meta.get("date")
        if date and "published_at" not in fields:
            fields["published_at"] = check_value("published_at", "date", date)
    except FieldProblem as exc:
        return [], [q(exc.reason, exc.message, html, 1, exc.field)]
    # trafilatura puts one block per line; claimset separates paragraphs by a blank line.
    paragraphs = [line for line in body.split("\n") if line.strip()]
    fields.setdefault("title", meta.get("title") or "")
    # The page's headline (<h1>) usually opens the main text as well; the title already
    # opens the article's text, so it would be there twice (and segmented twice).
    if len(paragraphs) > 1 and " ".join(paragraphs[0].split()) == " ".join(
        str(fields["title"]).split()
    ):
        paragraphs = paragraphs[1:]
    fields["body"] = "\n\n".join(paragraphs)
    author = meta.get("author")
    if author and not fields.get("author"):
        fields["author"] = author
    return [RawRecord(f.rel, 1, "html", hashlib.sha256(data).hexdigest(), fields)], []
