"""``tinycrm demo``"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import collector_on, state
from tinycrm.vocab import plural

app = typer.Typer(add_completion=False)


class BuildProgress:
    """A progress bar on stderr while the demo is built, when stderr is a terminal (the
    first build takes seconds); nothing at all otherwise. Gone once the build is done."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> BuildProgress:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=out.err_console(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("Opening the demo database", total=None)
        return self

    def update(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(
                self.task, description="Building the demo database", completed=done, total=total
            )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@app.command(
    "demo",
    # one paragraph, no line breaks: the command list shows it as Rich wraps it
    help=(
        "Build (or reuse) a demo database full of realistic data and open the board on "
        "it (on a terminal; otherwise, or with --no-board, print how to explore it)."
    ),
)
def demo(
    ctx: typer.Context,
    reset: Annotated[
        bool, typer.Option("--reset", help="Throw the demo database away and build it again.")
    ] = False,
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            help="Where the demo database lives (default: demo.db in your "
            "user data dir). Never your own database (--db, $TINYCRM_DB or the default) "
            "nor one of its files.",
        ),
    ] = None,
    no_board: Annotated[
        bool, typer.Option("--no-board", help="Only build it and print how to explore it.")
    ] = False,
) -> None:
    from tinycrm.api.demo import build_demo, demo_path
    from tinycrm.cli.board import is_terminal, run_board

    target = path or demo_path()
    collector_on()  # before the build: it makes and drops many rows
    with BuildProgress() as progress:
        summary = build_demo(target, reset=reset, progress=progress.update, database=state(ctx).db)
    console = out.stdout_console()
    verb = "Built" if summary.created else "Using"
    console.print(f"{verb} the demo database at {target}", markup=False)
    console.print(
        f"  {plural(summary.companies, 'company')}, {plural(summary.contacts, 'contact')}, "
        f"{plural(summary.deals, 'deal')} "
        f"({summary.open_deals} open, {summary.won} won, {summary.lost} lost), "
        f"{plural(summary.activities, 'activity')}, "
        f"{plural(summary.overdue_tasks, 'overdue task')}",
        markup=False,
    )
    console.print("\nExplore it (your own database is untouched):", markup=False)
    console.print(f"  export TINYCRM_DB={target}", markup=False)
    for command in (
        "tinycrm deal list",
        "tinycrm contact list --search müller",
        "tinycrm task list --overdue",
        "tinycrm feed --limit 10",
        "tinycrm deal show 1",
    ):
        console.print(f"  {command}", markup=False)
    if is_terminal() and not no_board:
        from tinycrm import interrupts
        from tinycrm.api import open_crm

        with interrupts.interruptible():  # the demo is saved; the board is the board
            run_board(open_crm(str(target)))
