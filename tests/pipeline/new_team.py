"""A new team's corpus, written by the tests themselves: saved news pages with inline links,
a byline, a dateline, a link list, a caption and a credit line, and one stance target.

The pages are short on purpose (every paragraph is a claims task that two annotators label
in the browser), but they are built like real saved pages: chrome around an <article>, links
inside sentences, and the markup trafilatura's precision mode used to drop.
"""

from __future__ import annotations

from pathlib import Path

TARGET = {
    "id": "congestion-charge",
    "text": "The city should introduce a downtown congestion charge",
    "keywords": ["congestion", "charge", "downtown", "drivers", "toll"],
    "description": "The mayor's plan to charge drivers a daily fee to enter downtown.",
}

PAGES = {
    "metro/poll.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Voters split on downtown congestion charge - Metro Daily</title>
<link rel="canonical" href="https://www.metrodaily.example/news/congestion-charge-poll/">
<meta property="og:site_name" content="Metro Daily">
<meta name="author" content="Lena Park">
<meta property="article:published_time" content="2026-03-02T14:05:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/weather">Weather</a></nav>
<article>
<h1>Voters split on downtown congestion charge</h1>
<div class="byline">By <a href="/staff/lena-park/">Lena Park</a></div>
<figure><img src="/img/traffic.jpg" alt=""><figcaption>Evening traffic on Main Street. Photo: Sam Reyes/Metro Daily</figcaption></figure>
<p>Mayor Carla Ruiz said the congestion charge would cut downtown traffic by a fifth and raise $400 million a year for buses.</p>
<p>But opposition to the charge is especially high among <a href="/tag/commuters/"><span class="link">suburban commuters</span></a>, according to a <a href="https://www.metrodaily.example/polls/march/">Metro Daily poll</a>.</p>
<div class="related-stories"><h3>Related</h3><ul><li><a href="/a">Subway delays hit record</a></li><li><a href="/b">New bike lanes open</a></li><li><a href="/c">Council passes budget</a></li></ul></div>
</article>
<footer>&copy; 2026 Metro Daily</footer>
</body></html>
""",
    "wire/council.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Council delays vote on congestion charge | Wire News</title>
<link rel="canonical" href="https://www.wirenews.example/us/council-delays-congestion-vote/">
<meta property="og:site_name" content="Wire News">
<meta property="article:published_time" content="2026-03-04T18:40:00Z">
</head><body>
<header><div class="topbar">Sign in | Newsletters</div></header>
<article>
<h1>Council delays vote on congestion charge</h1>
<p>NEW HAVEN, March 4 (Wire News) - The city council postponed a vote on the downtown congestion charge after retailers warned that it would drive shoppers away.</p>
<p>"Every month we wait is another month of gridlock and dirty air," said Maria Chen, director of the <a href="/tag/transit/">Transit Riders Union</a>.</p>
<p>Reporting by Priya Raman; Editing by Tom Hale</p>
</article>
<aside><a href="/x">Markets slide</a> <a href="/y">Storm warning</a></aside>
</body></html>
""",
}


def write_corpus(base: Path) -> tuple[Path, Path]:
    """Write the pages under ``base/articles`` and the target to ``base/targets.yaml``."""
    import yaml

    articles = base / "articles"
    for rel, html in PAGES.items():
        p = articles / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(html, encoding="utf-8")
    targets = base / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": [TARGET]}, sort_keys=False), encoding="utf-8")
    return articles, targets


# What both annotators answer, keyed by how the task's paragraph starts. Claims: the claim
# span, its speaker (a SPEAKER region joined by said_by), type and check-worthiness; a
# paragraph not listed (byline, caption, credit line) is submitted with no claim.
CLAIMS = {
    "Mayor Carla Ruiz said": [
        {
            "claim": "the congestion charge would cut downtown traffic by a fifth and raise "
            "$400 million a year for buses",
            "speaker": "Mayor Carla Ruiz",
            "speaker_name": "Carla Ruiz",
            "claim_type": "prediction",
            "checkworthy": "yes",
        }
    ],
    '"Every month we wait': [
        {
            "claim": "Every month we wait is another month of gridlock and dirty air",
            "speaker": "Maria Chen",
            "speaker_name": "Maria Chen",
            "claim_type": "opinion",
            "checkworthy": "no",
        }
    ],
    "But opposition to the charge": [
        {
            "claim": "opposition to the charge is especially high among suburban commuters",
            "claim_type": "factual",
            "checkworthy": "yes",
        }
    ],
    "NEW HAVEN, March 4": [
        {
            "claim": "The city council postponed a vote on the downtown congestion charge",
            "claim_type": "factual",
            "checkworthy": "yes",
        }
    ],
}
# Stance towards TARGET, keyed by how the pair's text starts.
STANCE = {
    "Mayor Carla Ruiz said": "favor",
    '"Every month we wait': "favor",
    "But opposition to the charge": "against",
    "NEW HAVEN, March 4": "neutral",
}


def answer_for(table: dict, text: str):  # type: ignore[no-untyped-def]
    """The scripted answer for a task whose text starts with one of ``table``'s keys."""
    for start, answer in table.items():
        if text.startswith(start):
            return answer
    return None
