"""The schema comes from Alembic: models and migrations agree; old databases upgrade,
telling their caller; every migration keeps the search triggers."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect

from tinycrm.store.engine import open_store
from tinycrm.store.migrations import SCHEMA_HEAD
from tinycrm.store.migrations.runner import make_config

from ..conftest import PG_URL
from .migration_helpers import T, empty_pg_schema


def test_models_and_migrations_agree_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'check.db'}"
    open_store(url).close()
    command.check(make_config(url=url))  # raises if autogenerate would change anything


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_models_and_migrations_agree_on_postgresql(pg_schema_url: str) -> None:
    command.check(make_config(url=pg_schema_url))


def _at_first_revision(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0001")
    engine.dispose()


def test_database_made_at_first_revision_upgrades_with_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _at_first_revision(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO company (name, name_key, owner, created_at, updated_at) "
            "VALUES ('Müller GmbH', 'müller gmbh', 'old', '2024-01-02 03:04:05', "
            "'2024-01-02 03:04:05')"
        )
        conn.execute(
            "INSERT INTO contact (name, name_key, email, company_id, lifecycle, owner, "
            "search_key, created_at, updated_at) VALUES ('Jürgen Müller', 'jürgen müller', "
            "'jm@mueller.de', 1, 'customer', 'old', 'jürgen müller jm@mueller.de', "
            "'2024-01-02 03:04:05', '2024-01-02 03:04:05')"
        )
    store = open_store(str(path))
    try:
        from tinycrm.store.contacts import list_contacts
        from tinycrm.store.pipelines import list_pipelines

        found = list_contacts(store, search="MÜLLER")
        assert [(c.name, c.company, c.lifecycle) for c in found] == [
            ("Jürgen Müller", "Müller GmbH", "customer")
        ]
        assert found[0].created_at.isoformat() == "2024-01-02T03:04:05+00:00"
        assert [p.name for p in list_pipelines(store)] == ["Sales"]
    finally:
        store.close()
    backups = list(tmp_path.glob("old.db.pre-upgrade-0001-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert conn.execute("SELECT name FROM contact").fetchall() == [("Jürgen Müller",)]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)


def test_migrations_downgrade_to_base_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    open_store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "base")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "head")
    engine.dispose()
    command.check(make_config(url=url))


def test_search_triggers_survive_every_migration(tmp_path: Path) -> None:
    """Batch mode recreates SQLite tables, which drops triggers: no migration may do that
    to contact without restoring the search index."""
    from tinycrm.store.migrations.runner import script_heads

    revisions = sorted(script_heads(all_revisions=True))
    url = f"sqlite:///{tmp_path / 'steps.db'}"
    engine = create_engine(url)
    for revision in revisions:
        with engine.begin() as conn:
            command.upgrade(make_config(conn), revision)
        if revision >= "0002":
            with engine.connect() as conn:
                triggers = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                    "AND name LIKE 'contact_fts_%'"
                ).scalar()
            assert triggers == 3, f"search triggers missing after {revision}"
    with engine.begin() as conn:
        command.downgrade(make_config(conn), revisions[-2])
    with engine.connect() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'contact_fts_a%'"
            ).scalar()
            == 3
        )
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_upgrade_tells_its_caller_before_and_after(backend: str, tmp_path: Path) -> None:
    """``on_upgrade`` hears of an existing database's upgrade (the copy only on SQLite),
    not of a new database, nor of one at head (the store itself prints nothing)."""
    if backend == "postgresql" and not PG_URL:
        pytest.skip("TINYCRM_TEST_PG_URL not set")
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.db'}"
            fresh = f"sqlite:///{tmp_path / 'new.db'}"
        else:
            url = stack.enter_context(empty_pg_schema("hunt_upgrade_old"))
            fresh = stack.enter_context(empty_pg_schema("hunt_upgrade_new"))
        engine = create_engine(url)
        with engine.begin() as conn:
            command.upgrade(make_config(conn), "0024")
        engine.dispose()
        heard: list[Any] = []
        open_store(url, on_upgrade=heard.append).close()
        assert [(n.before, n.after, n.seconds is None) for n in heard] == [
            ("0024", SCHEMA_HEAD, True),
            ("0024", SCHEMA_HEAD, False),
        ]
        if backend == "sqlite":
            [copy] = tmp_path.glob("old.db.pre-upgrade-0024-*.bak")
            assert heard[0].backup == heard[1].backup == copy
        else:
            assert heard[0].backup is None
        heard.clear()
        open_store(url, on_upgrade=heard.append).close()
        open_store(fresh, on_upgrade=heard.append).close()
        assert heard == []


def _at_0028_with_hostile_names(url: str) -> None:
    """A database made at 0028 holding contacts and companies whose order a language's
    collation sees otherwise than code points (as 0028's code wrote them)."""
    from tinycrm.store.validate import folded

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(make_config(conn), "0028")
            for i, name in enumerate(("zed", "~tilde", "_under", "😀 smile", "0 zero", "Ab")):
                values = {"id": i + 1, "name": name, "key": name.casefold(), "sort": folded(name),
                          "uid": f"uid-{i}"}  # fmt: skip
                conn.execute(
                    text(
                        "INSERT INTO company (id, name, name_key, sort_key, owner, created_at, "
                        f"updated_at) VALUES (:id, :name, :key, :sort, 'old', {T}, {T})"
                    ),
                    values,
                )
                conn.execute(
                    text(
                        "INSERT INTO contact (id, name, name_key, sort_key, search_key, uid, "
                        "lifecycle, owner, created_at, updated_at) VALUES (:id, :name, :key, "
                        ":sort, :sort, "
                        f":uid, 'lead', 'old', {T}, {T})"
                    ),
                    values,
                )
    finally:
        engine.dispose()


def _check_0029(url: str) -> None:
    from tinycrm.store.companies import list_companies
    from tinycrm.store.contacts import list_contacts

    order = ["0 zero", "_under", "Ab", "zed", "~tilde", "😀 smile"]  # code points, folded
    store = open_store(url)
    try:
        assert [c.name for c in list_contacts(store)] == order
        assert [c.name for c in list_companies(store)] == order
        with store.read() as session:
            version = session.connection().exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            )
            assert version.scalar() == SCHEMA_HEAD
    finally:
        store.close()
    command.check(make_config(url=url))


def test_0029_upgrades_a_database_made_at_0028_on_sqlite(tmp_path: Path) -> None:
    """Nothing changes on SQLite (its order was code points already): the rows are kept,
    and it downgrades and upgrades again."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0028_with_hostile_names(url)
    _check_0029(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0028")
    engine.dispose()
    _check_0029(url)


@pytest.mark.slow  # an old revision's upgrade on PostgreSQL; the SQLite one stays in CI
@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0029_on_postgresql_with_a_language_collation_lists_as_sqlite_does() -> None:
    """A PostgreSQL database in en-US made at 0028 listed '_under' and '~tilde' first; after
    the upgrade, as SQLite. It downgrades (the database's order again) and upgrades."""
    from .migration_helpers import language_collated_database

    with language_collated_database("tinycrm_m29") as url:
        _at_0028_with_hostile_names(url)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                before = conn.exec_driver_sql("SELECT name FROM contact ORDER BY sort_key, id")
                assert [row[0] for row in before][:2] == ["_under", "~tilde"]  # the language's
            _check_0029(url)
            with engine.begin() as conn:
                command.downgrade(make_config(conn), "0028")
                collation = conn.exec_driver_sql(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'contact' AND column_name = 'sort_key'"
                )
                assert collation.scalar() is None  # the database's own again
        finally:
            engine.dispose()
        _check_0029(url)


def test_an_upgrade_whose_copy_cannot_be_made_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a full disk the copy kept before an upgrade failed, after the caller was told one
    was kept, with just "backup failed: database or disk is full"; now it says the upgrade
    did not happen and why, the database left at its revision, no copy beside it."""
    from tinycrm.store import schema_upgrade
    from tinycrm.store.errors import Unavailable

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0024")
    engine.dispose()

    def full(*_args: Any, **_kwargs: Any) -> None:  # as _copy_verified says it, disk full
        raise Unavailable("backup failed: database or disk is full")

    monkeypatch.setattr(schema_upgrade, "backup_sqlite", full)
    with pytest.raises(Unavailable) as err:
        open_store(str(path))
    assert str(err.value) == (
        f"cannot upgrade database {path} (schema 0024 → {SCHEMA_HEAD}): the copy of it "
        "kept before an upgrade could not be made (backup failed: database or disk is full); "
        "nothing was changed: make room beside it and run the command again"
    )
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0024",)]
    raw.close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []


def _plans_of_0030(store: Any) -> dict[str, str]:
    """The plans of the contact export's tag and custom field reads and of a deal's next
    item position, as the store runs them (the statements caught as they are sent)."""
    from sqlalchemy import event

    from tinycrm.store.deal_items import add_item
    from tinycrm.store.exports import stream_contacts

    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        caught.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", catch)
    try:
        list(stream_contacts(store))
        add_item(store, "Big order", "Seat")
    finally:
        event.remove(store.engine, "before_cursor_execute", catch)
    wanted = {
        "tags": "ORDER BY tag.entity_id",
        "fields": "ORDER BY field_value.entity_id",
        "next position": "max(deal_item.position)",
    }
    plans = {}
    with store.read() as session:
        conn = session.connection()
        explain = "EXPLAIN QUERY PLAN" if store.is_sqlite else "EXPLAIN"
        if not store.is_sqlite:  # the tables are small: the plan an index makes possible
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for name, marker in wanted.items():
            [(statement, parameters)] = [c for c in caught if marker in c[0]]
            rows = conn.exec_driver_sql(f"{explain} {statement}", parameters)
            plans[name] = " | ".join(str(row[-1]) for row in rows)
    return plans


def _check_0030(url: str, *, sqlite: bool) -> None:
    """At head: the rows as they were, each read's plan from an index, no sort."""
    store = open_store(url, user="tester")
    try:
        from tinycrm.store.deal_items import list_items
        from tinycrm.store.tags import list_field_keys, list_tags

        assert [t.name for t in list_tags(store)] == ["0 zero", "_under", "vip", "~tilde"]
        assert [k.key for k in list_field_keys(store)] == ["Plan", "_x", "size"]
        plans = _plans_of_0030(store)
        *_, before, added = [i.position for i in list_items(store, "Big order").items]
        assert added == before + 1 > 2000  # the largest + 1
        for name in ("tags", "fields"):
            assert "TEMP B-TREE" not in plans[name] and "Sort" not in plans[name], plans
        assert "ix_deal_item_deal_position" in plans["next position"], plans
        if not sqlite:
            assert "Aggregate" not in plans["next position"], plans  # one step, no scan
    finally:
        store.close()
    command.check(make_config(url=url))


def _at_0029_with_tags_fields_and_items(url: str) -> None:
    """A database holding tags, custom fields and a deal's items, as 0029 left it."""
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.deals import add_deal
    from tinycrm.store.products import add_product

    store = open_store(url, user="tester")
    try:
        for i in range(3):
            add_contact(store, name=f"Person {i}", tags=["vip", "~tilde", "_under", "0 zero"],
                        fields={"size": "1", "Plan": "b", "_x": "c"})  # fmt: skip
        add_product(store, name="Seat", price="10")
        add_deal(store, title="Big order")
        add_item(store, "Big order", "Seat")
    finally:
        store.close()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # a deal of many items (as copies of its first)
            first = dict(conn.execute(text("SELECT * FROM deal_item")).mappings().one())
            del first["id"]
            rows = [{**first, "position": n} for n in range(2, 2001)]
            marks = ", ".join(f":{k}" for k in first)
            conn.execute(text(f"INSERT INTO deal_item ({', '.join(first)}) VALUES ({marks})"), rows)
            conn.exec_driver_sql("ANALYZE")
            command.downgrade(make_config(conn), "0029")
    finally:
        engine.dispose()


def test_0030_upgrades_a_database_at_0029_on_sqlite(tmp_path: Path) -> None:
    """The next item's position is read from the new index (the tags and fields were in
    code point order already); it downgrades and upgrades again."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0029_with_tags_fields_and_items(url)
    with sqlite3.connect(tmp_path / "old.db") as raw:
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT max(position) FROM deal_item WHERE deal_id = 1"
        ).fetchall()
        assert "ix_deal_item_deal_id" in str(plan)  # 0029's index: every item read
    raw.close()
    _check_0030(url, sqlite=True)


@pytest.mark.slow  # an old revision's upgrade on PostgreSQL; the SQLite one stays in CI
@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0030_on_postgresql_reads_tags_fields_and_positions_from_indexes() -> None:
    """At 0029 the export sorted the tags and custom fields again (``COLLATE "C"`` in a
    database of another collation) and the next position aggregated the deal's items;
    after the upgrade each is read from an index. It downgrades (the database's
    collation again) and upgrades."""
    with empty_pg_schema("hunt_m30") as url:
        _at_0029_with_tags_fields_and_items(url)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                collation = conn.exec_driver_sql(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                ).scalar()
                if collation in ("C", "POSIX"):
                    pytest.skip("the test database sorts in code points already")
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = " | ".join(
                    row[0]
                    for row in conn.exec_driver_sql(
                        "EXPLAIN SELECT entity_id, name FROM tag WHERE entity = 'contact' "
                        'ORDER BY entity_id, name COLLATE "C"'
                    )
                )
                assert "Sort" in plan, plan  # 0029's: sorted again
        finally:
            engine.dispose()
        _check_0030(url, sqlite=False)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.downgrade(make_config(conn), "0029")
                collations = conn.exec_driver_sql(
                    "SELECT collation_name FROM information_schema.columns WHERE "
                    "(table_name, column_name) IN (('tag', 'name'), ('field_value', 'key')) "
                    "AND table_schema = current_schema()"
                )
                assert [row[0] for row in collations] == [None, None]  # the database's own
        finally:
            engine.dispose()
        _check_0030(url, sqlite=False)


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0032_on_postgresql_indexes_the_words_in_angle_brackets_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL database made before 0032 folded with ``<``, ``&`` and ``~`` left to
    the parser, which dropped "<pricing sheet>" and read "~20k" as a file name; the
    upgrade makes ``tinycrm_fold`` again and indexes every record through it."""
    from tinycrm.store import search_fold, search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(store: Any, query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    with empty_pg_schema("hunt_m32") as url:
        store = open_store(url, user="tester")
        try:
            add_contact(store, name="Bob Stone", notes="budget ~20k, see <pricing sheet>")
            assert found(store, "pricing") == ["Bob Stone"]
            with store.engine.begin() as conn:
                command.downgrade(make_config(conn), "0031")
                with monkeypatch.context() as old:  # the fold 0031 and before made
                    old.setattr(search_fold, "PUNCTUATION", "@.-/:_+")
                    search_fold.install_fold(conn, unaccent=search_fold.folding(conn) == "unaccent")
                    search_index.rebuild(conn)
            assert found(store, "pricing") == []
            with store.engine.begin() as conn:
                command.upgrade(make_config(conn), "head")
            assert found(store, "pricing") == found(store, "20k") == ["Bob Stone"]
        finally:
            store.close()


def test_0033_adds_mail_tombstones_to_a_database_at_0032(store: Any) -> None:
    """A database at 0032 with a mailbox email logged: after the upgrade its delete
    leaves a tombstone, and the mail is not logged again; it downgrades and upgrades.
    (On each backend's test database, from the newest schema down and up: cheap.)"""
    from tests.mail.mail_log_helpers import OWN, _msg
    from tinycrm.store.activities import list_activities
    from tinycrm.store.activity_edits import remove_activity
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.mail_log import log_messages

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example")
    log_messages(store, [message], **OWN)
    with store.engine.begin() as conn:
        command.downgrade(make_config(conn), "0032")
        assert not sa_inspect(conn).has_table("mail_tombstone")
        command.upgrade(make_config(conn), "head")
    remove_activity(store, list_activities(store)[0].id, task=False)
    assert log_messages(store, [message], **OWN).deleted == 1
    assert list_activities(store) == []


def _install_plain_fold(conn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: ``tinycrm_fold`` made as ``lower()`` alone, the fold of a migration
    long gone (for the later ones to make it again)."""
    from tinycrm.store import search_fold

    with monkeypatch.context() as old:
        old.setattr(search_fold, "_fold_sql", lambda *args, **kwargs: "lower($1)")
        search_fold.install_fold(conn, unaccent=search_fold.folding(conn) == "unaccent")


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0035_on_postgresql_folds_vowel_marks_and_reads_2e1a_as_one_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL database at 0034 kept Arabic and Hebrew vowel marks and read "2e1a"
    as 2e1 and a; the upgrade makes ``tinycrm_fold`` again and indexes every record."""
    from tinycrm.store import search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(store: Any, query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    with empty_pg_schema("tinycrm_history_m35") as url:
        store = open_store(url, user="tester")
        try:
            add_contact(store, name="مُحَمَّد", notes="part 2e1a5")
            add_contact(store, name="שָׁלוֹם")
            with store.engine.begin() as conn:
                command.downgrade(make_config(conn), "0034")
                _install_plain_fold(conn, monkeypatch)  # marks kept, 2e1a read as 2e1 a
                search_index.rebuild(conn)
            assert found(store, "محمد") == found(store, "שלום") == []
            assert found(store, "a5") == ["مُحَمَّد"]
            with store.engine.begin() as conn:
                command.upgrade(make_config(conn), "0035")
            assert found(store, "محمد") == found(store, "2e1a5") == ["مُحَمَّد"]
            assert found(store, "שלום") == ["שָׁלוֹם"]
            assert found(store, "a5") == []
        finally:
            store.close()


def test_0036_on_sqlite_indexes_again_the_records_holding_a_word_too_long_for_postgresql(
    store: Any,
) -> None:
    """At 0035 SQLite's index kept a word of over 2,047 bytes (found by it there only,
    PostgreSQL leaves it out); the upgrade indexes such records again without it."""
    if not store.is_sqlite:
        pytest.skip("SQLite's index")
    from tinycrm import search_text
    from tinycrm.search_text import sql_fold
    from tinycrm.store import search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    add_contact(store, name="Key Holder", notes="key " + "x" * 2048 + " rotated")
    add_contact(store, name="Short", notes="xx")
    add_contact(store, name="Room ⓭")
    with store.engine.begin() as conn:
        command.downgrade(make_config(conn), "0035")
        raw = conn.connection.driver_connection
        old = search_text.EXTRA.copy()
        for char in search_text.NEGATIVE_CIRCLED:
            del search_text.EXTRA[char]
        search_text._FOLDING.clear()
        try:  # 0035's folding
            raw.create_function("tinycrm_fold", 1, sql_fold, deterministic=True)
            search_index.rebuild(conn)
        finally:
            search_text.EXTRA.update(old)
            search_text._FOLDING.clear()
    assert found("xxx") == ["Key Holder"]
    assert found("13") == []
    with store.engine.begin() as conn:
        search_index.register_sqlite_fold(conn.connection.driver_connection)
        command.upgrade(make_config(conn), "0036")
    assert found("xxx") == []
    assert found("xx") == ["Short"]
    assert found("13") == found("⓭") == ["Room ⓭"]
    assert found("rotated") == ["Key Holder"]


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0036_on_postgresql_folds_letters_in_circles(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL database at 0035 kept Ⓐ and ① as they are (SQLite makes them a and
    1); the upgrade makes ``tinycrm_fold`` again and indexes every record."""
    from tinycrm.store import search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(store: Any, query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    with empty_pg_schema("tinycrm_history_m36") as url:
        store = open_store(url, user="tester")
        try:
            add_contact(store, name="Ⓐda", notes="room ⑫")
            with store.engine.begin() as conn:
                command.downgrade(make_config(conn), "0035")
                _install_plain_fold(conn, monkeypatch)  # Ⓐ and ⑫ kept, as 0035's fold did
                search_index.rebuild(conn)
            assert found(store, "ada") == found(store, "12") == []
            with store.engine.begin() as conn:
                command.upgrade(make_config(conn), "0036")
            assert found(store, "ada") == found(store, "12") == found(store, "Ⓐda") == ["Ⓐda"]
        finally:
            store.close()


def test_0037_on_sqlite_makes_the_index_again_with_marks_inside_words(store: Any) -> None:
    """At 0036 SQLite's tokenizer split "प्रिया" at its vowel sign ("या" found it) and
    kept "sales🦡team" one word; the upgrade makes the index again as PostgreSQL reads
    words."""
    if not store.is_sqlite:
        pytest.skip("SQLite's index")
    from tinycrm.store import search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    add_contact(store, name="प्रिया", notes="Sales🦡Team ❶")
    with store.engine.begin() as conn:
        command.downgrade(make_config(conn), "0036")
        search_index.uninstall(conn)
        search_index.install(conn, legacy=True)  # the tokenizer 0036 and before made
    assert found("या") == ["प्रिया"]
    assert found("team") == []
    with store.engine.begin() as conn:
        command.upgrade(make_config(conn), "0037")
    assert found("या") == []
    assert found("team") == found("प्रि") == found("1") == ["प्रिया"]


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0037_on_postgresql_folds_superscripts_and_hangul(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL database at 0036 kept x², 𝐀𝐝𝐚 and Hangul syllables as they are
    (SQLite makes them x2, ada and their letters); the upgrade makes ``tinycrm_fold``
    again and indexes every record."""
    from tinycrm.store import search_index
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.search import search

    def found(store: Any, query: str) -> list[str]:
        return [hit.name for hit in search(store, query)]

    with empty_pg_schema("tinycrm_history_m37") as url:
        store = open_store(url, user="tester")
        try:
            add_contact(store, name="𝐀𝐝𝐚 한국", notes="area x² Mül\u200bler")
            with store.engine.begin() as conn:
                command.downgrade(make_config(conn), "0036")
                _install_plain_fold(conn, monkeypatch)
                search_index.rebuild(conn)
            assert found(store, "ada") == found(store, "x2") == found(store, "müller") == []
            with store.engine.begin() as conn:
                command.upgrade(make_config(conn), "0037")
            for query in ("ada", "x2", "x²", "müller", "한국", "한구"):
                assert found(store, query) == ["𝐀𝐝𝐚 한국"], query
        finally:
            store.close()


def test_0037_makes_again_the_list_keys_of_names_the_fold_now_reads_otherwise(
    store: Any,
) -> None:
    """A name holding ❶ or a zero-width space kept the list keys 0036's folding made
    (``sort_key``, ``search_key``): ``contact list --search 1`` missed "Room ❶"; the
    upgrade makes them again."""
    from tinycrm.store.contacts import add_contact, list_contacts

    add_contact(store, name="Room ❶")
    add_contact(store, name="Ze\u200bnon")
    with store.engine.begin() as conn:
        command.downgrade(make_config(conn), "0036")
        conn.exec_driver_sql(
            "UPDATE contact SET sort_key = replace(sort_key, '1', '❶'), "
            "search_key = replace(search_key, '1', '❶')"
        )
        conn.exec_driver_sql("UPDATE contact SET sort_key = 'ze\u200bnon' WHERE id = 2")
    assert [c.name for c in list_contacts(store, search="room 1")] == []
    with store.engine.begin() as conn:
        command.upgrade(make_config(conn), "0037")
    assert [c.name for c in list_contacts(store, search="room 1")] == ["Room ❶"]
    with store.engine.begin() as conn:
        keys = conn.exec_driver_sql("SELECT sort_key FROM contact ORDER BY id").scalars().all()
    assert keys == ["room 1", "zenon"]
