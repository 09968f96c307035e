"""Corpus-level reading answers map onto the current task keys, never onto a silent default."""

from __future__ import annotations

import pytest

from claimset.errors import ConfigError
from claimset.labelstudio.corpus_answers import (
    claims_task_answers,
    is_corpus_answers,
    stance_task_answers,
)

TEXT = "Title\n\nThe minister said the barrier must be built. Critics disagreed. Fish swam."
SOURCES = {"a-1": "demo-01"}
TEXTS = {"a-1": TEXT}


def stance_task(key: str, text: str, target: str = "barrier") -> dict:
    return {"data": {"task_key": key, "article_id": "a-1", "target_id": target, "text": text}}


def test_stance_task_takes_the_sentence_it_lies_in() -> None:
    body = {
        "annotator": "a@x",
        "sentences": {
            "demo-01#S1": {
                "text": "The minister said the barrier must be built.",
                "stance": {"barrier": "favor"},
            },
            "demo-01#S2": {"text": "Critics disagreed.", "stance": {"barrier": "against"}},
            "demo-01#S3": {"text": "Fish swam.", "stance": {}},
        },
    }
    assert is_corpus_answers(body, "stance")
    tasks = [
        stance_task("t1", "the barrier must be built"),
        stance_task("t2", "Critics disagreed."),
        stance_task("t3", "Fish swam."),
        stance_task("t4", "Critics disagreed.", target="mine"),
    ]
    assert stance_task_answers(body, tasks, SOURCES, TEXTS) == {
        "t1": "favor",
        "t2": "against",
        "t3": "unrelated",
        "t4": "unrelated",
    }


def test_stance_task_without_an_answered_sentence_is_an_error() -> None:
    body = {
        "annotator": "a@x",
        "sentences": {"demo-01#S2": {"text": "Critics disagreed.", "stance": {}}},
    }
    with pytest.raises(ConfigError, match="answered no sentence"):
        stance_task_answers(body, [stance_task("t1", "Fish swam.")], SOURCES, TEXTS)


def test_claims_task_gets_its_paragraph_answers() -> None:
    claim = {
        "claim": "the barrier must be built",
        "speaker": "The minister",
        "claim_type": "opinion",
        "checkworthy": "no",
    }
    body = {"annotator": "a@x", "paragraphs": {"demo-01#1": [claim], "demo-01#2": []}}
    tasks = [{"data": {"task_key": "c1", "article_id": "a-1", "paragraph": 1}}]
    assert claims_task_answers(body, tasks, SOURCES) == {"c1": [claim]}
    missing = [{"data": {"task_key": "c9", "article_id": "a-1", "paragraph": 7}}]
    with pytest.raises(ConfigError, match="no answer for paragraph demo-01#7"):
        claims_task_answers(body, missing, SOURCES)
    unknown = [{"data": {"task_key": "c8", "article_id": "a-404", "paragraph": 1}}]
    with pytest.raises(ConfigError, match="a-404"):
        claims_task_answers(body, unknown, SOURCES)
