"""Label Studio task files: predictions fit the label configs; ordering; failure on bad config."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from claimset.claims.candidates import propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.claims.gold import gold_tables, load_gold
from claimset.errors import ConfigError
from claimset.labelstudio.config import TasksConfig
from claimset.labelstudio.tasks import (
    claims_tasks,
    parse_label_config,
    stance_tasks,
    validate_tasks,
)
from claimset.stance.config import StanceConfig
from claimset.stance.pairs import build_pairs
from claimset.stance.targets import load_targets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed_tables():
    tmp = Path(tempfile.mkdtemp())
    shutil.copy(ROOT / "tests" / "claims" / "gold" / "seed-kremlin-nato-warning.yaml", tmp)
    docs = load_gold(tmp, None, root=ROOT)
    shutil.rmtree(tmp)
    articles, sentences = gold_tables(docs)
    claims, _ = propose_claims(articles, sentences, CandidatesConfig())
    pairs = build_pairs(
        articles, sentences, claims, load_targets(ROOT / "configs" / "targets.yaml"), StanceConfig()
    )
    return articles, claims, pairs


def test_claims_tasks_fit_config_and_spans(seed_tables):
    articles, claims, _ = seed_tables
    tasks = claims_tasks(articles, claims, TasksConfig())
    validate_tasks(tasks, parse_label_config(ROOT / "configs" / "labelstudio" / "claims.xml"))
    scores = [t["predictions"][0]["score"] for t in tasks]
    assert scores == sorted(scores, reverse=True)  # most check-worthy paragraph first
    n_claims = 0
    for t in tasks:
        text = t["data"]["text"]
        for r in t["predictions"][0]["result"]:
            if r["type"] == "labels":
                assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
                n_claims += r["value"]["labels"] == ["CLAIM"]
    assert n_claims == claims.height
    speakers = {
        r["value"]["text"]
        for t in tasks
        for r in t["predictions"][0]["result"]
        if r["type"] == "labels" and r["value"]["labels"] == ["SPEAKER"]
    }
    assert {"Dmitry Peskov", "Emmanuel Macron", "Vladimir Putin", "Kremlin", "He"} <= speakers


def test_stance_tasks_uncertain_first_and_pairs(seed_tables):
    articles, _, pairs = seed_tables
    assert set(pairs["target_id"]) == {"nato-troops-ukraine"}
    assert pairs.filter(pairs["text"].str.contains("Cuban Missile")).height == 1
    tasks = stance_tasks(articles, pairs, TasksConfig())
    validate_tasks(tasks, parse_label_config(ROOT / "configs" / "labelstudio" / "stance.xml"))
    scores = [t["predictions"][0]["score"] for t in tasks]
    assert scores == sorted(scores)
    assert all(t["data"]["text"] in t["data"]["context"] for t in tasks)


def test_unknown_choice_is_rejected(seed_tables, tmp_path):
    articles, _, pairs = seed_tables
    xml = (
        (ROOT / "configs" / "labelstudio" / "stance.xml")
        .read_text()
        .replace('value="neutral"', 'value="none"')
    )
    bad = tmp_path / "stance.xml"
    bad.write_text(xml)
    tasks = stance_tasks(articles, pairs, TasksConfig())
    with pytest.raises(ConfigError, match="not in control 'stance'"):
        validate_tasks(tasks, parse_label_config(bad))
