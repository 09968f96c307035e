"""The ``candidates`` stage: read tables, propose, write claims + pairs + report atomically."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from claimset.claims.config import CandidatesConfig
from claimset.claims.model import AttributionTagger, load
from claimset.claims.propose import propose_all_with_stats
from claimset.config import load_section, read_params
from claimset.errors import InputError
from claimset.io import write_json, write_parquet
from claimset.stage import StageReport
from claimset.stance.config import StanceConfig


def load_configs(params_path: str | Path) -> tuple[CandidatesConfig, StanceConfig]:
    """The ``candidates`` and ``stance`` sections; defaults when a section is absent."""
    data = read_params(params_path) if Path(params_path).exists() else {}
    cand = (
        load_section("candidates", CandidatesConfig, params_path)
        if "candidates" in data
        else CandidatesConfig()
    )
    stance = (
        load_section("stance", StanceConfig, params_path) if "stance" in data else StanceConfig()
    )
    return cand, stance


def load_tagger(path: str | Path | None) -> AttributionTagger | None:
    """The attribution tagger in ``path``; None without a path or when it holds no model."""
    if path is None:
        return None
    try:
        return load(path)
    except FileNotFoundError as exc:
        raise InputError(
            path, "attribution model not found (run `claimset train-attribution`)"
        ) from exc
    except Exception as exc:  # pickle raises many types for a foreign file
        raise InputError(path, f"not an attribution model: {exc}") from exc


def _read(path: str | Path, required: tuple[str, ...]) -> pl.DataFrame:
    try:
        df = pl.read_parquet(path)
    except FileNotFoundError as exc:
        raise InputError(path, "file not found") from exc
    except Exception as exc:  # polars raises several types for a corrupt file
        raise InputError(path, f"not a readable parquet file: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}")
    return df


def run_candidates(
    articles_path: str | Path,
    sentences_path: str | Path,
    targets_path: str | Path,
    claims_path: str | Path,
    pairs_path: str | Path,
    report_path: str | Path,
    params_path: str | Path,
    model_path: str | Path | None = None,
) -> StageReport:
    """Run the candidates stage end to end; return its report.

    ``model_path``: the attribution tagger (claims/model.py); None, or a file that says no
    model was trained, leaves the rules alone.
    """
    report = StageReport("candidates")
    cand_cfg, stance_cfg = load_configs(params_path)
    tagger = load_tagger(model_path)
    articles = _read(articles_path, ("article_id", "text", "title", "standfirst", "body", "source"))
    sentences = _read(
        sentences_path,
        ("sentence_id", "article_id", "paragraph", "index", "char_start", "char_end", "text"),
    )
    claims, pairs, stats = propose_all_with_stats(
        articles, sentences, targets_path, cand_cfg, stance_cfg, tagger=tagger
    )
    write_parquet(claims_path, claims)
    write_parquet(pairs_path, pairs)
    counts = stats.as_dict()
    label_counts = {
        str(r[0]): int(r[1])
        for r in pairs.group_by("predicted_label").len().sort("predicted_label").iter_rows()
    }
    type_counts = {
        str(r[0]): int(r[1])
        for r in claims.group_by("claim_type").len().sort("claim_type").iter_rows()
    }
    summary = {
        "model_version": {
            "claims": cand_cfg.model_version,
            "attribution_tagger": tagger.version if tagger is not None else None,
            "stance": stance_cfg.model_version,
        },
        "sentences": counts,
        "claims": {
            "total": claims.height,
            "by_claim_type": type_counts,
            "with_speaker": claims.filter(pl.col("speaker").is_not_null()).height,
            "unnamed_speaker": claims.filter(pl.col("speaker_unnamed").fill_null(False)).height,
            "by_rule": {
                str(r[0]): int(r[1]) for r in claims.group_by("rule").len().sort("rule").iter_rows()
            },
            "distinct_speakers": claims["speaker_id"].drop_nulls().n_unique(),
        },
        "pairs": {
            "total": pairs.height,
            "by_kind": {
                str(r[0]): int(r[1])
                for r in pairs.group_by("pair_kind").len().sort("pair_kind").iter_rows()
            },
            "by_predicted_label": label_counts,
            "by_target": {
                str(r[0]): int(r[1])
                for r in pairs.group_by("target_id").len().sort("target_id").iter_rows()
            },
        },
    }
    write_json(report_path, summary)
    report.records_in = sentences.height
    report.records_out = claims.height
    report.extra.update(
        {
            "claims": claims.height,
            "pairs": pairs.height,
            "not_claim": sum(stats.not_claim.values()),
            "skipped_title": stats.skipped_title,
        }
    )
    return report
