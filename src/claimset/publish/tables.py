"""The release's five tables, built from the pipeline's outputs (before any split is assigned).

* ``articles``: the text every offset points into, with a licence note per source;
* ``claim_detection``: every sentence an annotator saw in a claims task, claim / not_claim;
* ``claims``: the aggregated claim spans with speaker mention span, resolved name and cue;
* ``attribution``: per article, tokens with BIO tags over CONTENT / SOURCE / CUE;
* ``stance``: the stance labels with the context window the annotators saw.

Everything here is a polars expression or a per-article loop over already-sorted rows, so
the output is deterministic. Sentences or claims that the annotators did not settle (an
unresolved tie, a task with too few annotators) are left out and counted in
:class:`TableCounts`, never turned into negatives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from claimset.claims.speakers import PRONOUNS

NO_SPAN = "none"  # the export's value for "no region" (claimset.annotations.export.NO_SPAN_VALUE)
TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "many"})


@dataclass
class TableCounts:
    """What was left out while building the tables, and why (reported by the split stage)."""

    sentences_seen: int = 0
    sentences_unresolved: int = 0
    """sentences overlapping a claim the annotators did not settle (tie), left out"""
    tasks_too_few_annotators: int = 0
    tasks_without_annotations: int = 0
    claims_without_sentence: int = 0
    speaker_spans_from_annotations: int = 0
    speaker_spans_found_in_text: int = 0
    speaker_names_from_annotators: int = 0
    speaker_names_from_candidates: int = 0
    speaker_names_from_mention: int = 0
    cue_spans: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        """Flat mapping for the split report."""
        out = {k: v for k, v in self.__dict__.items() if k != "extra"}
        out.update(self.extra)
        return out


def license_note(source: str | None, source_licenses: Mapping[str, str], default: str) -> str:
    """The licence note of one source (``dataset.source_licenses``, else the default)."""
    return source_licenses.get(source or "", default)


def build_articles(
    articles: pl.DataFrame,
    article_ids: Sequence[str],
    source_licenses: Mapping[str, str],
    default_license: str,
) -> pl.DataFrame:
    """One row per released article (those some other table refers to), sorted by id."""
    wanted = pl.Series("article_id", sorted(set(article_ids)), dtype=pl.String)
    df = articles.filter(pl.col("article_id").is_in(wanted.implode()))
    for col, dtype in (
        ("title", pl.String),
        ("source", pl.String),
        ("url", pl.String),
        ("published_at", pl.String),
        ("language", pl.String),
        ("synthetic", pl.Boolean),
    ):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(col))
    notes = {s: license_note(s, source_licenses, default_license) for s in df["source"].unique()}
    return (
        df.select(
            "article_id",
            pl.col("title").cast(pl.String),
            pl.col("text").cast(pl.String),
            pl.col("source").cast(pl.String),
            pl.col("url").cast(pl.String),
            pl.col("published_at").cast(pl.String),
            pl.col("language").cast(pl.String),
            pl.col("synthetic").cast(pl.Boolean).fill_null(False),
            pl.col("source")
            .replace_strict(notes, default=default_license, return_dtype=pl.String)
            .fill_null(default_license)
            .alias("license_note"),
        )
        .sort("article_id")
        .rechunk()
    )


def _task_frame(tasks: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    rows = []
    for t in tasks:
        data = t.get("data", t)
        text = data.get("text")
        if not isinstance(text, str) or data.get("article_id") is None:
            continue
        start = int(data.get("char_offset") or 0)
        rows.append(
            {
                "task_key": str(data.get("task_key")),
                "article_id": str(data["article_id"]),
                "task_start": start,
                "task_end": start + len(text),
            }
        )
    schema = {
        "task_key": pl.String,
        "article_id": pl.String,
        "task_start": pl.Int64,
        "task_end": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def _overlaps(a0: str, a1: str, b0: str, b1: str) -> pl.Expr:
    return (pl.col(a0) < pl.col(b1)) & (pl.col(b0) < pl.col(a1))


def build_claim_detection(
    sentences: pl.DataFrame,
    claims_tasks: Sequence[Mapping[str, Any]],
    annotations: pl.DataFrame,
    gold_claims: pl.DataFrame,
    unresolved: Sequence[Mapping[str, Any]],
    counts: TableCounts,
) -> pl.DataFrame:
    """One row per sentence of an annotated claims task.

    ``label`` is ``claim`` when an aggregated gold claim span overlaps the sentence;
    ``checkworthy`` is ``yes`` when one of those claims is check-worthy, ``no`` when none is,
    null for ``not_claim``. ``agreement`` is the share of the task's annotators whose own
    CLAIM regions say the same (some region overlapping the sentence, or none).
    """
    tasks = _task_frame(claims_tasks)
    ann = annotations.filter(pl.col("project") == "claims")
    who = ann.group_by("task_key").agg(pl.col("annotator").n_unique().alias("n_annotators"))
    too_few = {
        str(u.get("task_key"))
        for u in unresolved
        if u.get("project") == "claims" and u.get("reason") == "too_few_annotators"
    }
    counts.tasks_too_few_annotators = len(too_few & set(tasks["task_key"].to_list()))
    annotated = tasks.join(who, on="task_key", how="inner").filter(
        ~pl.col("task_key").is_in(pl.Series(sorted(too_few), dtype=pl.String).implode())
    )
    counts.tasks_without_annotations = tasks.height - tasks.join(who, on="task_key").height
    sents = (
        sentences.select("sentence_id", "article_id", "char_start", "char_end", "text")
        .join(annotated, on="article_id", how="inner")
        .filter(
            (pl.col("char_start") >= pl.col("task_start"))
            & (pl.col("char_end") <= pl.col("task_end"))
        )
        # A sentence is seen once even if two task versions showed it.
        .sort("sentence_id", "task_key")
        .unique("sentence_id", keep="first", maintain_order=True)
    )
    counts.sentences_seen = sents.height
    gold = gold_claims.select(
        "article_id",
        pl.col("char_start").alias("g_start"),
        pl.col("char_end").alias("g_end"),
        pl.col("checkworthy").alias("g_cw"),
    )
    hit = (
        sents.select("sentence_id", "article_id", "char_start", "char_end")
        .join(gold, on="article_id", how="inner")
        .filter(_overlaps("char_start", "char_end", "g_start", "g_end"))
        .group_by("sentence_id")
        .agg((pl.col("g_cw") == "yes").any().alias("any_yes"))
    )
    # Annotators' own CLAIM regions: who marked something in each sentence.
    regions = ann.filter((pl.col("field") == "claim") & (pl.col("value") != NO_SPAN)).select(
        "task_key",
        "annotator",
        pl.col("char_start").alias("r_start"),
        pl.col("char_end").alias("r_end"),
    )
    marked = (
        sents.select("sentence_id", "task_key", "char_start", "char_end")
        .join(regions, on="task_key", how="inner")
        .filter(_overlaps("char_start", "char_end", "r_start", "r_end"))
        .group_by("sentence_id")
        .agg(pl.col("annotator").n_unique().alias("n_marked"))
    )
    # Sentences touching an unsettled claim (existence tie) are neither claim nor not_claim.
    ties = [
        (str(u["article_id"]), int(u["char_start"]), int(u["char_end"]))
        for u in unresolved
        if u.get("project") == "claims"
        and u.get("reason") != "too_few_annotators"
        and u.get("char_start") is not None
        and u.get("char_end") is not None
        and u.get("article_id") is not None
    ]
    tie_frame = pl.DataFrame(
        ties, schema={"article_id": pl.String, "u_start": pl.Int64, "u_end": pl.Int64}, orient="row"
    )
    unsettled = (
        sents.select("sentence_id", "article_id", "char_start", "char_end")
        .join(tie_frame, on="article_id", how="inner")
        .filter(_overlaps("char_start", "char_end", "u_start", "u_end"))
        .select("sentence_id")
        .unique()
    )
    out = (
        sents.join(hit, on="sentence_id", how="left")
        .join(marked, on="sentence_id", how="left")
        .join(
            unsettled.with_columns(pl.lit(True).alias("_unsettled")), on="sentence_id", how="left"
        )
    )
    is_claim = pl.col("any_yes").is_not_null()
    out = out.with_columns(
        pl.when(is_claim).then(pl.lit("claim")).otherwise(pl.lit("not_claim")).alias("label"),
        pl.when(~is_claim)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("any_yes"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
        .alias("checkworthy"),
        pl.col("n_annotators").cast(pl.Int64),
        pl.col("n_marked").fill_null(0).cast(pl.Int64),
    ).with_columns(
        (
            pl.when(is_claim)
            .then(pl.col("n_marked"))
            .otherwise(pl.col("n_annotators") - pl.col("n_marked"))
            / pl.col("n_annotators")
        )
        .round(6)
        .alias("agreement")
    )
    # A settled claim inside the sentence makes it a claim even if another span tied.
    drop = pl.col("_unsettled").fill_null(False) & ~is_claim
    counts.sentences_unresolved = int(out.select(drop.sum()).item())
    return (
        out.filter(~drop)
        .select(
            "sentence_id",
            "article_id",
            "char_start",
            "char_end",
            "text",
            "label",
            "checkworthy",
            "n_annotators",
            "agreement",
        )
        .sort("sentence_id")
        .rechunk()
    )


def _mode_span(rows: list[tuple[int, int]]) -> tuple[int, int] | None:
    if not rows:
        return None
    tally: dict[tuple[int, int], int] = {}
    for r in rows:
        tally[r] = tally.get(r, 0) + 1
    return min(tally, key=lambda k: (-tally[k], k))


def _nearest(text: str, needle: str, lo: int, hi: int, anchor: int) -> tuple[int, int] | None:
    """The occurrence of ``needle`` in ``text[lo:hi]`` (word-bounded) nearest ``anchor``."""
    if not needle:
        return None
    best: tuple[int, int] | None = None
    pat = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    for m in pat.finditer(text, max(lo, 0), min(hi, len(text))):
        d = min(abs(m.start() - anchor), abs(m.end() - anchor))
        if best is None or d < abs(best[0] - anchor):
            best = (m.start(), m.end())
    return best


def is_pronoun(mention: str | None) -> bool:
    """True when the speaker mention is a bare pronoun ("he", "She", "they")."""
    return bool(mention) and mention.strip().lower() in PRONOUNS  # type: ignore[union-attr]


def is_unnamed(name: str | None) -> bool:
    """True when a speaker exists but carries no proper name ("officials", "a spokesperson").

    A resolved name counts as named when one of its words, after leading determiners, starts
    with a capital letter; a pronoun left unresolved is unnamed.
    """
    if not name:
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name)]
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if not words or (len(words) == 1 and words[0].lower() in PRONOUNS):
        return True
    return not any(w[0].isupper() for w in words)


def build_claims(
    labels_claims: pl.DataFrame,
    annotations: pl.DataFrame,
    candidates: pl.DataFrame,
    sentences: pl.DataFrame,
    articles: pl.DataFrame,
    counts: TableCounts,
) -> pl.DataFrame:
    """One row per aggregated claim with its speaker mention span, resolved name and cue.

    * speaker span: the span the annotators drew for the gold speaker mention (most common
      among their SPEAKER regions linked to the claim with that text), else the mention's
      occurrence in the article nearest the claim;
    * ``speaker_name``: the annotators' resolved name (``labels_claims.speaker_name``) when
      the aggregation provides it, else the candidate's resolved ``speaker`` for the same
      mention, else the mention itself;
    * cue: the candidate's cue when a candidate has the same claim sentence and speaker
      mention, located between the speaker and the claim.
    """
    texts = dict(articles.select("article_id", "text").iter_rows())
    lab = labels_claims.sort("item_id")
    spk_rows: dict[str, list[tuple[int, int, str]]] = {}
    for item, s, e, t in (
        annotations.filter((pl.col("project") == "claims") & (pl.col("field") == "speaker"))
        .select("item_id", "char_start", "char_end", "span_text")
        .sort("item_id", "char_start", "char_end")
        .iter_rows()
    ):
        if item is not None and s is not None and e is not None:
            spk_rows.setdefault(item, []).append((int(s), int(e), t or ""))
    # Sentence of each claim: the sentence containing its first character.
    sent = sentences.select(
        "article_id",
        "sentence_id",
        pl.col("char_start").alias("s_start"),
        pl.col("char_end").alias("s_end"),
    ).sort("article_id", "s_start")
    with_sent = (
        lab.select("item_id", "article_id", "char_start")
        .sort("char_start")
        .join_asof(
            sent.sort("s_start"),
            left_on="char_start",
            right_on="s_start",
            by="article_id",
            strategy="backward",
            check_sortedness=False,
        )
        .filter(pl.col("s_end").is_null() | (pl.col("char_start") < pl.col("s_end")))
    )
    sentence_of = {
        i: (sid, s0, s1)
        for i, sid, s0, s1 in with_sent.select(
            "item_id", "sentence_id", "s_start", "s_end"
        ).iter_rows()
    }
    cand_cols = [
        c
        for c in (
            "article_id",
            "sentence_id",
            "speaker",
            "speaker_text",
            "speaker_start",
            "speaker_end",
            "cue",
            "char_start",
            "char_end",
        )
        if c in candidates.columns
    ]
    cands: dict[str, list[dict[str, Any]]] = {}
    for row in candidates.select(cand_cols).sort("article_id", "char_start").iter_rows(named=True):
        cands.setdefault(row["article_id"], []).append(row)
    has_name = "speaker_name" in lab.columns
    rows = []
    for r in lab.iter_rows(named=True):
        aid, c0, c1 = r["article_id"], int(r["char_start"]), int(r["char_end"])
        text = texts.get(aid, "")
        sid, s0, s1 = sentence_of.get(r["item_id"], (None, None, None))
        if sid is None:
            counts.claims_without_sentence += 1
        mention = r.get("speaker")
        span: tuple[int, int] | None = None
        if mention:
            span = _mode_span(
                [(s, e) for s, e, t in spk_rows.get(r["item_id"], []) if t == mention]
            )
            if span is not None:
                counts.speaker_spans_from_annotations += 1
            else:
                lo = (s0 if s0 is not None else c0) - 1000
                span = _nearest(text, mention, lo, (s1 if s1 is not None else c1) + 1000, c0)
                if span is not None:
                    counts.speaker_spans_found_in_text += 1
        # The candidate for this claim: same article, overlapping span, same mention span.
        match = None
        for c in cands.get(aid, []):
            if c["char_start"] < c1 and c0 < c["char_end"]:
                same_speaker = (
                    span is not None and (c.get("speaker_start"), c.get("speaker_end")) == span
                )
                if match is None or same_speaker:
                    match = c
                if same_speaker:
                    break
        name = r.get("speaker_name") if has_name else None
        if mention and name:
            counts.speaker_names_from_annotators += 1
        elif (
            mention
            and match is not None
            and match.get("speaker")
            and (
                span is not None and (match.get("speaker_start"), match.get("speaker_end")) == span
            )
        ):
            name = match["speaker"]
            counts.speaker_names_from_candidates += 1
        elif (
            is_pronoun(mention)
            and match is not None
            and match.get("speaker")
            and not is_pronoun(match["speaker"])
        ):
            # "She" drawn by the annotators, while the candidate for the same claim framed it
            # differently ("..., Rask said. She ..."): the candidate's resolved antecedent
            # still names who "she" is.
            name = match["speaker"]
            counts.speaker_names_from_candidates += 1
        elif mention:
            name = mention
            counts.speaker_names_from_mention += 1
        cue = None
        cue_span: tuple[int, int] | None = None
        if (
            match is not None
            and match.get("cue")
            and span is not None
            and ((match.get("speaker_start"), match.get("speaker_end")) == span)
        ):
            cue = match["cue"]
            lo, hi = (span[1], c0) if span[1] <= c0 else (c1, span[0])
            cue_span = _nearest(text, cue, lo, hi, lo) or _nearest(
                text, cue, min(span[0], c0) - 200, max(span[1], c1) + 200, span[0]
            )
            if cue_span is not None:
                counts.cue_spans += 1
        rows.append(
            {
                "claim_id": r["item_id"],
                "article_id": aid,
                "sentence_id": sid,
                "char_start": c0,
                "char_end": c1,
                "text": r["text"],
                "speaker_start": span[0] if span else None,
                "speaker_end": span[1] if span else None,
                "speaker_text": text[span[0] : span[1]] if span else mention,
                "speaker_name": name,
                "speaker_unnamed": is_unnamed(name) if mention else False,
                "speaker_pronoun": is_pronoun(mention),
                "cue": cue,
                "cue_start": cue_span[0] if cue_span else None,
                "cue_end": cue_span[1] if cue_span else None,
                "claim_type": r["claim_type"],
                "checkworthy": r["checkworthy"],
                "confidence": r.get("confidence"),
                "n_annotators": r.get("n_annotators"),
                "agreement": r.get("agreement"),
                "method": r.get("method"),
            }
        )
    schema = {
        "claim_id": pl.String,
        "article_id": pl.String,
        "sentence_id": pl.String,
        "char_start": pl.Int64,
        "char_end": pl.Int64,
        "text": pl.String,
        "speaker_start": pl.Int64,
        "speaker_end": pl.Int64,
        "speaker_text": pl.String,
        "speaker_name": pl.String,
        "speaker_unnamed": pl.Boolean,
        "speaker_pronoun": pl.Boolean,
        "cue": pl.String,
        "cue_start": pl.Int64,
        "cue_end": pl.Int64,
        "claim_type": pl.String,
        "checkworthy": pl.String,
        "confidence": pl.Float64,
        "n_annotators": pl.Int64,
        "agreement": pl.Float64,
        "method": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort("claim_id")


ATTRIBUTION_TAGS = ("O", "B-CONTENT", "I-CONTENT", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE")


def tag_tokens(
    tokens: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, str, int]]
) -> list[str]:
    """BIO tags for ``tokens`` (start, end) from ``spans`` (start, end, kind, span id).

    A token belongs to a span it overlaps; CUE wins over SOURCE over CONTENT where spans
    overlap. ``B-`` starts every span instance, so two adjacent claims stay two spans.
    """
    rank = {"CUE": 0, "SOURCE": 1, "CONTENT": 2}
    ordered = sorted(spans, key=lambda s: (rank[s[2]], s[0], s[1], s[3]))
    tags: list[str] = []
    prev: tuple[str, int] | None = None
    for t0, t1 in tokens:
        owner = next(((k, i) for a, b, k, i in ordered if a < t1 and t0 < b), None)
        if owner is None:
            tags.append("O")
        else:
            tags.append(("I-" if prev == owner else "B-") + owner[0])
        prev = owner
    return tags


def build_attribution(
    articles: pl.DataFrame, claim_detection: pl.DataFrame, claims: pl.DataFrame
) -> pl.DataFrame:
    """Per article: the tokens of the sentences annotators saw, tagged from the gold claims."""
    texts = dict(articles.select("article_id", "text").iter_rows())
    spans: dict[str, list[tuple[int, int, str, int]]] = {}
    for n, (aid, c0, c1, s0, s1, q0, q1) in enumerate(
        claims.sort("claim_id")
        .select(
            "article_id",
            "char_start",
            "char_end",
            "speaker_start",
            "speaker_end",
            "cue_start",
            "cue_end",
        )
        .iter_rows()
    ):
        lst = spans.setdefault(aid, [])
        lst.append((c0, c1, "CONTENT", n))
        if s0 is not None and s1 is not None:
            lst.append((s0, s1, "SOURCE", n))
        if q0 is not None and q1 is not None:
            lst.append((q0, q1, "CUE", n))
    rows = []
    by_article = (
        claim_detection.sort("article_id", "char_start")
        .group_by("article_id", maintain_order=True)
        .agg("char_start", "char_end")
    )
    for aid, starts, ends in by_article.iter_rows():
        text = texts.get(aid, "")
        toks: list[tuple[int, int]] = []
        words: list[str] = []
        for a, b in zip(starts, ends, strict=True):
            for m in TOKEN_RE.finditer(text, a, b):
                toks.append((m.start(), m.end()))
                words.append(m.group(0))
        tags = tag_tokens(toks, spans.get(aid, []))
        rows.append(
            {
                "article_id": aid,
                "tokens": words,
                "token_starts": [t[0] for t in toks],
                "token_ends": [t[1] for t in toks],
                "tags": tags,
            }
        )
    schema: dict[str, pl.DataType] = {
        "article_id": pl.String(),
        "tokens": pl.List(pl.String),
        "token_starts": pl.List(pl.Int64),
        "token_ends": pl.List(pl.Int64),
        "tags": pl.List(pl.String),
    }
    return pl.DataFrame(rows, schema=schema).sort("article_id")


def build_stance(
    labels_stance: pl.DataFrame, stance_tasks: Sequence[Mapping[str, Any]]
) -> pl.DataFrame:
    """The stance labels plus ``context``: the window the annotators saw around the text."""
    ctx = {
        str(d.get("pair_id")): d.get("context")
        for d in (t.get("data", t) for t in stance_tasks)
        if d.get("pair_id") is not None
    }
    return (
        labels_stance.with_columns(
            pl.col("item_id")
            .replace_strict(ctx, default=None, return_dtype=pl.String)
            .alias("context")
        )
        .sort("item_id")
        .rechunk()
    )
