"""Adjudication: disagreements -> Label Studio review tasks; review answers -> overrides.

Two review projects exist: ``review_stance`` and ``review_claims``. Each review task shows
the item and every annotator's answer; the reviewer gives the final label. When the
aggregate stage finds a review export, the reviewer's latest answer overrides the
aggregate and the labels row records ``method="review"`` and the reviewer's email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import polars as pl

from claimset.annotations.export import NO_SPAN_VALUE
from claimset.annotations.labelconfig import LabelConfig
from claimset.io import read_jsonl

REVIEW_PROJECTS = ("review_claims", "review_stance")
# Reasons that are disagreements a reviewer can settle; too few annotators needs more
# annotation, not adjudication.
REVIEWABLE = frozenset({"tie", "no_votes"})


# Columns an unresolved queue entry carries for an item that has no aggregated label yet.
STANCE_ITEM_KEYS = ("pair_kind", "target_id", "target", "article_id", "text")
CLAIM_ITEM_KEYS = ("article_id", "char_start", "char_end", "text")


def review_label_config(kind: str, base: LabelConfig) -> str:
    """Label Studio XML of the review project for ``kind`` (claims|stance).

    The choices are copied from the project's own label config so a review answer always
    fits the same schema as the annotations it settles.
    """

    def choices(name: str, values: Sequence[str], title: str, required: bool = True) -> str:
        opts = "".join(f"<Choice value={quoteattr(v)}/>" for v in values)
        req = ' required="true"' if required else ""
        return (
            f'  <Header value={quoteattr(title)} size="6"/>\n'
            f'  <Choices name="{name}" toName="text" choice="single-radio"{req} showInline="true">'
            f"{opts}</Choices>\n"
        )

    head = '<View>\n  <Header value="Review: $reason ($field)" size="5"/>\n'
    if kind == "stance":
        return (
            head
            + '  <Header value="Target: $target" size="4"/>\n  <Text name="text" value="$text"/>\n'
            '  <Header value="Annotators said" size="6"/>\n  <Text name="answers" value="$answers"/>\n'
            + choices("stance", base.choices("stance"), "Final stance")
            + "</View>\n"
        )
    if kind == "claims":
        return (
            head + '  <Text name="text" value="$text"/>\n  <Header value="In context" size="6"/>\n'
            '  <Text name="context" value="$context"/>\n'
            '  <Header value="Annotators said" size="6"/>\n  <Text name="answers" value="$answers"/>\n'
            + choices("claim", ("yes", "no"), "Is the highlighted text a claim?")
            + choices("claim_type", base.choices("claim_type"), "Claim type", required=False)
            + choices("checkworthy", base.choices("checkworthy"), "Check-worthy?", required=False)
            + '  <Header value="Speaker (as written; empty if none)" size="6"/>\n'
            '  <TextArea name="speaker" toName="text" maxSubmissions="1" editable="true"/>\n'
            + "</View>\n"
        )
    raise ValueError(f"unknown review kind {kind!r}")


def build_review_tasks(
    unresolved_path: str | Path, annotations_path: str | Path
) -> list[dict[str, Any]]:
    """Label Studio tasks for the review projects, one per disagreement in ``unresolved_path``.

    Each task's ``data`` holds ``task_key`` (``review:<item_id>``, stable), ``claimset_kind``
    ("review"), ``review_of`` (claims|stance), ``project`` (review_claims|review_stance),
    the item, the reason and field, and ``answers``: every annotator's full answer, one
    line each, read from the annotation table. Sorted by task_key.
    """
    unresolved = [u for u in read_jsonl(unresolved_path) if u.get("reason") in REVIEWABLE]
    ann = pl.read_parquet(annotations_path)
    wanted = {u["item_id"] for u in unresolved}
    rows = ann.filter(
        pl.col("item_id").is_in(sorted(wanted))
        | pl.col("task_key").is_in(
            sorted({u.get("task_key") for u in unresolved if u.get("task_key")})
        )
    )
    by_item: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    task_people: dict[str, set[str]] = defaultdict(set)
    regions: dict[tuple[str, str, str], str] = {}  # (task, who, region) -> speaker text
    for r in rows.iter_rows(named=True):
        task_people[r["task_key"]].add(r["annotator"])
        if r["field"] == "speaker" and r["region_id"]:
            regions[(r["task_key"], r["annotator"], r["region_id"])] = r["span_text"] or ""
    for r in rows.iter_rows(named=True):
        if r["item_id"] not in wanted:
            continue
        value = r["value"]
        if r["field"] == "said_by":
            value = regions.get((r["task_key"], r["annotator"], value), value)
            by_item[r["item_id"]][r["annotator"]]["speaker"].append(value)
        elif r["field"] == "claim":
            by_item[r["item_id"]][r["annotator"]]["claim"].append(f"yes ({r['span_text']!r})")
        elif r["field"] not in ("speaker",):
            by_item[r["item_id"]][r["annotator"]][r["field"]].append(value)
    tasks: list[dict[str, Any]] = []
    seen: set[str] = set()
    for u in sorted(unresolved, key=lambda u: (u["project"], u["item_id"])):
        if u["item_id"] in seen:
            continue
        seen.add(u["item_id"])
        answers = by_item.get(u["item_id"], {})
        lines = []
        people = sorted(set(answers) | task_people.get(u.get("task_key") or "", set()))
        for who in people:
            got = answers.get(who, {})
            if u["project"] == "claims" and "claim" not in got:
                lines.append(f"{who}: not marked as a claim")
                continue
            parts = [f"{fld}: {', '.join(vals)}" for fld, vals in sorted(got.items())]
            lines.append(f"{who}: {'; '.join(parts) if parts else NO_SPAN_VALUE}")
        data: dict[str, Any] = {
            "task_key": f"review:{u['item_id']}",
            "claimset_kind": "review",
            "review_of": u["project"],
            "project": f"review_{u['project']}",
            "item_id": u["item_id"],
            "field": u.get("field"),
            "reason": u.get("reason"),
            "article_id": u.get("article_id"),
            "text": u.get("text") or "",
            "answers": "\n".join(lines),
        }
        if u["project"] == "stance":
            data["target"] = u.get("target") or ""
        else:
            data.update(
                char_start=u.get("char_start"),
                char_end=u.get("char_end"),
                context=u.get("context") or "",
            )
        tasks.append({"data": data})
    return sorted(tasks, key=lambda t: t["data"]["task_key"])


def review_overrides(annotations: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Reviewer decisions from the review projects' rows of the annotation table.

    Returns item_id -> {"reviewer", "project", "annotation_id", field -> value}. When several
    review answers exist for one item, the latest (created_at, annotation_id) wins.
    """
    rows = annotations.filter(pl.col("project").is_in(list(REVIEW_PROJECTS)))
    latest: dict[str, tuple[str, int, str]] = {}
    for r in rows.iter_rows(named=True):
        key = (r["created_at"] or "", r["annotation_id"] or 0, r["annotator"])
        if r["item_id"] not in latest or key > latest[r["item_id"]]:
            latest[r["item_id"]] = key
    out: dict[str, dict[str, Any]] = {}
    for r in rows.iter_rows(named=True):
        key = latest[r["item_id"]]
        if (r["created_at"] or "", r["annotation_id"] or 0, r["annotator"]) != key:
            continue
        entry = out.setdefault(
            r["item_id"],
            {
                "reviewer": r["annotator"],
                "project": r["project"],
                "annotation_id": r["annotation_id"],
            },
        )
        entry[r["field"]] = r["value"]
    return out


def apply_overrides(
    overrides: Mapping[str, Mapping[str, Any]],
    labels_stance: list[dict[str, Any]],
    labels_claims: list[dict[str, Any]],
    unresolved: list[dict[str, Any]],
    decisions: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """Apply reviewer decisions in place; return counts and the overrides that matched no item.

    A reviewed item leaves the unresolved queue. Stance: the reviewer's label replaces the
    aggregate. Claims: "no" removes the span; "yes" sets claim_type/checkworthy/speaker from
    the reviewer where given, else from the aggregate.
    """
    stance = {r["item_id"]: r for r in labels_stance}
    claims = {r["item_id"]: r for r in labels_claims}
    pending = {u["item_id"]: u for u in unresolved}
    applied = 0
    removed: list[str] = []
    stale: list[dict[str, Any]] = []
    for item, ov in sorted(overrides.items()):
        u = pending.get(item)
        if ov["project"] == "review_stance":
            if "stance" not in ov:
                stale.append({"item_id": item, **ov, "detail": "review answer has no stance"})
                continue
            row = stance.get(item)
            if row is None and u is None:
                stale.append(
                    {"item_id": item, **ov, "detail": "item not among the current stance items"}
                )
                continue
            votes = (u or {}).get("votes") or decisions.get(item, {}).get("stance").votes  # type: ignore[union-attr]
            new = (
                dict(row)
                if row
                else {
                    "item_id": item,
                    **{k: (u or {}).get(k) for k in STANCE_ITEM_KEYS},
                }
            )
            agree = sum(v == ov["stance"] for v in votes.values()) / len(votes) if votes else 0.0
            new.update(
                label=ov["stance"],
                method="review",
                confidence=1.0,
                n_annotators=len(votes),
                agreement=round(agree, 6),
                reviewer=ov["reviewer"],
            )
            stance[item] = new
        else:
            row = claims.get(item)
            if row is None and (u is None or u.get("char_start") is None):
                stale.append(
                    {"item_id": item, **ov, "detail": "item not among the current claim spans"}
                )
                continue
            if ov.get("claim") == "no":
                claims.pop(item, None)
                removed.append(item)
            else:
                dec = decisions.get(item, {})

                def pick(fld: str, ov: Mapping[str, Any] = ov, dec: Mapping[str, Any] = dec) -> Any:
                    if fld in ov:
                        return ov[fld]
                    d = dec.get(fld)
                    return d.label if d is not None else None

                base = (
                    dict(row)
                    if row
                    else {
                        "item_id": item,
                        **{k: (u or {}).get(k) for k in CLAIM_ITEM_KEYS},
                        "speaker": None,
                        "speaker_name": None,
                    }
                )
                n = int((u or row or {}).get("n_annotators") or 0)
                ct = pick("claim_type")
                if ct is None:
                    stale.append(
                        {
                            "item_id": item,
                            **ov,
                            "detail": "review gives no claim_type and there is no aggregate",
                        }
                    )
                    continue
                votes = dec["claim_type"].votes if "claim_type" in dec else {}
                base.update(
                    claim_type=ct,
                    checkworthy=pick("checkworthy"),
                    speaker=ov.get("speaker", base.get("speaker")),
                    # a reviewer who changes the speaker drops the aggregated name with it
                    speaker_name=ov.get(
                        "speaker_name", None if "speaker" in ov else base.get("speaker_name")
                    ),
                    method="review",
                    confidence=1.0,
                    n_annotators=n,
                    agreement=round(sum(v == ct for v in votes.values()) / n, 6) if n else 0.0,
                    reviewer=ov["reviewer"],
                )
                claims[item] = base
        applied += 1
        pending.pop(item, None)
    labels_stance[:] = [stance[k] for k in sorted(stance)]
    labels_claims[:] = [claims[k] for k in sorted(claims)]
    unresolved[:] = [u for u in unresolved if u["item_id"] in pending]
    return {"applied": applied, "rejected_claims": len(removed), "stale": stale}
