"""A SQLite database file renamed, deleted or replaced under a running tinycrm: its
pooled connections would go on writing to the file they opened, lost to the path. Every
write looks at the path just before its COMMIT and refuses in one line instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tinycrm.store import Unavailable
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.engine import open_store


def _move(path: Path, to: Path) -> None:
    for end in ("", "-wal", "-shm"):
        beside = path.with_name(path.name + end)
        if beside.exists():
            beside.rename(to.with_name(to.name + end))


@pytest.mark.parametrize("how", ["renamed", "deleted", "replaced"])
def test_a_write_into_a_file_no_longer_at_the_path_is_refused(
    sqlite_template: Path, tmp_path: Path, how: str
) -> None:
    """An import (one long transaction) whose file was moved away meanwhile said it had
    imported every row, into a file nobody would open again. Now it is refused in one
    line naming the file, and nothing is written anywhere."""
    path = tmp_path / "crm.db"
    shutil.copy(sqlite_template, path)
    store = open_store(str(path), user="tester")
    moved = tmp_path / "moved.db"
    try:
        add_contact(store, name="Before")
        with pytest.raises(Unavailable) as refused, store.write():
            add_contact(store, name="Lost")
            _move(path, moved)
            if how == "deleted":
                for end in ("", "-wal", "-shm"):
                    moved.with_name(moved.name + end).unlink(missing_ok=True)
            if how == "replaced":
                open_store(str(path)).close()  # another database where ours was
        said = str(refused.value)
        assert "\n" not in said and str(path) in said and "nothing was saved" in said
        assert ("replaced" if how == "replaced" else "renamed or deleted") in said
        with pytest.raises(Unavailable):  # and the writes after it, on the same store
            add_contact(store, name="Later")
    finally:
        store.close()
    if how == "renamed":
        kept = open_store(str(moved))
        try:
            assert [c.name for c in list_contacts(kept)] == ["Before"]
        finally:
            kept.close()
    if how == "replaced":
        other = open_store(str(path))
        try:
            assert list_contacts(other) == []
        finally:
            other.close()
