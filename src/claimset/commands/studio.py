"""``claimset studio up|down|status|push|pull``: the Label Studio round trip."""

from __future__ import annotations

import argparse
import sys

DEFAULT_CONFIG = "configs/labelstudio/studio.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``studio`` and its sub-commands."""
    p = sub.add_parser("studio", help="run Label Studio and move tasks/annotations in and out")
    p.add_argument(
        "--config", default=DEFAULT_CONFIG, help=f"studio config (default {DEFAULT_CONFIG})"
    )
    ss = p.add_subparsers(dest="studio_command", required=True, metavar="ACTION")

    up = ss.add_parser(
        "up", help="start the local Label Studio, create accounts, store an API token in .env"
    )
    up.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default=None,
        help="Label Studio's database (default: server.database in the studio config); "
        "postgresql runs a cluster of claimset's own under .labelstudio/postgres/",
    )
    up.set_defaults(handler=_up)

    down = ss.add_parser(
        "down", help="stop the local Label Studio started by `studio up` (and its PostgreSQL)"
    )
    down.set_defaults(handler=_down)

    status = ss.add_parser("status", help="server state and per-project progress")
    status.add_argument(
        "--projects", nargs="*", default=None, help="projects to report (default: all)"
    )
    status.set_defaults(handler=_status)

    push = ss.add_parser("push", help="create/update projects and import task files idempotently")
    push.add_argument(
        "--tasks-dir", default="data/tasks", help="directory with <project>.json task files"
    )
    push.add_argument(
        "--projects", nargs="*", default=["claims", "stance"], help="projects to push"
    )
    push.add_argument(
        "--migrate", action="store_true", help="replace a label config that differs on the server"
    )
    push.add_argument(
        "--review",
        action="store_true",
        help="push the disagreement queue into the review project instead",
    )
    push.add_argument(
        "--unresolved", default="data/processed/unresolved.jsonl", help="(--review) queue file"
    )
    push.add_argument(
        "--annotations",
        default="data/processed/annotations.parquet",
        help="(--review) long annotation table",
    )
    push.set_defaults(handler=_push)

    pull = ss.add_parser(
        "pull", help="export snapshots into <out>/<project>/export.json + manifest.json"
    )
    pull.add_argument("--out", default="data/annotations", help="output directory")
    pull.add_argument(
        "--projects", nargs="*", default=["claims", "stance"], help="projects to pull"
    )
    pull.set_defaults(handler=_pull)


def _up(args: argparse.Namespace) -> int:
    from claimset.labelstudio.server import up
    from claimset.labelstudio.studio_config import load_studio_config

    res = up(load_studio_config(args.config), database=args.database)
    print(
        f"Label Studio is {'up' if res.started else 'already running'} at {res.url} "
        f"(database: {res.database})"
    )
    print(
        f"  log in as {res.admin}; the password is LABEL_STUDIO_PASSWORD in your environment or {res.env_file}"
    )
    print(
        f"  API token {'created and stored' if res.token_created else 'found'} in {res.env_file} (mode 0600)"
    )
    if res.annotators_created:
        print(f"  annotator accounts created: {', '.join(res.annotators_created)}")
    print("  annotators: passwords are LABEL_STUDIO_PASSWORD__<EMAIL> in the same file")
    print(f"[studio up] seconds={res.seconds:.1f}", file=sys.stderr)
    return 0


def _down(args: argparse.Namespace) -> int:
    from claimset.labelstudio.postgres import cluster_state
    from claimset.labelstudio.server import stop_server
    from claimset.labelstudio.studio_config import load_studio_config

    cfg = load_studio_config(args.config)
    cluster = cluster_state(cfg).running
    stopped = stop_server(cfg)
    print("Label Studio stopped" if stopped else "Label Studio was not running")
    if cluster:
        print(f"PostgreSQL cluster in {cfg.path(cfg.server.postgres.data_dir)} stopped")
    return 0


def _status(args: argparse.Namespace) -> int:
    from claimset.labelstudio.progress import status_report
    from claimset.labelstudio.studio_config import load_studio_config

    print(status_report(load_studio_config(args.config), args.projects))
    return 0


def _push(args: argparse.Namespace) -> int:
    from claimset.labelstudio.push import push_review, push_tasks
    from claimset.labelstudio.studio_config import load_studio_config

    cfg = load_studio_config(args.config)
    if args.review:
        report = push_review(cfg, args.unresolved, args.annotations, migrate=args.migrate)
    else:
        report = push_tasks(cfg, args.tasks_dir, args.projects, migrate=args.migrate)
    report.emit()
    return 0


def _pull(args: argparse.Namespace) -> int:
    from claimset.labelstudio.pull import pull_projects
    from claimset.labelstudio.studio_config import load_studio_config

    report = pull_projects(load_studio_config(args.config), args.out, args.projects)
    report.emit()
    return 0
