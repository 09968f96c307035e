"""The ``claimset`` command line: argument parsing only.

Each command group lives in :mod:`claimset.commands` and registers its sub-commands.
Handlers call one library function; a :class:`~claimset.errors.ClaimsetError` becomes a
one-line message on stderr and exit status 2, and so does every usage error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from importlib import metadata

from claimset import commands
from claimset.errors import ClaimsetError

DESCRIPTION = """\
claimset turns news articles into labelled claim and stance datasets.

The pipeline stages run in this order (dvc repro runs them for you, see dvc.yaml);
the studio commands move tasks and annotations in and out of Label Studio, and
evaluate scores anyone's predictions against a release."""

EPILOG = "Run 'claimset COMMAND --help' for the options of one command. Docs: docs/cli.md."

# Commands in the order a dataset is built; anything not listed follows, sorted.
PIPELINE_ORDER = (
    "init",
    "ingest",
    "segment",
    "candidates",
    "preannotation-quality",
    "tasks",
    "studio",
    "aggregate",
    "validate",
    "split",
    "publish",
    "baselines",
    "fnc1-baseline",
    "evaluate",
)


def command_modules() -> list[str]:
    """Every module in :mod:`claimset.commands`, sorted so registration is stable."""
    return sorted(f"claimset.commands.{m.name}" for m in pkgutil.iter_modules(commands.__path__))


def version() -> str:
    """The installed claimset version."""
    try:
        return metadata.version("claimset")
    except metadata.PackageNotFoundError:  # running from a source tree without an install
        return "unknown"


def _order_commands(sub: argparse._SubParsersAction) -> None:
    """List sub-commands in pipeline order in ``--help`` (argparse keeps insertion order)."""
    rank = {name: i for i, name in enumerate(PIPELINE_ORDER)}
    key = lambda a: (rank.get(a.dest, len(rank)), a.dest)  # noqa: E731
    sub._choices_actions.sort(key=key)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser from every command module."""
    parser = argparse.ArgumentParser(
        prog="claimset",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"claimset {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(name).register(sub)
    _order_commands(sub)
    return parser


def commands_in_order(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Top-level command names as ``--help`` lists them."""
    parser = parser or build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [a.dest for a in sub._choices_actions]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``claimset`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ClaimsetError as exc:
        print(f"claimset {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
