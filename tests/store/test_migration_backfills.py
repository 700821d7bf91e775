"""Migrations that fill in new columns from existing rows: 0010 (uids), 0012 (phones),
0014 (email keys), 0025 and 0026 (folded search keys), 0027 (announcement channels),
0034 (the stage names of the deals' history), each upgrading a database made at the
revision before it, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from tinycrm.store.engine import open_store
from tinycrm.store.errors import Conflict
from tinycrm.store.migrations.runner import make_config

from ..conftest import PG_URL
from .migration_helpers import T, empty_pg_schema


def test_0010_gives_every_contact_a_uid_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0009")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        for n in range(3):
            conn.execute(
                "INSERT INTO contact (name, name_key, lifecycle, owner, search_key, score, "
                "unsubscribed, do_not_contact, created_at, updated_at) VALUES "
                f"('C{n}', 'c{n}', 'lead', 'old', 'c{n}', 0, 0, 0, {T}, {T})"
            )
    store = open_store(str(path), user="tester")
    try:
        from tinycrm.store.contacts import add_contact, list_contacts

        uids = [c.uid for c in list_contacts(store)]
        assert all(uids) and len(set(uids)) == 3
        assert add_contact(store, name="New").uid not in uids
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_contact_uid'")
        assert index.fetchone() == ("CREATE UNIQUE INDEX ix_contact_uid ON contact (uid)",)


# --------------------------------------------------------------------------- 0012


def test_0012_fills_in_the_normalised_phone_of_existing_contacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[phone]\nregion = "DE"\n')
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0011")
    engine.dispose()
    phones = ["+49 (0)30 1234567", "030 1234567 ext. 12", "call me", None]
    with sqlite3.connect(path) as conn:
        for i, phone in enumerate(phones, 1):
            conn.execute(
                "INSERT INTO contact (name, name_key, phone, lifecycle, owner, search_key, score, "
                "unsubscribed, do_not_contact, created_at, updated_at) VALUES "
                f"('P{i}', 'p{i}', ?, 'lead', 'old', '', 0, 0, 0, {T}, {T})",
                (phone,),
            )
    open_store(str(path)).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT phone, phone_e164 FROM contact ORDER BY id").fetchall() == [
            ("+49 (0)30 1234567", "+49301234567"),
            ("030 1234567 ext. 12", "+49301234567;ext=12"),
            ("call me", None),
            (None, None),
        ]


# --------------------------------------------------------------------------- 0014

OLD_EMAILS = ["jürgen@müller.de", "ada@x.io", "Bob@Old.Example", None]  # the third: pre-check


def _contacts_at_0013(conn: Any) -> None:
    for i, email in enumerate(OLD_EMAILS, 1):
        conn.exec_driver_sql(
            "INSERT INTO contact (name, name_key, email, lifecycle, owner, search_key, score, "
            "unsubscribed, do_not_contact, created_at, updated_at) VALUES "
            f"('P{i}', 'p{i}', %s, 'lead', 'old', '', 0, false, false, now(), now())"
            if conn.dialect.name == "postgresql"
            else "INSERT INTO contact (name, name_key, email, lifecycle, owner, search_key, "
            "score, unsubscribed, do_not_contact, created_at, updated_at) VALUES "
            f"('P{i}', 'p{i}', ?, 'lead', 'old', '', 0, 0, 0, {T}, {T})",
            (email,),
        )
    conn.exec_driver_sql(
        "INSERT INTO contact_alias (contact_id, kind, value, created_at) "
        + ("VALUES (2, 'email', 'Ada.Old@X.io', now())"
           if conn.dialect.name == "postgresql"
           else f"VALUES (2, 'email', 'Ada.Old@X.io', {T})")
    )  # fmt: skip


def _check_0014(url: str) -> None:
    from tinycrm.store.contacts import add_contact, get_contact

    store = open_store(url, user="tester")
    try:
        assert get_contact(store, "JÜRGEN@xn--mller-kva.de").name == "P1"
        assert get_contact(store, "ADA@X.IO").name == "P2"
        assert get_contact(store, "bob@old.example").name == "P3"
        assert get_contact(store, "ada.old@x.io").name == "P2"  # a merged contact's email
        with pytest.raises(Conflict, match=r"already belongs to #2 P2 <ada@x\.io>"):
            add_contact(store, name="Twice", email="Ada@X.io")
        assert add_contact(store, name="New", email="New@X.io").email == "New@X.io"
    finally:
        store.close()


def test_0014_fills_in_the_email_keys_of_existing_contacts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0013")
        _contacts_at_0013(conn)
    engine.dispose()
    _check_0014(str(path))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT email, email_key FROM contact ORDER BY id").fetchall()[:4] == [
            ("jürgen@müller.de", "jürgen@müller.de"),
            ("ada@x.io", "ada@x.io"),
            ("Bob@Old.Example", "bob@old.example"),
            (None, None),
        ]
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0013")
        emails = conn.exec_driver_sql("SELECT email FROM contact ORDER BY id").scalars().all()
    engine.dispose()
    assert emails[-1] == "new@x.io"  # what 0013's code compares by


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0014_on_postgresql(pg_schema_url: str) -> None:
    with empty_pg_schema("tinycrm_m14") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0013")
                _contacts_at_0013(conn)
            _check_0014(url)
            command.check(make_config(url=url))
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- 0025

NAMES_AT_0024 = ["Jürgen Straße", "Søren Łódź", "Æsir Þór", "Фёдоров", "Σίσυφος", "ﬁle ｔｉｎｙ"]
SEARCHES_AFTER_0025 = {
    "strasse": "Jürgen Straße", "MULLER": None, "soren lodz": "Søren Łódź",
    "aesir thor": "Æsir Þór", "федоров": "Фёдоров", "σισυφοσ": "Σίσυφος",
    "file tiny": "ﬁle ｔｉｎｙ",
}  # fmt: skip


def _rows_at_0024(conn: Any) -> None:
    """Contacts and a note about each (found by the contact's name from 0025 on), written
    as a tinycrm before 0025 wrote them (``conn``: a DB-API connection without
    ``tinycrm_fold``, or SQLAlchemy's on PostgreSQL)."""
    postgresql = not isinstance(conn, sqlite3.Connection)
    when = "now()" if postgresql else T
    run = conn.exec_driver_sql if postgresql else conn.execute
    for n, name in enumerate(NAMES_AT_0024, 1):
        run(
            "INSERT INTO contact (id, name, name_key, lifecycle, owner, search_key, created_at, "
            f"updated_at) VALUES ({n}, '{name}', '{name.casefold()}', 'lead', 'old', "
            f"'{name.casefold()}', {when}, {when})"
        )
        run(
            "INSERT INTO activity (kind, subject, body, contact_id, owner, created_at, "
            f"updated_at) VALUES ('note', 'Note {n}', 'met them', {n}, 'old', {when}, {when})"
        )


def _check_0025(url: str) -> None:
    from tinycrm.store.contacts import add_contact, list_contacts
    from tinycrm.store.search import search

    store = open_store(url, user="tester")
    try:
        assert sorted(c.name for c in list_contacts(store)) == sorted(NAMES_AT_0024)  # all kept
        for typed, name in SEARCHES_AFTER_0025.items():
            hits = {(h.kind, h.name) for h in search(store, typed)}
            if name is None:
                assert hits == set(), typed
            else:
                n = NAMES_AT_0024.index(name) + 1
                assert hits == {("contact", name), ("activity", f"Note {n}")}, typed
        add_contact(store, name="Große Straße")  # the triggers fold what is written now
        assert [h.name for h in search(store, "grosse")] == ["Große Straße"]
    finally:
        store.close()


def test_0025_folds_the_search_index_of_a_database_made_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0024")
    engine.dispose()
    with sqlite3.connect(path) as conn:  # as an older tinycrm: no tinycrm_fold to call
        _rows_at_0024(conn)
    _check_0025(str(path))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0024")
    engine.dispose()
    with sqlite3.connect(path) as conn:  # an older tinycrm writes again after the undo
        conn.execute("DELETE FROM contact WHERE name = 'Große Straße'")
        conn.execute("UPDATE contact SET name = 'Jürgen Straße' WHERE id = 1")
        assert conn.execute("SELECT count(*) FROM search_contact").fetchone() == (6,)
    _check_0025(str(path))  # and up again


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0025_on_postgresql(pg_schema_url: str) -> None:
    with empty_pg_schema("tinycrm_m25") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0024")
                _rows_at_0024(conn)
                conn.exec_driver_sql("SELECT setval('contact_id_seq', 10)")
            _check_0025(url)
            with engine.begin() as conn:
                command.downgrade(make_config(conn), "0024")
                conn.exec_driver_sql("DELETE FROM contact WHERE name = 'Große Straße'")
            _check_0025(url)
            command.check(make_config(url=url))
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- 0026

NAMES_AT_0025 = ["Søren Kierkegaard", "Anna Łódź", "Große Straße", "Zoe Zeta", "Ångström"]


def _rows_at_0025(conn: Any) -> None:
    """Contacts and companies written as a tinycrm at 0025 wrote them (search keys
    casefolded), through SQLAlchemy (the store's connection has ``tinycrm_fold``)."""
    from sqlalchemy import text

    for n, name in enumerate(NAMES_AT_0025, 1):
        email = f"p{n}@bäcker.de"
        values = {"n": n, "name": name, "key": name.casefold(), "email": email,
                  "search": f"{name} {email}".casefold(), "uid": f"uid-{n}"}  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO contact (id, name, name_key, email, email_key, lifecycle, owner, "
                "search_key, created_at, updated_at, uid) VALUES (:n, :name, :key, :email, "
                f":email, 'lead', 'old', :search, {T}, {T}, :uid)"
            ),
            values,
        )
        conn.execute(
            text(
                "INSERT INTO company (id, name, name_key, owner, created_at, updated_at) "
                f"VALUES (:n, :name, :key, 'old', {T}, {T})"
            ),
            values,
        )


def _check_0026(url: str) -> None:
    from tinycrm.store.companies import list_companies
    from tinycrm.store.contacts import list_contacts

    store = open_store(url, user="tester")
    try:
        for typed, name in (("soren", "Søren Kierkegaard"), ("lodz", "Anna Łódź"),
                            ("strasse", "Große Straße"), ("grosse", "Große Straße"),
                            ("angstrom", "Ångström")):  # fmt: skip
            assert [c.name for c in list_contacts(store, search=typed)] == [name], typed
            assert [c.name for c in list_companies(store, search=typed)] == [name], typed
        assert len(list_contacts(store, search="backer.de")) == 5  # the emails' domain
        by_name = ["Ångström", "Anna Łódź", "Große Straße", "Søren Kierkegaard", "Zoe Zeta"]
        assert [c.name for c in list_contacts(store)] == by_name  # Å among the A's
        assert [c.name for c in list_companies(store)] == by_name
    finally:
        store.close()


def _search_keys(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT search_key FROM contact ORDER BY id")
            return list(keys.scalars())
    finally:
        engine.dispose()


def test_0026_folds_the_contacts_search_keys_of_a_database_made_before_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0025")
    engine.dispose()
    store = open_store(url, user="old", migrate=False)  # (its connections fold for 0025's)
    with store.write() as session:
        _rows_at_0025(session.connection())
    store.close()
    before = _search_keys(url)
    _check_0026(url)
    assert _search_keys(url)[0] == "soren kierkegaard p1@backer.de"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0025")
    engine.dispose()
    assert _search_keys(url) == before  # as 0025's code makes them
    _check_0026(url)  # and up again


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0026_on_postgresql(pg_schema_url: str) -> None:
    with empty_pg_schema("tinycrm_m26") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0025")
                _rows_at_0025(conn)
                conn.exec_driver_sql("SELECT setval('contact_id_seq', 10)")
                conn.exec_driver_sql("SELECT setval('company_id_seq', 10)")
            before = _search_keys(url)
            _check_0026(url)
            with engine.begin() as conn:
                command.downgrade(make_config(conn), "0025")
                assert (
                    conn.exec_driver_sql(
                        "SELECT count(*) FROM pg_proc WHERE proname = 'tinycrm_fold_text' "
                        "AND pronamespace = current_schema()::regnamespace"
                    ).scalar()
                    == 0
                )
            assert _search_keys(url) == before
            _check_0026(url)
            command.check(make_config(url=url))
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- 0027


def _check_0027(url: str) -> None:
    """A run that failed in part at 0026's time left nothing per channel: its item is
    told everywhere; a run now records where it went out, and confirming forgets it."""
    from datetime import UTC, datetime

    from tinycrm.store.announcements import told_on
    from tinycrm.store.reminders import DueItem, claim_items, confirm_run, release_run

    store = open_store(url, user="tester")
    try:
        item = DueItem(key="task:1", group="overdue", due_at=datetime(2026, 1, 2, tzinfo=UTC),
                       title="late", detail="", entity="activity", entity_id=1)  # fmt: skip
        pair = (item.key, item.due_at)
        assert told_on(store, [pair]) == {}
        assert claim_items(store, [item], run_id="up") == [item]
        release_run(store, "up", told={"stdout": [item]})
        assert told_on(store, [pair]) == {pair: {"stdout"}}
        assert claim_items(store, [item], run_id="next") == [item]
        confirm_run(store, "next", items=[item])
        assert told_on(store, [pair]) == {}
        assert claim_items(store, [item], run_id="last") == []
    finally:
        store.close()


def _announcements(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT key, run_id FROM announcement ORDER BY id")
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_0027_upgrades_a_database_made_at_0026(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0026")
        conn.exec_driver_sql(
            "INSERT INTO announcement (key, due_at, run_id, claimed_at, announced_at) "
            f"VALUES ('cadence:3', {T}, 'old', {T}, {T})"
        )
    engine.dispose()
    _check_0027(url)
    assert _announcements(url)[0] == ("cadence:3", "old")
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0026")
    engine.dispose()
    assert _announcements(url)[0] == ("cadence:3", "old")
    open_store(url).close()  # and up again
    command.check(make_config(url=url))


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0027_on_postgresql(pg_schema_url: str) -> None:
    with empty_pg_schema("tinycrm_m27") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0026")
                conn.exec_driver_sql(
                    "INSERT INTO announcement (key, due_at, run_id, claimed_at, announced_at) "
                    f"VALUES ('cadence:3', {T}, 'old', {T}, {T})"
                )
            _check_0027(url)
            assert _announcements(url)[0] == ("cadence:3", "old")
            with engine.begin() as conn:
                command.downgrade(make_config(conn), "0026")
            assert _announcements(url)[0] == ("cadence:3", "old")
            open_store(url).close()  # and up again
            command.check(make_config(url=url))
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- 0034


def _history_at_0032(conn: Any) -> None:
    """Pipeline P (A, B): a deal entered A, then B; a row whose stage was removed
    before 0034 (its references NULL already)."""
    for statement in (
        f"INSERT INTO pipeline (id, name, name_key, position, created_at) "
        f"VALUES (10, 'P', 'p', 5, {T})",
        "INSERT INTO stage (id, pipeline_id, name, name_key, position, probability) VALUES "
        "(11, 10, 'A', 'a', 0, 10), (12, 10, 'B', 'b', 1, 50)",
        "INSERT INTO deal (id, title, title_key, pipeline_id, stage_id, currency, status, "
        f"owner, created_at, updated_at) VALUES (7, 'D', 'd', 10, 12, 'EUR', 'open', 'old', "
        f"{T}, {T})",
        "INSERT INTO stage_change (deal_id, from_stage_id, to_stage_id, from_status, "
        f"to_status, at, actor) VALUES (7, NULL, 11, NULL, 'open', {T}, 'old'), "
        f"(7, 11, NULL, 'open', 'open', {T}, 'old'), (7, NULL, 12, 'open', 'open', {T}, 'old')",
    ):
        conn.exec_driver_sql(statement)


def _check_0034(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(make_config(conn), "0034")
            rows = conn.exec_driver_sql(
                "SELECT from_stage_name, to_stage_name, to_pipeline_id, to_position "
                "FROM stage_change ORDER BY id"
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        (None, "A", 10, 0),
        ("A", None, None, None),  # removed before 0034: stays "(removed)"
        (None, "B", 10, 1),
    ]


def test_0034_gives_the_stage_history_its_stages_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0032")
        _history_at_0032(conn)
    engine.dispose()
    _check_0034(url)


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0034_on_postgresql() -> None:
    with empty_pg_schema("tinycrm_history_m34") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0032")
                _history_at_0032(conn)
        finally:
            engine.dispose()
        _check_0034(url)
