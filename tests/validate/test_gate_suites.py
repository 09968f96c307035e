"""The Great Expectations gate: every suite passes its valid table and fails its broken one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from gate_tables import broken_tables, valid_tables

from claimset.errors import ValidationFailed
from claimset.validate import GateFailed, ValidateConfig, validate_tables
from claimset.validate.suites import SUITES

# Great Expectations runs take tens of seconds on a shared machine.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def valid_result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    docs = tmp_path_factory.mktemp("docs-valid")
    return validate_tables(valid_tables(), ValidateConfig(), docs, raise_on_failure=False), docs


@pytest.fixture(scope="module")
def broken_result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tables = valid_tables()
    broken = broken_tables()
    # each broken table replaces its valid copy; the article defect (an empty title) keeps the
    # article ids and texts intact, so the offset checks of the other tables still have articles
    for name, (df, _) in broken.items():
        tables[name] = df
    return validate_tables(tables, ValidateConfig(), None, raise_on_failure=False)


def test_every_suite_is_covered() -> None:
    assert set(valid_tables()) == set(SUITES) == set(broken_tables())


def test_valid_tables_pass_every_critical_check(valid_result) -> None:  # type: ignore[no-untyped-def]
    result, docs = valid_result
    assert result.critical_failures == [], result.message()
    assert result.warnings == []
    assert {c.table for c in result.checks} == set(SUITES)
    assert (docs / "index.html").exists()
    assert list((docs / "validations").rglob("*.html"))


@pytest.mark.parametrize("table", sorted(SUITES))
def test_broken_table_fails_its_check(broken_result, table: str) -> None:  # type: ignore[no-untyped-def]
    check = broken_tables()[table][1]
    failed = {c.name for c in broken_result.critical_failures if c.table == table}
    assert check in failed, f"{table}: expected {check} among failures {sorted(failed)}"


def test_failure_names_table_expectation_and_offending_rows(broken_result) -> None:  # type: ignore[no-untyped-def]
    msg = broken_result.message(limit=100)
    assert "table 'stance_pairs': expectation stance_pairs.values_predicted_label" in msg
    assert "expect_column_values_to_be_in_set" in msg
    bad = next(c for c in broken_result.critical_failures if c.name == "values_predicted_label")
    assert bad.unexpected_count == 4
    assert len(bad.offending_rows) == 4 and all(
        r["predicted_label"] == "maybe" for r in bad.offending_rows
    )
    split = next(c for c in broken_result.critical_failures if c.name == "article_in_one_split")
    assert {r["article_id"] for r in split.offending_rows} == {"a-00000000000000a1"}
    # a defect in one column leaves unrelated checks of the table passing
    ok = {c.name for c in broken_result.checks if c.table == "stance_pairs" and c.success}
    assert {"unique_pair_id", "non_empty_text"} <= ok


def test_offending_rows_are_capped_by_params() -> None:
    df = valid_tables()["stance_pairs"]
    many = pl.concat([df] * 5).with_columns(
        pl.lit("maybe").alias("predicted_label"),
        (pl.col("pair_id") + pl.int_range(pl.len()).cast(pl.String)),
    )
    with pytest.raises(GateFailed) as err:
        validate_tables({"stance_pairs": many}, ValidateConfig(max_offending_rows=3), None)
    bad = next(c for c in err.value.result.critical_failures if c.name == "values_predicted_label")
    assert bad.unexpected_count == 20 and len(bad.offending_rows) == 3
    assert isinstance(err.value, ValidationFailed)


def test_thresholds_come_from_params_and_severity_can_be_overridden() -> None:
    tables = {"agreement": valid_tables()["agreement"]}
    assert validate_tables(tables, ValidateConfig(), None).success
    strict = ValidateConfig(min_alpha=0.9)
    with pytest.raises(GateFailed, match="alpha_at_least_min"):
        validate_tables(tables, strict, None)
    relaxed = ValidateConfig(min_alpha=0.9, severity={"agreement.alpha_at_least_min": "warning"})
    result = validate_tables(tables, relaxed, None)
    assert result.success and [w.name for w in result.warnings] == ["alpha_at_least_min"]


def test_schema_and_types_are_checked() -> None:
    s = valid_tables()["sentences"].with_columns(pl.col("char_start").cast(pl.String))
    result = validate_tables({"sentences": s}, ValidateConfig(), None, raise_on_failure=False)
    assert "type_char_start" in {c.name for c in result.critical_failures}
    missing = valid_tables()["claims"].drop("category")
    result = validate_tables({"claims": missing}, ValidateConfig(), None, raise_on_failure=False)
    assert "columns" in {c.name for c in result.critical_failures}


def test_unknown_table_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="no validation suite"):
        validate_tables({"labelz": pl.DataFrame({"a": [1]})}, ValidateConfig(), None)


def test_split_tables_by_name_use_the_splits_suite() -> None:
    splits = valid_tables()["splits"]
    bad = splits.with_columns(
        pl.when(pl.col("item_id") == "p2")
        .then(pl.lit("validation"))
        .otherwise(pl.col("split"))
        .alias("split")
    )
    result = validate_tables({"splits_stance": bad}, ValidateConfig(), None, raise_on_failure=False)
    names = {c.name for c in result.critical_failures}
    assert names == {"article_in_one_split", "cluster_in_one_split"}
