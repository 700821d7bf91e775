"""``tinycrm db …`` on a database that is damaged under it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("how", ["cut short", "overwritten"])
def test_a_restore_over_a_database_whose_log_is_damaged_says_so_once(
    cli, tmp_path: Path, how: str
) -> None:
    """The -wal damaged while a tinycrm has the database open: the restore cannot copy what
    it replaces. It said so in a sentence holding another whole error, 'nothing was
    changed' twice and 'restore a backup (tinycrm db restore FILE)', to a user doing that."""
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.engine import open_store

    db = tmp_path / "crm.db"
    backup = tmp_path / "b.db"
    assert cli("--db", str(backup), "contact", "add", "Backed Up").exit_code == 0
    running = open_store(str(db), user="tester")
    try:
        add_contact(running, name="Ada")
        wal = tmp_path / "crm.db-wal"
        if how == "cut short":
            os.truncate(wal, 100)
        else:
            with wal.open("r+b") as raw:
                raw.write(b"\xde\xad" * 2048)
        before = db.read_bytes(), wal.read_bytes()
        result = cli("--db", str(db), "db", "restore", str(backup), "--yes")
        assert result.exit_code == 1 and result.stdout == ""
        reason = "file is not a database" if how == "overwritten" else "disk I/O error"
        assert result.stderr == (
            f"Error: cannot restore {backup} into {db}: its write-ahead log {wal} is damaged "
            f"or unreadable ({reason}), so the copy of the database it replaces could not be "
            "made; nothing was changed: run the command again once no tinycrm has the "
            "database open\n"
        )
        assert (db.read_bytes(), wal.read_bytes()) == before
        assert not [p for p in tmp_path.iterdir() if ".bak" in p.name or ".tmp" in p.name]
    finally:
        running.close()
