"""What each release config is for and what each column means (card and Croissant share it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

PURPOSE: Final[Mapping[str, str]] = {
    "articles": "the article text every offset points into",
    "claim_detection": "sentence-level claim detection and check-worthiness (CheckThat!, ClaimBuster)",
    "claims": "claim type, check-worthiness, speaker attribution of gold claim spans",
    "attribution": "token tagging of content, source and cue (BIO)",
    "stance": "stance of a text towards a target proposition (4 classes)",
}

PURPOSE_LONG: Final[Mapping[str, str]] = {
    "articles": (
        "One row per released article. `char_start`/`char_end` in every other config are "
        "code-point offsets into `text`. `license_note` says under which terms the text may "
        "be shared."
    ),
    "claim_detection": (
        "One row per sentence an annotator saw in a claims task (the sentences of the task's "
        "paragraph), negatives included. A sentence is a `claim` when an aggregated gold claim "
        "span overlaps it. This is the CheckThat! / ClaimBuster task: train a sentence "
        "classifier, report F1 of the `claim` class."
    ),
    "claims": (
        "One row per aggregated claim: the span and its text, who said it (the mention as "
        "written, its span, the resolved canonical name, and whether it is a pronoun or "
        "unnamed), the reporting cue, claim type and check-worthiness. Train span-level "
        "classifiers, or score attribution end to end with `claimset evaluate`."
    ),
    "attribution": (
        "One row per article: the tokens of the sentences annotators saw, with BIO tags over "
        "CONTENT (the claim span), SOURCE (the speaker mention linked to it) and CUE (the "
        "reporting verb), built from the gold claims. Train a tagger with one `load_dataset` "
        "call."
    ),
    "stance": (
        "One row per (target, text) pair with its stance label, plus `context`: the window "
        "of the article the annotators saw around the text."
    ),
}

COLUMN_DOCS: Final[Mapping[str, Mapping[str, str]]] = {
    "articles": {
        "article_id": "stable id (hash of source and source id)",
        "title": "headline",
        "text": "normalised article text (title, standfirst, body); all offsets refer to it",
        "source": "source (publisher or corpus) name",
        "url": "canonical URL when known",
        "published_at": "publication date (ISO 8601) when known",
        "language": "ISO 639-1 language code",
        "synthetic": "true for fictional articles written for the demo",
        "license_note": "licence of the article text (dataset.source_licenses)",
    },
    "claim_detection": {
        "sentence_id": "sentence id (article id + index)",
        "article_id": "article (join with `articles`)",
        "char_start": "sentence start offset into articles.text",
        "char_end": "sentence end offset (exclusive)",
        "text": "the sentence",
        "label": "claim when a gold claim span overlaps the sentence",
        "checkworthy": "yes when an overlapping claim is check-worthy; -1 for not_claim",
        "n_annotators": "annotators who answered the task",
        "agreement": "share of them whose own regions agree with `label`",
    },
    "claims": {
        "claim_id": "claim id (article id + gold span); the key for `claimset evaluate`",
        "article_id": "article (join with `articles`)",
        "sentence_id": "sentence containing the claim's start (join with `claim_detection`)",
        "char_start": "claim span start offset into articles.text",
        "char_end": "claim span end offset (exclusive)",
        "text": "the gold claim span",
        "speaker_start": "speaker mention start offset (null: unattributed claim)",
        "speaker_end": "speaker mention end offset",
        "speaker_text": 'speaker mention as written ("he", "Peskov")',
        "speaker_name": 'resolved canonical speaker name ("Dmitry Peskov")',
        "speaker_unnamed": 'the speaker has no proper name ("officials", "a spokesman")',
        "speaker_pronoun": "the mention is a pronoun",
        "cue": "reporting verb (said, warned, ...) when known",
        "claim_type": "factual / prediction / opinion / warning",
        "checkworthy": "no / yes",
        "confidence": "aggregation confidence of the label",
        "n_annotators": "annotators who saw the claim's task",
        "agreement": "share of them who marked the span with the gold claim type",
    },
    "attribution": {
        "article_id": "article (join with `articles`)",
        "tokens": "tokens of the sentences annotators saw, in order",
        "token_starts": "token start offsets into articles.text",
        "token_ends": "token end offsets (exclusive)",
        "tags": "BIO tag per token",
    },
    "stance": {
        "item_id": "pair id; the key for `claimset evaluate`",
        "article_id": "article (join with `articles`)",
        "source": "article source",
        "published_at": "article publication date",
        "pair_kind": "target (sentence vs target) or headline (headline vs body)",
        "target_id": "target id",
        "target": "the target proposition",
        "text": "the text whose stance is labelled",
        "context": "the context window annotators saw around the text",
        "label": "favor / against / neutral / unrelated",
        "method": "aggregation method",
        "confidence": "aggregation confidence",
        "n_annotators": "annotators of the pair",
        "agreement": "share of them agreeing with the gold label",
        "synthetic": "true for pairs from synthetic articles",
    },
}
