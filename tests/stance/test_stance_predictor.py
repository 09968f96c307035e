"""Stance predictor, targets file checks and the FNC-1 scorer."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from claimset.errors import ConfigError
from claimset.stance.config import StanceConfig
from claimset.stance.fnc1 import fnc1_score, metrics
from claimset.stance.predictor import headline_stance, target_stance
from claimset.stance.similarity import Similarity
from claimset.stance.targets import load_targets

ROOT = Path(__file__).resolve().parents[2]


def _predict(texts: list[str]) -> list[str]:
    df = pl.DataFrame({"text": texts, "rel": [True] * len(texts)})
    return target_stance(df, "text", "rel", StanceConfig())["predicted_label"].to_list()


def test_target_stance_cues_and_flip():
    labels = _predict(
        [
            "Union leader Tomas Reiner welcomed the proposal and urged lawmakers to pass it before the summer recess.",
            "Fishing families have launched a campaign against the proposed tidal barrier.",
            "She warned that without it, repeated flooding would leave parts of the old town uninsurable.",
            "He warned that deploying NATO troops there could draw the alliance into a direct confrontation with Russia.",
            "Independent economists were divided.",
        ]
    )
    assert labels == ["favor", "against", "favor", "against", "neutral"]


def test_unrelated_flag_and_scores_in_range():
    df = pl.DataFrame({"text": ["The header sent supporters into delirium."], "rel": [False]})
    out = target_stance(df, "text", "rel", StanceConfig())
    assert out["predicted_label"].to_list() == ["unrelated"]
    assert 0.0 < out["score"][0] < 1.0


def test_headline_stance_rules():
    cfg = StanceConfig(related_threshold=0.2, refute_min=1.0, hedge_min=1.0)
    df = pl.DataFrame(
        {
            "body": [
                "The claim is a hoax, officials denied it.",
                "It was reportedly seen, according to claims.",
                "It happened.",
            ],
            "cosine": [0.5, 0.5, 0.1],
        }
    )
    out = headline_stance(df, "body", "cosine", cfg)["predicted_label"].to_list()
    assert out == ["against", "neutral", "unrelated"]


def test_similarity_prefers_same_topic():
    sim = Similarity(
        ["a cat was buried alive", "apple watch release date", "tesla gigafactory in nevada"]
    )
    cos = sim.cosine(
        ["cat buried alive", "cat buried alive"],
        ["the cat was buried for five days", "apple will release the watch"],
    )
    assert cos[0] > 0.3 > cos[1]


def test_fnc1_official_weights():
    # correct unrelated 0.25; correct discuss 1.0; related but wrong related label 0.25; miss 0
    score, best = fnc1_score(
        ["unrelated", "discuss", "agree", "disagree"],
        ["unrelated", "discuss", "discuss", "unrelated"],
    )
    assert (score, best) == (1.5, 3.25)
    m = metrics(["unrelated", "agree"], ["unrelated", "agree"])
    assert m["related_f1"] == 1.0 and m["fnc1_relative_score"] == 1.0


def test_targets_file_checked(tmp_path):
    ids = [t.id for t in load_targets(ROOT / "configs" / "targets.yaml")]
    assert ids == sorted(ids) and "nato-troops-ukraine" in ids
    bad = tmp_path / "t.yaml"
    bad.write_text("targets:\n  - id: x\n    text: X should happen\n    keywords: []\n")
    with pytest.raises(ConfigError, match="keywords"):
        load_targets(bad)
    bad.write_text("targets:\n  - id: x\n    text: X\n    keywords: [a]\n    keyword: [b]\n")
    with pytest.raises(ConfigError, match="unknown key 'keyword'"):
        load_targets(bad)


def test_headline_pairs_only_for_configured_sources():
    from claimset.stance.pairs import headline_pairs

    arts = pl.DataFrame(
        {
            "article_id": ["a-1", "a-2"],
            "source": ["fnc", "news"],
            "title": ["Cat buried alive digs its way out", "Cat buried alive digs its way out"],
            "body": [
                "The cat was buried alive and dug its way out five days later.",
                "Apple will ship a watch.",
            ],
        }
    )
    assert headline_pairs(arts, StanceConfig()).is_empty()
    pairs = headline_pairs(arts, StanceConfig(headline_sources=("fnc",)))
    assert pairs["article_id"].to_list() == ["a-1"]
    assert (
        pairs["pair_kind"].to_list() == ["headline"] and pairs["predicted_label"][0] != "unrelated"
    )


def test_overlapping_keywords_count_separately():
    from claimset.stance.pairs import _distinct_hits
    from claimset.stance.targets import Target

    t = Target("x", "X", ("four-day", "four-day week", "brenmark"))
    df = pl.DataFrame({"text": ["Brenmark's four-day week bill", "a four-day event", "nothing"]})
    assert df.select(_distinct_hits(pl.col("text"), t))["text"].to_list() == [3, 1, 0]


def test_scores_are_graded_within_a_label():
    texts = [
        "Independent economists were divided.",
        "The minister said the committee would meet again in the spring to discuss the plan.",
        "Residents gathered at the town hall on Tuesday evening for a long and heated meeting.",
        "Officials welcomed the proposal.",
        "Officials welcomed the proposal and urged lawmakers to pass it, calling it vital.",
        "Officials welcomed the proposal but warned it could fail and harm the economy.",
    ]
    df = pl.DataFrame({"text": texts, "rel": [True] * len(texts), "hits": [1, 2, 3, 2, 2, 2]})
    out = target_stance(df, "text", "rel", StanceConfig())
    scores = out["score"].to_list()
    assert len(set(scores)) == len(scores), scores
    assert all(0.5 <= s < 1.0 for s in scores)
    favor = out.filter(pl.col("predicted_label") == "favor")["score"].to_list()
    # Two support cues beat one; mixed cues are less certain.
    assert favor[1] > favor[0]


def test_articles_off_every_target_get_an_unrelated_pair():
    from claimset.stance.pairs import target_pairs

    targets = load_targets(ROOT / "configs" / "targets.yaml")
    articles = pl.DataFrame(
        {
            "article_id": ["on", "off"],
            "title": ["NATO troops to Ukraine?", "Local bakery wins award"],
            "standfirst": [None, None],
        },
        schema_overrides={"standfirst": pl.String},
    )
    sentences = pl.DataFrame(
        {
            "sentence_id": ["on-s1", "off-s1", "off-s2"],
            "text": [
                "Sending NATO troops to Ukraine would be a mistake, he warned.",
                "The bakery sold 400 loaves on Saturday.",
                "It opened in 1990.",
            ],
        }
    )
    claims = pl.DataFrame(
        {
            "claim_id": ["on-c1", "off-c1", "off-c2"],
            "article_id": ["on", "off", "off"],
            "sentence_id": ["on-s1", "off-s1", "off-s2"],
            "speaker_text": ["he", None, None],
            "checkworthy_score": [0.5, 0.6, 0.3],
        }
    )
    pairs = target_pairs(articles, sentences, claims, targets, StanceConfig())
    off = pairs.filter(pl.col("article_id") == "off")
    assert off.select("sentence_id", "predicted_label").rows() == [("off-s1", "unrelated")]
    assert 0.5 < off["score"][0] < 1.0
    assert "unrelated" not in pairs.filter(pl.col("article_id") == "on")["predicted_label"]
    none = target_pairs(articles, sentences, claims, targets, StanceConfig(unrelated_per_article=0))
    assert none.filter(pl.col("article_id") == "off").is_empty()
