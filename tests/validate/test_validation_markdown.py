"""The markdown validation report names every table, check and failure."""

from __future__ import annotations

from claimset.validate.markdown import render_validation_markdown


def check(success: bool, **extra: object) -> dict[str, object]:
    base = {
        "expectation": "expect_column_values_to_be_between",
        "column": "alpha",
        "severity": "critical",
        "success": success,
        "unexpected_count": 0 if success else 1,
        "observed_value": None,
    }
    return {**base, **extra}


def test_failed_summary_is_marked_and_lists_every_check() -> None:
    summary = {
        "success": False,
        "n_checks": 2,
        "n_failed": 1,
        "warnings": [],
        "critical_failures": [{"message": "table 'agreement': alpha below 0.4"}],
        "tables": {
            "agreement": {"checks": {"alpha_at_least_min": check(False)}},
            "articles": {"checks": {"unique_ids": check(True, column="article|id")}},
        },
    }
    md = render_validation_markdown(summary)
    assert md.startswith("# Validation report")
    assert "**FAILED**: 2 checks, 1 failed" in md
    assert "table 'agreement': alpha below 0.4" in md
    assert md.index("## `agreement`") < md.index("## `articles`")
    assert (
        "| alpha_at_least_min | expect_column_values_to_be_between | alpha | critical | **FAILED** | 1 |"
        in md
    )
    assert "article\\|id" in md  # pipes in values cannot break the table


def test_passed_summary() -> None:
    md = render_validation_markdown({"success": True, "n_checks": 0, "n_failed": 0, "tables": {}})
    assert "**PASSED**: 0 checks, 0 failed, 0 warnings" in md
