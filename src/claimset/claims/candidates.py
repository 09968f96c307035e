"""Claim candidates: every considered sentence becomes claim candidate(s) or is counted as not.

Pipeline (one pass over the sentence table):
  1. a vectorised pre-filter (polars regex) keeps only sentences with a reporting cue, or a
     quotation mark and no cue but an "according to" or a quote at either end (nothing else
     can be attributed), for the per-sentence attribution parser (claims/attribution.py);
  2. sentences without an attribution frame are unattributed assertions unless they are too
     short, questions, editorial framing, scene colour or boilerplate (claims/editorial.py);
  3. speakers are resolved per article (pronouns -> most recent compatible named speaker,
     surnames -> the fullest name in the article; claims/resolve.py, together with step 1's
     parsing, in worker processes over chunks of whole articles on a large corpus) and then
     across the corpus (one id per name);
  4. category and check-worthiness are vectorised expressions over the claim text.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from claimset import parallel
from claimset.claims.categories import category_expr
from claimset.claims.checkworthiness import checkworthy_expr
from claimset.claims.config import CandidatesConfig
from claimset.claims.cues import CUE_EXTRACT, PREFILTER, TRANSCRIPT_TURN
from claimset.claims.editorial import BOILERPLATE, DATELINE, FRAMING, SCENE
from claimset.claims.model import AttributionTagger
from claimset.claims.resolve import Chunk, ClaimRow, attribute_chunk, no_gc, run_in_workers
from claimset.claims.speakers import speaker_id, surname_index
from claimset.stage import track

# The ``rule`` of claims the tagger proposed (claims/hybrid.py).
MODEL_RULE = "model"

CLAIM_COLUMNS: dict[str, pl.DataType] = {
    "claim_id": pl.String(),
    "article_id": pl.String(),
    "sentence_id": pl.String(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
    "text": pl.String(),
    "speaker": pl.String(),
    "speaker_id": pl.String(),
    "speaker_role": pl.String(),
    "speaker_text": pl.String(),
    "speaker_start": pl.Int64(),
    "speaker_end": pl.Int64(),
    # The mention names nobody ("officials", "a source", "the source"): kept as written.
    "speaker_unnamed": pl.Boolean(),
    "cue": pl.String(),
    "claim_type": pl.String(),
    "category": pl.String(),
    "checkworthy_score": pl.Float64(),
    "model_version": pl.String(),
    # The rule (or model) that proposed the span: see claims/attribution.py.
    "rule": pl.String(),
    # The tagger's confidence in a span it proposed (mean tag probability); null for rules.
    "attribution_score": pl.Float64(),
}


# Columns of the attributed claims before text, category and prior are added; row tuples from
# claims/resolve.py (ClaimRow) follow this order.
ATTRIBUTED_SCHEMA: dict[str, type[pl.DataType]] = {
    "article_id": pl.String,
    "sentence_id": pl.String,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "speaker": pl.String,
    "speaker_role": pl.String,
    "speaker_text": pl.String,
    "speaker_start": pl.Int64,
    "speaker_end": pl.Int64,
    "cue": pl.String,
    "claim_type": pl.String,
    "_hint": pl.String,
    "rule": pl.String,
    "attribution_score": pl.Float64,
    "speaker_unnamed": pl.Boolean,
}


@dataclass
class CandidateStats:
    """Counts that account for every sentence considered (nothing is lost silently)."""

    sentences: int = 0
    skipped_title: int = 0
    attributed_sentences: int = 0
    unattributed_sentences: int = 0
    not_claim: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    unresolved_speakers: int = 0

    def as_dict(self) -> dict[str, int]:
        """Flat counts for the stage report."""
        out = {
            "sentences": self.sentences,
            "skipped_title": self.skipped_title,
            "attributed_sentences": self.attributed_sentences,
            "unattributed_sentences": self.unattributed_sentences,
            "claims": self.claims,
            "unresolved_speakers": self.unresolved_speakers,
        }
        out.update({f"not_claim_{k}": v for k, v in sorted(self.not_claim.items())})
        return out


# A superset of the sentences parse_sentence can attribute without any reporting cue: "according
# to" (case 2) or a bare quote (case 4: an opening quote after leading whitespace, or a closing
# quote before trailing full stops and whitespace). Python's str.strip() also strips
# \x1c-\x1f, which Rust's \s does not, hence the explicit range.
BARE_QUOTE = r'^[\s\x1c-\x1f]*["“]|["”][.\s\x1c-\x1f]*$'


def needs_parser_expr(text: str, cues: str) -> pl.Expr:
    """True for the sentences the attribution parser must see (a cue, "according", a bare quote).

    ``cues`` is the list column of CUE_EXTRACT matches. The other sentences (a quotation mark
    inside, no cue) cannot be attributed: parse_sentence returns nothing for them, so they
    skip Python entirely (tests/claims/test_prefilter_parallel.py checks this on the seed, the
    gold and all FNC-1 competition test bodies).
    """
    t = pl.col(text)
    return (
        (pl.col(cues).list.len() > 0)
        | t.str.contains("ccording", literal=True)
        | t.str.contains(BARE_QUOTE)
        | t.str.contains(TRANSCRIPT_TURN)
    )


def _unattributed(
    sents: pl.DataFrame, cfg: CandidatesConfig
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Vectorised: which sentences without a frame are unattributed assertions.

    ``sents`` carries the boolean ``_boiler`` column (BOILERPLATE matches) of propose_claims.
    """
    t = pl.col("text")
    stripped = t.str.strip_chars()
    # Words as ``str.split(" ")`` counts them (spaces + 1), without building the lists.
    reason = (
        pl.when(stripped.str.count_matches(" ", literal=True) + 1 < cfg.min_words)
        .then(pl.lit("short"))
        .when(stripped.str.strip_chars_end("\"”’' )").str.ends_with("?"))
        .then(pl.lit("question"))
        .when(pl.col("_boiler"))  # str.contains(BOILERPLATE), computed once in propose_claims
        .then(pl.lit("boilerplate"))
        .when(pl.col("_headline"))
        .then(pl.lit("repeated_headline"))
        .when(t.str.contains(FRAMING))
        .then(pl.lit("framing"))
        .when(t.str.contains(SCENE))
        .then(pl.lit("scene"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    df = sents.with_columns(reason.alias("_reason"))
    counts = {
        str(r["_reason"]): int(r["len"])
        for r in df.filter(pl.col("_reason").is_not_null())
        .group_by("_reason")
        .len()
        .iter_rows(named=True)
    }
    keep = df.filter(pl.col("_reason").is_null())
    # Span: the sentence without surrounding whitespace, a lede's dateline ("LOS ANGELES
    # (Reuters) - ") and its final full stop.
    dateline = t.str.extract(f"({DATELINE})", 1).str.len_chars().fill_null(0)
    lead = t.str.len_chars() - t.str.strip_chars_start().str.len_chars()
    lead = pl.max_horizontal(lead, dateline)
    body = t.str.slice(lead).str.strip_chars().str.strip_chars_end(".;:")
    keep = keep.with_columns(
        (pl.col("char_start") + lead).alias("c_start"),
        (pl.col("char_start") + lead + body.str.len_chars()).alias("c_end"),
    )
    return keep.select("article_id", "sentence_id", "c_start", "c_end"), counts


# Cue sentences below which a process pool costs more (interpreter start-up) than it saves.
PARALLEL_MIN_SENTENCES = 20_000


def _attribute(
    articles: pl.DataFrame, cue_sents: pl.DataFrame, cfg: CandidatesConfig, workers: int | None
) -> tuple[list[ClaimRow], list[str]]:
    """Parse the cue sentences and resolve their speakers, in chunks of whole articles.

    ``cue_sents`` is sorted by article and index. Chunks are contiguous runs of articles and
    results are concatenated in chunk order, so the rows are those of a single pass.
    """
    if workers is None:
        workers = parallel.workers() if cue_sents.height >= PARALLEL_MIN_SENTENCES else 1
    rows = cue_sents.select(
        "sentence_id", "article_id", "paragraph", "index", "char_start", "char_end", "_cues"
    ).rows()
    # Cut before the first sentence of an article, near every n-th of the rows.
    n_chunks = max(workers, 1)
    starts = [i for i in range(1, len(rows)) if rows[i][1] != rows[i - 1][1]]
    bounds = [0]
    for k in range(1, n_chunks):
        j = bisect.bisect_left(starts, k * len(rows) // n_chunks)
        if j < len(starts) and starts[j] > bounds[-1]:
            bounds.append(starts[j])
    bounds.append(len(rows))
    needed = cue_sents["article_id"].unique()
    texts: dict[str, str] = dict(
        articles.filter(pl.col("article_id").is_in(needed.implode()))
        .select("article_id", "text")
        .iter_rows()
    )
    chunks: list[Chunk] = []
    for lo, hi in itertools.pairwise(bounds):
        part = rows[lo:hi]
        ids = {r[1] for r in part}
        chunks.append(({a: texts[a] for a in ids}, part, cfg.max_subject_words, cfg.pronoun_window))
    if len(chunks) > 1:
        results = list(track(run_in_workers(chunks), "candidates", len(chunks)))
    else:
        results = [attribute_chunk(c) for c in track(chunks, "candidates")]
    out_rows = [r for part_rows, _ in results for r in part_rows]
    ids_out = [i for _, part_ids in results for i in part_ids]
    return out_rows, ids_out


def _hybrid(
    articles: pl.DataFrame,
    sents: pl.DataFrame,
    with_cue: pl.DataFrame,
    cfg: CandidatesConfig,
    tagger: AttributionTagger,
) -> tuple[list[ClaimRow], list[str]]:
    """Rules + tagger over the articles of ``sents`` (claims/hybrid.py), one at a time."""
    from claimset.claims.hybrid import hybrid_article

    hits = dict(with_cue.select("sentence_id", "_cues").iter_rows())
    blocked = frozenset(
        sents.filter(pl.col("_boiler") | pl.col("_headline"))["sentence_id"].to_list()
    )
    texts = dict(
        articles.filter(pl.col("article_id").is_in(sents["article_id"].unique().implode()))
        .select("article_id", "text")
        .iter_rows()
    )
    rows: list[ClaimRow] = []
    ids: list[str] = []
    parse_ids = frozenset(hits)
    groups = sents.select(
        "sentence_id", "article_id", "paragraph", "index", "char_start", "char_end"
    ).partition_by("article_id", as_dict=True, maintain_order=True)
    for (aid,), part in track(list(groups.items()), "candidates (model)"):
        srows = [(*r, hits.get(r[0])) for r in part.rows()]
        got, got_ids = hybrid_article(
            str(aid),
            texts[aid],
            srows,
            parse_ids,
            blocked,
            tagger,
            cfg.max_subject_words,
            cfg.pronoun_window,
            cfg.model.prefer,
        )
        rows += got
        ids += got_ids
    return rows, ids


def propose_claims(
    articles: pl.DataFrame,
    sentences: pl.DataFrame,
    cfg: CandidatesConfig,
    workers: int | None = None,
    tagger: AttributionTagger | None = None,
) -> tuple[pl.DataFrame, CandidateStats]:
    """Propose claim candidates for every sentence; return the claims table and counts.

    ``articles`` needs ``article_id`` and ``text``; ``sentences`` follows the sentences contract.
    Output follows the ``claims`` contract in docs/architecture.md, sorted by article and span.
    ``workers``: processes for the per-sentence parser (default: the CPUs of this machine when
    there is enough to parse, see :func:`_attribute`); the output does not depend on it.
    """
    stats = CandidateStats(sentences=sentences.height)
    sents = sentences.select(
        "sentence_id", "article_id", "paragraph", "index", "char_start", "char_end", "text"
    )
    if not cfg.include_title:
        stats.skipped_title = sents.filter(pl.col("paragraph") == 0).height
        sents = sents.filter(pl.col("paragraph") != 0)
    sents = sents.sort("article_id", "index")
    # Page furniture is never a claim, even when it contains a reporting verb.
    # The headline repeated as the body's first sentence is not a claim either.
    titles = articles.select(
        "article_id", pl.col("title").fill_null("").str.strip_chars(" .").alias("_title")
    )
    sents = (
        sents.join(titles, on="article_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("text").str.contains(BOILERPLATE).alias("_boiler"),
            (
                (pl.col("_title").str.len_chars() > 0)
                & (pl.col("text").str.strip_chars(" .") == pl.col("_title"))
            ).alias("_headline"),
        )
        .drop("_title")
    )
    with_cue = sents.filter(
        pl.col("text").str.contains(PREFILTER) & ~pl.col("_boiler") & ~pl.col("_headline")
    )
    # Cue strings per sentence in one vectorised pass; Python only locates and parses them,
    # and only where an attribution is possible at all.
    with_cue = with_cue.with_columns(
        pl.col("text").str.extract_all(CUE_EXTRACT).alias("_cues")
    ).filter(needs_parser_expr("text", "_cues"))
    # The tagger pre-annotates the first ``model.max_articles`` articles (by id, the order
    # tasks are built in); the rules alone serve the rest, at full speed.
    model_ids = pl.Series("article_id", [], dtype=pl.String)
    if tagger is not None and cfg.model.max_articles > 0:
        model_ids = sents["article_id"].unique().sort().head(cfg.model.max_articles)
    in_model = pl.col("article_id").is_in(model_ids.implode())
    with no_gc():
        rows, attributed_ids = _attribute(articles, with_cue.filter(~in_model), cfg, workers)
        if tagger is not None and model_ids.len():
            more, more_ids = _hybrid(
                articles, sents.filter(in_model), with_cue.filter(in_model), cfg, tagger
            )
            rows += more
            attributed_ids += more_ids
        attributed = pl.DataFrame(rows, schema=ATTRIBUTED_SCHEMA, orient="row")
    del rows
    stats.attributed_sentences = len(attributed_ids)
    rest = sents.filter(
        ~pl.col("sentence_id").is_in(pl.Series(attributed_ids, dtype=pl.String).implode())
    )
    unattr, not_claim = _unattributed(rest, cfg)
    stats.not_claim = not_claim
    stats.unattributed_sentences = unattr.height
    schema = ATTRIBUTED_SCHEMA
    unattributed = (
        unattr.rename({"c_start": "char_start", "c_end": "char_end"})
        .with_columns(
            pl.col("char_start").cast(pl.Int64),
            pl.col("char_end").cast(pl.Int64),
            *[
                pl.lit(None, dtype=schema[c]).alias(c)
                for c in schema
                if c
                not in ("article_id", "sentence_id", "char_start", "char_end", "claim_type", "rule")
            ],
            pl.lit("unattributed").alias("claim_type"),
            pl.lit("unattributed_sentence").alias("rule"),
        )
        .select(list(schema))
    )
    claims = pl.concat([attributed, unattributed]).filter(pl.col("char_end") > pl.col("char_start"))
    claims = _canonical_speakers(claims)
    stats.unresolved_speakers = claims.filter(
        pl.col("speaker_text").is_not_null() & pl.col("speaker").is_null()
    ).height
    # Claim text from the article text (exact span), then category and prior, vectorised.
    art = articles.select("article_id", pl.col("text").alias("_atext"))
    claims = claims.join(art, on="article_id", how="left").with_columns(
        pl.col("_atext")
        .str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start"))
        .alias("text")
    )
    claims = claims.with_columns(
        pl.col("speaker").is_not_null().alias("_attributed"),
        # Null exactly where there is no speaker mention.
        pl.when(pl.col("speaker_text").is_not_null())
        .then(pl.col("speaker_unnamed").fill_null(False))
        .alias("speaker_unnamed"),
    )
    claims = claims.with_columns(
        category_expr("text", "_hint").alias("category"),
        checkworthy_expr("text", "_attributed", cfg.checkworthy).alias("checkworthy_score"),
    )
    claims = claims.sort("article_id", "char_start", "char_end").with_columns(
        (
            pl.col("article_id")
            + "-c"
            + (pl.int_range(pl.len()).over("article_id") + 1).cast(pl.String).str.zfill(3)
        ).alias("claim_id"),
        pl.when(pl.col("rule") == MODEL_RULE)
        .then(pl.lit(tagger.version if tagger is not None else cfg.model_version))
        .otherwise(pl.lit(cfg.model_version))
        .alias("model_version"),
    )
    out = claims.select([pl.col(c).cast(t) for c, t in CLAIM_COLUMNS.items()])
    stats.claims = out.height
    return out, stats


def _canonical_speakers(claims: pl.DataFrame) -> pl.DataFrame:
    """One canonical name and id per speaker across the corpus.

    A bare surname left unresolved in its own article ("Halloway") is mapped to the only
    multi-word speaker name in the corpus that ends with it, if exactly one does.
    """
    names: Iterable[str] = (
        claims.filter(pl.col("speaker").is_not_null())["speaker"].unique().to_list()
    )
    # Only proper names (every word capitalised) can lend their surname: "Unconfirmed reports"
    # must not absorb a bare "Reports".
    corpus = surname_index(
        n for n in names if len(n.split()) >= 2 and all(w[:1].isupper() for w in n.split())
    )
    mapping = {n: corpus.get(n.lower(), n) for n in names if len(n.split()) == 1}
    claims = claims.with_columns(pl.col("speaker").replace(mapping))
    ids = {n: speaker_id(n) for n in claims["speaker"].drop_nulls().unique().to_list()}
    return claims.with_columns(
        pl.col("speaker")
        .replace_strict(ids, default=None, return_dtype=pl.String)
        .alias("speaker_id")
    )
