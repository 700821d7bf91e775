"""The schema comes from Alembic: models and migrations agree; old databases upgrade."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from tinycrm.store.engine import open_store
from tinycrm.store.errors import Conflict
from tinycrm.store.migrations import SCHEMA_HEAD
from tinycrm.store.migrations.runner import make_config

from ..conftest import PG_URL


@contextmanager
def _empty_pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of our own, empty (the migrations under test make its tables):
    its URL, ``search_path`` set to it; dropped on leaving."""
    import uuid

    from sqlalchemy import text

    assert PG_URL
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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


# --------------------------------------------------------------------------- 0009

T = "'2024-01-02 03:04:05.000000'"
ROWS_AT_0008 = [
    # companies: three spellings of one domain, one to normalise, one blank
    f"INSERT INTO company (id, name, name_key, domain, owner, created_at, updated_at) VALUES "
    f"(1, 'Acme GmbH', 'acme gmbh', 'acme.de', 'old', {T}, {T}), "
    f"(2, 'ACME Inc', 'acme inc', 'ACME.DE', 'old', {T}, {T}), "
    f"(3, 'Acme Old', 'acme old', 'https://www.acme.de/about', 'old', {T}, {T}), "
    f"(4, 'Globex', 'globex', 'Globex.com', 'old', {T}, {T}), "
    f"(6, 'Blank', 'blank', '', 'old', {T}, {T})",
    "INSERT INTO field_value (entity, entity_id, key, value) "
    "VALUES ('company', 2, 'duplicate_domain', 'taken already')",
    # contacts 3, 4 and 7 were deleted; 9 was merged into Ada
    f"INSERT INTO contact (id, name, name_key, email, company_id, lifecycle, owner, search_key, "
    f"cadence_days, created_at, updated_at) VALUES "
    f"(1, 'Ada', 'ada', 'ada@acme.de', 1, 'lead', 'old', 'ada ada@acme.de', 7, {T}, {T}), "
    f"(2, 'Bob', 'bob', NULL, 2, 'lead', 'old', 'bob', NULL, {T}, {T}), "
    f"(5, 'Cy Müller', 'cy müller', NULL, 3, 'lead', 'old', 'cy müller', NULL, {T}, {T})",
    f"INSERT INTO event (at, actor, action, entity, entity_id, summary) VALUES "
    f"({T}, 'old', 'deleted', 'contact', 7, 'deleted contact Dee'), "
    f"({T}, 'old', 'deleted', 'deal', 40, 'deleted deal Old')",
    f"INSERT INTO contact_alias (contact_id, kind, value, created_at) VALUES (1, 'id', '9', {T})",
    f"INSERT INTO deal (id, title, title_key, contact_id, company_id, pipeline_id, stage_id, "
    f"currency, status, owner, created_at, updated_at) "
    f"VALUES (3, 'Pilot', 'pilot', 5, 3, 1, 2, 'EUR', 'open', 'old', {T}, {T})",
    f"INSERT INTO stage_change (deal_id, to_stage_id, to_status, at, actor) "
    f"VALUES (3, 2, 'open', {T}, 'old')",
    f"INSERT INTO activity (id, kind, subject, contact_id, company_id, deal_id, occurred_at, "
    f"owner, created_at, updated_at) "
    f"VALUES (8, 'call', 'Called Cy', 5, 3, 3, {T}, 'old', {T}, {T})",
    f"INSERT INTO campaign (id, name, name_key, channel, currency, created_at) "
    f"VALUES (2, 'Fair', 'fair', 'event', 'EUR', {T})",
    f"INSERT INTO campaign_member (campaign_id, contact_id, status, added_at, updated_at) "
    f"VALUES (2, 5, 'sent', {T}, {T})",
    f"INSERT INTO sequence (id, name, name_key, created_at) VALUES (1, 'Onboard', 'onboard', {T})",
    "INSERT INTO sequence_step (sequence_id, position, day_offset, text) VALUES (1, 0, 2, 'Hi')",
    f"INSERT INTO sequence_enrollment (sequence_id, contact_id, started_at) VALUES (1, 5, {T})",
    "INSERT INTO tag (entity, entity_id, name) VALUES ('contact', 5, 'vip')",
    f"INSERT INTO lifecycle_change (contact_id, to_lifecycle, at, actor) "
    f"VALUES (5, 'lead', {T}, 'old')",
]
CHANGED_BY_0009 = {"company", "field_value", "event", "sqlite_sequence", "alembic_version"}
INDEXES_AFTER_0009 = {  # later migrations (0010, 0012, 0013, 0014, 0015, 0016)
    "ix_contract_company_id",
    "ix_contract_contact_id",
    "ix_contract_deal_id",
    "ix_contract_end_date",
    "ix_support_case_company_id",
    "ix_support_case_contact_id",
    "ix_support_case_opened_at",
    "ix_support_case_status",
    "ix_case_message_case_id",
    "ix_contact_uid",
    "ix_contact_phone_e164",
    "ix_contact_sort_key",  # 0026
    "ix_company_sort_key",  # 0026
    "ix_webhook_delivery_due",
    "ix_webhook_delivery_event_id",
    "ix_contact_email_key",
    "ux_activity_mail_key_contact",
    "ix_deal_item_deal_id",  # 0017: products, deal items and quotes
    "ix_deal_item_product_id",
    "ix_quote_deal_id",
    "ix_quote_status",
    "ix_quote_valid_until",
    "ix_quote_line_product_id",
    "ix_quote_line_quote_id",
}


LATER_TABLES = {
    "webhook_delivery",
    "contract",
    "support_case",
    "case_message",
    "mail_checkpoint",  # 0019: mail sync's checkpoints
    "product",  # 0017: products, deal items and quotes
    "deal_item",
    "quote",
    "quote_line",
    "quote_counter",
    "announcement_channel",  # 0027: where a run of remind that failed in part told
}


def _snapshot(path: Path) -> tuple[dict[str, list[tuple]], set[tuple[str, str]]]:
    """Every row of every table, and the SQL of every index and trigger."""
    with sqlite3.connect(path) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'contact_fts%' AND name NOT LIKE 'search_%' ORDER BY name"
            )
        ]
        rows = {n: conn.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in names}
        # a contact's search key is derived, and 0026 makes it again (folded; its undo,
        # casefolded): its own test checks it, the others see it blank
        columns = [c[1] for c in conn.execute("PRAGMA table_info(contact)")]
        if "contact" in rows and "search_key" in columns:
            at = columns.index("search_key")
            rows["contact"] = [(*r[:at], None, *r[at + 1 :]) for r in rows["contact"]]
        schema = set(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND sql IS NOT NULL"
            ).fetchall()
        )
    return rows, schema


def _at_0008_with_rows(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0008")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")  # the rows hold together
        for statement in ROWS_AT_0008:
            conn.execute(statement)


def test_0009_keeps_every_row_id_index_and_trigger(tmp_path: Path) -> None:
    from tinycrm.store.companies import get_company
    from tinycrm.store.contacts import add_contact, get_contact, list_contacts
    from tinycrm.store.deals import add_deal

    path = tmp_path / "old.db"
    _at_0008_with_rows(path)
    rows_before, schema_before = _snapshot(path)
    store = open_store(str(path), user="tester")  # upgrades as a user's database is
    try:
        rows_after, schema_after = _snapshot(path)
        for name, rows in rows_before.items():
            if name not in CHANGED_BY_0009:  # later migrations append columns: not compared
                after = [row[: len(rows[0])] for row in rows_after[name]] if rows else []
                assert after == rows, f"{name} changed"
        unique_domain = (
            "ix_company_domain",
            "CREATE UNIQUE INDEX ix_company_domain ON company (domain)",
        )
        later = {
            item
            for item in schema_after
            if item[0] in INDEXES_AFTER_0009 or item[0].startswith("search_")  # 0016's triggers
        }
        assert schema_after - schema_before - later == {unique_domain}
        assert {n for n, _ in schema_before - schema_after} == {"ix_company_domain"}
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a new connection
            counters = dict(conn.execute("SELECT name, seq FROM sqlite_sequence"))
            create = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'contact'"
            ).fetchone()[0]
        assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" in create
        assert "UNIQUE (email)" in create and "ON DELETE SET NULL" in create
        assert counters["contact"] == 9  # 7 deleted (event log), 9 merged (alias)
        assert (counters["deal"], counters["activity"], counters["campaign"]) == (40, 8, 2)
        # the search index still follows contact: old rows found, new ones too
        assert [c.name for c in list_contacts(store, search="MÜLLER")] == ["Cy Müller"]
        new = add_contact(store, name="Eve Müller")
        assert new.id == 10
        assert [c.name for c in list_contacts(store, search="müller")] == [
            "Cy Müller",
            "Eve Müller",
        ]
        assert get_contact(store, 9).name == "Ada"  # the merged id still names Ada
        assert add_deal(store, title="Next").id == 41
        # foreign keys work again: deleting Cy unlinks the deal and drops the membership
        with store.write() as session:
            session.connection().exec_driver_sql("DELETE FROM contact WHERE id = 5")
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT contact_id FROM deal WHERE id = 3").fetchone() == (None,)
            assert conn.execute("SELECT count(*) FROM campaign_member").fetchone() == (0,)
        # domains: the oldest company keeps one; the others keep theirs in a field
        assert get_company(store, 1).domain == "acme.de"
        assert get_company(store, 4).domain == "globex.com"
        second, third, blank = (get_company(store, n) for n in (2, 3, 6))
        assert (second.domain, third.domain, blank.domain) == (None, None, None)
        assert second.fields == {
            "duplicate_domain": "taken already",
            "duplicate_domain_2": "ACME.DE",
        }
        assert third.fields == {"duplicate_domain": "https://www.acme.de/about"}
        assert blank.fields == {}
        with sqlite3.connect(path) as conn:
            summaries = [
                s
                for (s,) in conn.execute(
                    "SELECT summary FROM event WHERE actor = 'tinycrm upgrade'"
                )
            ]
        assert summaries == [
            "domain acme.de of company ACME Inc moved to field duplicate_domain_2: "
            "Acme GmbH (#1) has it",
            "domain acme.de of company Acme Old moved to field duplicate_domain: "
            "Acme GmbH (#1) has it",
        ]
    finally:
        store.close()


def test_0009_refuses_to_run_with_foreign_keys_on(tmp_path: Path) -> None:
    """With foreign keys on, dropping the old contact table would delete the campaign
    members and unlink the deals that refer to it: the migration stops instead."""
    path = tmp_path / "old.db"
    _at_0008_with_rows(path)
    rows_before, _ = _snapshot(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        conn.commit()
        refused = pytest.raises(RuntimeError, match="must run with foreign keys off")
        with refused, conn.begin():
            command.upgrade(make_config(conn), "0009")
    engine.dispose()
    assert _snapshot(path)[0] == rows_before


def test_0009_downgrade_keeps_rows_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _at_0008_with_rows(path)
    open_store(str(path)).close()
    upgraded, _ = _snapshot(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0008")
    engine.dispose()
    downgraded, schema = _snapshot(path)
    for name, rows in upgraded.items():
        if name in LATER_TABLES:  # a later migration's table (0013, 0016, 0017, 0019): gone
            assert name not in downgraded and rows == []
        elif name not in ("alembic_version", "sqlite_sequence"):  # less later columns
            width = len(downgraded[name][0]) if downgraded[name] else 0
            assert downgraded[name] == [row[:width] for row in rows], f"{name} changed"
    assert ("ix_company_domain", "CREATE INDEX ix_company_domain ON company (domain)") in schema
    with sqlite3.connect(path) as conn:
        create = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'contact'").fetchone()
        assert "AUTOINCREMENT" not in create[0]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0009_on_postgresql_makes_domains_unique_and_sequences_skip_old_ids() -> None:
    with _empty_pg_schema("tinycrm_m9") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(make_config(conn), "0008")
                for statement in ROWS_AT_0008:
                    conn.exec_driver_sql(statement.replace("'2024-01-02 03:04:05.000000'", "now()"))
            store = open_store(url, user="tester")
            try:
                from tinycrm.store.companies import add_company, get_company
                from tinycrm.store.contacts import add_contact

                assert [get_company(store, n).domain for n in (1, 2, 3, 4, 6)] == [
                    "acme.de",
                    None,
                    None,
                    "globex.com",
                    None,
                ]
                assert get_company(store, 2).fields["duplicate_domain_2"] == "ACME.DE"
                assert add_contact(store, name="Eve").id == 10  # past 7 (deleted) and 9 (merged)
                with pytest.raises(Conflict, match=r"acme.de already exists: Acme GmbH \(#1\)"):
                    add_company(store, name="Other", domain="ACME.de")
            finally:
                store.close()
            command.check(make_config(url=url))
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- 0010


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
    with _empty_pg_schema("tinycrm_m14") as url:
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
    with _empty_pg_schema("tinycrm_m25") as url:
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
    with _empty_pg_schema("tinycrm_m26") as url:
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
    with _empty_pg_schema("tinycrm_m27") as url:
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
            url = stack.enter_context(_empty_pg_schema("hunt_upgrade_old"))
            fresh = stack.enter_context(_empty_pg_schema("hunt_upgrade_new"))
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
