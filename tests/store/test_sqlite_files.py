"""A SQLite database's files (``store/sqlite_files.py``): the copy made by the online backup."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from tinycrm.store import sqlite_files
from tinycrm.store.engine import backup_sqlite, open_store


def test_a_backup_killed_while_it_checks_its_copy_leaves_no_wal_or_shm_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of a WAL database is a WAL database: checked through the connection that
    wrote it, SQLite made ``-wal`` and ``-shm`` files beside the temporary copy, and a
    backup killed then (kill -9, a power cut; an upgrade's copy too) left them for good,
    where the next write removes the temporary file itself. Now the copy is checked read
    only: while the check runs, nothing but the copy is beside it."""
    source = tmp_path / "crm.db"
    open_store(str(source)).close()
    folder = tmp_path / "copies"
    folder.mkdir()
    seen: list[list[str]] = []

    class Spy(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if "integrity_check" in sql:
                cursor = super().execute(sql, *args)
                seen.append(sorted(os.listdir(folder)))  # what a kill here would leave
                return cursor
            return super().execute(sql, *args)

    real_connect = sqlite3.connect

    class Sqlite3:
        Error = sqlite3.Error

        @staticmethod
        def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            return real_connect(*args, factory=Spy, **kwargs)

    monkeypatch.setattr(sqlite_files, "sqlite3", Sqlite3)
    backup_sqlite(source, folder / "copy.db")
    [listing] = seen
    assert len(listing) == 1 and listing[0].endswith(".tmp"), listing
    assert sorted(os.listdir(folder)) == ["copy.db"]
    with sqlite3.connect(folder / "copy.db") as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    conn.close()


def test_an_empty_file_made_a_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """A database tinycrm creates is 0600 (personal data); an empty file given as --db
    (``touch crm.db`` first) became a database and kept its 0644, so everyone on the
    machine could read the contacts. It is made 0600 too, as it becomes one, its WAL with
    it; a file that is not empty (a database already) keeps its mode."""
    empty = tmp_path / "crm.db"
    empty.touch()
    empty.chmod(0o644)
    store = open_store(str(empty))
    try:
        with store.engine.connect() as conn:  # a write: the WAL is made
            conn.exec_driver_sql("CREATE TEMP TABLE t (x)")
        assert stat.S_IMODE(empty.stat().st_mode) == 0o600
        assert empty.stat().st_size > 0
        assert stat.S_IMODE(Path(f"{empty}-wal").stat().st_mode) == 0o600
    finally:
        store.close()
    empty.chmod(0o644)  # the owner's own choice, for a database already: kept
    open_store(str(empty)).close()
    assert stat.S_IMODE(empty.stat().st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_someone_elses_empty_file_keeps_its_mode(tmp_path: Path) -> None:
    """Root opening another user's empty file makes it a database without changing who
    may read it: only one's own file is made private."""
    empty = tmp_path / "theirs.db"
    empty.touch()
    empty.chmod(0o644)
    os.chown(empty, 65534, 65534)
    open_store(str(empty)).close()
    assert stat.S_IMODE(empty.stat().st_mode) == 0o644
    assert empty.stat().st_uid == 65534


@pytest.mark.parametrize("end", ["-wal", "-shm"])
def test_a_backup_of_a_database_whose_wal_cannot_be_a_file_names_it(
    tmp_path: Path, end: str
) -> None:
    """db backup said 'backup failed: unable to open database file' when the -wal was a
    directory (or the -shm a link to a missing folder): the file is named now."""
    from tinycrm.store import Unavailable

    path = tmp_path / "crm.db"
    open_store(str(path)).close()
    beside = tmp_path / f"crm.db{end}"
    if end == "-wal":
        beside.mkdir()
        why = f"its write-ahead log {beside} is a directory, not a file: move it away"
    else:
        beside.symlink_to(tmp_path / "gone" / "x")
        why = (
            f"its shared-memory file {beside} is a link to {tmp_path / 'gone' / 'x'}, whose "
            "folder does not exist: remove the link"
        )
    with pytest.raises(Unavailable) as err:
        backup_sqlite(path, tmp_path / "copy.db")
    assert str(err.value) == f"cannot read database {path}: {why} (SQLite makes the file anew)"
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("how", ["cut short", "emptied", "overwritten"])
def test_a_write_ahead_log_damaged_under_a_running_tinycrm_is_named(
    tmp_path: Path, how: str
) -> None:
    """The -wal cut short or overwritten while a tinycrm had the database open: another
    process opening it was told only 'database error: disk I/O error' or 'file is not a
    database', naming neither the log nor the way out."""
    import os

    from tinycrm.store.contacts import add_contact, list_contacts
    from tinycrm.store.errors import Unavailable

    path = tmp_path / "crm.db"
    running = open_store(str(path), user="tester")
    try:
        add_contact(running, name="Ada")
        wal = tmp_path / "crm.db-wal"
        if how == "cut short":
            os.truncate(wal, 100)
        elif how == "emptied":
            os.truncate(wal, 0)
        else:
            with wal.open("r+b") as raw:
                raw.write(b"\xde\xad" * 2048)
        with pytest.raises(Unavailable) as err:
            open_store(str(path), user="tester")
        said = str(err.value)
        reason = "file is not a database" if how == "overwritten" else "disk I/O error"
        later = open_store(str(path), user="tester", migrate=False)  # reads and writes
        try:
            for work in (lambda: list_contacts(later), lambda: add_contact(later, name="Bo")):
                with pytest.raises(Unavailable) as used:
                    work()
                assert str(used.value) == said.replace("cannot open", "cannot use")
        finally:
            later.close()
        assert said == (
            f"cannot open database {path}: its write-ahead log {wal} is damaged or "
            f"unreadable ({reason}): it was cut short, overwritten or had its permissions "
            "changed while the database was in use; nothing was changed: once no tinycrm has "
            "the database open, restore a backup (tinycrm db restore FILE), or move "
            "crm.db-wal and crm.db-shm aside (the changes written since its last checkpoint "
            "are lost)"
        )
        with pytest.raises(Unavailable) as copied:  # was 'backup failed: disk I/O error'
            backup_sqlite(path, tmp_path / "copy.db")
        assert str(copied.value) == said.replace("cannot open database", "cannot read database")
        assert not (tmp_path / "copy.db").exists()
    finally:
        running.close()


def test_a_write_ahead_log_whose_permissions_changed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A -wal made unreadable (chmod 400) under a running tinycrm: another process was
    told SQLite's 'unable to open database file'. (As root no mode keeps a file from
    being read: what os.access answers is played here.)"""
    path = tmp_path / "crm.db"
    store = open_store(str(path), user="tester")
    try:
        wal = tmp_path / "crm.db-wal"
        assert wal.exists()
        assert sqlite_files.journal_trouble(path) is None
        wal.chmod(0o400)
        real = os.access
        monkeypatch.setattr(
            sqlite_files.os, "access", lambda p, m: False if Path(p) == wal else real(p, m)
        )
        assert sqlite_files.journal_trouble(path) == (
            f"its write-ahead log {wal} cannot be read and written by you (mode -r--------): "
            f"make it so again (chmod u+rw {wal}, as its owner)"
        )
    finally:
        store.close()


@pytest.mark.parametrize("where", ["file", "stdout"])
def test_a_backup_onto_a_full_disk_names_the_file_and_says_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """db backup onto a full disk said only 'backup failed: database or disk is full',
    naming no file, where every other write says `cannot write PATH: the disk is full`.
    The copy's pages are capped here (``max_page_count``): SQLite says SQLITE_FULL, as a
    full disk makes it say."""
    from tinycrm.files import CannotWrite

    source = tmp_path / "crm.db"
    open_store(str(source)).close()
    real_connect = sqlite3.connect

    class Sqlite3:
        Error = sqlite3.Error

        @staticmethod
        def connect(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
            conn = real_connect(target, *args, **kwargs)
            if not kwargs.get("uri"):  # the copy being written, not the database read
                conn.execute("PRAGMA max_page_count=2")
            return conn

    monkeypatch.setattr(sqlite_files, "sqlite3", Sqlite3)
    target = tmp_path / "copy.db"
    with pytest.raises(CannotWrite) as err:
        backup_sqlite(source, target if where == "file" else "-")
    said = str(err.value)
    if where == "file":
        assert said == f"cannot write {target}: the disk is full (database or disk is full)"
    else:
        assert said.startswith("cannot write a temporary copy in "), said
        assert said.endswith(": the disk is full (database or disk is full)"), said
    assert sorted(os.listdir(tmp_path)) == ["crm.db"]
