"""A SQLite database's files (``store/sqlite_files.py``): the copy made by the online backup."""

from __future__ import annotations

import os
import sqlite3
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
