"""Mapping and type-checking the fields of one JSONL object or CSV row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

STRING_FIELDS = ("source", "url", "title", "standfirst", "body", "language", "author")


class FieldProblem(Exception):
    """A record-level problem: becomes a quarantine entry with ``reason`` and ``field``."""

    def __init__(self, reason: str, field: str | None, message: str):
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.message = message


def has_surrogate(text: str) -> bool:
    """True if ``text`` holds an unpaired surrogate (cannot be encoded as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def map_fields(
    obj: Mapping[str, Any], mapping: Mapping[str, str], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Pick the mapped columns out of ``obj``, check types, fill ``defaults``.

    Raises :class:`FieldProblem` naming the source column that is wrong.
    """
    out: dict[str, Any] = dict(defaults)
    for target in sorted(mapping):
        column = mapping[target]
        if column not in obj:
            if target == "body":
                raise FieldProblem("missing_field", column, f"field {column!r} (body) is missing")
            continue
        value = obj[column]
        if value is None or (isinstance(value, str) and value == "" and target != "body"):
            continue
        out[target] = check_value(target, column, value)
    if "body" not in out or out["body"] is None:
        raise FieldProblem("missing_field", mapping.get("body"), "body is missing or null")
    return out


def check_value(target: str, column: str, value: Any) -> Any:
    """Return ``value`` checked/converted for article field ``target``."""
    if target == "synthetic":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        raise FieldProblem(
            "bad_field_type", column, f"field {column!r} must be true/false, got {_kind(value)}"
        )
    # Numeric ids (FNC-1 "Body ID") are common; bools and floats are not ids.
    if target == "source_id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise FieldProblem(
            "bad_field_type", column, f"field {column!r} must be a string, got {_kind(value)}"
        )
    if has_surrogate(value):
        raise FieldProblem(
            "lone_surrogate", column, f"field {column!r} contains an unpaired surrogate"
        )
    if target == "published_at":
        return iso_date(value, column)
    return value


def iso_date(value: str, column: str) -> str:
    """``YYYY-MM-DD`` from an ISO 8601 date or datetime string."""
    text = value.strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError as exc:
        raise FieldProblem(
            "bad_field_value", column, f"field {column!r} is not an ISO date: {value!r}"
        ) from exc


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "a boolean",
        float: "a number",
        int: "a number",
    }.get(type(value), type(value).__name__)
