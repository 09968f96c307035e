"""Claim candidates on the seed article (tables built from the hand gold, text from data/raw)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from claimset.claims.candidates import CLAIM_COLUMNS, propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.claims.gold import gold_tables, load_gold, score_claims

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "claims" / "gold"


@pytest.fixture(scope="module")
def seed_docs():
    # Only the seed file needs no FNC-1 data: load it alone.
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp())
    shutil.copy(GOLD / "seed-kremlin-nato-warning.yaml", tmp)
    docs = load_gold(tmp, None, root=ROOT)
    shutil.rmtree(tmp)
    return docs


@pytest.fixture(scope="module")
def seed_claims(seed_docs):
    articles, sentences = gold_tables(seed_docs)
    claims, stats = propose_claims(articles, sentences, CandidatesConfig())
    return articles, sentences, claims, stats


def _claim_with(claims: pl.DataFrame, fragment: str) -> dict:
    rows = claims.filter(pl.col("text").str.contains(fragment, literal=True)).to_dicts()
    assert rows, f"no candidate contains {fragment!r}"
    return rows[0]


def test_schema_and_exact_spans(seed_claims):
    articles, _, claims, _ = seed_claims
    assert dict(claims.schema) == CLAIM_COLUMNS
    text = articles["text"][0]
    for r in claims.iter_rows(named=True):
        assert text[r["char_start"] : r["char_end"]] == r["text"]
        if r["speaker_start"] is not None:
            assert text[r["speaker_start"] : r["speaker_end"]] == r["speaker_text"]


def test_seed_speakers_and_cues(seed_claims):
    claims = seed_claims[2]
    peskov = _claim_with(claims, "the inevitability of a direct confrontation")
    assert (peskov["speaker"], peskov["speaker_text"], peskov["cue"]) == (
        "Dmitry Peskov",
        "Peskov",
        "emphasised",
    )
    urged = _claim_with(claims, "Western nations to carefully consider")
    assert urged["speaker"] == "Dmitry Peskov" and urged["speaker_text"] == "He"
    first = _claim_with(claims, "the significance of such discussions")
    assert first["speaker_role"] == "Kremlin spokesman" and first["speaker_text"] == "Dmitry Peskov"
    macron = _claim_with(claims, "the possibility of European nations sending troops")
    assert macron["speaker"] == "Emmanuel Macron" and macron["cue"] == "suggesting"
    putin = _claim_with(claims, "against the dangers of a direct confrontation")
    assert putin["speaker"] == "Vladimir Putin" and putin["cue"] == "cautioning"
    kremlin = _claim_with(claims, "any deployment of European NATO troops")
    assert kremlin["speaker"] == "Kremlin" and kremlin["category"] == "warning"
    # One canonical id per speaker across mentions ("Dmitry Peskov", "Peskov", "He").
    assert claims.filter(pl.col("speaker") == "Dmitry Peskov")["speaker_id"].n_unique() == 1


def test_seed_unattributed_and_colour(seed_claims):
    claims = seed_claims[2]
    cuban = _claim_with(claims, "Cuban Missile Crisis of 1962")
    assert cuban["claim_type"] == "unattributed" and cuban["speaker"] is None
    assert (
        cuban["checkworthy_score"]
        > _claim_with(claims, "caution and restraint")["checkworthy_score"]
    )
    tangible = _claim_with(claims, "tangible military assistance has yet to materialise")
    # "Despite Western pledges ...": "pledges" is a noun there, not a reporting verb
    assert tangible["claim_type"] == "unattributed" and tangible["speaker"] is None
    assert claims.filter(pl.col("text").str.contains("remains on edge")).is_empty()
    assert claims.filter(pl.col("text").str.contains("underscores")).is_empty()


def test_every_sentence_accounted_for(seed_claims):
    _, sentences, claims, stats = seed_claims
    not_claim = sum(stats.not_claim.values())
    assert (
        stats.skipped_title + stats.attributed_sentences + stats.unattributed_sentences + not_claim
        == sentences.height
    )
    assert claims["claim_id"].is_unique().all()


def test_deterministic(seed_docs):
    a, s = gold_tables(seed_docs)
    c1, _ = propose_claims(a, s, CandidatesConfig())
    c2, _ = propose_claims(a.reverse(), s.reverse(), CandidatesConfig())
    assert c1.equals(c2)


def test_seed_gold_scores(seed_docs):
    r = score_claims(seed_docs, CandidatesConfig())
    assert r["precision"] == 1.0 and r["recall"] == 1.0
    assert r["speaker_accuracy"] == 1.0
