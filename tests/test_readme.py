"""The README tells the truth: every command is in it, and its test line is CI's."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from tinycrm.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[str]:
    group = typer.main.get_command(app)
    found: list[str] = []

    def walk(command, prefix: list[str]) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*prefix, name])
        else:
            found.append(" ".join(prefix))

    walk(group, ["tinycrm"])
    return found


def test_every_command_is_documented_in_the_readme() -> None:
    commands = all_commands()
    assert len(commands) > 20
    missing = [c for c in commands if not re.search(re.escape(c) + r"\b", README)]
    assert missing == [], f"commands missing from README.md: {missing}"


def test_readme_test_line_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    line = re.search(r"test_line\(\) \{\n.*\n\s+(.+)\n\}", ci).group(1).strip()
    assert line in README
