"""claimset.parallel settles polars' lazy numpy import before any worker thread exists."""

from __future__ import annotations

import subprocess
import sys

# polars keeps a lazy proxy for numpy; it is resolved once an attribute has been copied in.
_RESOLVED = "import polars.series.series as s; print('ndarray' in vars(s.np))"


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (imports and proxies as a stage process has them)."""
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_polars_numpy_proxy_starts_unresolved() -> None:
    """polars imported before numpy proxies it (imported after, it would not): the next
    test can fail."""
    assert _fresh(f"import polars; {_RESOLVED}") == "False"


def test_importing_parallel_resolves_it() -> None:
    """Two threads making their first Series from numpy at once could otherwise fail with
    "'module' object does not support item assignment" inside polars."""
    assert _fresh(f"import polars; import claimset.parallel; {_RESOLVED}") == "True"
