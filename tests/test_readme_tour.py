"""The README's tour shows what tinycrm really prints.

Every ``$ `` line of the tour (the first ``text`` block under "## A short tour") is run in
order on a fresh database, with the clock frozen at ``NOW`` and the tour's user and zone,
and what it prints (standard output and error, as a terminal shows them) must be the lines
the README shows under it. Only trailing spaces are ignored. A command may end in
``; echo $?``, which prints its exit status; any other command must exit 0.

After a change to what a tour command prints, regenerate the tour from the real output:

    python -m tests.test_readme_tour --update

and read the diff before committing it.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

README_PATH = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "## A short tour\n"
FENCE = "```text\n"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Berlin
ENVIRONMENT = {"TINYCRM_USER": "sam", "TZ": "Europe/Berlin", "COLUMNS": "120"}
ECHO_STATUS = "; echo $?"


@dataclass
class Step:
    command: str
    shown: list[str]


def tour_span(readme: str) -> tuple[int, int]:
    """Where the tour block's lines start and end in ``readme``."""
    heading = readme.index("\n" + HEADING) + 1
    start = readme.index(FENCE, heading) + len(FENCE)
    end = readme.index("\n```\n", start - 1) + 1
    return start, end


def tour_steps(readme: str) -> list[Step]:
    start, end = tour_span(readme)
    steps: list[Step] = []
    for line in readme[start:end].splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:], []))
        elif not steps:
            raise ValueError(f"the tour must start with a '$ ' command, not {line!r}")
        else:
            steps[-1].shown.append(line)
    return steps


@contextmanager
def fresh_tinycrm() -> Iterator[None]:
    """A new database and empty config in a temporary folder, the tour's user and zone,
    and the clock stopped at NOW."""
    import time_machine

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            mp.setenv(name, os.path.join(tmp, name.lower()))
        mp.setenv("TINYCRM_DB", os.path.join(tmp, "tinycrm.db"))
        mp.delenv("TINYCRM_CONFIG", raising=False)
        for name, value in ENVIRONMENT.items():
            mp.setenv(name, value)
        # A timestamp: given a UTC datetime, time-machine would also set TZ=UTC.
        with time_machine.travel(NOW.timestamp(), tick=False):
            yield


@contextmanager
def new_process_consoles() -> Iterator[None]:
    """The consoles tinycrm makes once per process (their width read from COLUMNS then),
    made anew, as each command of the tour is a new process."""
    from tinycrm.cli import output

    saved = output._console, output._err_console
    output._console = output._err_console = None
    try:
        yield
    finally:
        output._console, output._err_console = saved


def run_tour(steps: list[Step]) -> list[list[str]]:
    """What each step prints, line by line, trailing spaces removed."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    printed: list[list[str]] = []
    runner = CliRunner()
    with fresh_tinycrm():
        for step in steps:
            command, echo_status = step.command, step.command.endswith(ECHO_STATUS)
            if echo_status:
                command = command.removesuffix(ECHO_STATUS)
            words = shlex.split(command)
            if words[0] != "tinycrm" or any(w in (";", "|", "&&", ">") for w in words):
                raise ValueError(f"the tour can only run tinycrm commands: {step.command!r}")
            with new_process_consoles():
                result = runner.invoke(app, words[1:], prog_name="tinycrm")
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise AssertionError(f"{step.command!r} failed") from result.exception
            if result.exit_code != 0 and not echo_status:
                raise AssertionError(
                    f"{step.command!r} exited {result.exit_code}: {result.output.strip()}"
                )
            output = result.output + (f"{result.exit_code}\n" if echo_status else "")
            printed.append([line.rstrip() for line in output.splitlines()])
    return printed


def updated_readme(readme: str) -> str:
    """``readme`` with the tour's outputs replaced by what the commands print now."""
    steps = tour_steps(readme)
    lines: list[str] = []
    for step, printed in zip(steps, run_tour(steps), strict=True):
        lines += [f"$ {step.command}", *printed]
    start, end = tour_span(readme)
    return readme[:start] + "".join(line + "\n" for line in lines) + readme[end:]


def test_the_tour_shows_what_tinycrm_prints() -> None:
    readme = README_PATH.read_text(encoding="utf-8")
    steps = tour_steps(readme)
    assert len(steps) >= 8
    for step, printed in zip(steps, run_tour(steps), strict=True):
        shown = [line.rstrip() for line in step.shown]
        assert printed == shown, (
            f"README tour, after '$ {step.command}': the output differs "
            "(python -m tests.test_readme_tour --update regenerates it)"
        )


def test_the_tour_reader_finds_commands_and_outputs() -> None:
    readme = f"x\n{HEADING}\n{FENCE}$ tinycrm a\none\n\n$ tinycrm b; echo $?\n1\n```\n\n## Next\n"
    steps = tour_steps(readme)
    assert steps == [Step("tinycrm a", ["one", ""]), Step("tinycrm b; echo $?", ["1"])]
    start, end = tour_span(readme)
    assert readme[start:end] == "$ tinycrm a\none\n\n$ tinycrm b; echo $?\n1\n"


def main(argv: list[str]) -> int:
    if argv != ["--update"]:
        print("usage: python -m tests.test_readme_tour --update", file=sys.stderr)
        return 2
    readme = README_PATH.read_text(encoding="utf-8")
    new = updated_readme(readme)
    if new == readme:
        print("README tour is up to date")
        return 0
    temporary = README_PATH.with_name(f".{README_PATH.name}.tmp")
    temporary.write_text(new, encoding="utf-8")
    temporary.replace(README_PATH)
    print("README tour updated: review it with git diff README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
