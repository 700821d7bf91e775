"""The tinycrm command line: the root app, global options and the one error handler.

Commands are thin: parse, call the store, render with ``output``. Nothing here
imports the store, SQLAlchemy or Textual at module level, so ``--help`` is fast;
each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tinycrm import __version__
from tinycrm.cli import activities, companies, contacts, db, deals, demo, feed, pipelines
from tinycrm.cli.common import State, fail
from tinycrm.store.errors import StoreError

EXIT_REFUSED = 1
EXIT_INTERRUPTED = 130


class CrmGroup(TyperGroup):
    """Turns the store's refusals into one line on stderr and exit 1."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            fail(str(exc), EXIT_REFUSED)
        except KeyboardInterrupt:
            fail("interrupted; nothing was saved by the unfinished command", EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `tinycrm contact list | head`: the reader left; that is not an error.
            sys.stderr.close()
            raise typer.Exit(0) from None


app = typer.Typer(
    cls=CrmGroup,
    name="tinycrm",
    help="A terminal-first CRM: companies, contacts, deals, activities and tasks.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tinycrm {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db_: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: $TINYCRM_DB, else tinycrm.db "
            "in your user data dir).",
            metavar="PATH|URL",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """tinycrm: track companies, contacts, deals and follow-ups from the shell."""
    ctx.obj = State(db=db_)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


app.add_typer(companies.app, name="company", help="Companies (accounts).")
app.add_typer(contacts.app, name="contact", help="Contacts: people, roles and lifecycle.")
app.add_typer(deals.app, name="deal", help="Deals (opportunities) through pipeline stages.")
app.command("log")(activities.log)
app.add_typer(activities.task_app, name="task", help="Tasks with due dates.")
app.add_typer(pipelines.app, name="pipeline", help="Pipelines and their stages.")
app.command("feed")(feed.feed)
app.add_typer(db.app, name="db", help="Where the database is; upgrade and back it up.")
app.command("demo")(demo.demo)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="tinycrm")
