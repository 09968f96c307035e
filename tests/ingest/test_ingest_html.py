"""HTML ingest keeps all of the article's own text and the page's own metadata (issue 13.4)."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = (FIXTURES / "inline_links.html").read_bytes()


def _row(out) -> dict:
    assert out.reasons() == []
    assert out.articles.height == 1
    return out.articles.row(0, named=True)


def test_inline_link_text_is_kept(ingest) -> None:
    # favor_precision dropped <span class=link> and bordered spans, the way many sites mark
    # up inline links: "especially high for Joe Biden." became "especially high for ."
    body = _row(ingest({"news/poll.html": PAGE}))["body"]
    assert "But they're especially high for Joe Biden." in body
    assert (
        "Ratings also fell for Donald Trump among independents, and for Congress as a whole."
        in body
    )
    assert "Pollster Ana Ruiz said the numbers were the lowest in a decade." in body
    assert "according to the latest Metro Daily poll." in body
    assert " ." not in body and "for ," not in body


def test_bylines_datelines_credits_and_captions_stay_in_the_text(ingest) -> None:
    body = _row(ingest({"news/poll.html": PAGE}))["body"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0] == "By Lena Park"
    assert "WASHINGTON, June 5 (Metro Daily) -" in paragraphs
    assert "Supporters wave signs at a rally in Ohio. Photo: Sam Reyes/Metro Daily" in paragraphs
    assert paragraphs[-1] == "Reporting by Lena Park; Editing by Omar Haddad"


def test_link_lists_and_page_chrome_stay_out(ingest) -> None:
    text = _row(ingest({"news/poll.html": PAGE}))["text"]
    for marker in ("NAV_", "LINKLIST_", "FOOTER_"):
        assert marker not in text


def test_url_from_canonical_and_source_from_site_name(ingest) -> None:
    row = _row(ingest({"news/poll.html": PAGE}))
    assert row["url"] == "https://www.metrodaily.example/news/poll-candidates-unfavorable/"
    assert row["source"] == "Metro Daily"  # not the directory name "news"
    assert row["published_at"] == "2026-06-05"


def test_og_url_when_no_canonical_link(ingest) -> None:
    page = PAGE.replace(b'<link rel="canonical"', b'<link rel="alternate"')
    row = _row(ingest({"news/poll.html": page}))
    assert row["url"].startswith("https://www.metrodaily.example/news/poll-candidates-unfavorable/")


def test_user_set_source_and_url_win(ingest) -> None:
    sidecar = json.dumps({"source": "metro-archive", "url": "https://archive.example/1"})
    row = _row(ingest({"news/poll.html": PAGE, "news/poll.meta.json": sidecar}))
    assert (row["source"], row["url"]) == ("metro-archive", "https://archive.example/1")


def test_ingest_default_source_wins_over_site_name(ingest) -> None:
    row = _row(ingest({"news/poll.html": PAGE}, default_source="team-corpus"))
    assert row["source"] == "team-corpus"


def test_page_without_site_name_keeps_the_directory_source(ingest) -> None:
    row = _row(ingest({"coastal/page.html": (FIXTURES / "page.html").read_bytes()}))
    assert row["source"] == "coastal"
    assert row["url"] is None
