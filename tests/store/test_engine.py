"""Opening databases: URLs, pragmas, file mode, migrate-on-open, errors."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tinycrm.store import Unavailable
from tinycrm.store.engine import (
    backup_sqlite,
    default_path,
    open_store,
    resolve_url,
    schema_revision,
)
from tinycrm.store.migrations import SCHEMA_HEAD

from ..conftest import PG_URL


def test_resolve_url_prefers_option_then_env_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "env.db"))
    assert resolve_url(str(tmp_path / "opt.db")) == f"sqlite:///{tmp_path / 'opt.db'}"
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("TINYCRM_DB")
    assert resolve_url(None) == f"sqlite:///{default_path()}"
    assert default_path().name == "tinycrm.db"
    assert str(default_path()).startswith(os.environ["XDG_DATA_HOME"])


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url("rel.db") == f"sqlite:///{tmp_path / 'rel.db'}"


@pytest.mark.parametrize("name", ["crm?v2.db", "50%41.db", "crm#2.db", "100%.db"])
def test_a_database_file_is_the_one_named_whatever_its_name_holds(
    tmp_path: Path, name: str
) -> None:
    """--db 'crm?v2.db' wrote every record into a file 'crm', and --db '50%41.db' into
    '50A.db': the path went into the URL as typed and SQLAlchemy read it as a URL."""
    store = open_store(str(tmp_path / name))
    try:
        assert store.path == tmp_path / name
    finally:
        store.close()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(name)] == []
    assert (tmp_path / name).stat().st_size > 0


def test_new_sqlite_database_is_private_wal_and_at_head(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    store = open_store(str(path))
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert schema_revision(conn) == SCHEMA_HEAD
    finally:
        store.close()


def test_a_link_to_a_database_not_made_yet_makes_it_where_it_points(tmp_path: Path) -> None:
    """--db a symlink to a file not there yet (the default database linked into a synced
    folder before first use) failed with 'unable to open database file': the file made
    first, private, could not be made through the link. Now the database is made where the
    link points, private, and the link is kept; a link into a missing folder says so."""
    synced = tmp_path / "synced"
    synced.mkdir()
    link = tmp_path / "crm.db"
    link.symlink_to(synced / "crm.db")
    open_store(str(link)).close()
    assert link.is_symlink() and (synced / "crm.db").is_file()
    assert stat.S_IMODE((synced / "crm.db").stat().st_mode) == 0o600
    with sqlite3.connect(synced / "crm.db") as conn:
        assert _revision_of(conn) == SCHEMA_HEAD
    conn.close()
    nowhere = tmp_path / "nowhere.db"
    nowhere.symlink_to(tmp_path / "gone" / "crm.db")
    with pytest.raises(Unavailable) as err:
        open_store(str(nowhere))
    assert str(err.value) == (
        f"cannot create database {tmp_path / 'gone' / 'crm.db'} (where {nowhere} links to): "
        f"folder {tmp_path / 'gone'} does not exist (check --db / TINYCRM_DB, or create the "
        "folder first)"
    )


def test_schema_head_constant_names_the_real_head() -> None:
    from tinycrm.store.migrations.runner import script_heads

    assert script_heads() == {SCHEMA_HEAD}


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="is a directory"):
        open_store(str(tmp_path))


def test_garbage_file_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert "not a database" in str(err.value)
    assert "\n" not in str(err.value)
    assert path.read_text().startswith("this is not a database")


def test_unknown_newer_schema_is_refused(tmp_path: Path) -> None:
    """It said "database schema '9999' is newer than this tinycrm knows; upgrade tinycrm",
    naming no database (with --db in a script, or TINYCRM_DB, which one?) and not that a
    backup can still be made."""
    path = tmp_path / "crm.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot open database {path}: its schema '9999' is newer than this tinycrm "
        f"({SCHEMA_HEAD}) knows, a newer tinycrm upgraded it: upgrade tinycrm (db backup "
        "copies it meanwhile)"
    )


def test_unreachable_postgres_is_one_line() -> None:
    with pytest.raises(Unavailable) as err:
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert "\n" not in str(err.value)


def test_a_path_under_an_unknown_users_home_is_one_line() -> None:
    """--db '~nosuchuser/crm.db' (a typo for ~/…) ended in a traceback: RuntimeError:
    Could not determine home directory."""
    with pytest.raises(Unavailable) as err:
        resolve_url("~nosuchuser_tinycrm/crm.db")
    assert str(err.value) == (
        "cannot open database ~nosuchuser_tinycrm/crm.db: there is no user nosuchuser_tinycrm "
        "whose home folder ~nosuchuser_tinycrm is (did you mean ~/?)"
    )


def test_bad_url_is_refused() -> None:
    with pytest.raises(Unavailable):
        open_store("nosuchdialect://x/y")


def test_a_url_whose_port_is_not_a_number_is_one_line_without_its_password() -> None:
    """'postgresql+psycopg://me:secret@db:54x2/crm' (a typo in the port) ended in a
    traceback, ValueError: invalid literal for int(), from opening as from 'db path'
    (``locate``). Now one line says the port is not a number, the password hidden."""
    from tinycrm.api.database import locate

    url = "postgresql+psycopg://me:secret@db.example.com:54x2/crm"
    expected = (
        "not a database URL: 'postgresql+psycopg://me:***@db.example.com:54x2/crm' "
        "(its port '54x2' is not a number)"
    )
    for attempt in (lambda: open_store(url), lambda: locate(url)):
        with pytest.raises(Unavailable) as err:
            attempt()
        assert str(err.value) == expected


def test_an_ipv6_address_left_open_is_named_not_its_port() -> None:
    """'postgresql://me:pw@[::1/crm' (the ']' forgotten) said "its port '1' is not a
    number", a port never typed."""
    with pytest.raises(Unavailable) as err:
        open_store("postgresql://me:s3cret@[::1/crm")
    assert str(err.value) == (
        "not a database URL: 'postgresql://me:***@[::1/crm' (an IPv6 address in it lacks "
        "its closing ']': write it as [::1]:5432)"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # a driver SQLAlchemy has no plugin for: the URL was quoted whole, password and all
        (
            "postgresql+nosuch://me:s3cret@db.example.com/crm",
            "tinycrm talks to PostgreSQL through psycopg: write postgresql://… "
            "(or postgresql+psycopg://…), not postgresql+nosuch://…",
        ),
        # a password holding '/' (SQLAlchemy reads it up to the '@') was shown in the clear
        (
            "postgresql://me:s3/cret@db.example.com:54x2/crm",
            "not a database URL: 'postgresql://me:***@db.example.com:54x2/crm' ",
        ),
        (
            "postgresql://me:s3:c/r?e#t@db.example.com:54x2/crm",
            "not a database URL: 'postgresql://me:***@db.example.com:54x2/crm' ",
        ),
    ],
)
def test_a_url_refused_never_shows_its_password(url: str, shown: str) -> None:
    from tinycrm.api.database import locate

    for attempt in (lambda: open_store(url), lambda: locate(url)):
        try:
            attempt()
        except Unavailable as err:
            assert str(err).startswith(shown), str(err)
            assert "s3" not in str(err) and "cret" not in str(err)
        else:
            assert attempt is not open_store  # locate opens nothing: it may take it


@pytest.mark.parametrize(
    "url", ["mysql://me@localhost/crm", "mysql+pymysql://me@localhost/crm", "mssql://me@x/crm"]
)
def test_a_database_tinycrm_does_not_work_with_is_named_so(url: str) -> None:
    """A MySQL URL said "database driver missing: MySQLdb", as if installing it would do;
    with the driver there, tinycrm would have run its migrations on a database it was never
    made for. Now it says which databases it works with, before any driver is loaded."""
    backend = url.split(":")[0].split("+")[0]
    with pytest.raises(Unavailable) as err:
        open_store(url)
    assert str(err.value) == (
        f"tinycrm works with SQLite and PostgreSQL, not {backend}: give --db / TINYCRM_DB "
        "a file path, or a postgresql:// URL"
    )
    with pytest.raises(Unavailable) as err:
        open_store("postgres://me@db.example.com/crm")  # libpq's spelling
    assert str(err.value) == "write a PostgreSQL URL as postgresql://…, not postgres://…"


@pytest.mark.parametrize(
    ("query", "options"),
    [("?mode=ro", "mode"), ("?uri=true&mode=memory", "mode, uri"), ("?timeout=1", "timeout")],
)
def test_a_sqlite_url_with_options_is_refused_and_nothing_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, options: str
) -> None:
    """'sqlite:////x/crm.db?mode=ro' printed SQLAlchemy's SAWarning (two lines, a line of
    its source) and then wrote to the file anyway; with '&uri=true' the name became a
    SQLite URI ('file:x?mode=memory': a database in memory, every write gone with the
    command, though it said 'Added') and an empty file named 'file:x' was made in the
    folder. A driver not installed (sqlite+aiosqlite) left an empty file behind too."""
    import warnings

    monkeypatch.chdir(tmp_path)
    for url in (f"sqlite:///{tmp_path}/crm.db{query}", f"sqlite:///file:x{query}"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(Unavailable) as err:
                open_store(url)
        assert str(err.value) == (
            f"a SQLite --db URL takes no options (it has: {options}): give the database "
            "file's path; tinycrm sets SQLite's options itself"
        )
    with pytest.raises(Unavailable, match=r"not sqlite\+aiosqlite://"):
        open_store(f"sqlite+aiosqlite:///{tmp_path}/other.db")
    assert list(tmp_path.iterdir()) == []


def test_backup_copies_a_live_database(tmp_path: Path) -> None:
    from tinycrm.store.contacts import add_contact, list_contacts

    store = open_store(str(tmp_path / "live.db"))
    add_contact(store, name="Ada Lovelace", email="ada@example.com")
    target = backup_sqlite(tmp_path / "live.db", tmp_path / "copy.db")
    copy = open_store(str(target))
    try:
        assert [c.email for c in list_contacts(copy)] == ["ada@example.com"]
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        copy.close()
        store.close()


def test_two_processes_opening_a_new_database_at_once(tmp_path: Path) -> None:
    """Both create-or-migrate; one waits for the other; neither fails."""
    import subprocess
    import sys

    path = tmp_path / "race.db"
    code = (
        "import sys; from tinycrm.store.engine import open_store; "
        "from tinycrm.store.contacts import add_contact; "
        "s = open_store(sys.argv[1]); add_contact(s, name=sys.argv[2]); s.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path), f"P{i}"], stderr=subprocess.PIPE)
        for i in range(4)
    ]
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    store = open_store(str(path))
    try:
        with store.read() as session:
            count = session.execute(text("SELECT count(*) FROM contact")).scalar()
            pipelines = session.execute(text("SELECT count(*) FROM pipeline")).scalar()
        assert count == 4
        assert pipelines == 1
    finally:
        store.close()


def test_search_index_exists(store) -> None:
    """The fast path is really there: FTS5 on SQLite, pg_trgm on PostgreSQL."""
    with store.read() as session:
        if store.is_sqlite:
            found = session.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'contact_fts'")
            ).scalar()
        else:
            found = session.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_contact_search_trgm' "
                    "AND schemaname = current_schema()"
                )
            ).scalar()
    assert found


@pytest.mark.skipif(not os.environ.get("TINYCRM_TEST_PG_URL"), reason="needs PostgreSQL")
def test_postgres_schema_is_judged_by_the_current_schema_only() -> None:
    """A tinycrm schema further down the search path must not make a new one look migrated."""
    import uuid

    from sqlalchemy import create_engine

    base = os.environ["TINYCRM_TEST_PG_URL"]
    outer, inner = (f"tinycrm_sp_{uuid.uuid4().hex[:8]}" for _ in range(2))
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{outer}"'))
        conn.execute(text(f'CREATE SCHEMA "{inner}"'))
    sep = "&" if "?" in base else "?"
    try:
        open_store(f"{base}{sep}options=-csearch_path%3D{outer},public").close()
        store = open_store(f"{base}{sep}options=-csearch_path%3D{inner},{outer},public")
        try:
            from tinycrm.store.contacts import add_contact

            add_contact(store, name="Ada")
        finally:
            store.close()
        with admin.connect() as conn:
            tables = set(
                conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": inner}
                ).scalars()
            )
            count = conn.execute(text(f'SELECT count(*) FROM "{inner}".contact')).scalar()
        assert {"alembic_version", "contact", "deal"} <= tables
        assert count == 1
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{inner}" CASCADE'))
            conn.execute(text(f'DROP SCHEMA "{outer}" CASCADE'))
        admin.dispose()


def test_a_deadlock_the_database_broke_is_a_one_line_conflict_and_nothing_saved(store) -> None:
    """PostgreSQL ends one of two writers that wait for each other (``DeadlockDetected``,
    SQLSTATE 40P01; a serialization failure is 40001): the command says so in one line
    (``Conflict``, run it again), never a traceback or "database error: deadlock
    detected" as if the database were out of reach; what it wrote is rolled back."""
    from sqlalchemy.exc import OperationalError

    from tinycrm.store import Conflict
    from tinycrm.store.contacts import add_contact, list_contacts

    class Collided(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__("deadlock detected\nDETAIL: Process 1 waits for ShareLock")
            self.sqlstate = sqlstate

    for sqlstate in ("40P01", "40001"):
        with pytest.raises(Conflict) as err, store.write():
            add_contact(store, name="Ada")
            raise OperationalError("SELECT 1", {}, Collided(sqlstate))
        assert "at the same moment" in str(err.value) and "\n" not in str(err.value)
        assert "run the command again" in str(err.value)
    assert list_contacts(store) == []


@pytest.fixture
def read_only_folder(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A folder holding a database that cannot be written: chmod 555, or for root (whom
    modes do not stop) a small tmpfs remounted read-only; skipped when neither works."""
    import subprocess

    folder = tmp_path / "backup"
    folder.mkdir()
    root = os.geteuid() == 0
    if root:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
        )
        if mounted.returncode != 0:
            pytest.skip("as root, and no tmpfs to mount read-only")
    try:
        open_store(str(folder / "crm.db")).close()
        if root:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        yield folder
    finally:
        if root:
            subprocess.run(["umount", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_a_database_in_a_read_only_folder_is_refused_saying_why(read_only_folder: Path) -> None:
    """Said 'database error: unable to open database file' of a file that is there:
    SQLite cannot make its journal (crm.db-wal, crm.db-shm) beside it."""
    path = read_only_folder / "crm.db"
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot open database {path}: its folder {read_only_folder} is read-only, and "
        "SQLite keeps its journal (crm.db-wal) beside the database; copy the database "
        f"into a folder you can write to (tinycrm --db {path} db backup COPY)"
    )


@pytest.mark.parametrize(
    ("end", "make", "said"),
    [
        ("-wal", "folder", "write-ahead log {f} is a directory, not a file: move it away"),
        ("-wal", "link", "write-ahead log {f} is a link to {t}, whose folder does not exist"),
        ("-shm", "link", "shared-memory file {f} is a link to {t}, whose folder does not exist"),
    ],
)
def test_a_wal_or_shm_that_cannot_be_a_file_is_named(
    tmp_path: Path, end: str, make: str, said: str
) -> None:
    """SQLite said only 'database error: unable to open database file' of a database
    that is there, when its -wal was a directory or a link to a missing folder."""
    path = tmp_path / "crm.db"
    open_store(str(path)).close()
    beside = tmp_path / f"crm.db{end}"
    target = tmp_path / "gone" / "x"
    if make == "folder":
        beside.mkdir()
    else:
        beside.symlink_to(target)
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot open database {path}: its {said.format(f=beside, t=target)}"
        f"{': remove the link' if make == 'link' else ''} (SQLite makes the file anew)"
    )
    assert not target.parent.exists()


def test_a_database_in_a_read_only_folder_can_be_backed_up(
    read_only_folder: Path, tmp_path: Path
) -> None:
    """The database that cannot be opened there (above) could not be copied out with
    db backup either: 'backup failed: unable to open database file' (its reader wanted
    the -shm file beside it). It is read as it is, the copy whole."""
    from tinycrm.store.contacts import list_contacts

    copy = backup_sqlite(read_only_folder / "crm.db", tmp_path / "copy.db")
    assert copy == tmp_path / "copy.db"
    store = open_store(str(copy))
    try:
        assert list_contacts(store) == []
    finally:
        store.close()
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["crm.db"]


@pytest.mark.parametrize("blank", ["   ", "\t"])
def test_a_blank_database_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    """TINYCRM_DB='   ' (a variable set to what an unset one expanded to, with a space)
    made a database named '   ' in the current folder; an empty one is the default."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TINYCRM_DB", blank)
    with pytest.raises(Unavailable, match=r"^TINYCRM_DB is blank: give a database file or URL"):
        open_store()
    with pytest.raises(Unavailable, match=r"^--db is blank: give a database file or URL"):
        open_store(blank)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_db_option_is_refused_and_an_empty_variable_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--db "" (a script's --db "$DB" with DB unset) opened the default database, so
    'contact rm 5' acted on the user's own CRM; TINYCRM_DB= stays unset, as in a shell."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TINYCRM_DB", "")
    with pytest.raises(Unavailable, match=r"^--db is blank: give a database file or URL"):
        open_store("")
    assert resolve_url(None) == resolve_url(str(default_path()))
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_database_file_is_named_when_a_write_is_refused(tmp_path: Path) -> None:
    """A write to a database file that cannot be written (chmod 444; for root, whom
    modes do not stop, chattr +i) said 'database error: attempt to write a readonly
    database', naming no file; reads still work."""
    import subprocess

    from tinycrm.store.contacts import add_contact, list_contacts

    path = tmp_path / "crm.db"
    open_store(str(path)).close()
    root = os.geteuid() == 0
    if root:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("as root, and no chattr +i here")
    else:
        path.chmod(0o444)
    try:
        store = open_store(str(path))
        try:
            assert list_contacts(store) == []
            with pytest.raises(Unavailable) as err:
                add_contact(store, name="Ada")
        finally:
            store.close()
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        else:
            path.chmod(0o600)
    assert str(err.value) == (
        f"cannot write database {path}: the file is read-only (make it writable, or work on a copy)"
    )


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    """--db pointed at another program's SQLite file (a typo, the wrong file: Firefox's
    places.sqlite) added tinycrm's hundred tables into it and turned it to WAL; now it
    is refused and left as it was. An empty file is still made a tinycrm database."""
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot open database {path}: it is another program's database (its tables: "
        "moz_bookmarks, moz_places), not tinycrm's; give tinycrm a file of its own"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]
    empty = tmp_path / "empty.db"
    empty.touch()
    open_store(str(empty)).close()
    with sqlite3.connect(empty) as conn:
        assert _revision_of(conn) == SCHEMA_HEAD
    conn.close()


def _revision_of(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_another_alembic_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    """Another program that keeps its schema with Alembic (any SQLAlchemy app) has an
    ``alembic_version`` table too: its file was taken for a newer tinycrm's ("upgrade
    tinycrm") and turned to WAL on the way; now it is refused as another program's,
    left as it was."""
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot open database {path}: it is another program's database (its tables: "
        "alembic_version, users), not tinycrm's; give tinycrm a file of its own"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_another_alembic_programs_postgresql_schema_is_refused_untouched() -> None:
    """The same on PostgreSQL: a schema where another program keeps its tables and its
    Alembic revision was told to "upgrade tinycrm"; now it is another program's, and no
    table of tinycrm's is made in it."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    from .migration_helpers import empty_pg_schema

    with empty_pg_schema("tinycrm_foreign") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
                conn.execute(text("INSERT INTO alembic_version VALUES ('ae1027a6acf')"))
                conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY)"))
            with pytest.raises(Unavailable) as err:
                open_store(url)
            shown = make_url(url).render_as_string(hide_password=True)
            assert str(err.value) == (
                f"cannot open database {shown}: its schema is another program's (Alembic revision "
                "'ae1027a6acf', none of tinycrm's tables), not tinycrm's; give tinycrm a "
                "database or schema of its own"
            )
            with engine.connect() as conn:
                schema = conn.execute(text("SELECT current_schema()")).scalar()
                assert sorted(inspect(conn).get_table_names(schema=schema)) == [
                    "alembic_version",
                    "users",
                ]
        finally:
            engine.dispose()


def _no_revision_message(where: object, missing: bool) -> str:
    fix = f"INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}')"
    if missing:
        fix = f"CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); {fix}"
    return (
        f"cannot open database {where}: it holds tinycrm's tables but no schema revision "
        f"(its alembic_version {'table is missing' if missing else 'row was deleted'}), so "
        "tinycrm cannot tell which upgrades it needs; nothing was changed: restore a backup, "
        f"or, if tinycrm {SCHEMA_HEAD} last opened it, put the revision back: {fix}"
    )


@pytest.mark.parametrize("how", ["row deleted", "table dropped"])
def test_a_database_without_its_revision_is_refused_untouched(tmp_path: Path, how: str) -> None:
    """A tinycrm database whose alembic_version row was deleted was taken for an empty
    one: every migration ran from the first, failing with 'table company already exists';
    with the table dropped it was 'another program's database'. Now one line says what is
    missing and how to put it back, and nothing is written."""
    path = tmp_path / "crm.db"
    store = open_store(str(path))
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "DELETE FROM alembic_version" if how == "row deleted" else "DROP TABLE alembic_version"
        )
    conn.close()
    before = path.read_bytes()
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == _no_revision_message(path, how == "table dropped")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
@pytest.mark.parametrize("how", ["row deleted", "table dropped"])
def test_a_postgresql_schema_without_its_revision_is_refused_untouched(how: str) -> None:
    """The same on PostgreSQL ('relation "company" already exists' before)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from .migration_helpers import empty_pg_schema

    with empty_pg_schema("tinycrm_norev") as url:
        open_store(url).close()
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "DELETE FROM alembic_version"
                        if how == "row deleted"
                        else "DROP TABLE alembic_version"
                    )
                )
            with pytest.raises(Unavailable) as err:
                open_store(url)
            shown = make_url(url).render_as_string(hide_password=True)
            assert str(err.value) == _no_revision_message(shown, how == "table dropped")
            with engine.connect() as conn:
                assert schema_revision(conn) is None
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://",
        "postgresql+psycopg://me:s3cret@db.example.com:5432",
        "postgresql://me@db.example.com/",
        "postgresql://me@db.example.com/?sslmode=require",
    ],
)
def test_a_postgresql_url_without_a_database_name_is_refused(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--db postgresql://`` opened libpq's default database (the one named after the
    user) and made tinycrm's tables in its ``public`` schema, saying nothing. Now it is
    refused in one line saying what is missing, before any connection is made."""
    from tinycrm.store.engine import make_engine

    monkeypatch.delenv("PGDATABASE", raising=False)
    monkeypatch.delenv("PGSERVICE", raising=False)
    monkeypatch.setenv("PGHOST", "/nonexistent")  # were it not refused: no server reached
    with pytest.raises(Unavailable) as err:
        make_engine(url)
    message = str(err.value)
    assert "names no database" in message and "\n" not in message
    assert "postgresql://HOST/DATABASE" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("url", "env"),
    [
        ("postgresql://me@db.example.com/?dbname=crm", {}),
        ("postgresql://me@db.example.com/?service=crm", {}),
        ("postgresql://me@db.example.com", {"PGDATABASE": "crm"}),
        ("postgresql://", {"PGSERVICE": "crm"}),
    ],
)
def test_a_postgresql_database_named_by_libpq_s_other_ways_is_taken(
    url: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm.store.engine import make_engine

    monkeypatch.delenv("PGDATABASE", raising=False)
    monkeypatch.delenv("PGSERVICE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    make_engine(url).dispose()  # no connection made: only not refused


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://me:p@ss@127.0.0.1:5432/crm",
        "postgresql+psycopg://me:a@b@c@db.example.com/crm",
        "postgresql://me@azure:a@b@c@db.example.com/crm",  # Azure's user@server names
    ],
)
def test_a_password_holding_a_bare_at_sign_is_refused_without_showing_it(url: str) -> None:
    """A password with an ``@`` written as is: SQLAlchemy ends it at the first ``@`` and
    took the rest for the host, so the error named host 'ss@127.0.0.1' (the rest of the
    password, shown) after a DNS look-up of it. Now refused in one line, before any
    connection, saying to write it %40, the password hidden whole."""
    from tinycrm.store.engine import make_engine

    with pytest.raises(Unavailable) as err:
        make_engine(url)
    message = str(err.value)
    assert "%40" in message and "\n" not in message
    assert "ss" not in message.replace("password", "").replace("address", "")
    assert "b@c" not in message


@pytest.mark.skipif(not PG_URL, reason="needs TINYCRM_TEST_PG_URL")
def test_a_search_path_naming_no_schema_that_exists_says_so() -> None:
    """A team's URL whose schema was not made yet (or is misspelt) said "database error:
    no schema has been selected to create in". Now it says which schema is missing and
    how to make it."""
    assert PG_URL
    schema = f"tinycrm_nope_{uuid.uuid4().hex[:10]}"
    separator = "&" if "?" in PG_URL else "?"
    with pytest.raises(Unavailable) as err:
        open_store(f"{PG_URL}{separator}options=-csearch_path%3D{schema}")
    message = str(err.value)
    assert f'CREATE SCHEMA "{schema}"' in message and "\n" not in message


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "postgresql+psycopg2://me@db.example.com/crm",
            "tinycrm talks to PostgreSQL through psycopg: write postgresql://… "
            "(or postgresql+psycopg://…), not postgresql+psycopg2://…",
        ),
        (
            "postgresql+asyncpg://me@db.example.com/crm",
            "tinycrm talks to PostgreSQL through psycopg: write postgresql://… "
            "(or postgresql+psycopg://…), not postgresql+asyncpg://…",
        ),
        (
            "postgresql+pg8000://me@db.example.com/crm",
            "tinycrm talks to PostgreSQL through psycopg: write postgresql://… "
            "(or postgresql+psycopg://…), not postgresql+pg8000://…",
        ),
        (
            "sqlite+aiosqlite:////tmp/crm.db",
            "tinycrm talks to SQLite through Python's sqlite3: write sqlite:///… "
            "(or a file path), not sqlite+aiosqlite://…",
        ),
    ],
)
def test_a_database_driver_tinycrm_does_not_use_is_named_so(url: str, said: str) -> None:
    """``postgresql+psycopg2://`` said "database driver missing: psycopg2 (pip install
    'tinycrm[postgres]')", which installs psycopg 3, not it; asyncpg and aiosqlite said
    their driver was missing, though with it tinycrm could not use them either. Now the
    URL is refused, saying how to write it."""
    with pytest.raises(Unavailable) as err:
        open_store(url)
    assert str(err.value) == said


@pytest.mark.parametrize("spaced", ["{path} ", " {path}", "{path}\t", "{path}\n"])
def test_a_database_path_with_a_space_at_an_end_is_refused_unless_that_file_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spaced: str
) -> None:
    """``--db "crm.db "`` (a space pasted along, ``TINYCRM_DB=crm.db `` in a file of
    settings) made a new, empty database named 'crm.db ' beside the real one and listed
    "no contacts": the user's data seemed gone. Now it is refused, saying so; a file
    whose name does hold the space is opened as named."""
    path = tmp_path / "crm.db"
    open_store(str(path), user="tester").close()
    value = spaced.format(path=path)
    for db, env in ((value, None), (None, value)):
        if env is None:
            monkeypatch.delenv("TINYCRM_DB", raising=False)
        else:
            monkeypatch.setenv("TINYCRM_DB", env)
        with pytest.raises(Unavailable) as err:
            resolve_url(db)
        named = "--db" if db is not None else "TINYCRM_DB"
        assert str(err.value) == (
            f"{named} {value!r} begins or ends with a space: remove it (no file has that name)"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]
    if value == f"{path} ":
        Path(value).touch()
        assert resolve_url(value) == f"sqlite:///{path} "


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TINYCRM_TEST_PG_URL)")
@pytest.mark.parametrize("encoding", ["SQL_ASCII", "LATIN1"])
def test_a_postgresql_database_not_in_utf8_is_refused_in_one_line(encoding: str) -> None:
    """A database whose server encoding is not UTF-8 (an old server's initdb under a C
    locale made SQL_ASCII) ended every command in a traceback (psycopg reads SQL_ASCII
    text as bytes) or could not keep what it was given (LATIN1 has no '🦡'): refused on
    open, naming the encoding and what to make instead, and no table is made."""
    from .migration_helpers import encoded_database

    with encoded_database("tinycrm_enc", encoding) as url:
        with pytest.raises(Unavailable) as caught:
            open_store(url)
        message = str(caught.value)
        assert "\n" not in message
        assert f"is encoded {encoding}" in message
        assert "ENCODING 'UTF8'" in message
        # psycopg itself: SQLAlchemy's own first look cannot read a SQL_ASCII database
        import psycopg

        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain) as conn:
            row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert row.fetchone() == (0,)
