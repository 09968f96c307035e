"""Saved HTML pages: main text, title, date, author, canonical URL and site name via trafilatura.

Nothing of the article's own text may be lost (docs/ingest.md, "HTML"):

- trafilatura runs in its balanced mode. Its precision mode deletes any ``<span>``/``<div>``
  whose class is ``link`` or whose style draws a border, which is how many sites mark up
  inline links, so "especially high for <a><span class=link>Joe Biden</span></a>." became
  "especially high for ." Navigation-only pages still yield no text: the page chrome is
  pruned first (``_CHROME``) and the link-density tests drop link lists in both modes.
- Bylines, datelines, credit lines and photo captions are part of what the publisher printed.
  trafilatura discards elements whose class or id says ``byline``/``author``/``caption``, so
  those elements are renamed to plain paragraphs before extraction (their links unwrapped, so
  a linked byline is not taken for a link list). Keeping them out of the claim candidates is
  the claims stage's job, not ingest's.
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, check_value
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, _read_sidecar, decode, line_of

# A fixed upper bound instead of trafilatura's default "today" keeps outputs independent of
# the wall clock; no extensive search so a date in the body text is never guessed as the date.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}
# Page chrome removed before extraction. trafilatura's own extractor drops it, but when that
# finds nothing its fallback extractors return whatever text is left, so a page with only a
# bare <nav> or <header> would become an article of menu entries.
_CHROME = ["//nav", "//header", "//footer", "//aside"]
# Class/id words of the page parts trafilatura throws away as boilerplate but that are the
# publisher's own text: bylines, datelines, credit lines, captions.
_KEEP = re.compile(r"byline|author|dateline|credit|caption|contributor", re.IGNORECASE)
_CHROME_TAGS = {"nav", "header", "footer", "aside"}


def _keep_printed_lines(tree: Any) -> None:
    """Turn byline/dateline/credit/caption elements into plain paragraphs (in place)."""
    from lxml import etree

    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "figure":
            el.tag = "div"  # with images off trafilatura drops whole figures, captions included
            continue
        marks = " ".join(v for v in (el.get("class"), el.get("id")) if v)
        if el.tag != "figcaption" and not (marks and _KEEP.search(marks)):
            continue
        if any(a.tag in _CHROME_TAGS for a in el.iterancestors()):
            continue
        el.attrib.pop("class", None)
        el.attrib.pop("id", None)
        etree.strip_tags(el, "a")
        if el.tag in {"figcaption", "div", "section"}:
            el.tag = "p"


def _canonical_url(tree: Any, declared: str | None) -> str | None:
    """``<link rel=canonical>`` first (the page's own statement), else trafilatura's og:url."""
    from urllib.parse import urljoin

    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            url = urljoin(declared or "", href)
            if url.startswith(("http://", "https://")):
                return url
    return declared


def read_html(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """One article per page; navigation/boilerplate/script/style never reach the text."""
    import trafilatura
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    data = f.path.read_bytes()
    q = Rejector(f.rel, "html", config.excerpt_chars)
    if not data.strip():
        return [], [q("empty_file", "file is empty or whitespace only", data, 1)]
    try:
        html = decode(data, f.encoding)
    except UnicodeDecodeError as exc:
        msg = f"byte {exc.start} is not valid {f.encoding} ({exc.reason}); declare the encoding in a sidecar"
        return [], [q("undecodable", msg, data, line_of(data, exc.start))]
    tree = load_html(html)
    if tree is None:
        return [], [q("no_main_text", "not an HTML document", html, 1)]
    # Metadata from the page as saved (the author extractor reads the byline elements that
    # _keep_printed_lines renames); text from the copy with the printed lines kept.
    meta = extract_metadata(tree, None, _DATE_PARAMS, False, None).as_dict()
    work = copy.deepcopy(tree)
    _keep_printed_lines(work)
    doc = trafilatura.bare_extraction(
        work,
        with_metadata=False,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        prune_xpath=_CHROME,
    )
    extracted: dict[str, Any] = {}
    if doc is not None:
        extracted = doc if isinstance(doc, dict) else doc.as_dict()
    body = extracted.get("text")
    if not body or not body.strip():
        return [], [
            q("no_main_text", "no main text found (navigation or boilerplate only)", html, 1)
        ]
    fields: dict[str, Any] = dict(f.meta)
    # The site name is the page's own statement of its source; the directory default only
    # applies when the page declares none. A sidecar or ingest.default_source always wins.
    user_source = config.default_source is not None or "source" in _read_sidecar(f.path)
    try:
        for key in sorted(fields):
            if fields[key] is not None:
                fields[key] = check_value(key, key, fields[key])
        date = meta.get("date")
        if date and "published_at" not in fields:
            fields["published_at"] = check_value("published_at", "date", date)
        url = _canonical_url(tree, meta.get("url"))
        if url and not fields.get("url"):
            fields["url"] = check_value("url", "url", url)
        site = meta.get("sitename")
        if site and not user_source:
            fields["source"] = check_value("source", "sitename", " ".join(str(site).split()))
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
