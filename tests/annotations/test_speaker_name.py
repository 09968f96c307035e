"""Who "she" is: the per-SPEAKER ``speaker_name`` box, from the export to labels_claims.

Results are built with the demo replay's own writer (``claims_result``), i.e. exactly what the
Label Studio editor submits: a SPEAKER region and, with the same region id, a per-region
TextArea whose value repeats the region's offsets and holds the typed name in ``text``.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from agg_support import CLAIMS_XML

from claimset.annotations.aggregate import Aggregation, aggregate_claims
from claimset.annotations.config import AggregateConfig
from claimset.annotations.export import annotations_frame, parse_export
from claimset.annotations.labelconfig import load_label_config
from claimset.labelstudio.answers import claims_result, export_answers

TEXT = "She warned that the river would flood again. Critics disagreed."
CLAIM = "the river would flood again"
CONFIG = load_label_config(CLAIMS_XML)


def _task(answers: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": 1,
        "data": {
            "task_key": "claims-t1",
            "claimset_kind": "claims",
            "article_id": "a-1",
            "paragraph": 2,
            "char_offset": 100,
            "text": TEXT,
            "context": "Harbour Minister Ilse Varga spoke first.",
        },
        "annotations": [
            {
                "id": n + 1,
                "completed_by": who,
                "created_at": f"2026-01-01T00:00:0{n}Z",
                "result": claims_result(TEXT, ans, "claims-t1"),
            }
            for n, (who, ans) in enumerate(sorted(answers.items()))
        ],
    }


def _claim(name: str | None) -> list[dict[str, Any]]:
    item: dict[str, Any] = {"claim": CLAIM, "speaker": "She", "claim_type": "warning"}
    if name is not None:
        item["speaker_name"] = name
    item["checkworthy"] = "yes"
    return [item]


def _labels(answers: dict[str, list[dict[str, Any]]]) -> pl.DataFrame:
    task = _task(answers)
    parsed = parse_export([task], "claims", CONFIG)
    assert not parsed.quarantine
    result = Aggregation()
    aggregate_claims(
        annotations_frame(parsed.rows), {"claims-t1": task["data"]}, AggregateConfig(), result
    )
    return pl.DataFrame(result.labels_claims)


def test_speaker_name_rows_carry_the_speaker_region() -> None:
    parsed = parse_export([_task({"a@x.org": _claim("Ilse Varga")})], "claims", CONFIG)
    rows = annotations_frame(parsed.rows)
    name = rows.filter(pl.col("field") == "speaker_name").row(0, named=True)
    speaker = rows.filter(pl.col("field") == "speaker").row(0, named=True)
    assert name["value"] == "Ilse Varga"
    # the SPEAKER region's id and its article offsets (char_offset 100 + "She" at 0)
    assert (name["region_id"], name["char_start"], name["char_end"], name["span_text"]) == (
        speaker["region_id"],
        100,
        103,
        "She",
    )


def test_a_name_box_without_its_region_is_a_misfit() -> None:
    task = _task({"a@x.org": _claim("Ilse Varga")})
    result = task["annotations"][0]["result"]
    task["annotations"][0]["result"] = [
        r
        for r in result
        if not (r["type"] == "labels" and r["value"]["labels"] == ["SPEAKER"])
        and r["type"] != "relation"
    ]
    parsed = parse_export([task], "claims", CONFIG)
    assert [q["reason"] for q in parsed.quarantine] == ["label_config_mismatch"]
    assert "speaker_name without its region" in parsed.quarantine[0]["detail"]


@pytest.mark.parametrize(
    ("names", "want"),
    [
        (["Ilse Varga", "Ilse Varga"], "Ilse Varga"),
        (["Ilse Varga", " Ilse  Varga "], "Ilse Varga"),  # whitespace does not split a vote
        (["Ilse Varga", "Ilse Varga", "Varga"], "Ilse Varga"),  # majority
        (["Ilse Varga", "Pieter Mollan"], None),  # a tie names nobody
        ([None, None], None),  # nobody kept a name
        (["Ilse Varga", None], "Ilse Varga"),  # among those who kept one
    ],
)
def test_speaker_name_is_the_majority_of_the_annotators_who_kept_one(
    names: list[str | None], want: str | None
) -> None:
    labels = _labels({f"a{i}@x.org": _claim(n) for i, n in enumerate(names)})
    assert labels.height == 1
    row = labels.row(0, named=True)
    assert row["speaker"] == "She" and row["speaker_name"] == want


def test_export_answers_reads_the_name_back() -> None:
    task = _task({"a@x.org": _claim("Ilse Varga")})
    assert export_answers([task], "a@x.org", "claims") == {"claims-t1": _claim("Ilse Varga")}
