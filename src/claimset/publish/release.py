"""The publish stage: split tables -> a Hugging Face dataset directory.

Layout: ``<config>/<split>.parquet`` for configs ``claims`` and ``stance``, ``README.md``
(the card) and ``checksums.sha256``. The directory is built next to its destination and
swapped in with renames, so a failed run never leaves a half-written release.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import polars as pl

from claimset.errors import InputError
from claimset.io import atomic_path, sha256_file, write_text
from claimset.labels import LABEL_FIELDS, SPLITS
from claimset.publish.card import (
    ReleaseFacts,
    collect_config_facts,
    leakage_from_report,
    package_versions,
    read_agreement,
    render_card,
    validation_status,
)
from claimset.publish.checksums import write_checksums
from claimset.publish.config import PublishConfig
from claimset.publish.features import features_for, release_frame, to_arrow
from claimset.release_config import DatasetConfig
from claimset.stage import StageReport

CONFIGS = ("claims", "stance")


def write_release_parquet(
    path: str | os.PathLike[str], config: str, frame: pl.DataFrame, compression: str
) -> int:
    """Write one split with pyarrow (no timestamps, fixed options); return its Arrow byte size.

    The size is measured on the table read back from the file (what ``datasets`` loads), so
    the card's ``num_bytes`` can be re-checked from the file alone.
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
    return int(pq.read_table(path).nbytes)


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


def build_release(
    splits_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    dataset: DatasetConfig,
    cfg: PublishConfig,
    *,
    agreement_path: str | os.PathLike[str] | None = None,
    splits_report: str | os.PathLike[str] | None = None,
    validation_report: str | os.PathLike[str] | None = None,
) -> StageReport:
    """Build the release directory ``out_dir`` from ``splits_dir/{claims,stance}.parquet``.

    Every row of the split tables lands in exactly one ``<config>/<split>.parquet``; the
    counts are checked before the release is swapped in.
    """
    import datasets  # noqa: F401  (fail early with a clear import error if missing)

    report = StageReport("publish")
    src = Path(splits_dir)
    dest = Path(out_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        facts = ReleaseFacts(configs={})
        for config in CONFIGS:
            path = src / f"{config}.parquet"
            try:
                table = pl.read_parquet(path)
            except FileNotFoundError as exc:
                raise InputError(path, "file not found (run the split stage first)") from exc
            for col in ("item_id", "article_id", "text", "split", *LABEL_FIELDS[config]):
                if col not in table.columns:
                    raise InputError(path, f"missing column {col!r}")
            unknown = sorted(set(table["split"].unique().to_list()) - set(SPLITS))
            if unknown:
                raise InputError(path, f"unknown split value(s) {unknown}")
            report.records_in += table.height
            facts.input_sha256[path.name] = sha256_file(path)
            frames: dict[str, pl.DataFrame] = {}
            num_bytes: dict[str, int] = {}
            file_bytes: dict[str, int] = {}
            for split in SPLITS:
                part = table.filter(pl.col("split") == split).sort("item_id")
                frames[split] = part
                num_bytes[split] = file_bytes[split] = 0
                if part.height == 0:
                    # datasets cannot read a zero-row parquet file: an empty split is left out of
                    # the files and the card's configs (the card's split tables still show 0).
                    continue
                out = tmp / config / f"{split}.parquet"
                num_bytes[split] = write_release_parquet(
                    out, config, release_frame(config, part), cfg.compression
                )
                file_bytes[split] = out.stat().st_size
                report.records_out += part.height
            features_yaml = features_for(config)._to_yaml_list()
            facts.configs[config] = collect_config_facts(
                config,
                frames,
                num_bytes,
                file_bytes,
                features_yaml,
                cfg.examples_per_label,
                cfg.example_max_chars,
            )
        # Leakage measured on what is released, across both configs together.
        pairs: dict[str, set[str]] = {}
        targets: dict[str, set[str]] = {}
        for config in CONFIGS:
            t = pl.read_parquet(src / f"{config}.parquet")
            for aid, split in t.select("article_id", "split").iter_rows():
                pairs.setdefault(aid, set()).add(split)
            if "target_id" in t.columns:
                for tid, split in t.select("target_id", "split").drop_nulls().iter_rows():
                    targets.setdefault(tid, set()).add(split)
        facts.shared_articles = sum(len(v) > 1 for v in pairs.values())
        facts.shared_targets = sum(len(v) > 1 for v in targets.values())
        if report.records_out != report.records_in:
            raise InputError(
                src, f"rows do not reconcile: {report.records_in} in, {report.records_out} released"
            )
        facts.agreement, facts.agreement_keys = read_agreement(agreement_path)
        facts.leakage, facts.split_params = leakage_from_report(splits_report)
        facts.validation = validation_status(validation_report)
        facts.versions = package_versions()
        write_text(tmp / "README.md", render_card(dataset, facts))
        write_checksums(tmp)
        _swap_in(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    report.extra.update({f"{c}_rows": facts.configs[c].total for c in CONFIGS})
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
