"""Migration 0009 (unique domains and emails, ids never reused): every row, id, index
and trigger is kept, on SQLite and PostgreSQL, and it downgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from tinycrm.store.engine import open_store
from tinycrm.store.errors import Conflict
from tinycrm.store.migrations.runner import make_config

from ..conftest import PG_URL
from .migration_helpers import T, empty_pg_schema

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
    "ix_deal_item_deal_position",  # 0030 (0017: products, deal items and quotes)
    "ix_deal_item_product_id",
    "ix_quote_deal_id",
    "ix_quote_status",
    "ix_quote_valid_until",
    "ix_quote_line_product_id",
    "ix_quote_line_quote_id",
    "ix_mail_tombstone_contact_id",  # 0033: mail deleted from the CRM
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
    "mail_tombstone",  # 0033: mail deleted from the CRM, not logged again
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
    with empty_pg_schema("tinycrm_m9") as url:
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
