"""``tinycrm board`` (and ``tinycrm`` alone, and ``tinycrm demo``): the full-screen board.

The database is opened first, so one that cannot be opened is refused with the
command line's one-line error before Textual starts. Textual is imported only
here, when the board really runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from tinycrm.cli.common import crm, fail

if TYPE_CHECKING:
    from tinycrm.api import Crm

app = typer.Typer(add_completion=False)


def is_terminal() -> bool:
    """Whether stdin and stdout are a terminal the board can take over."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_board(opened: Crm) -> None:
    """Run the board over the open CRM until the user quits."""
    if not is_terminal():
        fail("the board needs a terminal (stdin and stdout must not be redirected)")
    from tinycrm.config import ConfigError, current_config

    try:
        keys = current_config().keys  # [keys]: the user's own keys, by binding id
    except ConfigError as exc:
        fail(str(exc))
    from tinycrm.tui.launch import run

    code = run(opened, keymap=keys)
    if code:
        raise typer.Exit(code)


@app.command(
    "board",
    # one paragraph, no line breaks: the command list shows it as Rich wraps it
    help=(
        "Open the full-screen board: the pipeline kanban, the live activity feed and "
        "every record, driven from the keyboard (? lists the keys, q quits)."
    ),
)
def board(ctx: typer.Context) -> None:
    run_board(crm(ctx))
