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


def test_claims_tasks_show_preceding_paragraphs_and_the_resolved_speaker(seed_tables):
    from claimset.labelstudio.tasks import FIRST_PARAGRAPH, paragraphs

    articles, claims, _ = seed_tables
    tasks = claims_tasks(articles, claims, TasksConfig(claims_context_paragraphs=1))
    text = articles["text"][0]
    body = [text[s:e] for s, e in paragraphs(text)][1:]  # paragraph 0 is the title
    for t in tasks:
        p = t["data"]["paragraph"]
        context = t["data"]["context"]
        if p == 1:
            assert context == FIRST_PARAGRAPH
            continue
        # The paragraph just before, verbatim; never the task's own text.
        assert context.endswith(body[p - 2]) and t["data"]["text"] not in context
        # A pronoun speaker's resolved name is in the context or in the task text itself.
        for r in t["predictions"][0]["result"]:
            if r.get("from_name") == "speaker_name":
                name = r["value"]["text"][0]
                assert name in context or name in t["data"]["text"]
    # "He urged Western nations ..." (paragraph 4): the SPEAKER region is the pronoun as
    # written, and its name box is pre-filled with who "He" is.
    he = next(
        t for t in tasks if t["data"]["text"].startswith("Expressing concerns over the prospect")
    )
    result = he["predictions"][0]["result"]
    region = next(r for r in result if r["type"] == "labels" and r["value"]["text"] == "He")
    names = [r for r in result if r.get("from_name") == "speaker_name" and r["id"] == region["id"]]
    assert [n["value"]["text"] for n in names] == [["Dmitry Peskov"]]
    assert (names[0]["value"]["start"], names[0]["value"]["end"]) == (
        region["value"]["start"],
        region["value"]["end"],
    )
    assert "Peskov" in he["data"]["context"] or "Peskov" in he["data"]["text"]
