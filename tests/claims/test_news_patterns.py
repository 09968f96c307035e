"""Real-news patterns (issue 14), each with its example sentence: what is a claim, who said it.

Every test builds a small article, segments it with the real splitter and runs the
candidate rules (no model): what a user without PolNeAR gets.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from claimset.claims.candidates import propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.segment.config import SegmentConfig
from claimset.segment.pipeline import segment_articles

TITLE = "City prepares for a long week"


def claims_of(body: str, title: str = TITLE) -> list[dict[str, Any]]:
    text = f"{title}\n\n{body}"
    articles = pl.DataFrame(
        {
            "article_id": ["a1"],
            "text": [text],
            "title": [title],
            "standfirst": [None],
            "body": [body],
            "source": ["news"],
            "title_end": [len(title)],
        },
        schema_overrides={"standfirst": pl.String},
    )
    sentences = segment_articles(articles, SegmentConfig())
    claims, _ = propose_claims(articles, sentences, CandidatesConfig())
    return claims.to_dicts()


def only(body: str) -> dict[str, Any]:
    got = claims_of(body)
    assert len(got) == 1, got
    return got[0]


# --- trailing attribution ---


def test_trailing_inverted_with_title_split_off() -> None:
    c = only(
        "Inmates will be moved to the new facility next month, said Department of "
        "Correction spokesman Jason Kersten."
    )
    assert c["text"] == "Inmates will be moved to the new facility next month"
    assert (c["speaker"], c["speaker_text"]) == ("Jason Kersten", "Jason Kersten")
    assert c["speaker_role"] == "Department of Correction spokesman"
    assert c["rule"] == "trailing_attribution" and c["speaker_unnamed"] is False


def test_trailing_unnamed_source_stays_as_written() -> None:
    c = only("The company plans to cut 500 jobs, a source said.")
    assert c["text"] == "The company plans to cut 500 jobs"
    assert c["speaker_text"] == "a source" and c["speaker_unnamed"] is True


def test_the_source_added_refers_back_to_the_unnamed_source() -> None:
    first, second = claims_of(
        "A person familiar with the talks said the deal was close. "
        "The deal would be signed on Friday, the source added."
    )
    assert first["speaker_text"] == "A person familiar with the talks"
    assert second["text"] == "The deal would be signed on Friday"
    assert second["speaker_text"] == "the source"
    assert second["speaker"] == first["speaker"] == "person familiar with the talks"
    assert second["speaker_unnamed"] is True


def test_trailing_estimates() -> None:
    c = only("Mortgage rates will rise again next year, estimates Evan Sparks.")
    assert (c["speaker"], c["cue"]) == ("Evan Sparks", "estimates")


def test_inverted_cue_before_a_clause_is_not_a_speaker() -> None:
    c = only(
        "Meanwhile, Charlie Winter, programs officer at the Quilliam Foundation, said he "
        "isn't surprised by the news."
    )
    assert c["speaker"] == "Charlie Winter"


# --- pronouns and "he said" across sentences and paragraphs ---


def test_he_said_after_a_quote_finds_the_person_of_the_previous_paragraph() -> None:
    got = claims_of(
        "Mayor Bill de Blasio spoke on Thursday about the city's plans for burials.\n\n"
        '"Obviously the place we have used historically is Hart Island," he said.'
    )
    quote = next(c for c in got if c["claim_type"] == "direct_quote")
    assert quote["text"] == "Obviously the place we have used historically is Hart Island"
    assert (quote["speaker"], quote["speaker_text"]) == ("Bill de Blasio", "he")
    assert quote["speaker_start"] is not None


def test_pronoun_takes_the_most_recent_person_even_without_a_reporting_verb() -> None:
    got = claims_of(
        "Vice President Mike Pence said the task force would meet daily.\n\n"
        "Joe Biden joined growing calls for data on the racial impact of the virus. "
        "He said it had cast a spotlight on inequity in the country."
    )
    he = next(c for c in got if c["speaker_text"] == "He")
    assert he["speaker"] == "Joe Biden"


# --- other frames ---


@pytest.mark.parametrize(
    ("body", "speaker", "content"),
    [
        (
            "The senator indicated that she would vote against the bill.",
            "senator",
            "she would vote against the bill",
        ),
        (
            "Clinton told NBC News' Today show that she regretted the remark.",
            "Clinton",
            "she regretted the remark",
        ),
        (
            "Smith, who led the inquiry for two years, said the findings were damning.",
            "Smith",
            "the findings were damning",
        ),
        (
            "Unemployment fell to 4 percent in March, according to the Labor Department report.",
            "Labor Department report",
            "Unemployment fell to 4 percent in March",
        ),
        (
            "Officials said the road would stay closed until Monday.",
            "Officials",
            "the road would stay closed until Monday",
        ),
        (
            "A person at the fundraiser said Trump spoke for an hour.",
            "person at the fundraiser",
            "Trump spoke for an hour",
        ),
    ],
)
def test_frames(body: str, speaker: str, content: str) -> None:
    c = only(body)
    assert (c["speaker"], c["text"]) == (speaker, content)


def test_relative_clause_is_not_a_role() -> None:
    c = only("Smith, who led the inquiry for two years, said the findings were damning.")
    assert c["speaker_role"] is None


def test_unnamed_sources_are_marked() -> None:
    assert only("Officials said the road would stay closed until Monday.")["speaker_unnamed"]
    c = only("Clinton told NBC News' Today show that she regretted the remark.")
    assert c["speaker_unnamed"] is False


def test_transcript_turn() -> None:
    c = only("PENCE: Well, look, the economy is growing faster than anyone expected.")
    assert c["text"] == "Well, look, the economy is growing faster than anyone expected"
    assert (c["speaker"], c["speaker_text"], c["rule"]) == ("Pence", "PENCE", "transcript")


def test_label_before_a_colon_is_no_speaker() -> None:
    c = only("BREAKING: The bridge will stay closed until the end of the month.")
    assert c["speaker"] is None


# --- names without junk ---


def test_no_conjunction_in_a_name_or_role() -> None:
    c = only("But OpenAI said the model would be released in June.")
    assert (c["speaker"], c["speaker_text"], c["speaker_role"]) == ("OpenAI", "OpenAI", None)


def test_acronym_in_brackets_is_not_part_of_the_name() -> None:
    c = only(
        "The University Council for Educational Administration (UCEA) said the schools "
        "lacked staff."
    )
    assert c["speaker"] == "University Council for Educational Administration"
    assert c["speaker_text"].endswith("(UCEA)")


# --- what is not a claim ---


@pytest.mark.parametrize(
    "line",
    [
        "By Nada Tawfik, BBC News, New York",
        "Alex Isenstadt contributed to this report.",
        "Reporting by Jane Doe; Editing by Bill Tarrant",
        "- AVOIDING CONTACT: The rules on masks changed again this week.",
        "Source: CDC figures for the week to Friday, published on Monday",
        "Sign up for our daily newsletter to get the latest news.",
        "(AP Photo/Evan Vucci) The president waves to supporters in Ohio.",
        "Photo by John Smith for the Daily Planet newspaper",
        "Why would anyone want to close the only bridge into town?",
        '"Yeah," he said.',
        '"Yeah."',
    ],
)
def test_not_a_claim(line: str) -> None:
    assert claims_of(line) == []


def test_repeated_headline_is_not_a_claim() -> None:
    got = claims_of(f"{TITLE}.\n\nThe council will vote on the plan next week.")
    assert [c["text"] for c in got] == ["The council will vote on the plan next week"]


def test_dateline_is_cut_from_the_lede() -> None:
    c = only("LOS ANGELES (Reuters) - The city will close all beaches this weekend.")
    assert c["text"] == "The city will close all beaches this weekend"


def test_by_at_a_sentence_start_is_still_a_claim() -> None:
    c = only("By the end of the year, prices had risen by 5 percent across the region.")
    assert c["claim_type"] == "unattributed"


def test_bracketed_acronym_alone_is_no_speaker_and_does_not_hang() -> None:
    # An acronym alone left an empty name, which the surname search matched at every offset
    # (a run-away loop on a real FNC-1 body).
    got = claims_of(
        "Mike Omeri, an advisor to Nigeria's National Security Advisor (NSA), told a "
        "conference that the group had been weakened. (NSA) said the talks would go on."
    )
    assert got
    assert all(c["speaker"] != "" for c in got)


@pytest.mark.parametrize(
    ("sentence", "content", "speaker"),
    [
        (
            "PORT MERRION (Herald) - The city council postponed the vote, according to council minutes.",
            "The city council postponed the vote",
            "council minutes",
        ),
        (
            "LOS ANGELES (Reuters) - The mayor said the city would borrow $2 billion.",
            "the city would borrow $2 billion",
            "The mayor",
        ),
    ],
)
def test_a_ledes_dateline_is_cut_from_attributed_spans(sentence, content, speaker):
    # The dateline was cut from unattributed ledes only; attributed ones kept it in the
    # content or in the speaker ("LOS ANGELES (Reuters) - The mayor").
    from claimset.claims.attribution import parse_sentence

    (found,) = parse_sentence(sentence, 0, len(sentence), 14)
    assert sentence[found.start : found.end] == content
    assert found.speaker is not None and found.speaker.name == speaker
    assert sentence[found.speaker.start : found.speaker.end] == speaker
