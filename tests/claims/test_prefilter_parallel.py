"""The fast paths of the candidates stage change nothing.

* The vectorised pre-filter (cue / quote pre-filter + needs_parser_expr) never drops a
  sentence that the attribution parser would have attributed, and the parser's cue-less
  shortcut returns what the full parser returns: checked on the seed, the hand gold and every
  sentence of FNC-1's competition test bodies.
* Worker processes: the output is the same for any number of workers.
* Target pairs: the keyword pre-filter keeps every pair of the unfiltered rules.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest

from claimset.claims.attribution import parse_sentence
from claimset.claims.candidates import needs_parser_expr, propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.claims.cues import CUE_EXTRACT, PREFILTER
from claimset.claims.editorial import BOILERPLATE
from claimset.claims.gold import gold_tables, load_gold, read_fnc1_bodies
from claimset.claims.propose import propose_all_with_stats
from claimset.stance.config import StanceConfig
from claimset.stance.pairs import target_pairs
from claimset.stance.targets import load_targets

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "claims" / "gold"
FNC1 = ROOT / ".." / "shared" / "data" / "fnc-1" / "competition_test_bodies.csv"
TARGETS = ROOT / "configs" / "targets.yaml"
needs_fnc1 = pytest.mark.skipif(not FNC1.exists(), reason="FNC-1 data not found")


def _seed_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    tmp = Path(tempfile.mkdtemp())
    try:
        shutil.copy(GOLD / "seed-kremlin-nato-warning.yaml", tmp)
        return gold_tables(load_gold(tmp, None, root=ROOT))
    finally:
        shutil.rmtree(tmp)


def _gold_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    return gold_tables(load_gold(GOLD, read_fnc1_bodies(FNC1), root=ROOT))


def _fnc1_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    from claimset.segment.config import SegmentConfig
    from claimset.segment.pipeline import segment_articles

    bodies = read_fnc1_bodies(FNC1)
    arts = pl.DataFrame(
        {
            "article_id": [f"fnc1-{b:05d}" for b in sorted(bodies)],
            "text": [bodies[b] for b in sorted(bodies)],
        }
    ).with_columns(
        pl.lit("fnc1").alias("source"),
        pl.lit("").alias("title"),
        pl.lit(None, dtype=pl.String).alias("standfirst"),
        pl.col("text").alias("body"),
        pl.lit(0).alias("title_end"),
    )
    return arts, segment_articles(arts, SegmentConfig())


def _check_prefilter(articles: pl.DataFrame, sentences: pl.DataFrame) -> int:
    """Every sentence the parser attributes passes the pre-filter, with the same result."""
    cfg = CandidatesConfig()
    texts = dict(articles.select("article_id", "text").iter_rows())
    df = sentences.with_columns(
        pl.col("text").str.extract_all(CUE_EXTRACT).alias("_cues")
    ).with_columns(
        (
            pl.col("text").str.contains(PREFILTER)
            & ~pl.col("text").str.contains(BOILERPLATE)
            & needs_parser_expr("text", "_cues")
        ).alias("_kept"),
        pl.col("text").str.contains(BOILERPLATE).alias("_boiler"),
    )
    attributed = 0
    for aid, cs, ce, cues, kept, boiler in df.select(
        "article_id", "char_start", "char_end", "_cues", "_kept", "_boiler"
    ).iter_rows():
        text = texts[aid]
        # The full parser: no shortcut (it finds the cues itself when none were extracted).
        full = parse_sentence(text, cs, ce, cfg.max_subject_words, cues or None)
        if boiler:
            continue  # page furniture is never a claim, by design
        if full:
            attributed += 1
            assert kept, f"pre-filter dropped an attributed sentence: {text[cs:ce]!r}"
        if kept:
            fast = parse_sentence(text, cs, ce, cfg.max_subject_words, cues or [])
            assert fast == full, text[cs:ce]
    return attributed


def test_prefilter_keeps_every_attribution_seed():
    assert _check_prefilter(*_seed_tables()) >= 10


@needs_fnc1
def test_prefilter_keeps_every_attribution_gold():
    assert _check_prefilter(*_gold_tables()) > 50


@needs_fnc1
def test_prefilter_keeps_every_attribution_fnc1_bodies():
    assert _check_prefilter(*_fnc1_tables()) > 1000


def test_cueless_shortcut_keeps_bare_quotes_and_according_to():
    cfg = CandidatesConfig()
    for sent in (
        "“We will not back down.”",
        "The vote was close, according to Harbour Minister Ilse Varga.",
        '"It was a long night", one of them "joked".',
    ):
        full = parse_sentence(sent, 0, len(sent), cfg.max_subject_words, None)
        assert parse_sentence(sent, 0, len(sent), cfg.max_subject_words, []) == full


@needs_fnc1
def test_workers_do_not_change_the_output():
    articles, sentences = _fnc1_tables()
    ccfg, scfg = CandidatesConfig(), StanceConfig()
    one = propose_all_with_stats(articles, sentences, TARGETS, ccfg, scfg, workers=1)
    three = propose_all_with_stats(articles, sentences, TARGETS, ccfg, scfg, workers=3)
    assert one[0].equals(three[0], null_equal=True)
    assert one[1].equals(three[1], null_equal=True)
    assert one[2].as_dict() == three[2].as_dict()
    assert one[0].filter(pl.col("speaker").is_not_null()).height > 1000


def test_workers_do_not_change_the_output_seed():
    articles, sentences = _seed_tables()
    c1, s1 = propose_claims(articles, sentences, CandidatesConfig(), workers=1)
    c2, s2 = propose_claims(articles, sentences, CandidatesConfig(), workers=2)
    assert c1.equals(c2, null_equal=True)
    assert s1 == s2


def _check_pairs(articles: pl.DataFrame, sentences: pl.DataFrame) -> int:
    claims, _ = propose_claims(articles, sentences, CandidatesConfig())
    targets = load_targets(TARGETS)
    cfg = StanceConfig()
    fast = target_pairs(articles, sentences, claims, targets, cfg).sort("pair_id")
    slow = target_pairs(articles, sentences, claims, targets, cfg, prefilter=False)
    assert fast.equals(slow.sort("pair_id"), null_equal=True)
    return fast.height


def test_target_pairs_prefilter_is_exact_seed():
    assert _check_pairs(*_seed_tables()) > 5


@needs_fnc1
def test_target_pairs_prefilter_is_exact_fnc1_bodies():
    assert _check_pairs(*_fnc1_tables()) > 0
