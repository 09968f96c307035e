"""Print the command reference skeleton for docs/cli.md from the live parser.

Usage: .venv/bin/python scripts/cli_reference.py > /tmp/cli.md, then merge the new
sections into docs/cli.md by hand (the prose there is edited; tests/core/test_docs.py
checks that every command and option is documented).
"""

from __future__ import annotations

import argparse

from claimset.cli import build_parser


def sections(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[str]:
    """One markdown section per command, in the order ``--help`` lists them."""
    out: list[str] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for choice in action._choices_actions:
            sub = action.choices[choice.dest]
            name = (*path, choice.dest)
            lines = [f"## claimset {' '.join(name)}", "", f"{(choice.help or '').strip()}.", ""]
            for opt in sub._actions:
                longs = [o for o in opt.option_strings if o.startswith("--") and o != "--help"]
                if longs:
                    required = " (required)" if opt.required else ""
                    lines.append(f"- `{longs[0]}`{required}: {opt.help or ''}")
            out.append("\n".join(lines) + "\n")
            out.extend(sections(sub, name))
    return out


if __name__ == "__main__":
    print("\n".join(sections(build_parser())))
