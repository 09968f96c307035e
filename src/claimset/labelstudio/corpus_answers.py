"""Answers written while reading whole articles -> answers for the current Label Studio tasks.

Annotators of the bundled demo read the corpus article by article, not task by task, so their
answers do not depend on which candidates the pre-annotator proposed:

- claims: ``{"annotator": ..., "paragraphs": {"<source_id>#<paragraph>": [claim, ...]}}`` with
  every paragraph present (``[]`` = read, no claim);
- stance: ``{"annotator": ..., "sentences": {"<source_id>#S<index>": {"text": sentence,
  "stance": {target_id: favor|against|neutral}}}}``; a target left out was judged unrelated.

This module maps them onto task keys, which is the format
:func:`claimset.labelstudio.answers.submit_answers` takes. A claims task is one paragraph, so
its answer is that paragraph's list. A stance task's text is a sentence or a clause inside one;
its answer is the stance of the sentence it lies in. A task no answer covers is an error, never a
silent default: the demo must be fully annotated by people who read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claimset.errors import ConfigError

CORPUS_KEYS = {"claims": "paragraphs", "stance": "sentences"}


def is_corpus_answers(body: Mapping[str, Any], project: str) -> bool:
    """True when ``body`` is in the corpus-level format for ``project``."""
    return CORPUS_KEYS.get(project) in body and "annotator" in body


def _source_of(article_ids: Mapping[str, str], article_id: str, key: str) -> str:
    try:
        return article_ids[article_id]
    except KeyError:
        raise ConfigError(
            f"task {key}: article {article_id} is not in the articles table"
        ) from None


def claims_task_answers(
    body: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]], source_ids: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Per-task claims answers: the paragraph's claims for every claims task."""
    paragraphs: Mapping[str, list[dict[str, Any]]] = body["paragraphs"]
    out: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        data = task["data"]
        key = data["task_key"]
        source = _source_of(source_ids, data["article_id"], key)
        pkey = f"{source}#{data['paragraph']}"
        if pkey not in paragraphs:
            raise ConfigError(
                f"task {key}: annotator {body['annotator']} has no answer for paragraph {pkey}"
            )
        out[key] = [dict(claim) for claim in paragraphs[pkey]]
    return out


def _sentence_spans(
    article_text: str, sentences: Sequence[tuple[str, dict[str, str]]]
) -> list[tuple[int, int, dict[str, str]]]:
    """Locate each answered sentence in the article text, in reading order."""
    spans: list[tuple[int, int, dict[str, str]]] = []
    cursor = 0
    for text, stance in sentences:
        start = article_text.find(text, cursor)
        if start < 0:
            start = article_text.find(text)
        if start < 0:
            continue
        spans.append((start, start + len(text), stance))
        cursor = start + len(text)
    return spans


def stance_task_answers(
    body: Mapping[str, Any],
    tasks: Sequence[Mapping[str, Any]],
    source_ids: Mapping[str, str],
    texts: Mapping[str, str],
) -> dict[str, str]:
    """Per-task stance labels: the stance towards the task's target of the sentence it lies in."""
    by_source: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
    for skey, answer in body["sentences"].items():
        source, _, idx = skey.rpartition("#S")
        by_source.setdefault(source, []).append((int(idx), answer["text"], answer["stance"]))
    located: dict[str, list[tuple[int, int, dict[str, str]]]] = {}
    out: dict[str, str] = {}
    for task in tasks:
        data = task["data"]
        key = data["task_key"]
        article_id = data["article_id"]
        source = _source_of(source_ids, article_id, key)
        if source not in located:
            ordered = sorted(by_source.get(source, []))
            located[source] = _sentence_spans(texts[article_id], [(t, s) for _, t, s in ordered])
        start = texts[article_id].find(data["text"])
        if start < 0:
            raise ConfigError(f"task {key}: its text is not in article {article_id}")
        end = start + len(data["text"])
        best = max(
            located[source],
            key=lambda span: min(end, span[1]) - max(start, span[0]),
            default=None,
        )
        if best is None or min(end, best[1]) - max(start, best[0]) <= 0:
            raise ConfigError(
                f"task {key}: annotator {body['annotator']} answered no sentence covering it"
            )
        out[key] = best[2].get(data["target_id"], "unrelated")
    return out
