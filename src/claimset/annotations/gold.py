"""Imported gold: an FNC-1 style CSV treated as one expert annotator.

The rows become ordinary stance annotation rows (annotator ``aggregate.gold_annotator``)
and stance task data, so they go through the same table, aggregation and validation as
Label Studio answers; their labels carry ``method="import"``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import polars as pl

from claimset.annotations.export import ParsedExport
from claimset.corpora.fnc1 import read_bodies, read_stances

# FNC-1 -> claimset stance labels (docs/aggregation.md; PRODUCT.md "default label schemas").
FNC1_TO_STANCE = {
    "agree": "favor",
    "disagree": "against",
    "discuss": "neutral",
    "unrelated": "unrelated",
}
GOLD_CONFIG_VERSION = "import:fnc-1"


def _h(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


def import_fnc1(
    stances_csv: str | Path,
    bodies_csv: str | Path,
    annotator: str,
    articles: pl.DataFrame | None = None,
) -> ParsedExport:
    """Read FNC-1 ``Headline, Body ID, Stance`` + ``Body ID, articleBody`` as expert annotations.

    Article ids come from the articles table when the body was ingested (matched on
    ``source_id`` == Body ID and the bodies file name), else ``fnc1-body-<Body ID>``.
    Rows with an unknown stance or body are quarantined with their reason.
    """
    sp, bp = Path(stances_csv), Path(bodies_csv)
    stances = read_stances(sp, strict=False)
    bodies = read_bodies(bp)
    body_of = dict(zip(bodies["body_id"].to_list(), bodies["body"].to_list(), strict=True))
    article_of: dict[str, str] = {}
    if articles is not None and "source_id" in articles.columns:
        cand = articles.filter(pl.col("source_id").is_not_null())
        if "origin_file" in cand.columns:
            same_file = cand.filter(pl.col("origin_file").str.ends_with(bp.name))
            cand = same_file if same_file.height else cand
        for sid, aid in zip(cand["source_id"].to_list(), cand["article_id"].to_list(), strict=True):
            article_of.setdefault(str(sid), aid)
    out = ParsedExport()
    for row in stances.iter_rows(named=True):
        out.counts["annotations_total"] += 1
        line = row["line"]
        headline, body_id, stance = row["headline"], row["body_id"], row["stance"] or ""
        pair_id = f"fnc1-{_h(body_id, headline)}"
        task_key = f"fnc1:{pair_id}"
        base = {
            "project": "stance",
            "task_key": task_key,
            "task_id": None,
            "annotation_id": line,
            "annotator": annotator,
        }
        if stance.lower() not in FNC1_TO_STANCE:
            out.quarantine.append(
                {
                    **base,
                    "reason": "label_config_mismatch",
                    "detail": f"{sp.name}:{line}: stance {stance!r} not in FNC-1 labels",
                    "label_config_version": GOLD_CONFIG_VERSION,
                }
            )
            continue
        if body_id not in body_of:
            out.quarantine.append(
                {
                    **base,
                    "reason": "missing_body",
                    "detail": f"{sp.name}:{line}: Body ID {body_id!r} not in {bp.name}",
                }
            )
            continue
        if task_key in out.tasks:
            # FNC-1 repeats some headline/body pairs: one expert answers an item once.
            out.quarantine.append(
                {
                    **base,
                    "reason": "duplicate",
                    "detail": f"{sp.name}:{line}: repeats headline/body pair {pair_id}",
                }
            )
            continue
        data: dict[str, Any] = {
            "task_key": task_key,
            "claimset_kind": "stance",
            "pair_id": pair_id,
            "pair_kind": "headline",
            "target_id": f"fnc1-h-{_h(headline)}",
            "target": headline,
            "article_id": article_of.get(body_id, f"fnc1-body-{body_id}"),
            "text": body_of[body_id],
        }
        out.tasks[task_key] = data
        out.rows.append(
            {
                "project": "stance",
                "task_key": task_key,
                "item_id": pair_id,
                "annotator": annotator,
                "annotation_id": line,
                "field": "stance",
                "value": FNC1_TO_STANCE[stance.lower()],
                "char_start": None,
                "char_end": None,
                "span_text": None,
                "region_id": None,
                "created_at": "",
                "lead_time": None,
                "label_config_version": GOLD_CONFIG_VERSION,
            }
        )
        out.counts["accepted"] += 1
    out.counts["tasks"] += len(out.tasks)
    for rec in out.quarantine:
        out.counts[f"quarantined_{rec['reason']}"] += 1
    return out
