"""Small valid tables per the data contracts (docs/architecture.md), and one broken copy of each."""

from __future__ import annotations

import hashlib

import polars as pl

TEXTS = {
    "a-00000000000000a1": "Kremlin warns NATO\n\nPeskov warned of conflict. Macron disagreed.",
    "a-00000000000000b2": "Barrier vote\n\nThe council backed the barrier. Fishermen protested.",
}


def articles() -> pl.DataFrame:
    rows = []
    for n, (aid, text) in enumerate(sorted(TEXTS.items())):
        title = text.split("\n\n")[0]
        rows.append(
            {
                "article_id": aid,
                "source": "demo",
                "source_id": None,
                "url": None,
                "title": title,
                "standfirst": None,
                "body": text.split("\n\n", 1)[1],
                "published_at": f"2026-01-0{n + 1}",
                "language": "en",
                "author": None,
                "synthetic": True,
                "text": text,
                "title_end": len(title),
                "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "raw_sha256": "0" * 64,
                "origin_file": f"demo/{n}.txt",
                "origin_line": 1,
                "origin_format": "txt",
                "cluster_id": aid,
            }
        )
    return pl.DataFrame(rows)


def _sentence_spans() -> list[tuple[str, int, int]]:
    out = []
    for aid, text in sorted(TEXTS.items()):
        title_end = text.index("\n\n")
        out.append((aid, 0, title_end))
        body = text.index("\n\n") + 2
        first_end = text.index(".", body) + 1
        out.append((aid, body, first_end))
        out.append((aid, first_end + 1, len(text)))
    return out


def sentences() -> pl.DataFrame:
    rows = []
    counters: dict[str, int] = {}
    for aid, s, e in _sentence_spans():
        i = counters.get(aid, 0)
        counters[aid] = i + 1
        rows.append(
            {
                "sentence_id": f"{aid}-s{i:04d}",
                "article_id": aid,
                "paragraph": 0 if i == 0 else 1,
                "index": i,
                "char_start": s,
                "char_end": e,
                "text": TEXTS[aid][s:e],
            }
        )
    return pl.DataFrame(rows)


def claims() -> pl.DataFrame:
    rows = []
    for n, (aid, s, e) in enumerate(x for x in _sentence_spans() if x[1] > 0):
        rows.append(
            {
                "claim_id": f"{aid}-c{n:03d}",
                "article_id": aid,
                "sentence_id": f"{aid}-s0001",
                "char_start": s,
                "char_end": e,
                "text": TEXTS[aid][s:e],
                "speaker": None,
                "speaker_id": None,
                "speaker_role": None,
                "speaker_text": None,
                "speaker_start": None,
                "speaker_end": None,
                "cue": None,
                "claim_type": "unattributed",
                "category": "factual",
                "checkworthy_score": 0.5,
                "model_version": "rules-1",
            }
        )
    return pl.DataFrame(rows, schema_overrides={"speaker_start": pl.Int64, "speaker_end": pl.Int64})


def stance_pairs() -> pl.DataFrame:
    rows = [
        {
            "pair_id": f"p{n}",
            "pair_kind": "target",
            "target_id": "t1",
            "target": "Troops to Ukraine",
            "article_id": aid,
            "claim_id": None,
            "sentence_id": f"{aid}-s0001",
            "text": "Some text.",
            "predicted_label": lab,
            "score": 0.7,
            "model_version": "lex-1",
        }
        for n, (aid, lab) in enumerate(
            zip(sorted(TEXTS) * 2, ["favor", "against", "neutral", "unrelated"], strict=True)
        )
    ]
    return pl.DataFrame(rows)


def annotations() -> pl.DataFrame:
    rows = []
    for n, (who, value) in enumerate(
        [("a@x.org", "favor"), ("b@x.org", "favor"), ("a@x.org", "against")]
    ):
        rows.append(
            {
                "project": "stance",
                "task_key": f"stance:p{n // 2}",
                "item_id": f"p{n // 2}",
                "annotator": who,
                "annotation_id": n + 1,
                "field": "stance",
                "value": value,
                "char_start": None,
                "char_end": None,
                "span_text": None,
                "region_id": None,
                "created_at": "2026-11-21T10:00:00Z",
                "lead_time": 3.0,
                "label_config_version": "abc",
            }
        )
    rows.append(
        {
            "project": "claims",
            "task_key": "claims:a:p1",
            "item_id": "a-g0-5",
            "annotator": "a@x.org",
            "annotation_id": 9,
            "field": "claim",
            "value": "CLAIM",
            "char_start": 0,
            "char_end": 5,
            "span_text": "Hello",
            "region_id": "r1",
            "created_at": "2026-11-21T10:00:00Z",
            "lead_time": 3.0,
            "label_config_version": "abc",
        }
    )
    return pl.DataFrame(rows, schema_overrides={"char_start": pl.Int64, "char_end": pl.Int64})


def labels_stance() -> pl.DataFrame:
    labels = ["favor", "against", "neutral", "unrelated"]
    return pl.DataFrame(
        [
            {
                "item_id": f"p{n}",
                "pair_kind": "target",
                "target_id": "t1",
                "target": "Troops to Ukraine",
                "article_id": sorted(TEXTS)[n % 2],
                "text": "Some text.",
                "label": lab,
                "method": "review" if n == 0 else "majority",
                "confidence": 0.8,
                "n_annotators": 3,
                "agreement": 0.67,
                "reviewer": "rita@x.org" if n == 0 else None,
            }
            for n, lab in enumerate(labels)
        ]
    )


def labels_claims() -> pl.DataFrame:
    cats = ["factual", "prediction", "opinion", "warning"]
    rows = []
    for n, (aid, s, e) in enumerate(x for x in _sentence_spans() if x[1] > 0):
        rows.append(
            {
                "item_id": f"{aid}-g{s}-{e}",
                "article_id": aid,
                "char_start": s,
                "char_end": e,
                "text": TEXTS[aid][s:e],
                "speaker": None,
                "claim_type": cats[n],
                "checkworthy": "yes",
                "method": "majority",
                "confidence": 1.0,
                "n_annotators": 2,
                "agreement": 1.0,
                "reviewer": None,
            }
        )
    return pl.DataFrame(rows)


def splits() -> pl.DataFrame:
    df = labels_stance()
    arts = articles().select("article_id", "cluster_id", "source", "published_at")
    df = df.join(arts, on="article_id", how="left")
    split_of = {aid: s for aid, s in zip(sorted(TEXTS), ["train", "test"], strict=True)}
    df = df.with_columns(pl.col("article_id").replace_strict(split_of).alias("split"))
    # a third article (not in the articles table: the splits suite does not need it) for validation
    third = pl.col("item_id") == "p3"
    return df.with_columns(
        pl.when(third)
        .then(pl.lit("a-00000000000000c3"))
        .otherwise(pl.col("article_id"))
        .alias("article_id"),
        pl.when(third)
        .then(pl.lit("a-00000000000000c3"))
        .otherwise(pl.col("cluster_id"))
        .alias("cluster_id"),
        pl.when(third).then(pl.lit("validation")).otherwise(pl.col("split")).alias("split"),
    ).sort("item_id")


def agreement() -> pl.DataFrame:
    return pl.DataFrame(
        {"field": ["claim", "stance"], "alpha": [0.71, 0.64], "n_items_multi": [10, 20]}
    )


def valid_tables() -> dict[str, pl.DataFrame]:
    return {
        "articles": articles(),
        "sentences": sentences(),
        "claims": claims(),
        "stance_pairs": stance_pairs(),
        "annotations": annotations(),
        "labels_stance": labels_stance(),
        "labels_claims": labels_claims(),
        "splits": splits(),
        "agreement": agreement(),
    }


# table -> (broken table, the check that must fail)
def broken_tables() -> dict[str, tuple[pl.DataFrame, str]]:
    a = articles()
    s = sentences()
    c = claims()
    sp = stance_pairs()
    an = annotations()
    ls = labels_stance()
    lc = labels_claims()
    spl = splits()
    return {
        "articles": (
            a.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit(""))
                .otherwise(pl.col("title"))
                .alias("title")
            ),
            "non_empty_title",
        ),
        "sentences": (
            s.with_columns(
                pl.when(pl.col("index") == 2)
                .then(pl.col("char_end") + 5)
                .otherwise(pl.col("char_end"))
                .alias("char_end")
            ),
            "char_end_within_article",
        ),
        "claims": (c.with_columns(pl.col("text").str.to_uppercase()), "text_matches_article"),
        "stance_pairs": (
            sp.with_columns(pl.lit("maybe").alias("predicted_label")),
            "values_predicted_label",
        ),
        "annotations": (
            an.with_columns(
                pl.when(pl.col("annotation_id") == 1)
                .then(pl.lit("yes"))
                .otherwise(pl.col("value"))
                .alias("value")
            ),
            "values_stance",
        ),
        "labels_stance": (ls.head(0), "min_rows"),
        "labels_claims": (
            lc.with_columns(pl.lit("factual").alias("claim_type")),
            "label_share_max_claim_type",
        ),
        "splits": (
            spl.with_columns(
                pl.when(pl.col("item_id") == "p0")
                .then(pl.lit("validation"))
                .otherwise(pl.col("split"))
                .alias("split")
            ),
            "article_in_one_split",
        ),
        "agreement": (agreement().with_columns(pl.lit(0.1).alias("alpha")), "alpha_at_least_min"),
    }
