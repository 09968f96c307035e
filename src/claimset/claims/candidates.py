"""Claim candidates: every considered sentence becomes claim candidate(s) or is counted as not.

Pipeline (one pass over the sentence table):
  1. a vectorised pre-filter (polars regex) keeps only sentences with a reporting cue or a
     quotation mark for the per-sentence attribution parser (claims/attribution.py);
  2. sentences without an attribution frame are unattributed assertions unless they are too
     short, questions, editorial framing, scene colour or boilerplate (claims/editorial.py);
  3. speakers are resolved per article (pronouns -> most recent compatible named speaker,
     surnames -> the fullest name in the article) and then across the corpus (one id per name);
  4. category and check-worthiness are vectorised expressions over the claim text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from claimset.claims.attribution import Attribution, parse_sentence
from claimset.claims.categories import category_expr
from claimset.claims.checkworthiness import checkworthy_expr
from claimset.claims.config import CandidatesConfig
from claimset.claims.cues import CUE_EXTRACT, PREFILTER, cue_category
from claimset.claims.editorial import BOILERPLATE, FRAMING, SCENE
from claimset.claims.speakers import (
    SpeakerMention,
    expand_name,
    speaker_id,
    surname_index,
)

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
    "cue": pl.String(),
    "claim_type": pl.String(),
    "category": pl.String(),
    "checkworthy_score": pl.Float64(),
    "model_version": pl.String(),
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


@dataclass
class _Resolved:
    name: str | None
    kind: str
    gender: str | None


def _compatible(pronoun_gender: str | None, kind: str, gender: str | None) -> bool:
    if pronoun_gender in ("m", "f"):
        return kind == "person" and gender in (None, pronoun_gender)
    return kind in ("org", "group")


def _resolve_article(
    text: str,
    items: list[tuple[int, int, Attribution]],
    window: int,
) -> list[tuple[Attribution, str | None, str | None, int | None, int | None, str | None]]:
    """Resolve speakers of one article's attributions, in text order.

    ``items`` are (sentence index, paragraph, attribution). Returns per attribution:
    (attribution, speaker name, role, speaker_start, speaker_end, speaker_text).
    """
    # Bare names are expanded by a targeted search, cached per article.
    cache: dict[str, str | None] = {}

    def expand(token: str) -> str | None:
        if token not in cache:
            cache[token] = expand_name(text, token)
        return cache[token]

    # Most recent first: (sentence index, paragraph, name, kind, gender, start, end, role)
    history: list[tuple[int, int, str, str, str | None, int, int, str | None]] = []
    genders: dict[str, str] = {}
    out: list[tuple[Attribution, str | None, str | None, int | None, int | None, str | None]] = []
    for sidx, para, att in items:
        sp: SpeakerMention | None = att.speaker
        if sp is None:
            if not att.bare_quote:
                out.append((att, None, None, None, None, None))
                continue
            # A quote with no attribution of its own continues the latest speaker nearby.
            prev = next((h for h in history if sidx - h[0] <= 2 and h[1] == para), None)
            if prev is None:
                # A quote opening a paragraph is often attributed in the next sentence.
                nxt = next(
                    (
                        a
                        for i, p, a in items
                        if i == sidx + 1
                        and p == para
                        and a.speaker is not None
                        and a.claim_type == "direct_quote"
                    ),
                    None,
                )
                if nxt is not None and nxt.speaker is not None and nxt.speaker.kind != "pronoun":
                    sp2 = nxt.speaker
                    out.append(
                        (att, sp2.name, sp2.role, sp2.start, sp2.end, text[sp2.start : sp2.end])
                    )
                else:
                    out.append((att, None, None, None, None, None))
            else:
                out.append((att, prev[2], prev[7], prev[5], prev[6], text[prev[5] : prev[6]]))
            continue
        if sp.kind == "pronoun":
            cand = None
            for h in history:
                if sidx - h[0] > window:
                    break
                if _compatible(sp.gender, h[3], genders.get(h[2], h[4])):
                    cand = h
                    break
            if cand is None:
                out.append((att, None, None, sp.start, sp.end, text[sp.start : sp.end]))
                continue
            if sp.gender in ("m", "f"):
                genders.setdefault(cand[2], sp.gender)
            out.append((att, cand[2], cand[7], sp.start, sp.end, text[sp.start : sp.end]))
            continue
        name, kind = sp.name, sp.kind
        full = expand(name) if sp.n_name_tokens == 1 and kind != "org" else None
        if full is not None:
            name, kind = full, "person"
        elif sp.n_name_tokens == 1 and kind == "unknown":
            # A bare capitalised word that is no one's surname here: treat like an organisation.
            kind = "org"
        if kind in ("org", "unknown") and " " in name:
            # "the Humane Society" after "the Humane Society of Tampa Bay": the fuller name.
            longer = next((h[2] for h in history if h[2].startswith(name + " ")), None)
            name = longer or name
        role = sp.role
        if role is None:
            role = next((h[7] for h in history if h[2] == name and h[7]), None)
        if sp.gender:
            genders.setdefault(name, sp.gender)
        history.insert(0, (sidx, para, name, kind, sp.gender, sp.start, sp.end, role))
        out.append((att, name, role, sp.start, sp.end, text[sp.start : sp.end]))
    return out


def _unattributed(
    sents: pl.DataFrame, cfg: CandidatesConfig
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Vectorised: which sentences without a frame are unattributed assertions."""
    t = pl.col("text")
    stripped = t.str.strip_chars()
    reason = (
        pl.when(stripped.str.split(" ").list.len() < cfg.min_words)
        .then(pl.lit("short"))
        .when(stripped.str.strip_chars_end("\"”’' )").str.ends_with("?"))
        .then(pl.lit("question"))
        .when(t.str.contains(BOILERPLATE))
        .then(pl.lit("boilerplate"))
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
    # Span: the sentence without surrounding whitespace and its final full stop.
    lead = t.str.len_chars() - t.str.strip_chars_start().str.len_chars()
    body = t.str.strip_chars().str.strip_chars_end(".;:")
    keep = keep.with_columns(
        (pl.col("char_start") + lead).alias("c_start"),
        (pl.col("char_start") + lead + body.str.len_chars()).alias("c_end"),
    )
    return keep.select("article_id", "sentence_id", "c_start", "c_end"), counts


def propose_claims(
    articles: pl.DataFrame, sentences: pl.DataFrame, cfg: CandidatesConfig
) -> tuple[pl.DataFrame, CandidateStats]:
    """Propose claim candidates for every sentence; return the claims table and counts.

    ``articles`` needs ``article_id`` and ``text``; ``sentences`` follows the sentences contract.
    Output follows the ``claims`` contract in docs/architecture.md, sorted by article and span.
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
    boiler = sents["text"].str.contains(BOILERPLATE)
    cue_mask = sents["text"].str.contains(PREFILTER) & ~boiler
    with_cue = sents.filter(cue_mask)
    texts: dict[str, str] = dict(
        zip(
            articles["article_id"].to_list(),
            articles["text"].to_list(),
            strict=True,
        )
    )
    # Parse each cue sentence, then resolve speakers article by article, in text order.
    rows: list[dict[str, object]] = []
    attributed_ids: set[str] = set()
    per_article: dict[str, list[tuple[int, int, str, Attribution]]] = {}
    # Cue strings per sentence in one vectorised pass; Python only locates and parses them.
    with_cue = with_cue.with_columns(pl.col("text").str.extract_all(CUE_EXTRACT).alias("_cues"))
    for sid, aid, para, idx, cs, ce, hits in with_cue.select(
        "sentence_id", "article_id", "paragraph", "index", "char_start", "char_end", "_cues"
    ).iter_rows():
        found = parse_sentence(texts[aid], cs, ce, cfg.max_subject_words, hits or [])
        if found:
            attributed_ids.add(sid)
            per_article.setdefault(aid, []).extend((idx, para, sid, a) for a in found)
    for aid, items in per_article.items():
        text = texts[aid]
        resolved = _resolve_article(text, [(i, p, a) for i, p, _, a in items], cfg.pronoun_window)
        for (_, _, sid, _), (att, name, role, s_start, s_end, s_text) in zip(
            items, resolved, strict=True
        ):
            hint = cue_category(att.cue)
            frame_hint = cue_category(att.frame_cue)
            if frame_hint == "warning" or (hint is None and frame_hint):
                hint = frame_hint
            rows.append(
                {
                    "article_id": aid,
                    "sentence_id": sid,
                    "char_start": att.start,
                    "char_end": att.end,
                    "speaker": name,
                    "speaker_role": role,
                    "speaker_text": s_text,
                    "speaker_start": s_start,
                    "speaker_end": s_end,
                    "cue": att.cue,
                    "claim_type": att.claim_type,
                    "_hint": hint,
                }
            )
    stats.attributed_sentences = len(attributed_ids)
    rest = sents.filter(~pl.col("sentence_id").is_in(list(attributed_ids)))
    unattr, not_claim = _unattributed(rest, cfg)
    stats.not_claim = not_claim
    stats.unattributed_sentences = unattr.height
    schema = {
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
    }
    attributed = pl.DataFrame(rows, schema=schema)
    unattributed = (
        unattr.rename({"c_start": "char_start", "c_end": "char_end"})
        .with_columns(
            pl.col("char_start").cast(pl.Int64),
            pl.col("char_end").cast(pl.Int64),
            *[
                pl.lit(None, dtype=schema[c]).alias(c)
                for c in schema
                if c not in ("article_id", "sentence_id", "char_start", "char_end", "claim_type")
            ],
            pl.lit("unattributed").alias("claim_type"),
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
    claims = claims.with_columns(pl.col("speaker").is_not_null().alias("_attributed"))
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
        pl.lit(cfg.model_version).alias("model_version"),
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
