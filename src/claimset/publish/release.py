"""The publish stage: split tables -> a Hugging Face dataset directory.

Layout: ``<config>/<split>.parquet`` for the configs ``articles``, ``claim_detection``,
``claims``, ``attribution`` and ``stance``; ``README.md`` (the card), ``croissant.json`` and
``checksums.sha256``. Tables go polars -> Arrow -> parquet without a pandas copy. The
directory is built next to its destination and swapped in with renames, so a failed run
never leaves a half-written release.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from claimset.errors import InputError
from claimset.io import atomic_path, sha256_file, write_text
from claimset.labels import SPLITS
from claimset.publish.card import (
    ReleaseFacts,
    _read_json,
    collect_config_facts,
    label_definitions,
    leakage_from_report,
    package_versions,
    read_agreement,
    read_unresolved,
    render_card,
    validation_status,
)
from claimset.publish.checksums import write_checksums
from claimset.publish.config import PublishConfig
from claimset.publish.croissant import CroissantFacts, build_croissant
from claimset.publish.features import (
    COLUMNS,
    CONFIGS,
    features_for,
    release_frame,
    to_arrow,
)
from claimset.publish.schema_docs import COLUMN_DOCS, PURPOSE, PURPOSE_LONG
from claimset.release_config import DatasetConfig
from claimset.stage import StageReport

SNIPPETS = Path(__file__).resolve().parent / "snippets"
SNIPPET_PATH = "data/release/claimset-demo"


def write_release_parquet(
    path: str | os.PathLike[str], config: str, frame: pl.DataFrame, compression: str
) -> int:
    """Write one split with pyarrow (no timestamps, fixed options); return its Arrow byte size.

    The size is that of the Arrow table written (``to_arrow(config, frame).nbytes``); reading
    the file back only to measure it cost more than writing it (13 s of 42 s on 2.2M rows).
    """
    import pyarrow.parquet as pq

    table = to_arrow(config, frame)
    with atomic_path(path, suffix=".parquet") as tmp:
        pq.write_table(
            table,
            tmp,
            compression=None if compression == "none" else compression,
            write_statistics=True,
            use_dictionary=True,
            data_page_version="2.0",
        )
    return int(table.nbytes)


def _swap_in(tmp_dir: Path, dest: Path) -> None:
    """Replace ``dest`` by ``tmp_dir`` with renames only."""
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(dest, old)
        os.replace(tmp_dir, dest)
        shutil.rmtree(old)
    else:
        os.replace(tmp_dir, dest)


def snippet(config: str, load_path: str) -> str:
    """The card's training snippet of ``config``, reading the release at ``load_path``."""
    text = (SNIPPETS / f"{config}.py").read_text(encoding="utf-8").rstrip("\n")
    return text.replace(f'"{SNIPPET_PATH}"', repr(load_path).replace("'", '"'))


def _feature_type(feat: object) -> str:
    from datasets import ClassLabel, List, Value

    if isinstance(feat, ClassLabel):
        return "ClassLabel"
    if isinstance(feat, List):
        return f"list of {_feature_type(feat.feature)}"
    if isinstance(feat, Value):
        return feat.dtype
    return type(feat).__name__


def build_release(
    splits_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    dataset: DatasetConfig,
    cfg: PublishConfig,
    *,
    agreement_path: str | os.PathLike[str] | None = None,
    splits_report: str | os.PathLike[str] | None = None,
    validation_report: str | os.PathLike[str] | None = None,
    unresolved_path: str | os.PathLike[str] | None = None,
    guidelines_dir: str | os.PathLike[str] | None = None,
    severity: Mapping[str, str] | None = None,
    load_path: str | None = None,
) -> StageReport:
    """Build the release directory ``out_dir`` from ``splits_dir/<config>.parquet``.

    Every row of the split tables lands in exactly one ``<config>/<split>.parquet``; the
    counts are checked before the release is swapped in. ``severity`` is params.yaml's
    ``validate.severity`` (the card lists the checks it downgraded).
    """
    report = StageReport("publish")
    src = Path(splits_dir)
    dest = Path(out_dir)
    load_path = load_path or f"data/release/{dataset.name}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        facts = ReleaseFacts(configs={})
        tables: dict[str, pl.DataFrame] = {}
        for config in CONFIGS:
            path = src / f"{config}.parquet"
            try:
                table = pl.read_parquet(path)
            except FileNotFoundError as exc:
                raise InputError(path, "file not found (run the split stage first)") from exc
            needed = [c for c, _ in COLUMNS[config] if c != "license_note"]
            for col in ("split", *needed):
                if col not in table.columns:
                    raise InputError(path, f"missing column {col!r}")
            unknown = sorted(set(table["split"].unique().drop_nulls().to_list()) - set(SPLITS))
            if unknown or table["split"].null_count():
                raise InputError(path, f"unknown or missing split value(s) {unknown}")
            tables[config] = table
            facts.input_sha256[path.name] = sha256_file(path)
        licences = dict(dataset.source_licenses)
        arts = tables["articles"]
        arts = arts.with_columns(
            pl.col("source")
            .replace_strict(
                licences, default=dataset.default_source_license, return_dtype=pl.String
            )
            .fill_null(dataset.default_source_license)
            .alias("license_note")
        )
        tables["articles"] = arts
        facts.sources = [
            {"source": s or "(none)", "articles": n, "license": lic}
            for s, lic, n in arts.group_by("source", "license_note")
            .len()
            .sort("source", nulls_last=True)
            .iter_rows()
        ]
        for config in CONFIGS:
            table = tables[config]
            report.records_in += table.height
            frames: dict[str, pl.DataFrame] = {}
            num_bytes: dict[str, int] = {}
            file_bytes: dict[str, int] = {}
            # One gather into the three splits (filtering three times copied the attribution
            # token lists three times).
            parts = table.partition_by("split", as_dict=True, maintain_order=True)
            for split in SPLITS:
                part = release_frame(config, parts.get((split,), table.clear()))
                frames[split] = part
                num_bytes[split] = file_bytes[split] = 0
                if part.height == 0:
                    # datasets cannot read a zero-row parquet file: an empty split is left
                    # out of the files and the YAML; the card names it.
                    continue
                out = tmp / config / f"{split}.parquet"
                num_bytes[split] = write_release_parquet(out, config, part, cfg.compression)
                file_bytes[split] = out.stat().st_size
                report.records_out += part.height
            features = features_for(config)
            facts.feature_types[config] = {n: _feature_type(f) for n, f in features.items()}
            facts.configs[config] = collect_config_facts(
                config,
                frames,
                num_bytes,
                file_bytes,
                features._to_yaml_list(),
                cfg.examples_per_label,
                cfg.example_max_chars,
            )
            if config == "claims":
                methods = (
                    table.group_by("method").len().sort("method")
                    if "method" in table.columns
                    else None
                )
                if methods is not None:
                    facts.configs[config].methods = {str(k): int(v) for k, v in methods.iter_rows()}
        # Synthetic rows: rows of a synthetic article, whatever the config's own columns.
        synthetic_ids = arts.filter(pl.col("synthetic").fill_null(False))["article_id"].implode()
        for config in CONFIGS:
            facts.configs[config].synthetic_rows = int(
                tables[config]["article_id"].is_in(synthetic_ids).sum()
            )
        # Leakage measured on what is released, across every config together.
        pairs = pl.concat(
            [tables[c].select("article_id", "split") for c in CONFIGS], how="vertical"
        ).unique()
        facts.shared_articles = int(
            pairs.group_by("article_id").len().filter(pl.col("len") > 1).height
        )
        stance = tables["stance"]
        per_target = stance.select("target_id", "split").drop_nulls().unique()
        by_target = per_target.group_by("target_id").agg(pl.col("split").sort())
        facts.targets = by_target.height
        facts.shared_targets = int(by_target.filter(pl.col("split").list.len() > 1).height)
        facts.test_only_targets = sorted(t for t, s in by_target.iter_rows() if s == ["test"])
        if report.records_out != report.records_in:
            raise InputError(
                src, f"rows do not reconcile: {report.records_in} in, {report.records_out} released"
            )
        facts.agreement, facts.agreement_keys = read_agreement(agreement_path)
        counts = _read_json(agreement_path).get("counts")
        facts.agreement_counts = dict(counts) if isinstance(counts, dict) else {}
        facts.unresolved = read_unresolved(unresolved_path)
        facts.leakage, facts.split_params = leakage_from_report(splits_report)
        split_json = _read_json(splits_report)
        facts.split_report = split_json
        facts.empty_splits = list(split_json.get("empty_splits") or [])
        facts.missing_labels = list(split_json.get("missing_labels") or [])
        # A split the split stage did not report as empty but that is empty here (e.g. a
        # split table edited by hand) is still named.
        reported = {(e.get("config"), e.get("split")) for e in facts.empty_splits}
        for name, c in facts.configs.items():
            for s in SPLITS:
                if c.rows[s] == 0 and (name, s) not in reported:
                    facts.empty_splits.append(
                        {"config": name, "split": s, "reason": "no row in the split table"}
                    )
        facts.validation = validation_status(validation_report, severity)
        facts.label_definitions = label_definitions(guidelines_dir)
        facts.versions = package_versions()
        facts.purposes = dict(PURPOSE)
        facts.purposes_long = dict(PURPOSE_LONG)
        facts.column_docs = {k: dict(v) for k, v in COLUMN_DOCS.items()}
        snippets = {c: snippet(c, load_path) for c in CONFIGS}
        write_text(
            tmp / "README.md", render_card(dataset, facts, load_path=load_path, snippets=snippets)
        )
        write_text(
            tmp / "croissant.json", build_croissant(_croissant_facts(dataset, facts), COLUMN_DOCS)
        )
        write_checksums(tmp)
        _swap_in(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    report.extra.update({f"{c}_rows": facts.configs[c].total for c in CONFIGS})
    report.extra["empty_splits"] = len(facts.empty_splits)
    report.extra["agreement_figures"] = len(facts.agreement)
    # Key patterns, not every key: one line per stage summary even with many fields/labels.
    patterns = sorted(
        {
            re.sub(
                r"\.per_label\.[^.]+$",
                ".per_label.<label>",
                re.sub(r"^fields\.[^.]+\.", "fields.<field>.", k),
            )
            for k in facts.agreement_keys
        }
    )
    report.extra["agreement_keys"] = ",".join(patterns) or "none"
    report.extra["version"] = dataset.version
    return report


def _croissant_facts(ds: DatasetConfig, facts: ReleaseFacts) -> CroissantFacts:
    licences = sorted({ds.license, *(s["license"] for s in facts.sources)})
    n_ann = facts.configs["claims"].mean_annotators
    stance_ann = facts.configs["stance"].mean_annotators
    shown = (
        "Machine pre-annotations were shown to the annotators as a starting point."
        if ds.preannotations_shown
        else "The annotators did not see the machine pre-annotations."
    )
    return CroissantFacts(
        name=ds.name,
        description=f"{ds.pretty_name}. {ds.summary}",
        version=ds.version,
        licenses=tuple(licences),
        citation=(
            f"@misc{{{ds.citation_key}, title = {{{ds.pretty_name}}}, author = "
            f"{{{' and '.join(ds.authors)}}}, year = {{{ds.year}}}, version = {{{ds.version}}}}}"
        ),
        url=ds.homepage,
        language=tuple(ds.language),
        keywords=tuple(ds.tags),
        configs={n: c.present_splits for n, c in facts.configs.items()},
        config_descriptions=dict(PURPOSE_LONG),
        data_collection=(
            f"News articles from {len(facts.sources)} source(s) "
            f"({', '.join(s['source'] for s in facts.sources)}), ingested and segmented by "
            "claimset; claim candidates and stance pairs were proposed by rules and "
            "annotated in Label Studio."
        ),
        annotation_protocol=(
            "Annotation guidelines: configs/guidelines/claims.md and stance.md of the claimset "
            "project (CLAIM and SPEAKER spans with a said_by relation, claim type, "
            "check-worthiness; stance in four classes).",
            shown,
            "Gold labels: per-item aggregation (majority vote or Dawid-Skene); unresolved items "
            "are left out and counted in the dataset card.",
            *([ds.annotation_note] if ds.annotation_note else []),
        ),
        annotation_platform=("Label Studio",),
        annotations_per_item=(
            f"claims: {n_ann} annotators per item on average; stance: {stance_ann}"
        ),
        biases=(
            "Few sources and topics; stance targets were written by the project.",
            "Guideline choices (a sentence reporting a speaker carries the speaker's stance) "
            "shape the labels.",
            *(
                ("Pre-annotations may anchor the annotators' choices.",)
                if ds.preannotations_shown
                else ()
            ),
        ),
        limitations=(
            "Small: confidence intervals on any score are wide.",
            *(
                (
                    f"Synthetic articles: {facts.configs['articles'].synthetic_rows} article(s) are fictional.",
                )
                if facts.configs["articles"].synthetic_rows
                else ()
            ),
            *(
                (f"Article text from sources not under {ds.license}: {ds.default_source_license}.",)
                if any(s["license"] != ds.license for s in facts.sources)
                else ()
            ),
        ),
        use_cases=tuple(f"{n}: {p}" for n, p in PURPOSE.items()),
        sensitive_information=("Names of public figures quoted in news articles (speaker_name).",),
    )
