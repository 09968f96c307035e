"""The ``claimset`` command line: argument parsing only.

Each command group lives in :mod:`claimset.commands` and registers its sub-commands.
Handlers call one library function; a :class:`~claimset.errors.ClaimsetError` becomes a
one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from claimset import commands
from claimset.errors import ClaimsetError


def command_modules() -> list[str]:
    """Every module in :mod:`claimset.commands`, sorted so ``--help`` is stable."""
    return sorted(f"claimset.commands.{m.name}" for m in pkgutil.iter_modules(commands.__path__))


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser from every command module."""
    parser = argparse.ArgumentParser(prog="claimset", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


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
