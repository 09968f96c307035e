"""The dataset card (README.md): YAML metadata plus prose whose every number comes from the data.

:func:`collect_facts` measures the release tables; :func:`render_card` turns the facts into
markdown. Nothing here reads the clock, so the card is byte-identical across runs.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from claimset.labels import LABEL_FIELDS, SPLITS, STANCE_TO_FNC1, STANCE_TO_SEMEVAL2016
from claimset.release_config import DatasetConfig

LABEL_DEFINITIONS: Mapping[str, Mapping[str, str]] = {
    "label": {
        "favor": "the text supports the target proposition, argues for it, or reports someone who does",
        "against": "the text opposes the target proposition, argues against it, or reports someone who does",
        "neutral": "the text is about the target's issue but takes no side (facts, procedure, undecided speakers, both sides)",
        "unrelated": "the text is not about the target's issue at all, even if it shares a keyword",
    },
    "claim_type": {
        "factual": "a checkable statement about the present or past",
        "prediction": "a statement about what will or could happen",
        "opinion": "a judgement, evaluation or recommendation",
        "warning": "a prediction of harm, usually conditional, meant to deter",
    },
    "checkworthy": {
        "yes": "a fact-checker would want to verify it: a checkable, consequential assertion",
        "no": "not worth checking: trivial, unverifiable, or pure opinion",
    },
}

PIPELINE = (
    (
        "ingest",
        "raw articles (txt, JSONL, CSV, HTML) -> one normalised articles table; rejects quarantined with a reason",
    ),
    ("segment", "paragraphs and sentences with exact character offsets"),
    (
        "candidates",
        "claim candidates (span, speaker, cue, type, check-worthiness prior) and stance pairs, each with a pre-annotation",
    ),
    ("tasks", "Label Studio task files with pre-annotations"),
    (
        "annotation",
        "human annotation rounds in a Label Studio server; export snapshots versioned by DVC",
    ),
    (
        "aggregate",
        "one gold label per item (majority vote / Dawid-Skene, adjudication), Krippendorff's alpha",
    ),
    (
        "validate",
        "Great Expectations suites over every table; a failed critical expectation stops the pipeline",
    ),
    (
        "split",
        "grouped, stratified, deterministic train/validation/test with an independent leakage check",
    ),
    ("publish", "this release: parquet per config and split, card, checksums"),
)

VERSIONED_PACKAGES = (
    "claimset",
    "datasets",
    "pyarrow",
    "polars",
    "scikit-learn",
    "polars-hash",
    "dvc",
    "label-studio-sdk",
    "great-expectations",
    "krippendorff",
    "crowd-kit",
)


@dataclass
class ConfigFacts:
    """Measured facts about one config of the release."""

    name: str
    rows: dict[str, int]
    num_bytes: dict[str, int]
    file_bytes: dict[str, int]
    articles: dict[str, int]
    label_counts: dict[str, dict[str, dict[str, int]]]
    """label field -> split -> label value -> rows"""
    examples: dict[str, dict[str, list[str]]]
    """label field -> label value -> example texts"""
    synthetic_rows: int
    methods: dict[str, int]
    mean_annotators: float
    mean_agreement: float
    shared_articles: int
    features_yaml: list[dict[str, Any]]

    @property
    def total(self) -> int:
        """Rows over all splits."""
        return sum(self.rows.values())


@dataclass
class ReleaseFacts:
    """Everything the card states, measured from the release and the reports."""

    configs: dict[str, ConfigFacts]
    agreement: list[AgreementFigure] = field(default_factory=list)
    agreement_keys: list[str] = field(default_factory=list)
    leakage: dict[str, Any] = field(default_factory=dict)
    split_params: dict[str, Any] = field(default_factory=dict)
    validation: str | None = None
    shared_articles: int = 0
    """articles whose rows (over all configs) sit in more than one split, measured on the files"""
    shared_targets: int = 0
    """stance targets that occur in more than one split (by design: in-target evaluation)"""
    input_sha256: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def package_versions(names: Sequence[str] = VERSIONED_PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that built the release (from the lock file)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass(frozen=True)
class AgreementFigure:
    """One Krippendorff's alpha figure quoted in the card."""

    field: str
    alpha: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    n_items: int | None = None
    n_annotators: int | None = None


def _num(value: Any) -> float | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(float(value))
    ):
        return None
    return round(float(value), 4)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_agreement(path: str | os.PathLike[str] | None) -> tuple[list[AgreementFigure], list[str]]:
    """Krippendorff's alpha figures from the aggregation report, read defensively.

    Keys read, in the aggregation stage's layout (``claimset.annotations``):
    ``fields.<field>.alpha``, ``fields.<field>.alpha_ci`` ([low, high]),
    ``fields.<field>.alpha_ci_level``, ``fields.<field>.n_items_multi``,
    ``fields.<field>.n_annotators`` and ``fields.<field>.per_label.<label>`` (one-vs-rest alpha,
    quoted as ``<field>=<label>``). Any other layout falls back to every finite number whose
    key is ``alpha``, ``krippendorff_alpha`` or ends in ``_alpha``, labelled by its path.
    Returns the figures and the JSON key paths read; a missing or unreadable file gives
    empty lists.
    """
    if path is None or not Path(path).is_file():
        return [], []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return [], []
    found: list[AgreementFigure] = []
    keys: list[str] = []
    fields = data.get("fields") if isinstance(data, dict) else None
    if isinstance(fields, Mapping) and any(
        isinstance(v, Mapping) and "alpha" in v for v in fields.values()
    ):
        for name in sorted(fields, key=str):
            fa = fields[name]
            if not isinstance(fa, Mapping) or "alpha" not in fa:
                continue
            ci = fa.get("alpha_ci")
            lo, hi = (
                (_num(ci[0]), _num(ci[1]))
                if isinstance(ci, list) and len(ci) == 2
                else (None, None)
            )
            found.append(
                AgreementFigure(
                    str(name),
                    _num(fa.get("alpha")),
                    lo,
                    hi,
                    _num(fa.get("alpha_ci_level")),
                    _int(fa.get("n_items_multi")),
                    _int(fa.get("n_annotators")),
                )
            )
            keys += [
                f"fields.{name}.{k}"
                for k in ("alpha", "alpha_ci", "alpha_ci_level", "n_items_multi", "n_annotators")
                if k in fa
            ]
            per_label = fa.get("per_label")
            if isinstance(per_label, Mapping):
                for label in sorted(per_label, key=str):
                    found.append(AgreementFigure(f"{name}={label}", _num(per_label[label])))
                    keys.append(f"fields.{name}.per_label.{label}")
        return found, keys

    def walk(node: Any, trail: tuple[str, ...]) -> None:
        if isinstance(node, Mapping):
            for k in sorted(node, key=str):
                walk(node[k], (*trail, str(k)))
            return
        last = trail[-1].lower() if trail else ""
        value = _num(node)
        if value is not None and (
            last in ("alpha", "krippendorff_alpha") or last.endswith("_alpha")
        ):
            found.append(AgreementFigure("/".join(trail[:-1]) or "overall", value))
            keys.append(".".join(trail))

    walk(data, ())
    return found, keys


def _read_json(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    if path is None or not Path(path).is_file():
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def leakage_from_report(
    path: str | os.PathLike[str] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(leakage figures, split params) from reports/splits.json; empty when absent."""
    data = _read_json(path)
    leak = data.get("leakage") if isinstance(data.get("leakage"), dict) else {}
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    keep = {
        k: v
        for k, v in (leak or {}).items()
        if not k.endswith("_examples") and k != "near_duplicate_examples"
    }
    return keep, params or {}


def validation_status(path: str | os.PathLike[str] | None) -> str | None:
    """Gate status from reports/validation.json, or None when absent.

    Keys read: ``success`` (or ``passed``) boolean, and when present ``n_checks`` and the
    ``warnings`` list (counted).
    """
    data = _read_json(path)
    ok = next((data[k] for k in ("success", "passed") if isinstance(data.get(k), bool)), None)
    if ok is None:
        return None
    text = "passed" if ok else "failed"
    details = []
    if isinstance(data.get("n_checks"), int):
        details.append(f"{data['n_checks']} checks")
    if isinstance(data.get("warnings"), list):
        details.append(f"{len(data['warnings'])} warnings")
    return text + (f" ({', '.join(details)})" if details else "")


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    # Quoted inside markdown table cells: a bare pipe would split the cell.
    return text.replace("|", "\\|")


def collect_config_facts(
    config: str,
    frames: Mapping[str, pl.DataFrame],
    num_bytes: Mapping[str, int],
    file_bytes: Mapping[str, int],
    features_yaml: list[dict[str, Any]],
    examples_per_label: int,
    example_max_chars: int,
) -> ConfigFacts:
    """Measure one config from its per-split tables (string labels, before ClassLabel encoding)."""
    fields = LABEL_FIELDS[config]
    allrows = pl.concat([frames[s] for s in SPLITS], how="vertical_relaxed")
    label_counts: dict[str, dict[str, dict[str, int]]] = {}
    examples: dict[str, dict[str, list[str]]] = {}
    for col, allowed in fields.items():
        label_counts[col] = {}
        for s in SPLITS:
            vc = dict(frames[s].group_by(col).len().iter_rows())
            label_counts[col][s] = {v: int(vc.get(v, 0)) for v in allowed}
        # Examples come from train so the card never quotes test items.
        train = frames["train"].sort("item_id")
        examples[col] = {}
        for v in allowed:
            rows = train.filter(pl.col(col) == v).head(examples_per_label)
            # A stance label only means something relative to its target: quote both.
            targets = rows["target"].to_list() if "target" in rows.columns else [None] * rows.height
            examples[col][v] = [
                f"“{_clip(t, example_max_chars)}”"
                + (f" (target: “{_clip(tg, example_max_chars)}”)" if tg else "")
                for t, tg in zip(rows["text"].to_list(), targets, strict=True)
            ]
    art_split = allrows.select("article_id", "split").unique() if allrows.height else allrows
    shared = int((art_split.group_by("article_id").len()["len"] > 1).sum()) if allrows.height else 0
    methods = (
        dict(sorted((str(k), int(v)) for k, v in allrows.group_by("method").len().iter_rows()))
        if "method" in allrows.columns and allrows.height
        else {}
    )

    def mean(c: str) -> float:
        if c in allrows.columns and allrows.height and allrows[c].null_count() < allrows.height:
            return round(float(allrows[c].mean()), 3)  # type: ignore[arg-type]
        return float("nan")

    return ConfigFacts(
        name=config,
        rows={s: frames[s].height for s in SPLITS},
        num_bytes=dict(num_bytes),
        file_bytes=dict(file_bytes),
        articles={s: frames[s]["article_id"].n_unique() if frames[s].height else 0 for s in SPLITS},
        label_counts=label_counts,
        examples=examples,
        synthetic_rows=int(allrows["synthetic"].fill_null(False).sum())
        if "synthetic" in allrows.columns and allrows.height
        else 0,
        methods=methods,
        mean_annotators=mean("n_annotators"),
        mean_agreement=mean("agreement"),
        shared_articles=shared,
        features_yaml=features_yaml,
    )


def size_category(n: int) -> str:
    """Hugging Face size_categories bucket for ``n`` rows."""
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "1M<n<10M"


def card_metadata(ds: DatasetConfig, facts: ReleaseFacts) -> dict[str, Any]:
    """The YAML header of the card (configs, dataset_info, licence, ...)."""
    total = sum(c.total for c in facts.configs.values())
    meta: dict[str, Any] = {
        "pretty_name": ds.pretty_name,
        "license": ds.license,
        "language": list(ds.language),
        "task_categories": list(ds.task_categories),
        "task_ids": list(ds.task_ids),
        "tags": list(ds.tags),
        "size_categories": [size_category(total)],
        # Empty splits have no file (datasets cannot read zero-row parquet) and are not listed;
        # a config without any row is left out of the metadata altogether.
        "configs": [
            {
                "config_name": name,
                **({"default": True} if name == "stance" else {}),
                "data_files": [
                    {"split": s, "path": f"{name}/{s}.parquet"} for s in SPLITS if c.rows[s]
                ],
            }
            for name, c in sorted(facts.configs.items())
            if c.total
        ],
        "dataset_info": [
            {
                "config_name": name,
                "features": c.features_yaml,
                "splits": [
                    {"name": s, "num_bytes": c.num_bytes[s], "num_examples": c.rows[s]}
                    for s in SPLITS
                    if c.rows[s]
                ],
                "download_size": sum(c.file_bytes.values()),
                "dataset_size": sum(c.num_bytes.values()),
            }
            for name, c in sorted(facts.configs.items())
            if c.total
        ],
    }
    return meta


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def split_table(c: ConfigFacts, col: str) -> str:
    """Markdown table: split, rows, articles and one column per label value of ``col``."""
    allowed = list(LABEL_FIELDS[c.name][col])
    rows = [
        [s, c.rows[s], c.articles[s], *[c.label_counts[col][s][v] for v in allowed]] for s in SPLITS
    ]
    rows.append(
        [
            "total",
            c.total,
            sum(c.articles.values()),
            *[sum(c.label_counts[col][s][v] for s in SPLITS) for v in allowed],
        ]
    )
    return _table(["split", "rows", "articles", *allowed], rows)


def _fmt(x: float) -> str:
    return "n/a" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"


def render_card(ds: DatasetConfig, facts: ReleaseFacts) -> str:
    """The full README.md text."""
    meta = yaml.safe_dump(card_metadata(ds, facts), sort_keys=False, allow_unicode=True, width=1000)
    synthetic = sum(c.synthetic_rows for c in facts.configs.values())
    total = sum(c.total for c in facts.configs.values())
    out: list[str] = ["---", meta.rstrip(), "---", "", f"# {ds.pretty_name}", ""]
    out += [
        f"Version **{ds.version}** · licence `{ds.license}` · languages: {', '.join(ds.language)}",
        "",
    ]
    if synthetic:
        out += [
            "> **Synthetic-data notice.** "
            f"{synthetic} of {total} rows come from synthetic (fictional) articles written for this demo; "
            "the people, places and events in them do not exist. Do not use them as evidence about the real world, "
            "and do not report scores on them as results on real news. The `synthetic` column marks every such row.",
            "",
        ]
    out += ["## Summary", "", ds.summary, ""]
    out += [
        _table(
            ["config", "task", "train", "validation", "test", "total"],
            [
                [
                    name,
                    "stance towards a target (4 classes)"
                    if name == "stance"
                    else "claim type (4 classes) and check-worthiness (2 classes)",
                    c.rows["train"],
                    c.rows["validation"],
                    c.rows["test"],
                    c.total,
                ]
                for name, c in sorted(facts.configs.items())
            ],
        ),
        "",
    ]
    out += [
        "```python",
        "from datasets import load_dataset",
        "",
        f'stance = load_dataset("<path or hub id of {ds.name}>", "stance")',
        f'claims = load_dataset("<path or hub id of {ds.name}>", "claims")',
        "```",
        "",
    ]

    out += [
        "## How it was built",
        "",
        "The release is the output of a DVC pipeline; every stage is deterministic (seeded, sorted, no timestamps).",
        "",
    ]
    out += [f"{i}. **{name}**: {what}" for i, (name, what) in enumerate(PIPELINE, 1)]
    out += [
        "",
        "Software versions:",
        "",
        _table(["package", "version"], sorted(facts.versions.items())),
        "",
    ]
    if facts.input_sha256:
        out += [
            "Inputs (sha256 of the split tables this release was built from):",
            "",
            _table(["file", "sha256"], sorted(facts.input_sha256.items())),
            "",
        ]

    out += ["## Data fields", ""]
    for name, c in sorted(facts.configs.items()):
        out += [
            f"### `{name}`",
            "",
            _table(
                ["column", "type"],
                [
                    [f["name"], "ClassLabel" if isinstance(f["dtype"], dict) else f["dtype"]]
                    for f in c.features_yaml
                ],
            ),
            "",
        ]
    out += [
        "`item_id` is the key for `claimset evaluate` prediction files. In `claims`, `char_start`/`char_end` are code-point offsets into the source article text; `text` is the gold claim span.",
        "",
    ]

    out += ["## Label definitions", ""]
    for name, c in sorted(facts.configs.items()):
        for col, allowed in LABEL_FIELDS[name].items():
            out += [f"### `{name}.{col}`", ""]
            rows = []
            for i, v in enumerate(allowed):
                ex = c.examples[col][v]
                rows.append(
                    [
                        i,
                        v,
                        LABEL_DEFINITIONS[col][v],
                        " / ".join(ex) if ex else "(no train example)",
                    ]
                )
            out += [_table(["id", "label", "definition", "example (train)"], rows), ""]
    out += [
        "Mappings of the stance labels to other datasets (SemEval's NONE merges neutral and unrelated, so that mapping cannot be reversed):",
        "",
    ]
    out += [
        _table(
            ["claimset", "FNC-1", "SemEval-2016 Task 6"],
            [[k, STANCE_TO_FNC1[k], STANCE_TO_SEMEVAL2016[k]] for k in STANCE_TO_FNC1],
        ),
        "",
    ]
    out += [
        "For FNC-1, the stance target plays the role of the headline. `claimset evaluate` computes the FNC-1 score of stance predictions through this mapping.",
        "",
    ]

    out += ["## Annotation process and agreement", ""]
    out += [
        "Annotators labelled pre-annotated tasks in Label Studio following the guidelines in `configs/guidelines/` "
        "(claims: CLAIM and SPEAKER spans with a said_by relation, claim type, check-worthiness; stance: one of four labels per target and text). "
        "Gold labels are aggregated per item; disagreements go to an adjudication queue.",
        "",
    ]
    if ds.annotation_note:
        out += [ds.annotation_note, ""]
    rows = [
        [
            name,
            c.total,
            ", ".join(f"{m}: {n}" for m, n in c.methods.items()) or "n/a",
            _fmt(c.mean_annotators),
            _fmt(c.mean_agreement),
        ]
        for name, c in sorted(facts.configs.items())
    ]
    out += [
        _table(
            [
                "config",
                "items",
                "aggregation method (items)",
                "mean annotators per item",
                "mean share agreeing with gold",
            ],
            rows,
        ),
        "",
    ]
    if facts.agreement:
        out += [
            "Inter-annotator agreement (Krippendorff's alpha, from the aggregation report):",
            "",
        ]

        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.4f}"

        rows = []
        for a in facts.agreement:
            ci = (
                f"[{fmt(a.ci_low)}, {fmt(a.ci_high)}]"
                if a.ci_low is not None or a.ci_high is not None
                else ""
            )
            if ci and a.ci_level is not None:
                ci += f" ({round(a.ci_level * 100)}%)"
            rows.append(
                [
                    a.field,
                    fmt(a.alpha),
                    ci,
                    "" if a.n_items is None else a.n_items,
                    "" if a.n_annotators is None else a.n_annotators,
                ]
            )
        out += [
            _table(
                ["field", "alpha", "bootstrap CI", "items with 2+ annotators", "annotators"], rows
            ),
            "",
        ]
        out += [
            "`field=label` rows are one-vs-rest alpha for that label. Alpha is undefined (n/a) when fewer than two values or annotators were observed.",
            "",
        ]
    else:
        out += [
            "Inter-annotator agreement: no agreement report was available when this release was built.",
            "",
        ]

    out += ["## Splits and leakage guarantees", ""]
    for name, c in sorted(facts.configs.items()):
        for col in LABEL_FIELDS[name]:
            out += [f"`{name}` by `{col}`:", "", split_table(c, col), ""]
    sp = facts.split_params
    grouping = [
        "article",
        "near-duplicate cluster (ingest clusters plus a MinHash pass over article and row texts)",
    ]
    if sp.get("group_by_source"):
        grouping.append("source")
    if sp.get("date_window_days"):
        grouping.append(
            f"{sp['date_window_days']}-day publication window"
            + (" (temporal: older windows in train, newer in test)" if sp.get("temporal") else "")
        )
    out += [
        f"Rows are grouped by {', '.join(grouping)}; whole groups are assigned to splits by a deterministic search "
        "that matches the split ratios and the label distribution of every label field (see docs/release.md). "
        "An article's claims and its stance pairs are always in the same split.",
        "",
    ]
    if sp.get("ratios"):
        r = sp["ratios"]
        out += [
            f"Target ratios train/validation/test: {r.get('train')}/{r.get('validation')}/{r.get('test')}, seed {sp.get('seed')}.",
            "",
        ]
    checks: list[list[Any]] = [
        [
            "articles in more than one split, over both configs (measured on these files)",
            facts.shared_articles,
        ]
    ]
    for key in (
        "shared_clusters",
        "shared_groups",
        "shared_sources",
        "shared_date_windows",
        "near_duplicate_pairs_across_splits",
    ):
        if key in facts.leakage:
            checks.append([key.replace("_", " ") + " (split report)", facts.leakage[key]])
    out += [_table(["leakage check", "count"], checks), ""]
    mh = facts.leakage.get("minhash")
    if isinstance(mh, dict):
        out += [
            f"Near-duplicates: independent MinHash pass (word {mh.get('shingle_words')}-shingles, {mh.get('num_perm')} permutations, "
            f"estimated Jaccard ≥ {mh.get('threshold')} confirmed on the full signatures) over {mh.get('rows_compared')} row texts and {mh.get('articles_compared')} articles.",
            "",
        ]
    if facts.validation:
        out += [f"Validation gate (Great Expectations): {facts.validation}.", ""]
    if "stance" in facts.configs:
        out += [
            f"Stance targets are propositions, not articles: {facts.shared_targets} target(s) occur in more than one split, "
            "so scores measure in-target generalisation to unseen articles, not to unseen targets.",
            "",
        ]

    out += ["## Limitations and biases", ""]
    out += [
        f"- Small: {total} labelled rows in total; confidence intervals on any score are wide. `claimset evaluate` reports bootstrap 95% intervals: quote them.",
        "- Label imbalance: see the split tables above. The FNC-1 score rewards the majority class; report macro-F1 beside it.",
        "- Coverage: English-language news on a handful of topics and targets; stance targets were written by the project, not sampled from the public.",
        "- Annotation: few annotators per item; guideline choices (e.g. a sentence reporting a speaker carries the speaker's stance) shape the labels.",
        "- Pre-annotations were shown to annotators and may anchor their choices.",
    ]
    if synthetic:
        out += [
            "- Synthetic articles: written to exercise the pipeline; their language is cleaner and more formulaic than real reporting."
        ]
    out += [""]

    out += [
        "## Files and integrity",
        "",
        "`checksums.sha256` lists the sha256 of every file in this release (`sha256sum -c checksums.sha256`).",
        "",
    ]
    authors = " and ".join(ds.authors)
    out += [
        "## Citation",
        "",
        "```bibtex",
        f"@misc{{{ds.citation_key},",
        f"  title = {{{ds.pretty_name}}},",
        f"  author = {{{authors}}},",
        f"  year = {{{ds.year}}},",
        f"  version = {{{ds.version}}},",
    ]
    if ds.homepage:
        out += [f"  howpublished = {{\\url{{{ds.homepage}}}}},"]
    out += ["  note = {Built with claimset}", "}", "```", ""]
    return "\n".join(out)
