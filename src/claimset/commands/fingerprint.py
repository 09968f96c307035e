"""``claimset fingerprint``: the first stage of a ``claimset init`` project (code fingerprints)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``fingerprint`` command."""
    p = sub.add_parser(
        "fingerprint",
        help="hash the installed claimset code each stage runs (stage 'fingerprint' of a project)",
    )
    p.add_argument(
        "names", nargs="+", help="code paths inside the claimset package, e.g. ingest parallel.py"
    )
    p.add_argument("--out-dir", required=True, type=Path, help="writes <name>.sha256 here")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.project.fingerprint import write_fingerprints

    write_fingerprints(args.out_dir, args.names).emit()
    return 0
