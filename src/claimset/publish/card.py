"""The dataset card (README.md), rendered from ``templates/card.md.j2``.

:func:`collect_config_facts` measures each config from its released tables; the rest of the
facts come from the reports and params. The YAML header is a ``huggingface_hub``
``DatasetCardData``; the body is a Jinja2 template shipped as package data, so every
statement in it is a template branch over these facts, never a hard-coded sentence that the
data could contradict. Nothing here reads the clock, so the card is byte-identical across
runs.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from claimset.labels import SPLITS, STANCE_TO_FNC1, STANCE_TO_SEMEVAL2016
from claimset.publish.features import ATTRIBUTION_TAGS, RELEASE_LABELS
from claimset.release_config import DatasetConfig

TEMPLATE = Path(__file__).resolve().parent / "templates" / "card.md.j2"

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
    "mlcroissant",
    "huggingface-hub",
)

# Which label field of a config the card's split table counts (one table per field).
TABLE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "claim_detection": ("label", "checkworthy"),
    "claims": ("claim_type", "checkworthy"),
    "stance": ("label",),
}


@dataclass
class ConfigFacts:
    """Measured facts about one config of the release."""

    name: str
    rows: dict[str, int]
    num_bytes: dict[str, int]
    file_bytes: dict[str, int]
    articles: dict[str, int]
    label_counts: dict[str, dict[str, dict[str, int]]]
    """label field -> split -> label value -> rows (``-1`` codes counted as ``(none)``)"""
    examples: dict[str, dict[str, list[str]]]
    """label field -> label value -> example texts (from train)"""
    synthetic_rows: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    mean_annotators: float = float("nan")
    mean_agreement: float = float("nan")
    features_yaml: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def none_fields(self) -> list[str]:
        """Label fields with ``-1`` (no label) rows."""
        return [
            c for c, per in self.label_counts.items() if any("(none)" in v for v in per.values())
        ]

    @property
    def total(self) -> int:
        """Rows over all splits."""
        return sum(self.rows.values())

    @property
    def present_splits(self) -> list[str]:
        """Splits with at least one row (those have a file)."""
        return [s for s in SPLITS if self.rows[s]]


@dataclass
class ReleaseFacts:
    """Everything the card states, measured from the release and the reports."""

    configs: dict[str, ConfigFacts]
    agreement: list[AgreementFigure] = field(default_factory=list)
    agreement_keys: list[str] = field(default_factory=list)
    agreement_counts: dict[str, Any] = field(default_factory=dict)
    unresolved: dict[str, dict[str, int]] = field(default_factory=dict)
    """project -> reason -> items the aggregation could not settle"""
    leakage: dict[str, Any] = field(default_factory=dict)
    split_params: dict[str, Any] = field(default_factory=dict)
    split_report: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    shared_articles: int = 0
    """articles whose rows (over all configs) sit in more than one split, measured on the files"""
    targets: int = 0
    shared_targets: int = 0
    """stance targets that occur in more than one split"""
    test_only_targets: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    """one entry per source: source, articles, license"""
    empty_splits: list[dict[str, Any]] = field(default_factory=list)
    missing_labels: list[dict[str, Any]] = field(default_factory=list)
    purposes: dict[str, str] = field(default_factory=dict)
    purposes_long: dict[str, str] = field(default_factory=dict)
    column_docs: dict[str, dict[str, str]] = field(default_factory=dict)
    feature_types: dict[str, dict[str, str]] = field(default_factory=dict)
    label_definitions: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
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


def validation_status(
    path: str | os.PathLike[str] | None, severity: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Gate facts from reports/validation.json and the ``validate.severity`` overrides.

    Returns ``{}`` when the report is absent, else ``success``, ``n_checks``,
    ``critical_failures``, ``warnings`` (failed warning-level checks) and ``downgraded``: one
    entry per check that ``validate.severity`` set to ``warning``, with whether it passed.
    A downgraded check that failed is a failure the gate let through, and the card says so.
    """
    data = _read_json(path)
    ok = next((data[k] for k in ("success", "passed") if isinstance(data.get(k), bool)), None)
    if ok is None:
        return {}
    results: dict[str, bool | None] = {}
    tables = data.get("tables") if isinstance(data.get("tables"), dict) else {}
    for table, entry in sorted((tables or {}).items()):
        checks = entry.get("checks") if isinstance(entry, dict) else None
        for name, c in sorted((checks or {}).items()):
            if isinstance(c, dict):
                results[f"{table}.{name}"] = c.get("success")
    downgraded = []
    for key, level in sorted((severity or {}).items()):
        if level != "warning":
            continue
        # Overrides are "<suite>.<check>"; the report's tables are suites or suite_<name>.
        suite, _, check = key.partition(".")
        hits = {
            k: v
            for k, v in results.items()
            if k.endswith("." + check) and (k.split(".")[0] == suite or k.startswith(suite + "_"))
        }
        failed = sorted(k for k, v in hits.items() if v is False)
        downgraded.append(
            {"check": key, "failed": failed, "evaluated": len(hits), "passed": not failed}
        )
    warnings = data.get("warnings") if isinstance(data.get("warnings"), list) else []
    criticals = data.get("critical_failures")
    return {
        "success": ok,
        "n_checks": data.get("n_checks") if isinstance(data.get("n_checks"), int) else None,
        "critical_failures": list(criticals) if isinstance(criticals, list) else [],
        "warnings": [str(w) for w in warnings or []],
        "downgraded": downgraded,
        "downgraded_failing": sum(1 for d in downgraded if not d["passed"]),
    }


def read_unresolved(path: str | os.PathLike[str] | None) -> dict[str, dict[str, int]]:
    """project -> reason -> count, from the aggregation's unresolved.jsonl ({} when absent)."""
    if path is None or not Path(path).is_file():
        return {}
    out: dict[str, dict[str, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        proj, reason = str(rec.get("project")), str(rec.get("reason"))
        out.setdefault(proj, {}).setdefault(reason, 0)
        out[proj][reason] += 1
    return {p: dict(sorted(r.items())) for p, r in sorted(out.items())}


_ROW = re.compile(r"^\|(.+)\|\s*$")


def _cells(line: str) -> list[str]:
    m = _ROW.match(line.strip())
    if not m:
        return []
    return [re.sub(r"[*`]", "", c).strip() for c in m.group(1).split("|")]


def _sections(md: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current = None
    for line in md.splitlines():
        if line.startswith("## "):
            current = re.sub(r"^##\s+(\d+\.\s*)?", "", line).strip().lower()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def _first_paragraph(text: str) -> str:
    paras = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    para = paras[0] if paras else ""
    return " ".join(re.sub(r"[*`]", "", para).split())


def label_definitions(
    guidelines_dir: str | os.PathLike[str] | None,
) -> dict[str, dict[str, dict[str, str]]]:
    """config -> field -> label -> definition, read from configs/guidelines/*.md.

    Tables whose rows name a label (``| **1** | factual | definition | ... |``) give the
    label's definition (the cell after the label); check-worthiness and claim / not-claim come
    from their sections' text. A label the guidelines do not define is absent (the card then
    points to the guideline file instead of inventing a definition).
    """
    if guidelines_dir is None:
        return {}
    root = Path(guidelines_dir)
    texts = {
        n: (root / f"{n}.md").read_text(encoding="utf-8")
        for n in ("claims", "stance")
        if (root / f"{n}.md").is_file()
    }

    def table_defs(md: str, labels: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in md.splitlines():
            cells = _cells(line)
            for i, c in enumerate(cells[:-1]):
                if c in labels and c not in found:
                    found[c] = cells[i + 1]
        return found

    out: dict[str, dict[str, dict[str, str]]] = {}
    if "stance" in texts:
        out["stance"] = {"label": table_defs(texts["stance"], RELEASE_LABELS["stance"]["label"])}
    if "claims" in texts:
        md = texts["claims"]
        secs = _sections(md)
        cw_sec = next((v for k, v in secs.items() if k.startswith("check-worthy")), "")
        cw: dict[str, str] = {}
        for value, pat in (
            ("yes", r"\*\*yes[^*]*\*\*(.*?)(?=\n\*\*no|\Z)"),
            ("no", r"\*\*no[^*]*\*\*(.*?)(?=\n\n|\Z)"),
        ):
            m = re.search(pat, cw_sec, re.S)
            if m:
                found = " ".join(re.sub(r"[*`]", "", m.group(1)).split()).strip(" :")
                cw[value] = found.split(" Seed examples")[0]
        claim_sec = next((v for k, v in secs.items() if "what is a claim" in k), "")
        speaker_sec = next((v for k, v in secs.items() if "what is a speaker" in k), "")
        claim_def = _first_paragraph(claim_sec)
        out["claims"] = {
            "claim_type": table_defs(md, RELEASE_LABELS["claims"]["claim_type"]),
            "checkworthy": cw,
        }
        detection: dict[str, str] = {}
        if claim_def:
            detection["claim"] = "the sentence overlaps a gold CLAIM span. " + claim_def
            detection["not_claim"] = (
                "the annotators marked no CLAIM in the sentence (colour, bylines, questions, "
                "procedural text)"
            )
        out["claim_detection"] = {"label": detection, "checkworthy": cw}
        # The first sentence only: the rest of the section is instructions for annotators.
        speaker_def = re.split(r"[:.](?:\s|$)", _first_paragraph(speaker_sec), maxsplit=1)[0]
        out["attribution"] = {
            "tags": {
                "CONTENT": "a gold CLAIM span (the content, not the reporting frame)",
                "SOURCE": "the SPEAKER mention linked to the claim"
                + (f": {speaker_def}" if speaker_def else ""),
                "CUE": "the reporting verb that links source and content (said, warned, according to ...)",
                "O": "every other token of the sentences annotators saw",
            }
        }
    return out


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
    """Measure one config from its released per-split tables (ClassLabel codes)."""
    labels = RELEASE_LABELS[config]
    label_counts: dict[str, dict[str, dict[str, int]]] = {}
    examples: dict[str, dict[str, list[str]]] = {}
    for col in TABLE_FIELDS.get(config, ()):
        names = labels[col]
        label_counts[col] = {}
        for s in SPLITS:
            vc = dict(frames[s].group_by(col).len().iter_rows()) if frames[s].height else {}
            counts = {v: int(vc.get(i, 0)) for i, v in enumerate(names)}
            if any(k == -1 for k in vc):
                counts["(none)"] = int(vc[-1])
            label_counts[col][s] = counts
        # Examples come from train so the card never quotes test items.
        train = frames["train"]
        examples[col] = {}
        for i, v in enumerate(names):
            rows = (
                train.filter(pl.col(col) == i).head(examples_per_label) if train.height else train
            )
            targets = rows["target"].to_list() if "target" in rows.columns else [None] * rows.height
            examples[col][v] = [
                f"“{_clip(t, example_max_chars)}”"
                + (f" (target: “{_clip(tg, example_max_chars)}”)" if tg else "")
                for t, tg in zip(rows["text"].to_list(), targets, strict=True)
            ]
    extra: dict[str, Any] = {}
    if config == "attribution":
        for s in SPLITS:
            f = frames[s]
            tags = f["tags"].explode().drop_nulls() if f.height else pl.Series([], dtype=pl.Int64)
            vc = dict(tags.value_counts().iter_rows()) if tags.len() else {}
            extra[s] = {
                "tokens": int(tags.len()),
                **{ATTRIBUTION_TAGS[i]: int(vc.get(i, 0)) for i in range(len(ATTRIBUTION_TAGS))},
            }
    allrows = pl.concat([frames[s] for s in SPLITS], how="vertical_relaxed")
    methods = (
        dict(sorted((str(k), int(v)) for k, v in allrows.group_by("method").len().iter_rows()))
        if "method" in allrows.columns and allrows.height
        else {}
    )
    if config == "claims" and "method" not in allrows.columns:
        methods = {}

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
        features_yaml=features_yaml,
        extra=extra,
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


def open_licence(ds: DatasetConfig, facts: ReleaseFacts) -> bool:
    """True when every released source is under the release licence."""
    return all(s["license"] == ds.license for s in facts.sources)


def card_data(ds: DatasetConfig, facts: ReleaseFacts) -> Any:
    """The YAML header as a ``huggingface_hub.DatasetCardData`` (configs, dataset_info, ...)."""
    from huggingface_hub import DatasetCardData

    total = sum(c.total for n, c in facts.configs.items() if n != "articles")
    licence: dict[str, Any] = {"license": ds.license}
    if not open_licence(ds, facts):
        # Article text under the publishers' copyright: the Hub's "other" with the details.
        licence = {
            "license": "other",
            "license_name": f"{ds.license}-annotations-publisher-text",
            "license_details": (
                f"Annotations: {ds.license}. Article text: see each article's license_note; "
                f"{ds.default_source_license}"
            ),
        }
    return DatasetCardData(
        pretty_name=ds.pretty_name,
        language=list(ds.language),
        task_categories=list(ds.task_categories),
        task_ids=list(ds.task_ids),
        tags=list(ds.tags),
        size_categories=[size_category(total)],
        configs=[
            {
                "config_name": name,
                **({"default": True} if name == ds.default_config else {}),
                "data_files": [
                    {"split": s, "path": f"{name}/{s}.parquet"} for s in c.present_splits
                ],
            }
            for name, c in facts.configs.items()
            if c.total
        ],
        dataset_info=[
            {
                "config_name": name,
                "features": c.features_yaml,
                "splits": [
                    {"name": s, "num_bytes": c.num_bytes[s], "num_examples": c.rows[s]}
                    for s in c.present_splits
                ],
                "download_size": sum(c.file_bytes.values()),
                "dataset_size": sum(c.num_bytes.values()),
            }
            for name, c in facts.configs.items()
            if c.total
        ],
        **licence,
    )


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def render_card(
    ds: DatasetConfig, facts: ReleaseFacts, *, load_path: str, snippets: Mapping[str, str]
) -> str:
    """The full README.md text: DatasetCardData header + the Jinja2 template body."""
    import jinja2
    from huggingface_hub import DatasetCard

    data = card_data(ds, facts)
    labelled = ("claim_detection", "claims", "stance")
    synthetic = sum(c.synthetic_rows for n, c in facts.configs.items() if n in labelled)
    total = sum(c.total for n, c in facts.configs.items() if n in labelled)
    env = jinja2.Environment(
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    body = env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        ds=ds,
        facts=facts,
        configs=facts.configs,
        splits=SPLITS,
        labels=RELEASE_LABELS,
        table_fields=TABLE_FIELDS,
        attribution_tags=ATTRIBUTION_TAGS,
        synthetic=synthetic,
        labelled_total=total,
        open_licence=open_licence(ds, facts),
        load_path=load_path,
        snippets=snippets,
        fnc1=STANCE_TO_FNC1,
        semeval=STANCE_TO_SEMEVAL2016,
        fmt=_fmt,
        clip=_clip,
        versions=sorted(facts.versions.items()),
    )
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
    text = str(card)
    return text if text.endswith("\n") else text + "\n"
