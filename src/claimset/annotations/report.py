"""``reports/agreement.md``: the agreement figures as readable tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _f(x: Any, nd: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def render_agreement_md(agreement: Mapping[str, Any]) -> str:
    """Render the agreement JSON (see docs/aggregation.md) as Markdown."""
    out = ["# Annotation agreement", ""]
    c = agreement["counts"]
    out += [
        "## Annotations",
        "",
        f"- answers in exports: {c.get('annotations_total', 0)} "
        f"(accepted {c.get('accepted', 0)}, cancelled {c.get('quarantined_cancelled', 0)}, "
        f"skipped {c.get('quarantined_skipped', 0)}, duplicates {c.get('quarantined_duplicate', 0)}, "
        f"not fitting the label config {c.get('quarantined_label_config_mismatch', 0)}, "
        f"for tasks not in data/tasks/ {c.get('quarantined_task_not_in_tasks', 0)}); "
        f"drafts excluded: {c.get('drafts', 0)}",
        f"- gold labels: stance {c.get('labels_stance', 0)}, claims {c.get('labels_claims', 0)}; "
        f"unresolved: {c.get('unresolved', 0)}; reviews applied: {c.get('reviews_applied', 0)}",
        "",
        "## Krippendorff's alpha (nominal)",
        "",
        "| field | items (>=2 annotators) | annotators | alpha | CI | mean pairwise kappa |",
        "|---|---|---|---|---|---|",
    ]
    for fld, fa in agreement["fields"].items():
        lo, hi = fa["alpha_ci"]
        ci = (
            f"[{_f(lo)}, {_f(hi)}] ({int(fa['alpha_ci_level'] * 100)}%)"
            if lo is not None
            else "n/a"
        )
        out.append(
            f"| {fld} | {fa['n_items_multi']} | {fa['n_annotators']} | {_f(fa['alpha'])} | {ci} "
            f"| {_f(fa.get('kappa_mean'))} |"
        )
    out += [
        "",
        "### Alpha per label (one label vs the rest)",
        "",
        "| field | label | alpha |",
        "|---|---|---|",
    ]
    for fld, fa in agreement["fields"].items():
        for label, a in fa.get("per_label", {}).items():
            out.append(f"| {fld} | {label} | {_f(a)} |")
    out += [
        "",
        "### Pairwise Cohen's kappa",
        "",
        "| field | annotators | shared items | kappa |",
        "|---|---|---|---|",
    ]
    for fld, fa in agreement["fields"].items():
        for pair, k in fa["kappa"].items():
            out.append(
                f"| {fld} | {pair.replace('|', ' / ')} | {k['n_items']} | {_f(k['kappa'])} |"
            )
    out += [
        "",
        "## Span F1 between annotators",
        "",
        "| span | annotators | tasks | exact F1 | overlap F1 |",
        "|---|---|---|---|---|",
    ]
    for label, sf in agreement["span_f1"].items():
        for pair, p in sf["pairs"].items():
            out.append(
                f"| {label} | {pair.replace('|', ' / ')} | {p['tasks']} | {_f(p['exact_f1'])} "
                f"| {_f(p['overlap_f1'])} |"
            )
    out += [
        "",
        "## Annotators",
        "",
        "| annotator | tasks | items | agreement with consensus | median lead time (s) |",
        "|---|---|---|---|---|",
    ]
    for who, a in agreement["annotators"].items():
        out.append(
            f"| {who} | {a['tasks']} | {a['items']} | {_f(a['agreement_with_consensus'])} "
            f"| {_f(a['median_lead_time'], 1)} |"
        )
    out += ["", "## Labels", ""]
    for name in ("stance", "claims"):
        d = agreement["labels"][name]
        dist = ", ".join(f"{k}: {v}" for k, v in d["by_label"].items()) or "none"
        meth = ", ".join(f"{k}: {v}" for k, v in d["by_method"].items()) or "none"
        out.append(f"- {name}: {d['n']} ({dist}; by method {meth})")
    reasons = (
        ", ".join(f"{k}: {v}" for k, v in agreement["labels"]["unresolved_by_reason"].items())
        or "none"
    )
    out += [f"- unresolved by reason: {reasons}", ""]
    return "\n".join(out)
