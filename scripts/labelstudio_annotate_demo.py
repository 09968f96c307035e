"""Bundled demo annotations: push data/tasks/*.json, annotate them as every annotator who has
an answers directory (through the API, each with their own token), pull into data/annotations/.

    LABEL_STUDIO_USERNAME=admin@claimset.local .venv/bin/python scripts/labelstudio_annotate_demo.py

Starts the local server with `claimset studio up` semantics when it is not running (or use
--no-start with LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY pointing at a running one). Answer files:
data/annotations/answers/<annotator>/{claims,stance}.json, format in docs/labelstudio.md.
Running it again adds nothing: tasks and answers already on the server are skipped.
"""

from __future__ import annotations

import argparse
import sys

from claimset.errors import ClaimsetError
from claimset.labelstudio.demo import annotate_demo
from claimset.labelstudio.server import up
from claimset.labelstudio.studio_config import load_studio_config


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="configs/labelstudio/studio.yaml")
    ap.add_argument("--tasks-dir", default="data/tasks")
    ap.add_argument("--answers-dir", default="data/annotations/answers")
    ap.add_argument("--out", default="data/annotations")
    ap.add_argument(
        "--articles",
        default="data/interim/articles.parquet",
        help="articles table, for answers written per article (corpus-level format)",
    )
    ap.add_argument("--projects", nargs="*", default=["claims", "stance"])
    ap.add_argument(
        "--no-start", action="store_true", help="use the server in LABEL_STUDIO_URL as it is"
    )
    args = ap.parse_args()
    cfg = load_studio_config(args.config)
    try:
        if not args.no_start:
            started = up(cfg)
            print(f"Label Studio at {started.url}", file=sys.stderr)
        res = annotate_demo(
            cfg,
            args.tasks_dir,
            args.answers_dir,
            args.out,
            tuple(args.projects),
            articles=args.articles,
        )
    except ClaimsetError as exc:
        print(f"labelstudio_annotate_demo: error: {exc}", file=sys.stderr)
        return 2
    res.push.emit()
    for s in res.submitted:
        print(
            f"{s.annotator} {s.project}: created={s.created} already_done={s.already_done}",
            file=sys.stderr,
        )
    if res.pull is not None:
        res.pull.emit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
