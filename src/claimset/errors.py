"""Domain errors. The CLI turns any of these into a one-line message and exit code 2."""

from __future__ import annotations


class ClaimsetError(Exception):
    """Base class for errors a user can act on (bad input, bad config, server refused)."""


class ConfigError(ClaimsetError):
    """params.yaml or a file in configs/ is invalid."""


class InputError(ClaimsetError):
    """An input file cannot be read as a whole (per-record problems go to quarantine)."""

    def __init__(
        self, path: object, message: str, *, line: int | None = None, field: str | None = None
    ):
        where = str(path)
        if line is not None:
            where += f":{line}"
        if field is not None:
            where += f" (field {field!r})"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.field = field


class ValidationFailed(ClaimsetError):
    """A critical data expectation failed."""
