"""``tinycrm db …``"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import fail, store

app = typer.Typer(no_args_is_help=True, help="Where the database is; upgrade and back it up.")


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the database is (a file path, or the URL without its password)."""
    from sqlalchemy.engine import make_url

    from tinycrm.store.engine import resolve_url, sqlite_path

    url = resolve_url(ctx.find_root().obj.db)
    file = sqlite_path(url)
    typer.echo(str(file) if file else make_url(url).render_as_string(hide_password=True))


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (also done whenever tinycrm opens it)."""
    from tinycrm.store.engine import open_store
    from tinycrm.store.engine import upgrade as run_upgrade
    from tinycrm.store.migrations import SCHEMA_HEAD

    opened = open_store(ctx.find_root().obj.db, migrate=False)
    before = run_upgrade(opened)
    if before == SCHEMA_HEAD:
        out.done(f"Database is up to date (schema {SCHEMA_HEAD}).")
    elif before is None:
        out.done(f"Created a new database at schema {SCHEMA_HEAD}.")
    else:
        out.done(f"Upgraded database from schema {before or 'empty'} to {SCHEMA_HEAD}.")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Copy the database to FILE, safely, even while tinycrm is in use."""
    from tinycrm.store.engine import backup_sqlite

    opened = store(ctx)
    if opened.path is None:
        fail(
            "backup copies SQLite databases; for PostgreSQL use pg_dump "
            f"(e.g. pg_dump '{opened.display_url()}' > tinycrm.sql)"
        )
    if file.exists() and not force:
        fail(f"{file} exists; give --force to overwrite it")
    if file.exists():
        file.unlink()
    target = backup_sqlite(opened.path, file)
    out.done(f"Backed up {opened.path} to {target}")
