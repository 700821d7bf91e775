"""``crm.db``: where the database is, its schema, and copies of it (``tinycrm db``).

``locate()`` answers "which database?" without opening one (``tinycrm db path``);
``crm.db`` does what needs it open: upgrade the schema, normalise what contacts are
compared by (phone numbers, email keys), back a SQLite file up with
the online backup API, restore one, and refuse to write a file onto the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.engine import UpgradeNotice as UpgradeNotice  # what on_upgrade hears
    from tinycrm.store.normalise import NormaliseSummary


@dataclass(frozen=True)
class Location:
    """Where a database is: its SQLAlchemy ``url``, the SQLite ``path`` (None for other
    backends), and ``shown``: the path, or the URL with its password hidden."""

    url: str
    path: Path | None
    shown: str

    @property
    def in_memory(self) -> bool:
        """A SQLite database in memory (``sqlite://``): gone when the process ends."""
        return self.path is None and self.url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


@dataclass(frozen=True)
class Contents:
    """What a SQLite file holds: its schema revision and its records by kind."""

    revision: str | None
    companies: int
    contacts: int
    deals: int
    activities: int


@dataclass(frozen=True)
class SchemaUpgrade:
    """What ``crm.db.upgrade()`` did: the revision ``before`` (None: a new database) and
    the one the database is at now (``head``)."""

    before: str | None
    head: str

    @property
    def changed(self) -> bool:
        return self.before != self.head


def locate(db: str | None = None) -> Location:
    """The database ``db`` names (a path or a URL), else ``$TINYCRM_DB``, else the user's
    own: as ``tinycrm.open(db)`` would open it. Opens nothing, loads no driver."""
    from sqlalchemy.engine import make_url

    from tinycrm.store.engine import resolve_url, sqlite_path

    url = resolve_url(None if db is None else str(db))
    path = sqlite_path(url)
    shown = str(path) if path else make_url(url).render_as_string(hide_password=True)
    return Location(url=url, path=path, shown=shown)


def describe(file: str | Path) -> Contents:
    """What the SQLite file ``file`` holds (``Invalid`` when it is not a tinycrm database)."""
    from tinycrm.files import expand_home
    from tinycrm.store.dump import describe_sqlite

    return _contents(describe_sqlite(expand_home(file, "cannot read")))


def _contents(info: dict[str, Any]) -> Contents:
    return Contents(
        revision=info["revision"],
        companies=info["company"],
        contacts=info["contact"],
        deals=info["deal"],
        activities=info["activity"],
    )


def restorable(db: str | None, file: str | Path) -> Contents:
    """What the backup ``file`` holds; ``Invalid`` in one line when this tinycrm cannot
    restore it into ``db``: the database itself (or a link to it), not a tinycrm
    database, no schema revision, made by a newer tinycrm."""
    from tinycrm.files import expand_home
    from tinycrm.store.dump import restorable_backup
    from tinycrm.store.engine import refuse_database_itself

    source = expand_home(file, "cannot restore from").absolute()
    refuse_database_itself(_sqlite_file(db, "restore"), source, str(file))
    return _contents(restorable_backup(source))


def replaced(db: str | None = None) -> Contents | str | None:
    """What ``restore(db, …)`` would replace, read without opening the database (not
    upgraded, whatever its schema): its contents; None when there is no database there
    yet; a note saying why it cannot be read (a damaged database). ``Unavailable`` when
    ``db`` is not a SQLite file (PostgreSQL: pg_restore), or not a database to replace."""
    from tinycrm.store.dump import replaced_contents

    found = replaced_contents(_sqlite_file(db, "restore"))
    return _contents(found) if isinstance(found, dict) else found


def restore(
    db: str | None,
    source: str | Path,
    *,
    user: str | None = None,
    on_upgrade: Callable[[UpgradeNotice], None] | None = None,
) -> Path | None:
    """Replace the SQLite database ``db`` with the backup ``source``, then bring it up to
    the current schema (telling ``on_upgrade``); return the copy of what it replaced,
    kept beside it (None when there was none). The database replaced is not opened
    first: one a newer tinycrm upgraded, or a damaged one, is replaced too, its copy kept."""
    from tinycrm.store.dump import restore_sqlite
    from tinycrm.store.engine import open_store

    path = _sqlite_file(db, "restore")
    copy = restore_sqlite(path, Path(source))
    open_store(str(path), user=user, on_upgrade=on_upgrade).close()
    return copy


def remove_unwritten(path: Path) -> bool:
    """Remove the SQLite database ``path`` (closed) and its -wal and -shm when nobody has
    written to it: one a command made for a restore that was then refused. False when
    it holds anything, or cannot be read: then it is kept."""
    from tinycrm.store.dump import remove_unwritten as remove

    return remove(path)


@dataclass(frozen=True)
class NewDatabase:
    """A SQLite database built under a temporary name (``db``) for ``target``, where
    there is none yet: :func:`none_made_if_refused` gives it."""

    target: Path
    db: str

    def place(self) -> None:
        """Move the database, closed, to its path (``Unavailable`` when another process
        made one there meanwhile: this one is not kept)."""
        from tinycrm.store.sqlite_files import place_new

        place_new(Path(self.db), self.target)


@contextmanager
def none_made_if_refused(
    db: str | None, *, opened: bool, close: Callable[[], None], keep: bool = True
) -> Iterator[NewDatabase | None]:
    """Around a command that may make the SQLite database ``db`` (an import, a restore,
    into a path where there is none): a ``NewDatabase`` in a temporary folder beside the
    path, which the command opens instead, and which is closed (``close``) and placed at
    the path when the block ends whole. However it ends before that (refused, Ctrl-C,
    ``kill -9``), there is no database at the path: the folder goes with the block, or
    (killed) with the next write into that folder, and the next attempt is a first one
    again. None, to open ``db`` as it is: there is one at the path (or a link), it is
    PostgreSQL, or the database is ``opened`` already or its folder takes no temporary
    one; then a refused block takes away the database it made, once sure that nobody
    wrote to it. Not ``keep`` (a dry run): the database built aside is never placed, and
    one made at the path is taken away however the block ends."""
    from tinycrm.files import CannotWrite, temporary_folder

    path = locate(db).path
    if path is None or os.path.lexists(path):
        yield None
        return
    with ExitStack() as stack:
        folder: Path | None = None
        if not opened and path.parent.is_dir():
            with suppress(CannotWrite):
                folder = stack.enter_context(temporary_folder(path.absolute()))
        if folder is not None:
            new = NewDatabase(path, str(folder / path.name))
            try:
                yield new
                close()
                if keep:
                    new.place()
            finally:
                close()
            return
        try:
            yield None
        except BaseException:
            close()
            remove_unwritten(path)
            raise
        if not keep:
            close()
            remove_unwritten(path)


def _sqlite_file(db: str | None, what: str) -> Path:
    """The SQLite file ``db`` names; ``Unavailable`` for a database in memory, and for
    PostgreSQL (``pg_restore`` restores a ``pg_dump``)."""
    import shlex

    from tinycrm.errors import Unavailable
    from tinycrm.store.engine import libpq_url

    where = locate(db)
    if where.path is not None:
        return where.path
    if where.in_memory:
        raise Unavailable(f"sqlite:// is a database in memory: there is no file to {what}")
    if where.url.split(":", 1)[0].split("+", 1)[0] == "postgresql":
        raise Unavailable(
            "restore replaces SQLite databases; for PostgreSQL restore a pg_dump with "
            f"pg_restore (e.g. pg_restore --clean -d {shlex.quote(libpq_url(where.url))} "
            "tinycrm.dump)"
        )
    raise Unavailable(f"{what} works on SQLite databases, not on {where.shown}")


class Database:
    """The open database itself (``tinycrm db``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return self._store.path

    @property
    def url(self) -> str:
        """The URL with any password hidden."""
        return self._store.display_url()

    @property
    def libpq_url(self) -> str:
        """The URL as ``pg_dump`` and ``psql`` take it (no driver name, no password)."""
        from tinycrm.store.engine import libpq_url

        return libpq_url(self._store.url)

    def upgrade(self) -> SchemaUpgrade:
        """Bring the schema up to date (``tinycrm.open`` does so too, unless told not to);
        a SQLite database is copied beside itself first."""
        from tinycrm.store.engine import upgrade_schema
        from tinycrm.store.migrations import SCHEMA_HEAD

        return SchemaUpgrade(before=upgrade_schema(self._store), head=SCHEMA_HEAD)

    def normalise(self, *, dry_run: bool = False) -> NormaliseSummary:
        """Bring each contact's phone number as a number (with the ``[phone] region`` set
        now) and its email's key up to date; ``.summary`` says what changed in one line.
        Running it again changes nothing."""
        from tinycrm.store.normalise import normalise_contacts

        return normalise_contacts(self._store, dry_run=dry_run)

    def contents(self) -> Contents:
        """What the SQLite database holds now (``Unavailable`` on PostgreSQL)."""
        return describe(self._sqlite("contents"))

    def backup(self, target: str | Path, *, mkdir: bool = False) -> Path | None:
        """Copy the SQLite database to ``target`` safely while it is in use: into a
        temporary file, checked (``PRAGMA integrity_check``), renamed over ``target``.
        ``"-"`` writes the copy to standard output (returns None); else the file written."""
        from tinycrm.store.engine import backup_sqlite

        return backup_sqlite(self._sqlite("backup"), target, mkdir=mkdir)

    def restore(self, source: str | Path) -> Path | None:
        """Replace the SQLite database with the backup ``source`` (brought up to the
        current schema); return the copy of what it replaced, kept beside it."""
        from tinycrm.store.dump import restore_sqlite
        from tinycrm.store.engine import open_store

        path = self._sqlite("restore")
        copy = restore_sqlite(self._store, Path(source))
        # upgrades an older backup, telling whoever is told of this database's upgrades
        open_store(str(path), user=self._store.user, on_upgrade=self._store.on_upgrade).close()
        return copy

    def refuse_own_file(self, target: str | Path, shown: str | None = None) -> None:
        """``Invalid`` when writing ``target`` would write onto the database or its
        -wal/-shm files (the same path, a symlink or a hard link to one of them)."""
        from tinycrm.store.engine import refuse_database_itself

        if self.path is not None:
            from tinycrm.files import expand_home

            target = expand_home(target, "cannot write")
            refuse_database_itself(self.path, target, shown or str(target))

    def _sqlite(self, what: str) -> Path:
        if self.path is None:
            from tinycrm.errors import Unavailable

            raise Unavailable(f"{what} works on SQLite databases, not on {self.url}")
        return self.path
