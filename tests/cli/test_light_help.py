"""``--help`` stays light and says the same: the root lists its commands from
``SUMMARIES`` without importing them, Typer's help renderer is loaded without Markdown
and tracebacks, and the help text is, to the character, what the full import writes."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from typing import Any

import pytest
import typer.main

from tinycrm.cli import COMMANDS, SUMMARIES

HELP = """
import sys
from typing import Any
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


def _texts_with_brackets() -> list[tuple[list[str], str]]:
    """(command path, help text) for every help and option help that holds a ``[``."""
    found = []

    def visit(command: Any, path: list[str]) -> None:
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        found.extend((path, text) for text in texts if "[" in text)
        for name in getattr(command, "list_commands", lambda _ctx: [])(None):
            visit(command.get_command(None, name), [*path, name])

    from tinycrm.cli import app

    visit(typer.main.get_command(app), [])
    return found


def test_brackets_in_help_are_shown_as_written() -> None:
    """``[quotes] valid_days`` names a config section; Rich markup would take it for a
    style and print ``valid_days`` alone."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    texts = _texts_with_brackets()
    assert any("[quotes]" in text for _path, text in texts)  # the case this test is about
    runner = CliRunner()
    for path, text in texts:
        shown = " ".join(
            line.strip("│ ") for line in runner.invoke(app, [*path, "--help"]).output.splitlines()
        )
        shown = " ".join(shown.split())
        for bracketed in re.findall(r"\[[^\]\s]+\]", text):
            assert bracketed in shown, (path, bracketed)


def test_a_group_lists_each_summary_as_one_paragraph() -> None:
    """A summary wrapped over two lines in its docstring is listed as one paragraph,
    not cut where the docstring's line ended (``report --help`` was ragged)."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    wrapped = 0
    runner = CliRunner()

    def visit(command: Any, path: list[str]) -> None:
        nonlocal wrapped
        names = getattr(command, "list_commands", lambda _ctx: [])(None)
        if not names:
            return
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output
        for name in names:
            sub = command.get_command(None, name)
            first = inspect.cleandoc(sub.help or "").split("\n\n")[0]
            if sub.hidden or not first:
                continue
            wrapped += "\n" in first
            summary = " ".join(first.split())
            assert any(summary in " ".join(line.split()) for line in shown.splitlines()), (
                path,
                name,
            )
            visit(sub, [*path, name])

    visit(typer.main.get_command(app), [])
    assert wrapped >= 10  # the case this test is about


def test_only_the_root_offers_to_install_completion() -> None:
    """Every group's --help (`tinycrm contact --help`, `tinycrm deal item --help`) listed
    --install-completion and --show-completion, as if each group had a completion of its
    own: Typer adds them to every app it builds, and the groups are built one by one.
    They are the root's, as the README says (`tinycrm --install-completion`)."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    runner = CliRunner()
    root = runner.invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    assert "--install-completion" in root and "--show-completion" in root
    for path in (["contact"], ["deal"], ["deal", "item"], ["score", "rule"], ["report"]):
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert shown.exit_code == 0, path
        assert "completion" not in shown.output, path
        refused = runner.invoke(app, [*path, "--install-completion"])
        assert refused.exit_code == 2, path


@pytest.mark.parametrize("args", [("--help",), ("deal", "add", "--help"), ("report", "-h")])
def test_help_into_a_pipe_its_reader_left_exits_0_without_a_word(args: tuple[str, ...]) -> None:
    """``tinycrm deal add --help | head -1``: Rich answered the closed pipe with exit 1, a
    failure (``set -o pipefail`` stopped a script), where a list or a show view exits 0.
    Now help ends as they do: exit 0, nothing on stderr."""
    from .conftest import tinycrm_executable

    proc = subprocess.Popen(
        [*tinycrm_executable(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the process writes: the write is a broken pipe
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (0, b"")


def _every_help() -> list[tuple[str, str]]:
    """(command path, text) for every command's help and its options' help."""
    import typer.main

    from tinycrm.cli import app

    root = typer.main.get_command(app)
    found: list[tuple[str, str]] = []

    def visit(command: Any, path: list[str], ctx: Any) -> None:
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        found.extend((" ".join(path), text) for text in texts)
        for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                visit(sub, [*path, name], type(ctx)(sub, parent=ctx, info_name=name))

    visit(root, [], typer.Context(root, info_name="tinycrm"))
    return found


def test_enrollment_is_spelt_one_way(cli) -> None:
    """'enrollments' (the sequence commands, the JSON, the code) and 'enrolment' (sequence
    add's help, sequence stop's message, contact merge's summary) were mixed."""
    from tinycrm.store.dupes import MOVED_NAMES

    assert [path for path, text in _every_help() if "enrolment" in text.lower()] == []
    assert MOVED_NAMES["sequences"] == ("sequence enrollment", "sequence enrollments")
    cli("contact", "add", "Ada Lovelace")
    cli("sequence", "add", "Onboarding", "--step", "0:Welcome")
    cli("sequence", "enroll", "Onboarding", "Ada Lovelace")
    stopped = cli("sequence", "stop", "Onboarding", "Ada Lovelace")
    assert "Stopped 1 enrollment in Onboarding" in stopped.stdout + stopped.stderr


def test_help_shows_no_markdown_backticks_and_no_ragged_paragraphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Help is Rich markup, not Markdown: `remind uninstall --help` showed its backticks
    literally. And a help's second paragraph kept its docstring's line breaks, so
    `remind install --help` and `mcp --help` came out ragged ('… has the snippet); on a'
    then a line of its own)."""
    from itertools import pairwise

    from typer.testing import CliRunner

    from tinycrm.cli import app

    assert [path for path, text in _every_help() if "`" in text] == []
    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()
    for path in (["remind", "install"], ["mcp"], ["mail", "import"], ["import", "undo"]):
        text = runner.invoke(app, [*path, "--help"]).output
        prose = [line.strip() for line in text.split("╭")[0].splitlines()[3:]]
        for line, after in pairwise(prose):
            if line and after:  # a line that had room for the next one's first word
                assert len(line) + 1 + len(after.split()[0]) > 78, (path, line, after)
