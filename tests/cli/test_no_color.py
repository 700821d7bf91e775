"""``NO_COLOR`` (https://no-color.org) on a real terminal: tables, records, reports,
errors and help keep their layout but carry no colour."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import tinycrm
from tests.cli.conftest import tinycrm_executable

COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Ada Lovelace", email="ada@example.com", company="Analytical Engines")
        deal = crm.deals.add("Engine order", contact="ada@example.com")
        crm.deals.win(deal.id)
        crm.tasks.add("Overdue call", due="-2d", contact="ada@example.com")
        # a done task: its "done" cell is the task list's coloured one (empty cells
        # carry no colour)
        crm.tasks.done(crm.tasks.add("Sent the quote", due="-3d", contact="ada@example.com").id)
    return path


def on_a_terminal(args: list[str], db: Path, **env: str) -> str:
    """What ``tinycrm ARGS`` writes to a terminal (stdout and stderr), under ``script``."""
    command = " ".join([*tinycrm_executable(), "--db", str(db), *args])
    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True, text=True, timeout=60,
        env={**inherited, "TERM": "xterm-256color", **env},
    )  # fmt: skip
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list"],
        ["deal", "show", "1"],
        ["task", "list", "--all"],
        ["contact", "show", "nobody"],
        ["contact", "--help"],
    ],
)
def test_no_color_takes_the_colour_away(db: Path, args: list[str]) -> None:
    coloured = on_a_terminal(args, db)
    plain = on_a_terminal(args, db, NO_COLOR="1")
    assert COLOUR.search(coloured), "without NO_COLOR there is colour to take away"
    assert not COLOUR.search(plain)
    assert (
        re.sub(r"\x1b\[[0-9;]*m", "", plain).split()
        == re.sub(r"\x1b\[[0-9;]*m", "", coloured).split()
    )
