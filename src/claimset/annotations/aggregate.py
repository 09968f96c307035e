"""Gold labels from the long annotation table.

Categorical fields are aggregated with crowd-kit (``MajorityVote`` or ``DawidSkene``, chosen
by ``aggregate.method``). Ties and items with too few annotators go to the unresolved queue,
never to a default. Claim spans are first grouped across annotators by overlap; the rule is
documented in docs/aggregation.md and in :func:`cluster_spans`.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import polars as pl

from claimset.annotations.config import AggregateConfig
from claimset.annotations.export import NO_SPAN_VALUE

LABELS_STANCE_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String(),
    "pair_kind": pl.String(),
    "target_id": pl.String(),
    "target": pl.String(),
    "article_id": pl.String(),
    "text": pl.String(),
    "label": pl.String(),
    "method": pl.String(),
    "confidence": pl.Float64(),
    "n_annotators": pl.Int64(),
    "agreement": pl.Float64(),
    "reviewer": pl.String(),
}

LABELS_CLAIMS_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String(),
    "article_id": pl.String(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
    "text": pl.String(),
    "speaker": pl.String(),
    # Who the speaker is ("she" -> "Ilse Varga"): majority of the annotators who linked the
    # claim to the winning speaker region and kept a name in its speaker_name box.
    "speaker_name": pl.String(),
    "claim_type": pl.String(),
    "checkworthy": pl.String(),
    "method": pl.String(),
    "confidence": pl.Float64(),
    "n_annotators": pl.Int64(),
    "agreement": pl.Float64(),
    "reviewer": pl.String(),
}

YES, NO = "yes", "no"


@dataclass(frozen=True)
class Decision:
    """The aggregated answer for one item and field; ``label`` is None for a tie."""

    label: str | None
    confidence: float
    votes: dict[str, str]

    @property
    def n(self) -> int:
        """Number of annotators who voted."""
        return len(self.votes)

    def share(self, label: str | None = None) -> float:
        """Share of voters who gave ``label`` (default: the decided label)."""
        target = self.label if label is None else label
        return sum(v == target for v in self.votes.values()) / self.n if self.n else 0.0


def aggregate_votes(
    votes: Iterable[tuple[str, str, str]], method: str, cfg: AggregateConfig
) -> dict[str, Decision]:
    """Aggregate ``(item, annotator, value)`` votes with crowd-kit; ties get ``label=None``.

    ``method`` is ``majority`` or ``dawid_skene``. Confidence is the aggregated probability
    of the winning label (vote share for majority, posterior for Dawid-Skene).
    """
    triples = sorted(set(votes))
    if not triples:
        return {}
    from crowdkit.aggregation import DawidSkene, MajorityVote

    frame = pd.DataFrame(triples, columns=["task", "worker", "label"])
    with warnings.catch_warnings():
        # crowd-kit 1.4.2 uses pandas keywords deprecated in pandas 3 (inplace=, copy=)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        if method == "dawid_skene":
            probas = DawidSkene(n_iter=cfg.dawid_skene_iterations).fit_predict_proba(frame)
        else:
            probas = MajorityVote().fit_predict_proba(frame)
    by_item: dict[str, dict[str, str]] = defaultdict(dict)
    for item, worker, label in triples:
        by_item[item][worker] = label
    labels = [str(c) for c in probas.columns]
    matrix = probas.to_numpy(dtype=float)
    out: dict[str, Decision] = {}
    for row, item in enumerate(probas.index):
        ranked = sorted(zip(matrix[row], labels, strict=True), key=lambda t: (-t[0], t[1]))
        best_p, best = ranked[0]
        tie = len(ranked) > 1 and best_p - ranked[1][0] <= cfg.tie_epsilon
        out[str(item)] = Decision(None if tie else best, float(best_p), by_item[str(item)])
    return out


# --------------------------------------------------------------------------- spans


@dataclass
class Span:
    """One annotator's span (article offsets) with its region id."""

    annotator: str
    start: int
    end: int
    region_id: str


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Character intersection over union of two half-open intervals."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def cluster_spans(spans: Sequence[Span], threshold: float) -> list[list[Span]]:
    """Group spans of one task into items.

    Rule: two spans are linked when their character IoU is >= ``threshold``; items are the
    connected components of that graph (single link), so a span never belongs to two items.
    Components are returned sorted by their first span's (start, end).
    """
    order = sorted(spans, key=lambda s: (s.start, s.end, s.annotator, s.region_id))
    parent = list(range(len(order)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(order):
        for j in range(i + 1, len(order)):
            b = order[j]
            if b.start >= a.end:
                break  # sorted by start: no later span overlaps a
            if iou((a.start, a.end), (b.start, b.end)) >= threshold:
                parent[find(j)] = find(i)
    groups: dict[int, list[Span]] = defaultdict(list)
    for i, s in enumerate(order):
        groups[find(i)].append(s)
    return sorted(groups.values(), key=lambda g: (g[0].start, g[0].end))


def consensus_span(cluster: Sequence[Span]) -> tuple[int, int]:
    """Gold boundaries of a cluster.

    Each annotator contributes the union of their spans in the cluster. If one exact
    (start, end) pair is held by a strict majority of them it wins; otherwise the lower
    median start and the lower median end are used (always start < end, since the k-th
    smallest start is below the k-th smallest end).
    """
    per: dict[str, tuple[int, int]] = {}
    for s in cluster:
        lo, hi = per.get(s.annotator, (s.start, s.end))
        per[s.annotator] = (min(lo, s.start), max(hi, s.end))
    pairs = sorted(per.values())
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for p in pairs:
        counts[p] += 1
    best = max(sorted(counts), key=lambda p: counts[p])
    if counts[best] * 2 > len(pairs):
        return best
    k = (len(pairs) - 1) // 2
    return sorted(p[0] for p in pairs)[k], sorted(p[1] for p in pairs)[k]


# --------------------------------------------------------------------------- results


@dataclass
class Aggregation:
    """Everything the aggregate stage derives from the annotation table."""

    labels_stance: list[dict[str, Any]] = field(default_factory=list)
    labels_claims: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    # item -> field -> Decision, for agreement with consensus
    decisions: dict[str, dict[str, Decision]] = field(default_factory=dict)
    # (project, task_key, annotator, region_id) -> claim item id, to relabel annotation rows
    region_items: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    # field -> item -> annotator -> value for every item with answers (eligible or not),
    # the input of the agreement figures
    votes: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _min_needed(annotators: Iterable[str], cfg: AggregateConfig, importers: frozenset[str]) -> int:
    who = set(annotators)
    return cfg.import_min_annotators if who and who <= importers else cfg.min_annotators


def _method(annotators: Iterable[str], cfg: AggregateConfig, importers: frozenset[str]) -> str:
    who = set(annotators)
    return "import" if who and who <= importers else cfg.method


def aggregate_stance(
    annotations: pl.DataFrame,
    tasks: Mapping[str, Mapping[str, Any]],
    cfg: AggregateConfig,
    result: Aggregation,
    importers: frozenset[str] = frozenset(),
    pair_kinds: Mapping[str, str] | None = None,
) -> None:
    """Aggregate the ``stance`` field into ``result.labels_stance`` / ``result.unresolved``."""
    rows = annotations.filter((pl.col("project") == "stance") & (pl.col("field") == "stance"))
    votes = [(r["item_id"], r["annotator"], r["value"]) for r in rows.iter_rows(named=True)]
    by_item: dict[str, dict[str, str]] = defaultdict(dict)
    for item, who, value in votes:
        by_item[item][who] = value
    info: dict[str, Mapping[str, Any]] = {}
    for key, data in tasks.items():
        if data.get("claimset_kind", "stance") == "stance" and data.get("pair_id"):
            info[str(data["pair_id"])] = {**data, "task_key": key}
    eligible = {i for i, v in by_item.items() if len(v) >= _min_needed(v, cfg, importers)}
    for item, item_votes in by_item.items():
        if not set(item_votes) <= importers:
            result.votes["stance"][item] = dict(item_votes)
    # Imported gold and crowd answers are aggregated separately so the expert never
    # shifts Dawid-Skene's confusion matrices of the crowd (and vice versa).
    crowd = [
        v for v in votes if v[0] in eligible and _method(by_item[v[0]], cfg, importers) != "import"
    ]
    gold = [
        v for v in votes if v[0] in eligible and _method(by_item[v[0]], cfg, importers) == "import"
    ]
    decided = {**aggregate_votes(crowd, cfg.method, cfg), **aggregate_votes(gold, "majority", cfg)}
    for item in sorted(set(by_item) | set(info)):
        data = info.get(item, {})
        item_votes = by_item.get(item, {})
        base = {
            "project": "stance",
            "item_id": item,
            "task_key": data.get("task_key"),
            "field": "stance",
            "target_id": data.get("target_id"),
            "pair_kind": (pair_kinds or {}).get(item, data.get("pair_kind")),
            "n_annotators": len(item_votes),
            "votes": dict(sorted(item_votes.items())),
            "target": data.get("target"),
            "text": data.get("text"),
            "article_id": data.get("article_id"),
        }
        if item not in eligible:
            result.unresolved.append({**base, "reason": "too_few_annotators"})
            continue
        d = decided[item]
        result.decisions.setdefault(item, {})["stance"] = d
        if d.label is None:
            result.unresolved.append({**base, "reason": "tie"})
            continue
        result.labels_stance.append(
            {
                "item_id": item,
                "pair_kind": (pair_kinds or {}).get(item, data.get("pair_kind")),
                "target_id": data.get("target_id"),
                "target": data.get("target"),
                "article_id": data.get("article_id"),
                "text": data.get("text"),
                "label": d.label,
                "method": _method(item_votes, cfg, importers),
                "confidence": round(d.confidence, 6),
                "n_annotators": d.n,
                "agreement": round(d.share(), 6),
                "reviewer": None,
            }
        )


def aggregate_claims(
    annotations: pl.DataFrame,
    tasks: Mapping[str, Mapping[str, Any]],
    cfg: AggregateConfig,
    result: Aggregation,
) -> None:
    """Cluster CLAIM spans per task and aggregate existence, type, check-worthiness, speaker."""
    rows = annotations.filter(pl.col("project") == "claims")
    task_annotators: dict[str, set[str]] = defaultdict(set)
    claim_spans: dict[str, list[Span]] = defaultdict(list)
    speaker_spans: dict[str, list[Span]] = defaultdict(list)
    choices: dict[tuple[str, str, str], dict[str, str]] = defaultdict(
        dict
    )  # (task, who, region) -> field -> value
    said_by: dict[tuple[str, str, str], str] = {}  # (task, who, claim region) -> speaker region
    speaker_names: dict[tuple[str, str, str], str] = {}  # (task, who, speaker region) -> name
    for r in rows.iter_rows(named=True):
        task, who, fld = r["task_key"], r["annotator"], r["field"]
        task_annotators[task].add(who)
        if fld == "claim" and r["value"] != NO_SPAN_VALUE:
            claim_spans[task].append(Span(who, r["char_start"], r["char_end"], r["region_id"]))
        elif fld == "speaker":
            speaker_spans[task].append(Span(who, r["char_start"], r["char_end"], r["region_id"]))
        elif fld == "said_by":
            said_by[(task, who, r["region_id"])] = r["value"]
        elif fld == "speaker_name":
            speaker_names[(task, who, r["region_id"])] = r["value"]
        elif r["region_id"] is not None:
            choices[(task, who, r["region_id"])][fld] = r["value"]

    # Per task: clusters -> items. Votes per field collected over all tasks, then aggregated
    # together so Dawid-Skene sees every annotator's full record.
    items: dict[str, dict[str, Any]] = {}
    existence: list[tuple[str, str, str]] = []
    field_votes: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    speaker_votes: list[tuple[str, str, str]] = []
    speaker_text: dict[str, dict[str, str | None]] = {}
    # item -> speaker cluster -> annotator -> the name they kept for that speaker region
    names_of: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    all_tasks = sorted(
        set(task_annotators) | {k for k, d in tasks.items() if d.get("claimset_kind") == "claims"}
    )
    for task in all_tasks:
        data = tasks.get(task, {})
        who_all = sorted(task_annotators.get(task, set()))
        text = data.get("text")
        enough = len(who_all) >= cfg.min_annotators
        if not enough:
            result.unresolved.append(
                {
                    "project": "claims",
                    "item_id": task,
                    "task_key": task,
                    "field": "claim",
                    "reason": "too_few_annotators",
                    "n_annotators": len(who_all),
                    "votes": {},
                    "article_id": data.get("article_id"),
                    "text": text,
                    "context": text,
                }
            )
            result.counts["claim_tasks_too_few_annotators"] += 1
        offset = int(data.get("char_offset") or 0)
        if isinstance(text, str) and len(who_all) >= 2:
            result.votes["claim_tokens"].update(
                claim_token_votes(task, text, offset, who_all, claim_spans.get(task, []))
            )
        spk_clusters = cluster_spans(speaker_spans.get(task, []), cfg.span_iou)
        spk_of_region: dict[tuple[str, str], int] = {}
        spk_gold: list[tuple[int, int]] = []
        for n, cl in enumerate(spk_clusters):
            spk_gold.append(consensus_span(cl))
            for s in cl:
                spk_of_region[(s.annotator, s.region_id)] = n
        for cluster in cluster_spans(claim_spans.get(task, []), cfg.span_iou):
            start, end = consensus_span(cluster)
            item = f"{data.get('article_id') or task}-g{start}-{end}"
            while item in items or item in result.votes["claim"]:  # keep ids unique
                item += "x"
            members: dict[str, Span] = {}
            for s in cluster:
                result.region_items[("claims", task, s.annotator, s.region_id)] = item
                best = members.get(s.annotator)
                if best is None or iou((s.start, s.end), (start, end)) > iou(
                    (best.start, best.end), (start, end)
                ):
                    members[s.annotator] = s
            span_text = text[start - offset : end - offset] if isinstance(text, str) else None
            item_votes: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
            for who in who_all:
                item_votes["claim"].append((item, who, YES if who in members else NO))
            for who, s in sorted(members.items()):
                for fld, value in sorted(choices.get((task, who, s.region_id), {}).items()):
                    item_votes[fld].append((item, who, value))
                spk_region = said_by.get((task, who, s.region_id))
                if spk_region is not None:
                    # the speaker region's rows belong to the claim it is linked to
                    result.region_items.setdefault(("claims", task, who, spk_region), item)
                cl_id = spk_of_region.get((who, spk_region)) if spk_region is not None else None
                item_votes["speaker"].append(
                    (item, who, NO_SPAN_VALUE if cl_id is None else f"s{cl_id}")
                )
                if cl_id is not None and spk_region is not None:
                    name = speaker_names.get((task, who, spk_region))
                    if name:
                        names_of[item][f"s{cl_id}"][who] = name
            for fld, triples in item_votes.items():
                result.votes[fld][item] = {w: v for _, w, v in triples}
            if not enough:
                continue
            items[item] = {
                "task": task,
                "start": start,
                "end": end,
                "text": span_text,
                "context": text,
                "article_id": data.get("article_id"),
                "annotators": who_all,
                "members": sorted(members),
            }
            existence.extend(item_votes.pop("claim"))
            speaker_votes.extend(item_votes.pop("speaker"))
            for fld, triples in item_votes.items():
                field_votes[fld].extend(triples)
            speaker_text[item] = {NO_SPAN_VALUE: None}
            for n, (a, b) in enumerate(spk_gold):
                speaker_text[item][f"s{n}"] = (
                    text[a - offset : b - offset] if isinstance(text, str) else None
                )

    exist = aggregate_votes(existence, cfg.method, cfg)
    per_field = {fld: aggregate_votes(v, cfg.method, cfg) for fld, v in sorted(field_votes.items())}
    # Speaker values are per-task cluster ids, not a shared label set: Dawid-Skene's
    # confusion matrices would be meaningless, so speakers always use majority vote.
    speakers = aggregate_votes(speaker_votes, "majority", cfg)
    for item, info in sorted(items.items()):
        decisions = {"claim": exist[item]}
        decisions.update({fld: d[item] for fld, d in per_field.items() if item in d})
        if item in speakers:
            decisions["speaker"] = speakers[item]
        result.decisions[item] = decisions
        base = {
            "project": "claims",
            "item_id": item,
            "task_key": info["task"],
            "article_id": info["article_id"],
            "char_start": info["start"],
            "char_end": info["end"],
            "text": info["text"],
            "context": info["context"],
            "n_annotators": len(info["annotators"]),
        }
        d = exist[item]
        if d.label is None:
            result.unresolved.append({**base, "field": "claim", "reason": "tie", "votes": d.votes})
            continue
        if d.label == NO:
            result.counts["claim_spans_rejected"] += 1
            continue
        problems = [
            (fld, "tie" if fld in decisions else "no_votes")
            for fld in ("claim_type", "checkworthy", "speaker")
            if (fld not in decisions and fld == "claim_type")
            or (fld in decisions and decisions[fld].label is None)
        ]
        if problems:
            fld, reason = problems[0]
            votes = decisions[fld].votes if fld in decisions else {}
            result.unresolved.append(
                {
                    **base,
                    "field": fld,
                    "reason": reason,
                    "votes": votes,
                    "fields": [p[0] for p in problems],
                }
            )
            continue
        ct = decisions["claim_type"]
        cw = decisions.get("checkworthy")
        sp = decisions.get("speaker")
        marked = set(info["members"])
        agreeing = sum(
            1 for who in info["annotators"] if who in marked and ct.votes.get(who) == ct.label
        )
        result.labels_claims.append(
            {
                "item_id": item,
                "article_id": info["article_id"],
                "char_start": info["start"],
                "char_end": info["end"],
                "text": info["text"],
                "speaker": speaker_text[item].get(sp.label)
                if sp is not None and sp.label is not None
                else None,
                "speaker_name": _majority_name(names_of[item].get(sp.label, {}))
                if sp is not None and sp.label is not None
                else None,
                "claim_type": ct.label,
                "checkworthy": cw.label if cw is not None else None,
                "method": cfg.method,
                "confidence": round(min(d.confidence, ct.confidence), 6),
                "n_annotators": len(info["annotators"]),
                "agreement": round(agreeing / len(info["annotators"]), 6),
                "reviewer": None,
            }
        )


def _majority_name(names: Mapping[str, str]) -> str | None:
    """The name most annotators kept (whitespace-normalised); None when none or a tie."""
    counts = Counter(" ".join(n.split()) for n in names.values())
    ranked = counts.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


_TOKEN = re.compile(r"\S+")


def claim_token_votes(
    task: str, text: str, offset: int, annotators: Sequence[str], spans: Sequence[Span]
) -> dict[str, dict[str, str]]:
    """Claim presence per word token of a claims task: does each annotator's CLAIM cover it?

    Span clusters exist only where somebody marked a claim, so agreement on "is this a claim"
    measured over clusters has no (no, no) units and its alpha is structurally <= 0. Word
    tokens of the whole paragraph are the units instead (a common discretisation of
    Krippendorff's unitizing alpha); span-level agreement is reported separately as span F1.
    """
    by_annotator: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for sp in spans:
        by_annotator[sp.annotator].append((sp.start - offset, sp.end - offset))
    votes: dict[str, dict[str, str]] = {}
    for n, m in enumerate(_TOKEN.finditer(text)):
        votes[f"{task}#w{n:04d}"] = {
            who: YES if any(a < m.end() and m.start() < b for a, b in by_annotator[who]) else NO
            for who in annotators
        }
    return votes
