"""``--help`` stays light and says the same: the root lists its commands from
``SUMMARIES`` without importing them, Typer's help renderer is loaded without Markdown
and tracebacks, and the help text is, to the character, what the full import writes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
import typer.main

from tinycrm.cli import COMMANDS, SUMMARIES

HELP = """
import sys
sys.argv = ["tinycrm", *{args!r}]
import tinycrm.cli as cli, tinycrm.cli.helptext as helptext
if {full!r}:
    cli.SUMMARIES.clear()
    helptext.DEFERRED = ()
try:
    cli.app(prog_name="tinycrm")
except SystemExit:
    pass
heavy = ("markdown_it", "rich.traceback", "tinycrm.cli.contacts", "tinycrm.cli.deals")
print("LOADED", [m for m in heavy if m in sys.modules], file=sys.stderr)
"""


def help_of(*args: str, full: bool = False) -> tuple[str, str]:
    """(the help text, the heavy modules it loaded), from a fresh process, 100 wide."""
    result = subprocess.run(
        [sys.executable, "-c", HELP.format(args=args, full=full)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=120,
    )
    return result.stdout, result.stderr.strip().splitlines()[-1]


def test_each_summary_is_what_the_command_says_of_itself() -> None:
    assert set(SUMMARIES) <= set(COMMANDS)
    for name, summary in SUMMARIES.items():
        module, attr = COMMANDS[name]
        command = typer.main.get_command(getattr(importlib.import_module(module), attr))
        assert command.help == summary, name


def test_the_root_help_imports_no_command_nor_markdown() -> None:
    text, loaded = help_of("--help")
    assert loaded == "LOADED []"
    full, loaded_fully = help_of("--help", full=True)
    assert text == full
    assert "markdown_it" in loaded_fully and "tinycrm.cli.contacts" in loaded_fully
    assert "contact " in text and "Contacts: people, roles and lifecycle." in text


@pytest.mark.parametrize("args", [("contact", "list", "--help"), ("deal", "add", "--help")])
def test_a_command_help_is_the_same_without_markdown(args: tuple[str, ...]) -> None:
    text, loaded = help_of(*args)
    assert "markdown_it" not in loaded and "rich.traceback" not in loaded
    assert text == help_of(*args, full=True)[0]
    assert "Usage: tinycrm " in text
