"""``claimset init``: a new project for your own articles and stance targets."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``init`` command."""
    p = sub.add_parser(
        "init",
        help="new project: your articles in data/raw/, your targets, the pipeline (no demo data)",
    )
    p.add_argument("dir", type=Path, help="the new project's directory (new or empty)")
    p.add_argument(
        "--articles",
        required=True,
        type=Path,
        help="folder of articles (txt, JSONL, CSV, HTML; subfolders and .meta.json sidecars kept)",
    )
    p.add_argument(
        "--targets", required=True, type=Path, help="stance targets YAML (see configs/targets.yaml)"
    )
    p.add_argument("--name", default=None, help="release name (default: from the directory name)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from claimset.project.scaffold import init_project

    r = init_project(
        args.dir, args.articles, args.targets, name=args.name, year=dt.date.today().year
    )
    formats = ", ".join(f"{n} {fmt}" for fmt, n in r.by_format.items())
    print(f"Created {r.root}")
    print(f"  {r.articles} articles in data/raw/ ({formats}); {r.targets} stance target(s)")
    if r.unsupported:
        shown = ", ".join(r.unsupported[:5]) + (" ..." if len(r.unsupported) > 5 else "")
        print(
            f"  {len(r.unsupported)} file(s) of no supported format (ingest quarantines them): {shown}"
        )
    print(f"  left out: the demo data and annotations; stages {', '.join(r.dropped_stages)}")
    print("\nEdit before annotating:")
    width = max(len(p) for p, _ in r.to_edit)
    for path, why in r.to_edit:
        print(f"  {path:<{width}}  {why}")
    print("\nThen:")
    print(f"  cd {r.root}")
    print(
        '  make repro            # or: export PATH="'
        + str(r.checkout / ".venv" / "bin")
        + ':$PATH"; dvc repro'
    )
    print(
        "  claimset studio up && claimset studio push   # annotators label; then studio pull, dvc repro"
    )
    if r.git:
        print("  git add -A && git commit -m 'claimset project'")
    return 0
