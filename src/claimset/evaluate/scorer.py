"""``claimset evaluate``: score prediction files against a release split or an FNC-1 gold CSV."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimset.errors import ClaimsetError
from claimset.evaluate.bootstrap import bootstrap_ci, metric_functions, paired_test
from claimset.evaluate.config import EvaluateConfig
from claimset.evaluate.inputs import Gold, read_fnc_gold, read_predictions, read_release_gold
from claimset.evaluate.metrics import classification_report, encode
from claimset.io import write_json, write_text
from claimset.labels import LABEL_FIELDS, STANCE_TO_FNC1
from claimset.stage import StageReport


@dataclass(frozen=True)
class GoldSpec:
    """Where gold labels come from: a release split or an FNC-1 CSV."""

    release: str | None = None
    config: str = "stance"
    split: str = "test"
    field: str | None = None
    gold_csv: str | None = None

    def load(self) -> tuple[Gold, Mapping[str, str] | None, dict[str, Any]]:
        """(gold, label -> FNC-1 mapping or None, description)."""
        if self.gold_csv:
            gold = read_fnc_gold(self.gold_csv)
            return gold, None, {"gold_csv": self.gold_csv, "format": "fnc-1", "n": len(gold.ids)}
        if not self.release:
            raise ClaimsetError("give --release DIR (with --config/--split) or --gold-csv FILE")
        if self.config not in LABEL_FIELDS:
            raise ClaimsetError(
                f"unknown config {self.config!r}; use one of {', '.join(LABEL_FIELDS)}"
            )
        field = self.field or next(iter(LABEL_FIELDS[self.config]))
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
    gold: Gold, pred: Mapping[str, str], to_fnc: Mapping[str, str] | None, cfg: EvaluateConfig
) -> dict[str, Any]:
    """Point metrics plus bootstrap intervals for one aligned prediction set."""
    g_labels = list(gold.labels)
    p_labels = [pred[i] for i in gold.ids]
    out = classification_report(g_labels, p_labels, gold.label_set, to_fnc)
    k = len(gold.label_set)
    out["ci"] = bootstrap_ci(
        encode(g_labels, gold.label_set),
        encode(p_labels, gold.label_set),
        k,
        metric_functions(gold.label_set, to_fnc),
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
    head = ["system", "n", "accuracy", "macro-F1"] + (
        ["FNC-1 relative", "FNC-1 score / max / null"] if has_fnc else []
    )
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, s in result["systems"].items():
        row = [
            f"`{name}`",
            str(s["n"]),
            _pct(s["accuracy"]) + _ci(s, "accuracy"),
            _pct(s["macro_f1"]) + _ci(s, "macro_f1"),
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
                f"| {label} | {_pct(pc['precision'])} | {_pct(pc['recall'])} | {_pct(pc['f1'])} | {pc['support']} |"
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
    gold, to_fnc, desc = gold_spec.load()
    aligned = {f: read_predictions(f, gold) for f in files}
    result: dict[str, Any] = {
        "gold": desc,
        "systems": {f: score_system(gold, aligned[f], to_fnc, cfg) for f in files},
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
                metric_functions(gold.label_set, to_fnc),
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
    report.extra["macro_f1"] = round(first["macro_f1"], 4)
    if "fnc" in first:
        report.extra["fnc_relative"] = round(first["fnc"]["relative"], 2)
    if json_out:
        report.extra["json"] = str(Path(json_out))
    return report, markdown
