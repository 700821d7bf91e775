"""The bulk paths of a big import on SQLite leave the database as the row-by-row path
would. An import into an empty contact table builds the table's indexes once, at the end
(``bulk.indexes_deferred``): the same indexes are there afterwards, a duplicate is still
refused, and an import that fails leaves them as they were. The trigram index is filled
with a bigger in-memory hash (``fts_fill.fts_hash``), whose setting is put back; so
is the search index of every kind."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tinycrm.store.bulk import indexes_deferred
from tinycrm.store.contacts import list_contacts
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict
from tinycrm.store.imports import import_records


def _indexes(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return sorted(
            conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = 'contact'"
                )
            ).all()
        )


@pytest.fixture
def sqlite_store(store: Store) -> Store:
    if not store.is_sqlite:
        pytest.skip("index building is SQLite's (PostgreSQL keeps its indexes)")
    return store


def _rows(n: int) -> list[tuple[int, dict[str, str], list[str]]]:
    return [
        (i + 2, {"name": f"Person {i}", "email": f"p{i}@x.io", "uid": f"uid-{i % 3}"}, [])
        for i in range(n)
    ]


def test_an_import_into_an_empty_table_leaves_every_index_as_it_was(sqlite_store) -> None:
    before = _indexes(sqlite_store)
    assert any(sql.startswith("CREATE UNIQUE") for _, sql in before if sql)
    summary = import_records(sqlite_store, kind="contacts", rows=_rows(6), source="t.csv")
    assert summary.created == 3  # rows with a UID seen before update that contact
    assert _indexes(sqlite_store) == before


def test_a_duplicate_let_through_is_refused_when_the_index_is_built(sqlite_store) -> None:
    before = _indexes(sqlite_store)
    insert = text(
        "INSERT INTO contact (name, name_key, lifecycle, owner, search_key, created_at, "
        "updated_at, uid) VALUES (:n, :n, 'lead', 'me', :n, '2026-01-01', '2026-01-01', 'same')"
    )
    with pytest.raises(Conflict, match="ix_contact_uid"), sqlite_store.write() as session:
        conn = session.connection()
        with indexes_deferred(sqlite_store, conn, "contact", unique=True):
            conn.execute(insert, {"n": "a"})
            conn.execute(insert, {"n": "b"})  # no index to refuse it yet
    assert list_contacts(sqlite_store) == []
    assert _indexes(sqlite_store) == before  # the rollback put the dropped ones back


def test_a_big_fill_of_the_trigram_index_leaves_its_settings_and_finds_everyone(
    sqlite_store,
) -> None:
    def config() -> list[tuple[str, object]]:
        with sqlite_store.engine.connect() as conn:
            return [
                sorted(conn.execute(text(f"SELECT k, v FROM {fts}_config")).all())
                for fts in ("contact_fts", "search_contact")
            ]

    before = config()
    rows = [(i + 2, {"name": f"Person {i}", "email": f"p{i}@x{i % 7}.io"}, []) for i in range(1500)]
    summary = import_records(sqlite_store, kind="contacts", rows=rows, source="t.csv")
    assert summary.created == 1500
    assert config() == before
    with sqlite_store.engine.begin() as conn:  # raises if the index and the rows disagree
        conn.execute(text("INSERT INTO contact_fts(contact_fts) VALUES ('integrity-check')"))
        conn.execute(text("INSERT INTO search_contact(search_contact) VALUES ('integrity-check')"))
        found = "SELECT rowid FROM search_contact WHERE search_contact MATCH 'p1499'"
        assert conn.execute(text(found)).scalars().all() == [1500]
    assert [c.email for c in list_contacts(sqlite_store, search="p1499@x")] == ["p1499@x1.io"]
    assert len(list_contacts(sqlite_store, search="@x3.io")) == len(range(3, 1500, 7))
