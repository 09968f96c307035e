"""Expectation suites, one per table, defined in code.

Each suite is a list of :class:`Check`: a named Great Expectations expectation with a
severity. Thresholds are never literals here: they are ``{"$PARAMETER": name}``
references resolved from ``params.yaml`` (see :func:`expectation_parameters`). Checks that
GX cannot express on one table (offsets against the article text, an article in two
splits, label shares) run on helper columns prefixed ``_`` that :func:`prepare` computes
with polars (Arrow) before the table is handed to GX; GX still evaluates the expectation
and reports the offending rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from claimset.labels import CHECKWORTHY, CLAIM_TYPES, SPLITS, STANCE_LABELS
from claimset.validate.config import ValidateConfig

ATTRIBUTION_TYPES = ("direct_quote", "reported_speech", "unattributed")  # claims.claim_type
METHODS = ("majority", "dawid_skene", "review", "import")
ANNOTATION_FIELDS = (
    "stance",
    "claim",
    "speaker",
    "speaker_name",
    "claim_type",
    "checkworthy",
    "said_by",
)
PROJECTS = ("claims", "stance", "review_claims", "review_stance")


SUITES = (
    "articles",
    "sentences",
    "claims",
    "stance_pairs",
    "annotations",
    "labels_claims",
    "labels_stance",
    "splits",
    "agreement",
)


@dataclass(frozen=True)
class Check:
    """One named expectation of a suite.

    ``make`` builds the GX expectation (lazily: importing GX is slow). ``show`` lists the
    columns quoted for offending rows; ``offending`` selects them for table-level
    expectations (mean, max ...) that return no row indices.
    """

    name: str
    make: Callable[[], Any]
    severity: str = "critical"
    show: tuple[str, ...] = ()
    offending: Callable[[pl.DataFrame, Mapping[str, Any]], pl.Expr] | None = None


def _P(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _gxe() -> Any:
    import great_expectations.expectations as gxe

    return gxe


def _col() -> Any:
    from great_expectations.expectations.row_conditions import Column

    return Column


def expectation_parameters(cfg: ValidateConfig) -> dict[str, Any]:
    """Every ``$PARAMETER`` the suites reference, from the ``validate`` params section."""
    params: dict[str, Any] = {f"min_rows_{s}": cfg.rows_min(s) for s in SUITES}
    params.update(
        max_label_share=cfg.max_label_share,
        min_label_share=cfg.min_label_share,
        min_mean_agreement=cfg.min_mean_agreement,
        min_item_agreement=cfg.min_item_agreement,
        min_item_agreement_mostly=cfg.min_item_agreement_mostly,
        min_alpha=cfg.min_alpha,
    )
    return params


# ----------------------------------------------------------------------------- building blocks


def rows(suite: str) -> Check:
    """At least ``min_rows_<suite>`` rows: GX passes an empty table otherwise."""
    return Check(
        "min_rows", lambda: _gxe().ExpectTableRowCountToBeBetween(min_value=_P(f"min_rows_{suite}"))
    )


def schema(columns: Mapping[str, str]) -> list[Check]:
    """Required columns exist, each with an allowed type."""
    checks = [
        Check(
            "columns",
            lambda: _gxe().ExpectTableColumnsToMatchSet(
                column_set=sorted(columns), exact_match=False
            ),
        )
    ]
    for col, kind in columns.items():
        checks.append(Check(f"type_{col}", _type_check(col, kind), show=(col,)))
    return checks


def _type_check(col: str, kind: str) -> Callable[[], Any]:
    # Columns reach GX as Arrow-backed pandas columns (ArrowDtype), whose ``.type`` is the
    # Python type; ExpectColumnValuesToBeOfType compares exactly that ("int", "str", ...).
    return lambda: _gxe().ExpectColumnValuesToBeOfType(column=col, type_=kind)


def unique_id(col: str) -> list[Check]:
    """Ids present and unique."""
    return [
        Check(
            f"not_null_{col}", lambda: _gxe().ExpectColumnValuesToNotBeNull(column=col), show=(col,)
        ),
        Check(
            f"unique_{col}", lambda: _gxe().ExpectColumnValuesToBeUnique(column=col), show=(col,)
        ),
    ]


def not_null(col: str, severity: str = "critical", show: tuple[str, ...] = ()) -> Check:
    """No nulls in ``col``."""
    return Check(
        f"not_null_{col}",
        lambda: _gxe().ExpectColumnValuesToNotBeNull(column=col),
        severity,
        show or (col,),
    )


def non_empty(col: str, key: str) -> list[Check]:
    """Text present and at least one character long."""
    return [
        not_null(col, show=(key,)),
        Check(
            f"non_empty_{col}",
            lambda: _gxe().ExpectColumnValueLengthsToBeBetween(column=col, min_value=1),
            show=(key, col),
        ),
    ]


def matches(col: str, regex: str, show: tuple[str, ...] = ()) -> Check:
    """Every value of ``col`` matches ``regex`` (check named ``<col>_format``)."""
    return Check(
        f"{col}_format",
        lambda: _gxe().ExpectColumnValuesToMatchRegex(column=col, regex=regex),
        show=show or (col,),
    )


def in_set(
    col: str,
    values: tuple[str, ...],
    key: str,
    severity: str = "critical",
    name: str = "",
    condition: Callable[[], Any] | None = None,
) -> Check:
    """Values of ``col`` within the label schema (nulls are left to not-null checks)."""

    def make() -> Any:
        kw: dict[str, Any] = {"column": col, "value_set": list(values)}
        if condition is not None:
            kw["row_condition"] = condition()
        return _gxe().ExpectColumnValuesToBeInSet(**kw)

    return Check(name or f"values_{col}", make, severity, (key, col))


def between(
    col: str,
    key: str,
    lo: Any = None,
    hi: Any = None,
    name: str = "",
    severity: str = "critical",
    mostly: Any = None,
) -> Check:
    """``lo <= col <= hi`` (either bound may be a ``$PARAMETER``)."""

    def make() -> Any:
        kw: dict[str, Any] = {"column": col, "min_value": lo, "max_value": hi}
        if mostly is not None:
            kw["mostly"] = mostly
        return _gxe().ExpectColumnValuesToBeBetween(**kw)

    return Check(name or f"range_{col}", make, severity, (key, col))


def greater(
    a: str, b: str, key: str, name: str, or_equal: bool = False, show: tuple[str, ...] = ()
) -> Check:
    """``a > b`` (or ``>=``) row by row, rows with a missing value ignored."""
    return Check(
        name,
        lambda: _gxe().ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=or_equal, ignore_row_if="either_value_is_missing"
        ),
        show=show or (key, b, a),
    )


def span_checks(key: str, has_articles: bool) -> list[Check]:
    """``0 <= char_start < char_end <= len(article text)`` and the span text matches."""
    checks = [
        between("char_start", key, lo=0, name="char_start_non_negative"),
        greater("char_end", "char_start", key, "char_start_before_char_end"),
        Check(
            "span_length_matches_text",
            lambda: _gxe().ExpectColumnPairValuesToBeEqual(
                column_A="_span_len", column_B="_text_len", ignore_row_if="either_value_is_missing"
            ),
            show=(key, "char_start", "char_end", "text"),
        ),
    ]
    if has_articles:
        checks += [
            greater(
                "_article_len",
                "char_end",
                key,
                "char_end_within_article",
                or_equal=True,
                show=(key, "article_id", "char_end", "_article_len"),
            ),
            Check(
                "article_exists",
                lambda: _gxe().ExpectColumnValuesToNotBeNull(column="_article_len"),
                show=(key, "article_id"),
            ),
            Check(
                "text_matches_article",
                lambda: _gxe().ExpectColumnValuesToBeInSet(
                    column="_text_matches", value_set=[True]
                ),
                show=(key, "article_id", "char_start", "char_end", "text"),
            ),
        ]
    return checks


def label_distribution(col: str, values: tuple[str, ...], key: str) -> list[Check]:
    """No label above ``max_label_share``; each present label at or above ``min_label_share``;
    every label of the schema present (warning)."""
    return [
        Check(
            f"label_share_max_{col}",
            lambda: _gxe().ExpectColumnMaxToBeBetween(
                column=f"_share_{col}", max_value=_P("max_label_share")
            ),
            show=(col, f"_share_{col}"),
            offending=lambda df, p: pl.col(f"_share_{col}") > p["max_label_share"],
        ),
        Check(
            f"label_share_min_{col}",
            lambda: _gxe().ExpectColumnMinToBeBetween(
                column=f"_share_{col}", min_value=_P("min_label_share")
            ),
            "warning",
            (col, f"_share_{col}"),
            offending=lambda df, p: pl.col(f"_share_{col}") < p["min_label_share"],
        ),
        Check(
            f"all_labels_present_{col}",
            lambda: _gxe().ExpectColumnDistinctValuesToContainSet(
                column=col, value_set=list(values)
            ),
            "warning",
            (col,),
        ),
    ]


def labels_common(key: str) -> list[Check]:
    """Checks shared by both labels tables (and their split tables)."""
    return [
        in_set("method", METHODS, key),
        between("confidence", key, lo=0.0, hi=1.0),
        between("agreement", key, lo=0.0, hi=1.0),
        between("n_annotators", key, lo=1, name="n_annotators_positive"),
        Check(
            "reviewer_named_for_review",
            lambda: _gxe().ExpectColumnValuesToNotBeNull(
                column="reviewer", row_condition=_col()("method") == "review"
            ),
            show=(key, "method", "reviewer"),
        ),
        Check(
            "mean_agreement",
            lambda: _gxe().ExpectColumnMeanToBeBetween(
                column="agreement", min_value=_P("min_mean_agreement")
            ),
            show=(key, "agreement"),
            offending=lambda df, p: pl.col("agreement") < p["min_mean_agreement"],
        ),
        between(
            "agreement",
            key,
            lo=_P("min_item_agreement"),
            name="item_agreement",
            severity="warning",
            mostly=_P("min_item_agreement_mostly"),
        ),
    ]


# ----------------------------------------------------------------------------- suites


def _articles(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("articles"),
        *schema(
            {
                "article_id": "str",
                "source": "str",
                "title": "str",
                "body": "str",
                "language": "str",
                "text": "str",
                "title_end": "int",
                "text_sha256": "str",
                "origin_file": "str",
                "origin_line": "int",
                "origin_format": "str",
                "cluster_id": "str",
                "synthetic": "bool",
            }
        ),
        *unique_id("article_id"),
        matches("article_id", r"^a-[0-9a-f]{16}$"),
        *non_empty("text", "article_id"),
        *non_empty("title", "article_id"),
        matches("text_sha256", r"^[0-9a-f]{64}$", show=("article_id", "text_sha256")),
        in_set("origin_format", ("txt", "jsonl", "csv", "html"), "article_id"),
        between("title_end", "article_id", lo=0, name="title_end_non_negative"),
        greater("_text_len", "title_end", "article_id", "title_end_within_text", or_equal=True),
        not_null("cluster_id", show=("article_id",)),
        Check(
            "cluster_id_is_an_article",
            lambda: _gxe().ExpectColumnValuesToBeInSet(column="_cluster_known", value_set=[True]),
            show=("article_id", "cluster_id"),
        ),
    ]


def _sentences(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("sentences"),
        *schema(
            {
                "sentence_id": "str",
                "article_id": "str",
                "paragraph": "int",
                "index": "int",
                "char_start": "int",
                "char_end": "int",
                "text": "str",
            }
        ),
        *unique_id("sentence_id"),
        not_null("article_id", show=("sentence_id",)),
        *non_empty("text", "sentence_id"),
        between("paragraph", "sentence_id", lo=0, name="paragraph_non_negative"),
        between("index", "sentence_id", lo=0, name="index_non_negative"),
        *span_checks("sentence_id", has["articles"]),
    ]


def _claims(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("claims"),
        *schema(
            {
                "claim_id": "str",
                "article_id": "str",
                "sentence_id": "str",
                "char_start": "int",
                "char_end": "int",
                "text": "str",
                "claim_type": "str",
                "category": "str",
                "checkworthy_score": "float",
                "model_version": "str",
            }
        ),
        *unique_id("claim_id"),
        not_null("article_id", show=("claim_id",)),
        *non_empty("text", "claim_id"),
        in_set("claim_type", ATTRIBUTION_TYPES, "claim_id"),
        in_set("category", CLAIM_TYPES, "claim_id"),
        between("checkworthy_score", "claim_id", lo=0.0, hi=1.0),
        not_null("model_version", show=("claim_id",)),
        *span_checks("claim_id", has["articles"]),
        greater("speaker_end", "speaker_start", "claim_id", "speaker_start_before_speaker_end"),
        between("speaker_start", "claim_id", lo=0, name="speaker_start_non_negative"),
    ]


def _stance_pairs(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("stance_pairs"),
        *schema(
            {
                "pair_id": "str",
                "pair_kind": "str",
                "target_id": "str",
                "target": "str",
                "article_id": "str",
                "text": "str",
                "predicted_label": "str",
                "score": "float",
                "model_version": "str",
            }
        ),
        *unique_id("pair_id"),
        in_set("pair_kind", ("target", "headline"), "pair_id"),
        not_null("pair_kind", show=("pair_id",)),
        in_set("predicted_label", STANCE_LABELS, "pair_id"),
        *non_empty("text", "pair_id"),
        *non_empty("target", "pair_id"),
        not_null("article_id", show=("pair_id",)),
        not_null("model_version", show=("pair_id",)),
    ]


def _annotations(has: Mapping[str, bool]) -> list[Check]:
    C = _col
    return [
        rows("annotations"),
        *schema(
            {
                "project": "str",
                "task_key": "str",
                "item_id": "str",
                "annotator": "str",
                "field": "str",
                "value": "str",
                "char_start": "int",
                "char_end": "int",
                "created_at": "str",
                "label_config_version": "str",
            }
        ),
        in_set("project", PROJECTS, "task_key"),
        in_set("field", ANNOTATION_FIELDS, "task_key"),
        not_null("annotator", show=("task_key",)),
        not_null("item_id", show=("task_key",)),
        not_null("value", show=("task_key", "annotator", "field")),
        not_null("label_config_version", show=("task_key", "annotator")),
        *(
            in_set(
                "value",
                labels,
                "task_key",
                name=f"values_{fld}",
                condition=lambda fld=fld: C()("field") == fld,  # type: ignore[misc]
            )
            for fld, labels in (
                ("stance", STANCE_LABELS),
                ("claim_type", CLAIM_TYPES),
                ("checkworthy", CHECKWORTHY),
            )
        ),
        in_set(
            "value",
            ("CLAIM", "none"),
            "task_key",
            name="values_claim",
            condition=lambda: (C()("field") == "claim") & (C()("project") == "claims"),
        ),
        between("char_start", "task_key", lo=0, name="char_start_non_negative"),
        greater(
            "char_end",
            "char_start",
            "task_key",
            "char_start_before_char_end",
            show=("task_key", "annotator", "field", "char_start", "char_end"),
        ),
        Check(
            "one_answer_per_annotator_and_task",
            lambda: _gxe().ExpectColumnValuesToBeBetween(
                column="_answers_per_task", min_value=1, max_value=1
            ),
            show=("project", "task_key", "annotator", "annotation_id"),
        ),
    ]


def _labels_stance(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("labels_stance"),
        *schema(
            {
                "item_id": "str",
                "pair_kind": "str",
                "target_id": "str",
                "target": "str",
                "article_id": "str",
                "text": "str",
                "label": "str",
                "method": "str",
                "confidence": "float",
                "n_annotators": "int",
                "agreement": "float",
            }
        ),
        *unique_id("item_id"),
        not_null("label", show=("item_id",)),
        in_set("label", STANCE_LABELS, "item_id"),
        *non_empty("text", "item_id"),
        *non_empty("target", "item_id"),
        not_null("pair_kind", show=("item_id",)),
        *labels_common("item_id"),
        *label_distribution("label", STANCE_LABELS, "item_id"),
    ]


def _labels_claims(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("labels_claims"),
        *schema(
            {
                "item_id": "str",
                "article_id": "str",
                "char_start": "int",
                "char_end": "int",
                "text": "str",
                "claim_type": "str",
                "method": "str",
                "confidence": "float",
                "n_annotators": "int",
                "agreement": "float",
            }
        ),
        *unique_id("item_id"),
        matches("item_id", r"-g[0-9]+-[0-9]+x*$"),
        not_null("claim_type", show=("item_id",)),
        in_set("claim_type", CLAIM_TYPES, "item_id"),
        in_set("checkworthy", CHECKWORTHY, "item_id"),
        not_null("checkworthy", "warning", ("item_id",)),
        *non_empty("text", "item_id"),
        *span_checks("item_id", has["articles"]),
        *labels_common("item_id"),
        *label_distribution("claim_type", CLAIM_TYPES, "item_id"),
    ]


def _splits(has: Mapping[str, bool], columns: tuple[str, ...]) -> list[Check]:
    checks = [
        rows("splits"),
        *schema({"item_id": "str", "article_id": "str", "cluster_id": "str", "split": "str"}),
        *unique_id("item_id"),
        not_null("split", show=("item_id",)),
        in_set("split", SPLITS, "item_id"),
        not_null("article_id", show=("item_id",)),
        not_null("cluster_id", show=("item_id",)),
        Check(
            "article_in_one_split",
            lambda: _gxe().ExpectColumnValuesToBeBetween(
                column="_article_splits", min_value=1, max_value=1
            ),
            show=("item_id", "article_id", "split"),
        ),
        Check(
            "cluster_in_one_split",
            lambda: _gxe().ExpectColumnValuesToBeBetween(
                column="_cluster_splits", min_value=1, max_value=1
            ),
            show=("item_id", "cluster_id", "split"),
        ),
        Check(
            "all_splits_present",
            lambda: _gxe().ExpectColumnDistinctValuesToContainSet(
                column="split", value_set=list(SPLITS)
            ),
            "warning",
            ("split",),
        ),
    ]
    if "label" in columns:
        checks += [in_set("label", STANCE_LABELS, "item_id"), not_null("label", show=("item_id",))]
    if "claim_type" in columns:
        checks += [
            in_set("claim_type", CLAIM_TYPES, "item_id"),
            not_null("claim_type", show=("item_id",)),
        ]
    return checks


def _agreement(has: Mapping[str, bool]) -> list[Check]:
    return [
        rows("agreement"),
        *schema({"field": "str", "alpha": "float", "n_items_multi": "int"}),
        Check(
            "alpha_at_least_min",
            lambda: _gxe().ExpectColumnValuesToBeBetween(column="alpha", min_value=_P("min_alpha")),
            show=("field", "alpha", "n_items_multi"),
        ),
    ]


def suite_for(table: str) -> str:
    """Suite of a table name: exact, else the longest suite that prefixes it (``splits_stance`` -> splits)."""
    if table in SUITES:
        return table
    for s in sorted(SUITES, key=len, reverse=True):
        if table.startswith(s + "_"):
            return s
    raise KeyError(table)


def checks_for(
    suite: str, columns: tuple[str, ...], has: Mapping[str, bool], cfg: ValidateConfig
) -> list[Check]:
    """The checks of ``suite`` with severity overrides from ``cfg.severity`` applied."""
    builders: dict[str, Callable[[Mapping[str, bool]], list[Check]]] = {
        "articles": _articles,
        "sentences": _sentences,
        "claims": _claims,
        "stance_pairs": _stance_pairs,
        "annotations": _annotations,
        "labels_stance": _labels_stance,
        "labels_claims": _labels_claims,
        "agreement": _agreement,
    }
    checks = _splits(has, columns) if suite == "splits" else builders[suite](has)
    names = [c.name for c in checks]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise AssertionError(f"suite {suite}: duplicate check names {sorted(dupes)}")
    out = []
    for c in checks:
        override = cfg.severity.get(f"{suite}.{c.name}")
        out.append(replace(c, severity=override) if override else c)
    return out


# ----------------------------------------------------------------------------- helper columns


def prepare(suite: str, df: pl.DataFrame, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Add the ``_`` helper columns ``suite`` needs (computed in polars; nothing else copied)."""
    articles = tables.get("articles")
    if articles is not None and not _typed(articles, article_id=pl.String, text=pl.String):
        articles = None
    # helper columns only from well-typed inputs (the type checks report the others)
    cols = {c for c in df.columns if _typed(df, **{c: _EXPECTED.get(c, df.schema[c])})}
    exprs: list[pl.Expr] = []
    if suite == "articles" and {"text", "cluster_id", "article_id"} <= cols:
        exprs += [
            pl.col("text").str.len_chars().cast(pl.Int64).alias("_text_len"),
            pl.col("cluster_id").is_in(df["article_id"].implode()).alias("_cluster_known"),
        ]
    if (
        suite in ("sentences", "claims", "labels_claims")
        and {"char_start", "char_end", "text"} <= cols
    ):
        exprs += [
            (pl.col("char_end") - pl.col("char_start")).cast(pl.Int64).alias("_span_len"),
            pl.col("text").str.len_chars().cast(pl.Int64).alias("_text_len"),
        ]
    if exprs:
        df = df.with_columns(exprs)
    if (
        suite in ("sentences", "claims", "labels_claims")
        and articles is not None
        and {"article_id", "char_start", "char_end", "text"} <= cols
        and {"article_id", "text"} <= set(articles.columns)
    ):
        art = articles.select("article_id", pl.col("text").alias("_article_text"))
        df = (
            df.join(art, on="article_id", how="left", maintain_order="left")
            .with_columns(
                pl.col("_article_text").str.len_chars().cast(pl.Int64).alias("_article_len"),
                (
                    pl.col("_article_text").str.slice(
                        pl.col("char_start"), pl.col("char_end") - pl.col("char_start")
                    )
                    == pl.col("text")
                )
                .fill_null(False)
                .alias("_text_matches"),
            )
            .drop("_article_text")
        )
    if suite == "annotations" and {"project", "task_key", "annotator", "annotation_id"} <= cols:
        df = df.with_columns(
            pl.col("annotation_id")
            .n_unique()
            .over(["project", "task_key", "annotator"])
            .cast(pl.Int64)
            .alias("_answers_per_task")
        )
    if suite in ("labels_stance", "labels_claims"):
        col = "label" if suite == "labels_stance" else "claim_type"
        if col in cols:
            n = max(df.height, 1)
            df = df.with_columns((pl.len().over(col) / n).cast(pl.Float64).alias(f"_share_{col}"))
    if suite == "splits" and {"split", "article_id", "cluster_id"} <= cols:
        df = df.with_columns(
            pl.col("split").n_unique().over("article_id").cast(pl.Int64).alias("_article_splits"),
            pl.col("split").n_unique().over("cluster_id").cast(pl.Int64).alias("_cluster_splits"),
        )
    return df


_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_EXPECTED: dict[str, Any] = {
    "char_start": _INTS,
    "char_end": _INTS,
    "annotation_id": _INTS,
    "text": pl.String,
    "article_id": pl.String,
    "cluster_id": pl.String,
    "split": pl.String,
    "label": pl.String,
    "claim_type": pl.String,
}


def _typed(df: pl.DataFrame, **want: Any) -> bool:
    for col, tp in want.items():
        if col not in df.columns:
            return False
        allowed = tp if isinstance(tp, tuple) else (tp,)
        if not any(df.schema[col] == t for t in allowed):
            return False
    return True


def has_tables(tables: Mapping[str, pl.DataFrame]) -> dict[str, bool]:
    """Which cross-table references are available (articles for offsets)."""
    return {"articles": "articles" in tables}
