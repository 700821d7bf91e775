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


@pytest.mark.parametrize("kind", ["text", "header only", "with its old -wal"])
def test_a_restore_replaces_a_database_sqlite_cannot_read_at_all(
    cli, tmp_path: Path, kind: str
) -> None:
    """A database whose first pages were overwritten ('file is not a database') is what a
    restore is for, and the README says a damaged one is replaced, its copy kept as it
    was. It was refused: 'the copy of the database it replaces could not be made beside
    it (backup failed: file is not a database); nothing was changed: make room there',
    as if the disk were full. Now the file is kept byte for byte (its -wal and -shm
    beside the copy) and the backup takes its place."""
    import stat

    db = tmp_path / "crm.db"
    backup = tmp_path / "b.db"
    assert cli("--db", str(backup), "contact", "add", "Backed Up").exit_code == 0
    damaged = b"SQLite format 3\x00" + b"\xde\xad" * 3000 if kind != "text" else b"x" * 5000
    db.write_bytes(damaged)
    db.chmod(0o600)
    if kind == "with its old -wal":
        Path(f"{db}-wal").write_bytes(b"old log")
        Path(f"{db}-shm").write_bytes(b"old index")
    result = cli("--db", str(db), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Restored {db} from {backup}")
    [kept] = tmp_path.glob("crm.db.pre-restore-*.bak")
    assert kept.read_bytes() == damaged
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"kept as {kept}" in result.stdout
    # (SQLite itself removed the old -wal and -shm it could not use, trying to read it)
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").read_bytes() != b"old log"
    listed = cli("--db", str(db), "contact", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [c["name"] for c in listed.json()] == ["Backed Up"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_copy_of_an_unreadable_database_takes_its_log_along(tmp_path: Path) -> None:
    """Left beside the backup renamed into its place, an old -wal would be played into it."""
    from tinycrm.store.dump import _keep_unreadable

    db = tmp_path / "crm.db"
    db.write_bytes(b"x" * 5000)
    Path(f"{db}-wal").write_bytes(b"old log")
    Path(f"{db}-shm").write_bytes(b"old index")
    kept = tmp_path / "crm.db.pre-restore-X.bak"
    assert _keep_unreadable(db, kept) == kept
    assert kept.read_bytes() == b"x" * 5000 and db.read_bytes() == b"x" * 5000
    assert Path(f"{kept}-wal").read_bytes() == b"old log"
    assert Path(f"{kept}-shm").read_bytes() == b"old index"
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


@pytest.mark.parametrize(
    "content", [b"notes, not a database\n" * 300, b"SQLite format 3\x00" + b"\xde" * 5000]
)
def test_a_file_that_is_not_a_database_is_named_so_by_every_db_command(
    cli, tmp_path: Path, content: bytes
) -> None:
    """'db backup' said 'backup failed: file is not a database' (which file? the copy?),
    and the other commands 'database error: file is not a database'. Now each names the
    file, what it may be and the way out; nothing is written to it or beside it."""
    db = tmp_path / "notes.db"
    db.write_bytes(content)
    said = (
        "it is not a SQLite database, or its first pages are damaged (file is not a "
        "database): check --db and TINYCRM_DB, or restore a backup (tinycrm db restore FILE)"
    )
    for command, start in (
        (["contact", "list"], f"Error: cannot open database {db}: "),
        (["db", "upgrade"], f"Error: cannot open database {db}: "),
        (["db", "backup", str(tmp_path / "copy.db")], f"Error: cannot read database {db}: "),
    ):
        result = cli("--db", str(db), *command)
        assert result.exit_code == 1, command
        assert result.stderr == f"{start}{said}\n", command
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["notes.db"]
