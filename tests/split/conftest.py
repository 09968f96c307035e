"""A tiny, fully synthetic labelled corpus shaped like the architecture.md tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

STANCE = ["favor", "against", "neutral", "unrelated"]
TYPES = ["factual", "prediction", "opinion", "warning"]
TOPICS = [
    "tidal barrier",
    "lithium mine",
    "four day week",
    "troop deployment",
    "football promotion",
    "rail strike",
    "harbour dredging",
    "school closures",
]


WORDS = [
    "river",
    "council",
    "budget",
    "flood",
    "harbour",
    "minister",
    "union",
    "workers",
    "farmers",
    "water",
    "mine",
    "court",
    "vote",
    "energy",
    "prices",
    "troops",
    "border",
    "summit",
    "treaty",
    "school",
    "teachers",
    "parents",
    "rail",
    "strike",
    "wages",
    "club",
    "league",
    "stadium",
    "fans",
    "coach",
    "season",
    "hospital",
    "doctors",
    "nurses",
    "housing",
    "rents",
    "tenants",
    "bank",
    "loans",
]


def words(seed: int, n: int) -> str:
    """Deterministic pseudo-random words so that unrelated rows are not near-duplicates."""
    out, x = [], seed * 2654435761 % 4294967296 + 1
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append(WORDS[x % len(WORDS)])
    return " ".join(out)


def article_text(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    # Distinct vocabulary per article so only the intended pair is near-duplicate.
    words = " ".join(f"{topic.split()[0]}{i}w{k}" for k in range(40))
    return f"Report {i} on the {topic}.\n\n{words}"


def build_corpus() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """16 articles: a02 and a03 share a cluster; a05 is a near-copy of a04 with its own cluster."""
    rows = []
    for i in range(16):
        aid = f"a-{i:016x}"
        cluster = aid
        if i == 3:
            cluster = f"a-{2:016x}"
        text = article_text(i)
        if i == 5:
            text = article_text(4).replace("Report 4", "Report 4 (updated)")
        rows.append(
            {
                "article_id": aid,
                "cluster_id": cluster,
                "source": f"source-{i % 3}",
                "published_at": f"2026-0{1 + i // 4}-{1 + (i * 3) % 27:02d}",
                "synthetic": i != 0,
                "text": text,
            }
        )
    articles = pl.DataFrame(rows)
    stance, claims = [], []
    for i in range(16):
        aid = f"a-{i:016x}"
        for k in range(5):
            label = STANCE[(i + k) % 4]
            stance.append(
                {
                    "item_id": f"p-{i:02d}-{k}",
                    "pair_kind": "target",
                    "target_id": f"t{i % 4}",
                    "target": f"Target {i % 4} should happen",
                    "article_id": aid,
                    "text": f"{words(1000 + i * 10 + k, 12)} ({label}).",
                    "label": label,
                    "method": "majority",
                    "confidence": 1.0,
                    "n_annotators": 3,
                    "agreement": 1.0,
                    "reviewer": None,
                }
            )
        for k in range(3):
            claims.append(
                {
                    "item_id": f"{aid}-g{k * 10}-{k * 10 + 9}",
                    "article_id": aid,
                    "char_start": k * 10,
                    "char_end": k * 10 + 9,
                    "text": f"{words(5000 + i * 10 + k, 10)}.",
                    "speaker": None if k == 0 else f"Speaker {i}",
                    "claim_type": TYPES[(i + k) % 4],
                    "checkworthy": "yes" if (i + k) % 3 else "no",
                    "method": "majority",
                    "confidence": 1.0,
                    "n_annotators": 2,
                    "agreement": 1.0,
                    "reviewer": None,
                }
            )
    return articles, pl.DataFrame(claims), pl.DataFrame(stance)


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    """Write the corpus as parquet files; return their paths."""
    articles, claims, stance = build_corpus()
    paths = {
        "articles": tmp_path / "articles.parquet",
        "claims": tmp_path / "labels_claims.parquet",
        "stance": tmp_path / "labels_stance.parquet",
    }
    articles.write_parquet(paths["articles"])
    claims.write_parquet(paths["claims"])
    stance.write_parquet(paths["stance"])
    return paths
