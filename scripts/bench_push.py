"""Benchmark: push 50k stance tasks (with predictions) and pull 10k through the snapshot path.

Target (issue: Label Studio round trip, point 8): push >= 4,000 tasks/s on the project's
2-core machine. The tasks are synthetic but shaped like real stance tasks (target, a
sentence, context, one prediction each).

The same run also measures the server's own ceiling: the same tasks posted to Label
Studio's import API in one raw request (no checks, no idempotency, no batching) into a
scratch project. ``push_vs_server`` is push's rate over that ceiling, a figure that does
not depend on how loaded the machine is; both are printed with and without predictions
(Label Studio spends most of an import with predictions updating its per-task counters).

    .venv/bin/python scripts/bench_push.py            # temporary server on a free port
    .venv/bin/python scripts/bench_push.py --running  # the server `claimset studio up` started

Prints one JSON line with the figures; exits 1 when push is below --min-rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

from claimset.labelstudio.client import Studio, connect_from_env
from claimset.labelstudio.pull import pull_project
from claimset.labelstudio.push import find_project, push_project
from claimset.labelstudio.server import free_port, stop_server, up
from claimset.labelstudio.studio_config import (
    ProjectConfig,
    ServerConfig,
    StudioConfig,
    load_studio_config,
)

REPO = Path(__file__).resolve().parents[1]
LABELS = ("favor", "against", "neutral", "unrelated")


def make_tasks(n: int, prefix: str, predictions: bool = True) -> list[dict[str, object]]:
    """``n`` deterministic stance tasks, with one prediction each unless ``predictions`` is off."""
    tasks = []
    for i in range(n):
        label = LABELS[i % 4]
        tasks.append(
            {
                "data": {
                    "task_key": f"{prefix}:{i:06d}",
                    "claimset_kind": "stance",
                    "pair_id": f"p-{i:06d}",
                    "target_id": "t-bench",
                    "target": "European NATO troops should be deployed to Ukraine",
                    "article_id": f"a-{i // 20:016x}",
                    "text": f"Sentence {i}: the minister said the proposal would be examined next week.",
                    "context": f"Paragraph {i // 20} of a synthetic article used for benchmarking.",
                },
                "predictions": [
                    {
                        "model_version": "bench",
                        "score": 0.5,
                        "result": [
                            {
                                "from_name": "stance",
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": [label]},
                            }
                        ],
                    }
                ],
            }
        )
        if not predictions:
            del tasks[-1]["predictions"]
    return tasks


def server_ceiling(
    studio: Studio, cfg: StudioConfig, name: str, tasks: list[dict[str, object]]
) -> float:
    """Tasks/s of Label Studio's own import API for ``tasks`` in one raw request."""
    fresh_project(studio, cfg, name)
    pid = int(
        studio.sdk.projects.create(
            title=cfg.project(name).title,
            label_config=cfg.path(cfg.project(name).label_config).read_text(encoding="utf-8"),
        ).id
        or 0
    )
    body = json.dumps(tasks, ensure_ascii=False).encode("utf-8")
    headers = {**studio.headers(), "Content-Type": "application/json"}
    t0 = time.perf_counter()
    with httpx.Client(base_url=studio.url, timeout=3600) as http:
        r = http.post(f"/api/projects/{pid}/import", content=body, headers=headers)
    seconds = time.perf_counter() - t0
    r.raise_for_status()
    if r.json().get("task_count") != len(tasks):
        raise RuntimeError(f"server ceiling import answered {r.text[:200]}")
    fresh_project(studio, cfg, name)
    return len(tasks) / seconds


def fresh_project(studio: Studio, cfg: StudioConfig, name: str) -> None:
    """Delete the bench project if a previous run left it."""
    old = find_project(studio, cfg.project(name).title)
    if old is not None:
        studio.sdk.projects.delete(id=int(old["id"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=50_000)
    ap.add_argument("--pull-tasks", type=int, default=10_000)
    ap.add_argument("--min-rate", type=float, default=4000.0)
    ap.add_argument("--no-predictions", action="store_true", help="push tasks without predictions")
    ap.add_argument(
        "--no-ceiling", action="store_true", help="skip the raw single-request server ceiling"
    )
    ap.add_argument(
        "--running", action="store_true", help="use the server of configs/labelstudio/studio.yaml"
    )
    args = ap.parse_args()

    tmp = None
    if args.running:
        cfg = load_studio_config(REPO / "configs/labelstudio/studio.yaml")
    else:
        tmp = tempfile.mkdtemp(prefix="claimset-bench-")
        os.environ.setdefault("LABEL_STUDIO_USERNAME", "bench@claimset.local")
        for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
            os.environ.pop(var, None)
        ann = Path(tmp) / "annotators.yaml"
        ann.write_text("annotators: []\n")
        cfg = StudioConfig(
            server=ServerConfig(
                port=free_port(),
                data_dir=str(Path(tmp) / "data"),
                venv=str(REPO / ".venv-labelstudio"),
                lock=str(REPO / "requirements-labelstudio.lock"),
            ),
            env_file=str(Path(tmp) / ".env"),
            annotators_file=str(ann),
            root=str(REPO),
        )
    projects = {
        "bench_push": ProjectConfig(
            title="claimset bench: push", label_config="configs/labelstudio/stance.xml"
        ),
        "bench_pull": ProjectConfig(
            title="claimset bench: pull", label_config="configs/labelstudio/stance.xml"
        ),
        "bench_raw": ProjectConfig(
            title="claimset bench: raw import", label_config="configs/labelstudio/stance.xml"
        ),
    }
    cfg = replace(cfg, projects={**cfg.projects, **projects}, root=str(REPO))
    try:
        if tmp:
            up(cfg)
        studio = connect_from_env(cfg.path(cfg.env_file), cfg.url)
        for name in projects:
            fresh_project(studio, cfg, name)

        tasks = make_tasks(args.tasks, "bench", predictions=not args.no_predictions)
        t0 = time.perf_counter()
        res = push_project(studio, cfg, "bench_push", tasks)
        push_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = push_project(studio, cfg, "bench_push", tasks)
        repush_s = time.perf_counter() - t0

        push_project(studio, cfg, "bench_pull", make_tasks(args.pull_tasks, "pull"))
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            pulled = pull_project(studio, cfg, "bench_pull", out)
            pull_s = time.perf_counter() - t0
        ceiling = None
        if not args.no_ceiling:
            # Its own project, so the same task keys do not meet push's.
            ceiling = server_ceiling(studio, cfg, "bench_raw", tasks)
        figures = {
            "push_tasks": res.imported,
            "push_seconds": round(push_s, 2),
            "push_tasks_per_s": round(res.imported / push_s, 1),
            "server_import_tasks_per_s": round(ceiling, 1) if ceiling else None,
            "push_vs_server": round(res.imported / push_s / ceiling, 3) if ceiling else None,
            "load1": round(os.getloadavg()[0], 2),
            "repush_imported": again.imported,
            "repush_seconds": round(repush_s, 2),
            "pull_tasks": pulled.manifest["tasks"],
            "pull_seconds": round(pull_s, 2),
            "pull_pages": -(-pulled.manifest["tasks"] // cfg.pull.page_size),
            "cpu_count": os.cpu_count(),
            "predictions": not args.no_predictions,
        }
        print(json.dumps(figures, sort_keys=True))
        for name in projects:
            fresh_project(studio, cfg, name)
    finally:
        if tmp:
            stop_server(cfg)
    ok = figures["push_tasks_per_s"] >= args.min_rate and figures["repush_imported"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
