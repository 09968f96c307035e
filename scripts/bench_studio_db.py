"""Benchmark: the managed Label Studio on SQLite against PostgreSQL, on the same machine.

For each database, in a fresh temporary project (mode 0711 under the system temp dir, so that
the cluster's unprivileged user can reach it when this runs as root):

- ``first_up_s``: the first ``studio up`` (PostgreSQL: initdb + createdb too; both: migrations,
  admin, two annotators, API tokens);
- ``restart_up_s``: ``studio down`` then ``studio up`` with everything in place;
- ``submit_*``: ``--threads`` clients submitting one stance annotation each to ``--tasks`` tasks
  at once (as annotators do), alone and then while a ``--import-tasks`` import runs (a push
  during annotation): submits/s, median and worst latency; ``import_s`` is how long that
  import took, ``import_left_after_submits_s`` how long it still ran after the last submit.

    .venv/bin/python scripts/bench_studio_db.py            # both databases
    .venv/bin/python scripts/bench_studio_db.py --databases postgresql

Prints one JSON line per database. Figures only: no target to meet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from claimset.labelstudio.answers import stance_result
from claimset.labelstudio.client import Studio, connect_from_env
from claimset.labelstudio.push import find_project, push_project
from claimset.labelstudio.server import free_port, stop_server, up
from claimset.labelstudio.studio_config import (
    PostgresConfig,
    ProjectConfig,
    ServerConfig,
    StudioConfig,
)

REPO = Path(__file__).resolve().parents[1]
LABELS = ("favor", "against", "neutral", "unrelated")


def tasks(n: int, prefix: str) -> list[dict[str, object]]:
    """``n`` deterministic stance tasks without predictions."""
    return [
        {
            "data": {
                "task_key": f"{prefix}:{i:06d}",
                "claimset_kind": "stance",
                "pair_id": f"{prefix}-{i:06d}",
                "target_id": "t-bench",
                "target": "European NATO troops should be deployed to Ukraine",
                "article_id": f"a-{i // 20:016x}",
                "text": f"Sentence {i}: the minister said the proposal would be examined.",
                "context": f"Paragraph {i // 20} of a synthetic article.",
            }
        }
        for i in range(n)
    ]


def submit_all(studio: Studio, task_ids: list[int], threads: int) -> dict[str, float]:
    """Submit one annotation per task from ``threads`` clients at once."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i_tid: tuple[int, int]) -> None:
        i, tid = i_tid
        body = {"result": stance_result(LABELS[i % 4]), "lead_time": 1.0}
        t0 = time.perf_counter()
        studio.request("POST", f"/api/tasks/{tid}/annotations/", json=body, timeout=600)
        with lock:
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, enumerate(task_ids)))
    seconds = time.perf_counter() - t0
    return {
        "per_s": round(len(task_ids) / seconds, 1),
        "median_s": round(statistics.median(latencies), 3),
        "max_s": round(max(latencies), 3),
    }


def task_ids(studio: Studio, project_id: int) -> list[int]:
    """Ids of the project's tasks, in id order."""
    return sorted(int(t["id"]) for t in studio.iter_tasks(project_id, 1000, {"fields": "all"}))


def bench(database: str, args: argparse.Namespace) -> dict[str, object]:
    """The figures for one database."""
    tmp = Path(tempfile.mkdtemp(prefix=f"claimset-bench-{database}-"))
    os.chmod(tmp, 0o711)
    ann = tmp / "annotators.yaml"
    ann.write_text(
        "annotators:\n  - {email: ann1@claimset.local}\n  - {email: ann2@claimset.local}\n"
    )
    cfg = StudioConfig(
        server=ServerConfig(
            port=free_port(),
            data_dir=str(tmp / ".labelstudio"),
            venv=str(REPO / ".venv-labelstudio"),
            lock=str(REPO / "requirements-labelstudio.lock"),
            database=database,  # type: ignore[arg-type]
            postgres=PostgresConfig(data_dir=str(tmp / ".labelstudio" / "postgres")),
        ),
        env_file=str(tmp / ".env"),
        annotators_file=str(ann),
        root=str(tmp),
    )
    names = {"work": "claimset bench: submit", "bulk": "claimset bench: import"}
    projects = {
        k: ProjectConfig(title=v, label_config=str(REPO / "configs/labelstudio/stance.xml"))
        for k, v in names.items()
    }
    cfg = replace(cfg, projects=projects)
    out: dict[str, object] = {"database": database, "load1_before": round(os.getloadavg()[0], 2)}
    try:
        t0 = time.perf_counter()
        up(cfg)
        out["first_up_s"] = round(time.perf_counter() - t0, 1)
        stop_server(cfg)
        t0 = time.perf_counter()
        up(cfg)
        out["restart_up_s"] = round(time.perf_counter() - t0, 1)
        studio = connect_from_env(cfg.path(cfg.env_file), cfg.url)
        push_project(studio, cfg, "work", tasks(2 * args.tasks, "work"))
        project = find_project(studio, names["work"])
        assert project is not None
        ids = task_ids(studio, int(project["id"]))
        out["submit_alone"] = submit_all(studio, ids[: args.tasks], args.threads)
        errors: list[BaseException] = []

        def bulk() -> None:
            t0 = time.perf_counter()
            try:
                push_project(studio, cfg, "bulk", tasks(args.import_tasks, "bulk"))
            except BaseException as exc:
                errors.append(exc)
            out["import_s"] = round(time.perf_counter() - t0, 1)

        worker = threading.Thread(target=bulk)
        worker.start()
        time.sleep(1.0)  # the import request is on the server
        out["submit_during_import"] = submit_all(studio, ids[args.tasks :], args.threads)
        t0 = time.perf_counter()
        worker.join()
        out["import_left_after_submits_s"] = round(time.perf_counter() - t0, 1)
        if errors:
            raise errors[0]
        out.update(threads=args.threads, tasks=args.tasks, import_tasks=args.import_tasks)
        out["load1_after"] = round(os.getloadavg()[0], 2)
        out["cpu_count"] = os.cpu_count()
    finally:
        stop_server(cfg)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--tasks", type=int, default=200, help="annotations per phase")
    ap.add_argument("--import-tasks", type=int, default=10_000)
    args = ap.parse_args()
    os.environ.setdefault("LABEL_STUDIO_USERNAME", "bench@claimset.local")
    for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_PASSWORD"):
        os.environ.pop(var, None)
    for database in args.databases:
        print(json.dumps(bench(database, args), sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
