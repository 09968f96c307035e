"""Label Studio exports -> the long annotation table (issue 6, point 1)."""

from __future__ import annotations

import copy

from agg_support import ARTICLE, CLAIMS_XML, STANCE_XML, load_fixture

from claimset.annotations.export import annotations_frame, parse_export
from claimset.annotations.labelconfig import load_label_config

CLAIMS = load_label_config(CLAIMS_XML)
STANCE = load_label_config(STANCE_XML)


def test_claims_export_rows_use_article_offsets_and_code_points() -> None:
    parsed = parse_export(load_fixture("claims"), "claims", CLAIMS)
    df = annotations_frame(parsed.rows)
    spans = df.filter(df["char_start"].is_not_null())
    assert spans.height > 0
    for r in spans.iter_rows(named=True):
        # offsets point into the article text (char_offset + region offset), in code points
        assert ARTICLE["text"][r["char_start"] : r["char_end"]] == r["span_text"]
    fields = set(df["field"].to_list())
    assert {"claim", "speaker", "claim_type", "checkworthy", "said_by"} <= fields
    # "’" (U+2019) sits inside a span: a UTF-16 or byte offset would break the check above
    assert any("’" in (t or "") for t in spans["span_text"].to_list())


def test_relation_is_normalised_claim_to_speaker() -> None:
    parsed = parse_export(load_fixture("claims"), "claims", CLAIMS)
    said = [
        r for r in parsed.rows if r["field"] == "said_by" and r["annotator"] == "carol@example.org"
    ]
    # carol drew the arrow speaker -> claim (c2 -> c1); the row goes from the claim to the speaker
    assert [(r["region_id"], r["value"]) for r in said] == [("c1", "c2")]


def test_cancelled_skipped_drafts_duplicates_are_excluded_and_counted() -> None:
    parsed = parse_export(load_fixture("claims"), "claims", CLAIMS)
    c = parsed.counts
    assert c["annotations_total"] == 11
    assert c["quarantined_skipped"] == 1
    assert c["quarantined_duplicate"] == 1
    assert c["drafts"] == 1 and c["quarantined_draft"] == 1
    assert c["quarantined_label_config_mismatch"] == 1
    assert c["accepted"] == 8
    # counts reconcile: every answer is a row source or a quarantine record
    excluded = sum(
        v for k, v in c.items() if k.startswith("quarantined_") and k != "quarantined_draft"
    )
    assert c["accepted"] + excluded == c["annotations_total"]
    people = {(r["task_key"], r["annotator"]) for r in parsed.rows}
    assert ("claims:a-5eedc0ffee000001:p3", "carol@example.org") not in people  # skipped
    assert ("claims:a-5eedc0ffee000001:p3", "dave@example.org") not in people  # draft only


def test_repeated_answer_counts_once_and_the_latest_wins() -> None:
    parsed = parse_export(load_fixture("stance"), "stance", STANCE)
    carol = [
        r for r in parsed.rows if r["item_id"] == "p-0004" and r["annotator"] == "carol@example.org"
    ]
    assert [r["value"] for r in carol] == ["against"]  # the earlier "favor" (2007) is superseded
    dup = [q for q in parsed.quarantine if q["reason"] == "duplicate"]
    assert [q["annotation_id"] for q in dup] == [2007]


def test_misfit_annotation_is_quarantined_naming_the_config_version() -> None:
    parsed = parse_export(
        load_fixture("stance"), "stance", STANCE, export_version="0ld5ha256v3rsion"
    )
    bad = [q for q in parsed.quarantine if q["reason"] == "label_config_mismatch"]
    assert len(bad) == 1
    assert "stance_v0" in bad[0]["detail"]
    assert STANCE.version[:12] in bad[0]["detail"] and "0ld5ha256v3r" in bad[0]["detail"]
    assert bad[0]["label_config_version"] == STANCE.version


def test_label_outside_the_config_and_bad_to_name_are_quarantined() -> None:
    tasks = copy.deepcopy(load_fixture("stance"))
    tasks[0]["annotations"][0]["result"][0]["value"]["choices"] = ["maybe"]
    tasks[0]["annotations"][1]["result"][0]["to_name"] = "context"
    parsed = parse_export(tasks, "stance", STANCE)
    details = [q["detail"] for q in parsed.quarantine if q["reason"] == "label_config_mismatch"]
    assert any("'maybe'" in d for d in details)
    assert any("to_name 'context'" in d for d in details)


def test_span_offsets_that_do_not_match_the_text_are_quarantined() -> None:
    tasks = copy.deepcopy(load_fixture("claims"))
    region = tasks[0]["annotations"][0]["result"][0]
    region["value"]["start"] += 1  # as if offsets were UTF-16 units or shifted
    parsed = parse_export(tasks, "claims", CLAIMS)
    bad = [q for q in parsed.quarantine if q["annotation_id"] == 1001]
    assert bad and bad[0]["reason"] == "label_config_mismatch" and "!=" in bad[0]["detail"]


def test_empty_submitted_claims_annotation_is_a_no_claim_answer() -> None:
    parsed = parse_export(load_fixture("claims"), "claims", CLAIMS)
    bob_p4 = [r for r in parsed.rows if r["annotation_id"] == 1009]
    assert [(r["field"], r["value"], r["char_start"]) for r in bob_p4] == [("claim", "none", None)]
