"""Every command has ``--help`` and a section in docs/cli.md naming each of its options
(as sqlite-utils' tests/test_docs.py does), and the top-level help lists the pipeline in order."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimset.cli import PIPELINE_ORDER, build_parser, commands_in_order, main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found: list[tuple[tuple[str, ...], argparse.ArgumentParser]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append(((*path, name), sub))
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


COMMANDS = _commands()


def _sections() -> dict[str, str]:
    """``## claimset <command>`` heading -> its section's text."""
    text = DOCS.read_text(encoding="utf-8")
    parts = re.split(r"^## claimset (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: claimset " + " ".join(path))


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path, parser):
    sections = _sections()
    name = " ".join(path)
    assert name in sections, f"docs/cli.md has no '## claimset {name}' section"
    options = {o for a in parser._actions for o in a.option_strings if o.startswith("--")}
    options.discard("--help")
    missing = sorted(o for o in options if f"`{o}" not in sections[name])
    assert not missing, f"docs/cli.md, 'claimset {name}': options not documented: {missing}"


def test_docs_name_no_command_that_does_not_exist():
    known = {" ".join(p) for p, _ in COMMANDS}
    stale = sorted(set(_sections()) - known)
    assert not stale, f"docs/cli.md documents commands that do not exist: {stale}"


def test_top_level_help_lists_the_pipeline_in_order():
    listed = commands_in_order()
    ranked = [c for c in listed if c in PIPELINE_ORDER]
    assert ranked == sorted(ranked, key=PIPELINE_ORDER.index)
    assert listed[: len(ranked)] == ranked, "commands outside the pipeline come last"


def test_version_and_usage_errors_exit_as_documented():
    run = [sys.executable, "-m", "claimset.cli"]
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("claimset ")
    unknown = subprocess.run([*run, "no-such-command"], capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    missing = subprocess.run([*run, "ingest"], capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "required" in missing.stderr


def test_a_table_given_twice_is_a_usage_error_with_exit_2(tmp_path, capsys):
    spec = f"articles={tmp_path / 'a.parquet'}"
    code = main(
        ["validate", "--table", spec, "--table", spec, "--report-dir", str(tmp_path), "--summary",
         str(tmp_path / "s.json")]
    )  # fmt: skip
    assert code == 2
    assert "given twice" in capsys.readouterr().err
