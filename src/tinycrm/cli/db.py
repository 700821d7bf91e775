"""``tinycrm db …``"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from tinycrm import safetext
from tinycrm.cli import output as out
from tinycrm.cli.common import collector_on, crm, fail, file_path, tell_upgrade
from tinycrm.vocab import plural

app = typer.Typer(
    no_args_is_help=True,
    help="Where the database is; upgrade, normalise, back it up and restore it.",
)


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the database is (a file path, or the URL without its password)."""
    from tinycrm.api.database import locate

    shown = locate(ctx.find_root().obj.db).shown
    # Exactly as it is to a pipe (click.echo would strip what looks like a colour code
    # from the path); escaped on a terminal, which would obey it.
    sys.stdout.write((safetext.display(shown) if out.on_terminal(sys.stdout) else shown) + "\n")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (also done whenever tinycrm opens it)."""
    from tinycrm.api import open_crm

    with open_crm(ctx.find_root().obj.db, migrate=False, on_upgrade=tell_upgrade) as opened:
        collector_on()
        done = opened.db.upgrade()
    if not done.changed:
        out.done(f"Database is up to date (schema {done.head}).")
    elif done.before is None:
        out.done(f"Created a new database at schema {done.head}.")
    else:
        out.done(f"Upgraded database from schema {done.before or 'empty'} to {done.head}.")


@app.command("normalise")
def normalise(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; write nothing.")
    ] = False,
) -> None:
    """Read phone numbers again as numbers (after [phone] region was set) and refresh
    the email keys that duplicates and lookups compare. Safe to run again."""
    result = crm(ctx).db.normalise(dry_run=dry_run)
    out.done(result.summary[:1].upper() + result.summary[1:] + ".")
    for clash in result.clashes:
        sys.stderr.write(safetext.display(f"Warning: email {clash}: kept its old key") + "\n")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="Where to write the copy ('-' writes it to standard output).", metavar="FILE"
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    mkdir: Annotated[
        bool, typer.Option("--mkdir", help="Create FILE's folder if it does not exist.")
    ] = False,
) -> None:
    """Copy the database to FILE, safely, even while tinycrm is in use.

    The copy is checked (PRAGMA integrity_check) and appears at FILE only when complete.
    """
    from tinycrm import files
    from tinycrm.api import open_crm
    from tinycrm.api.database import locate

    db = ctx.find_root().obj.db
    where = locate(db)
    if where.in_memory:
        fail("sqlite:// is a database in memory: there is no file to back up", 2)
    if where.path is not None and not where.path.exists():
        fail(f"no database at {where.path}: nothing to back up")
    # Copied as it is, at its own schema: not upgraded first (nothing is written to it),
    # and one a newer tinycrm upgraded is copied too.
    with open_crm(db, migrate=False) as opened:
        collector_on()
        database = opened.db
        if database.path is None:
            url = shlex.quote(database.libpq_url)
            fail(
                "backup copies SQLite databases; for PostgreSQL use pg_dump "
                f"(e.g. pg_dump --format=custom --file=tinycrm.dump {url})"
            )
        dest = files.resolve(file, mkdir=mkdir)
        if files.reaches_terminal(file):
            fail(
                "a backup is a binary SQLite file: not written to a terminal "
                "(give a FILE, or redirect: tinycrm db backup - > tinycrm-backup.db)"
            )
        if dest.path is not None:
            database.refuse_own_file(dest.path, file)
            if not dest.stream and dest.path.exists() and not force:
                fail(f"{file} exists; give --force to overwrite it")
        target = database.backup(file, mkdir=mkdir)
    if target is not None:
        out.done(f"Backed up {database.path} to {target}")


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A backup made by 'tinycrm db backup'.", parser=file_path)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup; a copy of what it replaces is kept beside it."""
    from tinycrm.api.database import Contents, locate, replaced, restorable
    from tinycrm.api.database import restore as restore_file

    # The database replaced is not opened (nor upgraded): one a newer tinycrm upgraded, or
    # a damaged one, is replaced too; its copy is kept before anything is written to it.
    db = ctx.find_root().obj.db
    current = replaced(db)  # refuses PostgreSQL, a database in memory, a folder, …
    target = locate(db).path
    assert target is not None
    incoming = restorable(db, file)

    def counts(info: Contents | str | None) -> str:
        if info is None:
            return "no database yet"
        if isinstance(info, str):
            return info
        pairs = (("company", info.companies), ("contact", info.contacts), ("deal", info.deals),
                 ("activity", info.activities))  # fmt: skip
        return ", ".join(plural(n, kind) for kind, n in pairs)

    if not yes:
        if not sys.stdin.isatty():
            fail("restore replaces the whole database: give --yes to confirm")
        typer.confirm(
            f"Replace {target} ({counts(current)}) with {file} ({counts(incoming)})?",
            abort=True,
        )
    copy = restore_file(db, file, on_upgrade=tell_upgrade)  # brought up to the current schema
    collector_on()
    out.done(f"Restored {target} from {file} ({counts(incoming)})")
    if copy is not None:
        out.done(f"The database it replaced is kept as {copy}")
