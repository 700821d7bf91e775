"""A database damaged, made read-only or changed under a running store: one line naming
it and the way out, and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tinycrm.store import Unavailable
from tinycrm.store.engine import open_store

from ..conftest import PG_URL


def test_a_damaged_database_is_one_line_on_reading_and_writing(tmp_path: Path) -> None:
    """A database whose contact table's page was overwritten (a disk error, a copy cut
    short) opened, then 'contact add' and 'contact list' ended in a traceback of
    DatabaseError: database disk image is malformed. Now either is one line naming the
    file and what to do."""
    from tinycrm.store.contacts import add_contact, list_contacts

    path = tmp_path / "crm.db"
    store = open_store(str(path), user="tester")
    add_contact(store, name="Ada")
    store.close()
    with sqlite3.connect(path) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        [root] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'contact'").fetchone()
    raw.close()
    with path.open("r+b") as data:
        data.seek((root - 1) * page_size)
        data.write(b"\xff" * page_size)
    store = open_store(str(path), user="tester")
    try:
        for attempt in (lambda: add_contact(store, name="Bob"), lambda: list_contacts(store)):
            with pytest.raises(Unavailable) as err:
                attempt()
            assert str(err.value) == (
                f"database {path} is damaged (database disk image is malformed): restore a "
                "backup (tinycrm db restore FILE), or save what can be read with "
                f"sqlite3 {path} .recover"
            )
    finally:
        store.close()


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_postgresql_role_that_may_only_read_is_told_so_in_one_line() -> None:
    """A role granted SELECT only (a reporting login) listed contacts, and 'contact add'
    ended in a traceback: ProgrammingError: permission denied for table contact. Now one
    line says what was refused and whose privilege it is; nothing is written."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tinycrm.store.contacts import add_contact, list_contacts

    from .migration_helpers import empty_pg_schema

    role = f"tinycrm_reader_{uuid.uuid4().hex[:8]}"
    with empty_pg_schema("tinycrm_grants") as url:
        owner = open_store(url, user="tester")
        add_contact(owner, name="Ada")
        owner.close()
        admin = create_engine(url)
        try:
            with admin.begin() as conn:
                schema = conn.execute(text("SELECT current_schema()")).scalar()
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
                conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
                conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
            reader_url = make_url(url).set(username=role, password=None)
            reader = open_store(reader_url.render_as_string(hide_password=False), user="tester")
            try:
                assert [c.name for c in list_contacts(reader)] == ["Ada"]
                with pytest.raises(Unavailable) as err:
                    add_contact(reader, name="Bob")
                assert str(err.value) == (
                    "database error: permission denied for table contact (PostgreSQL role "
                    f"{role} may not do this: ask the database's owner to grant it)"
                )
                assert [c.name for c in list_contacts(reader)] == ["Ada"]
            finally:
                reader.close()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
            admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_read_only_postgresql_database_is_told_so_in_one_line() -> None:
    """A PostgreSQL database that takes no writes (a standby, default_transaction_read_only
    on) listed contacts, and 'contact add' ended in 'database error: cannot execute INSERT
    in a read-only transaction' and the whole statement with its values; the MCP server
    answered 'Error executing tool add_contact' and nothing more. Now one line says the
    database is read-only and what to do; nothing is written."""
    from tinycrm.store.contacts import add_contact, list_contacts

    from ..conftest import new_pg_schema

    with new_pg_schema("tinycrm_read_only") as url:
        read_only = url.replace("options=-c", "options=-cdefault_transaction_read_only%3Don%20-c")
        store = open_store(read_only, user="tester")
        try:
            assert list_contacts(store) == []
            with pytest.raises(Unavailable) as err:
                add_contact(store, name="Bob")
            assert str(err.value) == (
                "cannot write: the PostgreSQL database is read-only (cannot execute INSERT in a "
                "read-only transaction; a standby, or default_transaction_read_only on): write to "
                "the primary, or ask the database's owner to allow writes"
            )
            assert list_contacts(store) == []
        finally:
            store.close()


@pytest.mark.parametrize(
    "backend",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PG"))],
)
def test_a_table_dropped_under_a_running_store_is_one_line(backend: str, tmp_path: Path) -> None:
    """tinycrm's tables dropped while it ran (or a schema that says it is at head without
    them): a read and a write raised ProgrammingError (PostgreSQL) or 'database error:
    no such table' (SQLite), naming neither the database nor a cause."""
    import contextlib

    from sqlalchemy import create_engine

    from tinycrm.store import contacts

    from ..conftest import new_pg_schema

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = str(tmp_path / "crm.db")
            shown = url
        else:
            url = stack.enter_context(new_pg_schema("tinycrm_dropped"))
            shown = url.replace(",", "%2C")  # as make_url renders it
        store = open_store(url, user="tester")
        stack.callback(store.close)
        contacts.add_contact(store, name="Ada")
        admin = create_engine(url if "://" in url else f"sqlite:///{url}")
        with admin.begin() as conn:
            conn.execute(text("DROP TABLE contact" + (" CASCADE" if "://" in url else "")))
        admin.dispose()
        said = (
            f"cannot use database {shown}: it has no table contact; tinycrm's tables were "
            "removed from it, or it is not a tinycrm database (check --db and TINYCRM_DB; "
            "restore a backup)"
        )
        with pytest.raises(Unavailable) as read:
            contacts.list_contacts(store)
        assert str(read.value) == said
        with pytest.raises(Unavailable) as written:
            contacts.add_contact(store, name="Bob")
        assert str(written.value) == said


@pytest.mark.parametrize(
    "backend",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PG"))],
)
def test_a_column_dropped_under_a_running_store_is_one_line(backend: str, tmp_path: Path) -> None:
    """A column of tinycrm's removed while it ran (or a schema that says it is at head
    without it): PostgreSQL's 42703 was a ProgrammingError traceback, SQLite's 'no such
    column' a bare 'database error' naming neither the database nor a cause."""
    import contextlib

    from sqlalchemy import create_engine

    from tinycrm.store import contacts

    from ..conftest import new_pg_schema

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = str(tmp_path / "crm.db")
            shown = url
        else:
            url = stack.enter_context(new_pg_schema("tinycrm_dropped_col"))
            shown = url.replace(",", "%2C")  # as make_url renders it
        store = open_store(url, user="tester")
        stack.callback(store.close)
        contacts.add_contact(store, name="Ada")
        admin = create_engine(url if "://" in url else f"sqlite:///{url}")
        with admin.begin() as conn:
            conn.execute(text("ALTER TABLE contact DROP COLUMN source"))
        admin.dispose()
        said = (
            f"cannot use database {shown}: its table contact has no column source; it was "
            "removed from it, or it is not a tinycrm database at the schema it says it is "
            "(check --db and TINYCRM_DB; restore a backup)"
        )
        with pytest.raises(Unavailable) as read:
            contacts.list_contacts(store)
        assert str(read.value) == said
        with pytest.raises(Unavailable) as written:
            contacts.add_contact(store, name="Bob")
        assert str(written.value) == said
        with store.read() as session:
            count = session.execute(text("SELECT count(*) FROM contact")).scalar()
        assert count == 1


@pytest.mark.parametrize("kept", [4096, 5000])
def test_a_database_cut_short_says_so_on_opening(tmp_path: Path, kept: int) -> None:
    """A database copied only in part (a download or a copy cut short) said "cannot open
    database …: database error: database disk image is malformed", with no way out; a
    damaged one found later says what to do. Now opening it says the same, and nothing is
    written to it."""
    from tinycrm.store.contacts import add_contact

    whole = tmp_path / "whole.db"
    store = open_store(str(whole), user="tester")
    add_contact(store, name="Ada")
    store.close()
    path = tmp_path / "crm.db"
    path.write_bytes(whole.read_bytes()[:kept])
    before = path.read_bytes()
    with pytest.raises(Unavailable) as err:
        open_store(str(path), user="tester")
    assert str(err.value) == (
        f"cannot open database {path}: it is damaged (database disk image is malformed): "
        "restore a backup (tinycrm db restore FILE), or save what can be read with "
        f"sqlite3 {path} .recover"
    )
    assert path.read_bytes() == before
