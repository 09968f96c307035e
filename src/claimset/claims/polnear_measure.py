"""claimset's attributions on PolNeAR: run ingest -> segment -> candidates, score them.

The articles go through the same library functions as any corpus (the ``.txt`` reader,
normalisation, the sentence splitter, the candidate rules), so the figure is what a user gets.
Ingest normalises text (whitespace runs, NBSP), so claim offsets are mapped back to the
``.txt`` file's offsets before scoring: both texts have the same sequence of non-whitespace
characters, and a span maps to the raw positions of its first and last non-whitespace
characters.

Predictions are the *attributed* candidates (direct quotes and reported speech); their source
is the speaker mention as written (``speaker_start``/``speaker_end``), which for a resolved
pronoun is the pronoun, as in PolNeAR. Measure: :mod:`claimset.evaluate.attribution`.
"""

from __future__ import annotations

import bisect
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from claimset.claims.candidates import MODEL_RULE, CandidateStats, propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.claims.model import AttributionTagger, Sentence, TrainingDoc
from claimset.corpora.polnear import GoldAttribution, PolnearArticle, read_ann
from claimset.errors import ClaimsetError
from claimset.evaluate.attribution import Attribution, AttributionScores, Range, score
from claimset.ingest.config import IngestConfig
from claimset.ingest.pipeline import run_ingest
from claimset.neardup import NearDuplicateConfig
from claimset.segment.config import SegmentConfig
from claimset.segment.pipeline import segment_articles

ATTRIBUTED_TYPES = ("direct_quote", "reported_speech")


class OffsetMap:
    """Offsets in a normalised text -> offsets in the raw text it came from."""

    def __init__(self, raw: str, norm: str) -> None:
        raw_ns = [i for i, ch in enumerate(raw) if not ch.isspace()]
        norm_ns = [i for i, ch in enumerate(norm) if not ch.isspace()]
        # Ingest also drops invisible characters (U+200B, C1 controls) and composes to NFC,
        # so walk both: a raw character the normalised text lacks is skipped.
        raw_pos: list[int] = []
        i = 0
        for j in norm_ns:
            target = norm[j]
            while i < len(raw_ns):
                ch = raw[raw_ns[i]]
                if ch == target:
                    break
                composed = next(
                    (
                        k
                        for k in (2, 3)
                        if unicodedata.normalize("NFC", "".join(raw[p] for p in raw_ns[i : i + k]))
                        == target
                    ),
                    None,
                )
                if composed:
                    break
                i += 1
            if i >= len(raw_ns):
                raise ClaimsetError(f"normalised text does not align with the raw text at {j}")
            raw_pos.append(raw_ns[i])
            i += 1
        # For each normalised offset: how many non-whitespace chars come before it.
        self._before = [0] * (len(norm) + 1)
        n = 0
        for i, ch in enumerate(norm):
            self._before[i] = n
            if not ch.isspace():
                n += 1
        self._before[len(norm)] = n
        self._raw_pos = raw_pos
        self._norm_pos = norm_ns

    def to_norm(self, start: int, end: int) -> tuple[int, int] | None:
        """[start, end) in the raw text -> the normalised span of its non-whitespace chars."""
        first = bisect.bisect_left(self._raw_pos, start)
        last = bisect.bisect_left(self._raw_pos, end) - 1
        if last < first:
            return None
        return self._norm_pos[first], self._norm_pos[last] + 1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """[start, end) in the normalised text -> the raw span of its non-whitespace chars."""
        first, last = self._before[start], self._before[end] - 1
        if last < first:
            return None
        return self._raw_pos[first], self._raw_pos[last] + 1


@dataclass
class PipelineOutput:
    """The pipeline's tables for a set of PolNeAR articles, and the raw-offset predictions."""

    articles: pl.DataFrame  # with ``doc_id``
    sentences: pl.DataFrame
    claims: pl.DataFrame  # with ``doc_id``
    stats: CandidateStats
    predictions: list[Attribution]
    pred_rows: list[dict[str, Any]]  # the claims row of each prediction (same order)


def pipeline_tables(
    inputs: Sequence[Path],
    ingest_cfg: IngestConfig,
    segment_cfg: SegmentConfig,
    cand_cfg: CandidatesConfig,
    tagger: AttributionTagger | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, CandidateStats]:
    """Articles, sentences, claims and counts of ``inputs`` (files) through the pipeline."""
    with tempfile.TemporaryDirectory(prefix="claimset-measure-") as tmp:
        out = Path(tmp)
        run_ingest(
            list(inputs),
            out / "articles.parquet",
            out / "quarantine.jsonl",
            out / "duplicates.jsonl",
            out / "ingest.json",
            ingest_cfg,
            # The measure never reads cluster_id, so the clustering settings cannot change it.
            NearDuplicateConfig(),
        )
        arts = pl.read_parquet(out / "articles.parquet").sort("article_id")
    sents = segment_articles(arts, segment_cfg)
    claims, stats = propose_claims(arts, sents, cand_cfg, workers=1, tagger=tagger)
    return arts, sents, claims, stats


def run_pipeline(
    articles: Sequence[PolnearArticle],
    ingest_cfg: IngestConfig,
    segment_cfg: SegmentConfig,
    cand_cfg: CandidatesConfig,
    tagger: AttributionTagger | None = None,
) -> PipelineOutput:
    """Ingest the articles' ``.txt`` files, segment, propose candidates (rules, and the
    tagger where given); map the spans back onto the ``.txt`` offsets."""
    arts, sents, claims, stats = pipeline_tables(
        [a.text_path for a in articles], ingest_cfg, segment_cfg, cand_cfg, tagger
    )
    by_name = {a.text_path.name: a for a in articles}
    arts = arts.with_columns(
        pl.col("origin_file")
        .map_elements(lambda f: by_name[Path(f).name].doc_id, return_dtype=pl.String)
        .alias("doc_id")
    )
    doc_of = dict(arts.select("article_id", "doc_id").iter_rows())
    claims = claims.with_columns(pl.col("article_id").replace_strict(doc_of).alias("doc_id"))
    by_doc = {a.doc_id: a for a in articles}
    maps = {d: OffsetMap(by_doc[d].text(), t) for d, t in arts.select("doc_id", "text").iter_rows()}
    preds: list[Attribution] = []
    rows: list[dict[str, Any]] = []
    for row in claims.filter(pl.col("claim_type").is_in(ATTRIBUTED_TYPES)).iter_rows(named=True):
        m = maps[row["doc_id"]]
        content = m.span(row["char_start"], row["char_end"])
        if content is None:
            continue
        source: tuple[tuple[int, int], ...] = ()
        if row["speaker_start"] is not None and row["speaker_end"] is not None:
            src = m.span(row["speaker_start"], row["speaker_end"])
            source = (src,) if src else ()
        key = (row["doc_id"], row["speaker_start"], row["speaker_end"])
        prev = rows[-1] if rows else None
        if (
            prev is not None
            and row["cue"] is None
            and (row["speaker_start"] is not None or row["rule"] == prev["rule"] == MODEL_RULE)
            and (prev["doc_id"], prev["speaker_start"], prev["speaker_end"]) == key
        ):
            # A quote continuing the previous claim's speaker (no cue of its own) belongs to
            # the same attribution: one relation, its content in several ranges.
            last = preds[-1]
            preds[-1] = Attribution(last.doc_id, (*last.content, content), last.source)
            continue
        preds.append(Attribution(row["doc_id"], (content,), source))
        rows.append(row)
    return PipelineOutput(arts, sents, claims, stats, preds, rows)


def measure(output: PipelineOutput, gold: Sequence[GoldAttribution]) -> AttributionScores:
    """Score the pipeline's attributed candidates against ``gold``."""
    return score(output.predictions, [g.measured() for g in gold])


def annotator_ceiling(articles: Sequence[PolnearArticle]) -> dict[str, Any]:
    """The same measure between PolNeAR's own annotators (articles with several files).

    Each later annotator's attributions are scored as predictions against the first
    annotator's; counts are summed over all (article, later annotator) pairs.
    """
    pred: list[Attribution] = []
    gold: list[Attribution] = []
    pairs = 0
    for art in articles:
        if len(art.ann_paths) < 2:
            continue
        first = [g.measured() for g in read_ann(art.ann_paths[0], art.doc_id)]
        for k, path in enumerate(art.ann_paths[1:], 1):
            doc = f"{art.doc_id}#{k}"
            pred += [Attribution(doc, g.content, g.source) for g in read_ann(path, art.doc_id)]
            gold += [Attribution(doc, g.content, g.source) for g in first]
            pairs += 1
    scores = score(pred, gold)
    return {
        "articles": sum(1 for a in articles if len(a.ann_paths) >= 2),
        "annotator_pairs": pairs,
        **scores.as_dict(),
    }


def sentence_share(output: PipelineOutput) -> dict[str, Any]:
    """Share of (non-title) sentences proposed as claims: any candidate overlapping them."""
    return claim_sentence_share(output.sentences, output.claims)


def claim_sentence_share(sentences: pl.DataFrame, claims: pl.DataFrame) -> dict[str, Any]:
    """Sentences (paragraph > 0) with at least one claim candidate inside them, and the share."""
    body = sentences.filter(pl.col("paragraph") > 0)
    with_claim = claims.select("sentence_id").unique()
    hit = body.join(with_claim, on="sentence_id", how="semi").height
    return {
        "sentences": body.height,
        "proposed": hit,
        "share": round(hit / body.height, 4) if body.height else 0.0,
    }


def training_docs(
    articles: Sequence[PolnearArticle],
    ingest_cfg: IngestConfig,
    segment_cfg: SegmentConfig,
    cand_cfg: CandidatesConfig,
) -> list[TrainingDoc]:
    """(normalised text, sentences, gold (content, source, cue) ranges) per article, as the
    tagger sees them at prediction time: the pipeline's text and sentences, gold offsets
    mapped from the ``.txt`` file onto the normalised text. Titles are left out unless
    ``include_title`` (the candidates never see them)."""
    arts, sents, _, _ = pipeline_tables(
        [a.text_path for a in articles], ingest_cfg, segment_cfg, cand_cfg
    )
    by_name = {a.text_path.name: a for a in articles}
    if not cand_cfg.include_title:
        sents = sents.filter(pl.col("paragraph") != 0)
    per_article = {str(k[0]): v for k, v in sents.partition_by("article_id", as_dict=True).items()}
    docs: list[TrainingDoc] = []
    for aid, origin, text in arts.select("article_id", "origin_file", "text").iter_rows():
        art = by_name[Path(origin).name]
        omap = OffsetMap(art.text(), text)
        part = per_article.get(aid)
        if part is None:
            continue
        sentences = [
            Sentence(s, e, p)
            for s, e, p in part.sort("index").select("char_start", "char_end", "paragraph").rows()
        ]

        def norm(ranges: Sequence[Range], omap: OffsetMap = omap) -> list[Range]:
            return [r for r in (omap.to_norm(*x) for x in ranges) if r]

        gold = [
            (norm(g.content), norm(g.source), norm(g.cue))
            for g in read_ann(art.ann_paths[0], art.doc_id)
        ]
        docs.append((text, sentences, gold))
    return docs
