"""``claimset evaluate``: score prediction files against a release split or an FNC-1 gold CSV.

What is scored depends on the config (docs/evaluation.md):

* ``claim_detection`` (labels keyed by ``sentence_id``): F1 of the ``claim`` class as
  CheckThat! reports it, its precision and recall, accuracy and macro-F1;
* ``claims`` (spans keyed by ``article_id``): exact and overlap span P/R/F1; with
  ``--field claim_type|checkworthy``, label scoring keyed by ``claim_id``;
* ``attribution`` (spans with speaker spans): end-to-end P/R/F1 of the PolNeAR measure,
  against the release's ``claims`` (content span + speaker span);
* ``stance`` (labels keyed by ``item_id``): accuracy, macro-F1 and the FNC-1 score.

Every figure carries a bootstrap interval; macro-F1 names the classes it averaged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from claimset.errors import ClaimsetError
from claimset.evaluate import CONFIGS
from claimset.evaluate.bootstrap import all_metrics, bootstrap_ci, headline_metrics, paired_test
from claimset.evaluate.config import EvaluateConfig
from claimset.evaluate.inputs import Gold, read_fnc_gold, read_predictions, read_release_gold
from claimset.evaluate.metrics import classification_report, encode
from claimset.io import write_json, write_text
from claimset.labels import STANCE_TO_FNC1
from claimset.stage import StageReport

# config -> default label field (None: span scoring); positive class per label field.
DEFAULT_FIELD: dict[str, str | None] = {
    "claim_detection": "label",
    "claims": None,
    "attribution": None,
    "stance": "label",
}
POSITIVE: dict[str, str] = {"label@claim_detection": "claim", "checkworthy": "yes"}
assert tuple(DEFAULT_FIELD) == CONFIGS


@dataclass(frozen=True)
class GoldSpec:
    """Where gold labels come from: a release split or an FNC-1 CSV."""

    release: str | None = None
    config: str = "stance"
    split: str = "test"
    field: str | None = None
    gold_csv: str | None = None

    @property
    def label_field(self) -> str | None:
        """The label field scored, or None for span / attribution scoring."""
        if self.gold_csv:
            return "Stance"
        return self.field or DEFAULT_FIELD.get(self.config)

    def check(self) -> None:
        """Reject impossible combinations with a message that says what to give."""
        if self.gold_csv:
            return
        if not self.release:
            raise ClaimsetError("give --release DIR (with --config/--split) or --gold-csv FILE")
        if self.config not in DEFAULT_FIELD:
            raise ClaimsetError(f"unknown config {self.config!r}; use one of {', '.join(CONFIGS)}")
        if self.config == "attribution" and self.field:
            raise ClaimsetError("--field does not apply to --config attribution (spans)")

    def positive(self) -> str | None:
        """The positive class of a binary task (claim detection, check-worthiness)."""
        field = self.label_field
        if field is None or self.gold_csv:
            return None
        return POSITIVE.get(f"{field}@{self.config}") or POSITIVE.get(field)

    def load(self) -> tuple[Gold, Mapping[str, str] | None, dict[str, Any]]:
        """(gold, label -> FNC-1 mapping or None, description)."""
        self.check()
        if self.gold_csv:
            gold = read_fnc_gold(self.gold_csv)
            return gold, None, {"gold_csv": self.gold_csv, "format": "fnc-1", "n": len(gold.ids)}
        assert self.release is not None
        field = self.label_field
        assert field is not None
        gold = read_release_gold(self.release, self.config, self.split, field)
        to_fnc = STANCE_TO_FNC1 if (self.config, field) == ("stance", "label") else None
        desc = {
            "release": self.release,
            "config": self.config,
            "split": self.split,
            "field": field,
            "n": len(gold.ids),
        }
        return gold, to_fnc, desc


def score_system(
    gold: Gold,
    pred: Mapping[str, str],
    to_fnc: Mapping[str, str] | None,
    cfg: EvaluateConfig,
    positive: str | None = None,
) -> dict[str, Any]:
    """Point metrics plus bootstrap intervals (every figure) for one aligned prediction set."""
    g_labels = list(gold.labels)
    p_labels = [pred[i] for i in gold.ids]
    out = classification_report(g_labels, p_labels, gold.label_set, to_fnc, positive)
    k = len(gold.label_set)
    out["ci"] = bootstrap_ci(
        encode(g_labels, gold.label_set),
        encode(p_labels, gold.label_set),
        k,
        all_metrics(gold.label_set, to_fnc, positive),
        samples=cfg.bootstrap_samples,
        confidence=cfg.confidence,
        seed=cfg.seed,
    )
    out["ci_confidence"] = cfg.confidence
    out["bootstrap_samples"] = cfg.bootstrap_samples
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.2f}"


def _ci(entry: Mapping[str, Any], name: str, scale: float = 100.0) -> str:
    ci = entry.get("ci", {}).get(name)
    return f" [{scale * ci['low']:.2f}, {scale * ci['high']:.2f}]" if ci else ""


def render_markdown(result: Mapping[str, Any]) -> str:
    """Markdown tables: summary per system, per-class scores, confusion matrices, comparison."""
    lines = []
    gold = result["gold"]
    where = (
        gold.get("gold_csv")
        or f"{gold.get('release')} ({gold.get('config')}/{gold.get('split')}, field {gold.get('field')})"
    )
    conf = next((s.get("ci_confidence") for s in result["systems"].values()), 0.95)
    lines += [f"Gold: {where}, n = {gold['n']}. Intervals: {round(conf * 100)}% bootstrap.", ""]
    has_fnc = any("fnc" in s for s in result["systems"].values())
    positive = next(
        (s["positive"]["label"] for s in result["systems"].values() if "positive" in s), None
    )
    head = (
        ["system", "n"]
        + (
            [f"F1 ({positive})", f"precision ({positive})", f"recall ({positive})"]
            if positive
            else []
        )
        + ["accuracy", "macro-F1", "macro-F1 classes"]
        + (["FNC-1 relative", "FNC-1 score / max / null"] if has_fnc else [])
    )
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, s in result["systems"].items():
        row = [f"`{name}`", str(s["n"])]
        if positive:
            row += [
                _pct(s["positive"][part]) + _ci(s, f"positive_{part}")
                for part in ("f1", "precision", "recall")
            ]
        row += [
            _pct(s["accuracy"]) + _ci(s, "accuracy"),
            _pct(s["macro_f1"]) + _ci(s, "macro_f1"),
            ", ".join(s["macro_f1_classes"]),
        ]
        if has_fnc and "fnc" in s:
            f = s["fnc"]
            row += [
                f"{f['relative']:.2f}" + _ci(s, "fnc_relative", 1.0),
                f"{f['score']:.2f} / {f['max']:.2f} / {f['null']:.2f}",
            ]
        lines.append("| " + " | ".join(row) + " |")
    for name, s in result["systems"].items():
        labels = s["labels"]
        lines += [
            "",
            f"Per class, `{name}`:",
            "",
            "| label | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label in labels:
            pc = s["per_class"][label]
            lines.append(
                f"| {label} | {_pct(pc['precision'])}{_ci(s, f'precision[{label}]')} "
                f"| {_pct(pc['recall'])}{_ci(s, f'recall[{label}]')} "
                f"| {_pct(pc['f1'])}{_ci(s, f'f1[{label}]')} | {pc['support']} |"
            )
        lines += [
            "",
            f"Confusion matrix, `{name}` (rows gold, columns predicted):",
            "",
            "| gold \\ pred | " + " | ".join(labels) + " |",
            "|---|" + "---|" * len(labels),
        ]
        for label, row in zip(labels, s["confusion"]["rows_gold_cols_pred"], strict=True):
            lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
    cmp_ = result.get("comparison")
    if cmp_:
        lines += [
            "",
            f"Comparison `{cmp_['a']}` vs `{cmp_['b']}` ({cmp_['method']}, {cmp_['samples']} samples):",
            "",
            "| metric | A | B | A - B | p-value |",
            "|---|---|---|---|---|",
        ]
        for metric, v in cmp_["metrics"].items():
            scale = 1.0 if metric == "fnc_relative" else 100.0
            lines.append(
                f"| {metric} | {scale * v['a']:.2f} | {scale * v['b']:.2f} | {scale * v['difference']:+.2f} | {v['p_value']:.4f} |"
            )
    return "\n".join(lines) + "\n"


def _round(obj: Any) -> Any:
    # Six decimals keep the JSON stable across platforms' last-bit float differences.
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def evaluate_predictions(
    predictions: Sequence[str | os.PathLike[str]],
    gold_spec: GoldSpec,
    cfg: EvaluateConfig,
    *,
    compare: tuple[str, str] | None = None,
    json_out: str | os.PathLike[str] | None = None,
    markdown_out: str | os.PathLike[str] | None = None,
) -> tuple[StageReport, str]:
    """Score each prediction file (and the ``compare`` pair) against the gold; write JSON/markdown.

    Returns the stage report and the markdown text.
    """
    report = StageReport("evaluate")
    files = [str(p) for p in predictions]
    if compare:
        files += [f for f in compare if f not in files]
    if not files:
        raise ClaimsetError("nothing to score: give prediction files and/or --compare A B")
    gold_spec.check()
    if gold_spec.label_field is None:
        if compare:
            raise ClaimsetError("--compare applies to label scoring, not to spans or attribution")
        return _evaluate_spans(files, gold_spec, cfg, report, json_out, markdown_out)
    gold, to_fnc, desc = gold_spec.load()
    aligned = {f: read_predictions(f, gold) for f in files}
    positive = gold_spec.positive()
    result: dict[str, Any] = {
        "gold": desc,
        "systems": {f: score_system(gold, aligned[f], to_fnc, cfg, positive) for f in files},
    }
    if compare:
        a, b = compare
        k = len(gold.label_set)
        g = encode(list(gold.labels), gold.label_set)
        pa = encode([aligned[a][i] for i in gold.ids], gold.label_set)
        pb = encode([aligned[b][i] for i in gold.ids], gold.label_set)
        result["comparison"] = {
            "a": a,
            "b": b,
            "method": cfg.compare_method,
            "samples": cfg.compare_samples,
            "seed": cfg.seed,
            "identical_predictions": bool(np.array_equal(pa, pb)),
            "metrics": paired_test(
                g,
                pa,
                pb,
                k,
                headline_metrics(gold.label_set, to_fnc, positive),
                method=cfg.compare_method,
                samples=cfg.compare_samples,
                seed=cfg.seed,
            ),
        }
    result = _round(result)
    markdown = render_markdown(result)
    if json_out:
        write_json(json_out, result)
    if markdown_out:
        write_text(markdown_out, markdown)
    report.records_in = len(files) * len(gold.ids)
    report.records_out = len(files)
    first = result["systems"][files[0]]
    if "positive" in first:
        report.extra[f"f1_{first['positive']['label']}"] = round(first["positive"]["f1"], 4)
    report.extra["macro_f1"] = round(first["macro_f1"], 4)
    if "fnc" in first:
        report.extra["fnc_relative"] = round(first["fnc"]["relative"], 2)
    if json_out:
        report.extra["json"] = str(Path(json_out))
    return report, markdown


SPAN_FIGURES = (
    ("exact", "exact"),
    ("overlap", "overlap"),
    ("e2e", "attribution end to end"),
)


def _evaluate_spans(
    files: Sequence[str],
    spec: GoldSpec,
    cfg: EvaluateConfig,
    report: StageReport,
    json_out: str | os.PathLike[str] | None,
    markdown_out: str | os.PathLike[str] | None,
) -> tuple[StageReport, str]:
    from claimset.evaluate.predictions import read_span_predictions
    from claimset.evaluate.release import article_texts, read_split
    from claimset.evaluate.spans import score_spans, split_articles

    assert spec.release is not None
    with_speaker = spec.config == "attribution"
    span_cols = ("article_id", "char_start", "char_end")
    claims = read_split(
        spec.release,
        "claims",
        spec.split,
        required=span_cols + (("speaker_start", "speaker_end") if with_speaker else ()),
    )
    assert claims is not None
    if not with_speaker:
        # Span scoring needs no speaker columns (a release from before the contract has none).
        claims = claims.with_columns(
            [
                pl.lit(None, dtype=pl.Int64).alias(c)
                for c in ("speaker_start", "speaker_end")
                if c not in claims.columns
            ]
        )
    frames = {
        c: read_split(spec.release, c, spec.split, missing_ok=True, required=("article_id",))
        for c in ("articles", "claim_detection", "attribution")
    }
    frames["claims"] = claims
    articles = split_articles(frames)
    texts = article_texts(spec.release)
    lengths = {a: (len(texts[a]) if a in texts else None) for a in articles}
    desc = {
        "release": spec.release,
        "config": spec.config,
        "split": spec.split,
        "gold": f"claims/{spec.split}.parquet (content span"
        + (" + speaker span)" if with_speaker else ")"),
        "articles": len(articles),
        "gold_spans": claims.height,
        "offsets_checked_against_text": bool(texts),
    }
    systems = {}
    for f in files:
        pred = read_span_predictions(f, lengths, with_speaker=with_speaker)
        systems[f] = score_spans(pred, claims, articles, cfg, with_speaker=with_speaker)
    result = _round({"gold": desc, "systems": systems})
    markdown = render_span_markdown(result, with_speaker)
    if json_out:
        write_json(json_out, result)
    if markdown_out:
        write_text(markdown_out, markdown)
    report.records_in = sum(s["n_pred"] for s in result["systems"].values())
    report.records_out = len(files)
    first = result["systems"][files[0]]
    key = "e2e_f1" if with_speaker else "overlap_f1"
    report.extra[key] = round(first[key], 4)
    report.extra["exact_f1"] = round(first["exact_f1"], 4)
    if json_out:
        report.extra["json"] = str(Path(json_out))
    return report, markdown


def render_span_markdown(result: Mapping[str, Any], with_speaker: bool) -> str:
    """One table per system: exact, overlap (and end-to-end) P/R/F1 with intervals."""
    gold = result["gold"]
    conf = next((s.get("ci_confidence") for s in result["systems"].values()), 0.95)
    lines = [
        f"Gold: {gold['release']} ({gold['gold']}, split {gold['split']}), "
        f"{gold['gold_spans']} gold spans in {gold['articles']} articles. "
        f"Intervals: {round(conf * 100)}% bootstrap over articles.",
        "",
    ]
    figures = [f for f in SPAN_FIGURES if with_speaker or f[0] != "e2e"]
    for name, s in result["systems"].items():
        lines += [
            f"`{name}`: {s['n_pred']} predicted spans"
            + (
                f", source accuracy {_pct(s['source_accuracy'])}{_ci(s, 'source_accuracy')}"
                if with_speaker
                else ""
            ),
            "",
            "| match | precision | recall | F1 |",
            "|---|---|---|---|",
        ]
        for key, label in figures:
            lines.append(
                f"| {label} | "
                + " | ".join(
                    _pct(s[f"{key}_{part}"]) + _ci(s, f"{key}_{part}")
                    for part in ("precision", "recall", "f1")
                )
                + " |"
            )
        lines.append("")
    return "\n".join(lines)
