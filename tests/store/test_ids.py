"""Ids are never reused (issue 13): after a record is deleted or merged away, a new one
never gets its id, so ``contact show 4`` names the same person for ever. On SQLite and
PostgreSQL, through every path that makes records: the store, merges, imports, restores."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import _reset_pg
from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.activities import add_task, list_tasks
from tinycrm.store.bulk import bulk_add_contacts
from tinycrm.store.campaigns import add_campaign, remove_campaign
from tinycrm.store.companies import add_company, remove_company
from tinycrm.store.contacts import add_contact, get_contact, list_contacts, remove_contact
from tinycrm.store.deals import add_deal, remove_deal
from tinycrm.store.dump import dump_database, restore_database, restore_sqlite
from tinycrm.store.dupes import merge_contacts
from tinycrm.store.engine import Store, backup_sqlite, open_store
from tinycrm.store.imports import import_records, undo_import
from tinycrm.store.segments import remove_segment, save_segment

DUE = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)


def _import_contacts(store: Store, text: str) -> None:
    table = open_csv(io.BytesIO(text.encode()), name="c.csv")
    mapping = build_mapping("contacts", table.header)
    import_records(
        store, kind="contacts", rows=mapped_rows(table.records(), mapping), source="c.csv"
    )


def test_a_deleted_contacts_id_is_never_given_again(store: Store) -> None:
    add_contact(store, name="Ada")
    last = add_contact(store, name="Bob")
    remove_contact(store, last.id)
    carl = add_contact(store, name="Carl")
    assert carl.id > last.id
    assert get_contact(store, carl.id).name == "Carl"


def test_no_kind_of_record_reuses_a_deleted_id(store: Store) -> None:
    company = add_company(store, name="Acme")
    remove_company(store, company.id)
    assert add_company(store, name="Globex").id > company.id
    deal = add_deal(store, title="Pilot")
    remove_deal(store, deal.id)
    assert add_deal(store, title="Rollout").id > deal.id
    campaign = add_campaign(store, name="Fair", channel="event")
    remove_campaign(store, campaign.id)
    assert add_campaign(store, name="Fair", channel="event").id > campaign.id
    segment = save_segment(store, name="Big", expression="amount>1000")
    remove_segment(store, segment.id)
    assert save_segment(store, name="Big", expression="amount>1000").id > segment.id
    initech = add_company(store, name="Initech")
    task = add_task(store, text="Call Initech", due=DUE, company=str(initech.id))
    remove_company(store, initech.id)  # its own tasks go with it
    assert list_tasks(store, scope="all") == []
    assert add_task(store, text="Call someone", due=DUE).id > task.id


def test_a_merged_away_contacts_id_is_never_given_again(store: Store) -> None:
    keep = add_contact(store, name="Ada Lovelace", email="ada@example.com")
    other = add_contact(store, name="Ada King", email="ada.king@example.com")
    merge_contacts(store, keep.id, other.id)
    new = add_contact(store, name="Someone else")
    assert new.id > other.id
    # the merged id still names the survivor, not the newcomer
    assert get_contact(store, other.id).name == "Ada Lovelace"


def test_imports_and_bulk_inserts_start_above_deleted_ids(store: Store) -> None:
    add_contact(store, name="Ada")
    gone = add_contact(store, name="Bob")
    remove_contact(store, gone.id)
    _import_contacts(store, "Name,Email\nCarl,carl@example.com\n")
    (carl,) = [c for c in list_contacts(store) if c.name == "Carl"]
    assert carl.id > gone.id
    undo_import(store)  # the import's contact is deleted again
    bulk_add_contacts(store, [{"name": "Dora"}])
    (dora,) = [c for c in list_contacts(store) if c.name == "Dora"]
    assert dora.id > carl.id


def _fresh(store: Store, tmp_path: Path) -> Store:
    """An empty database on the same backend as ``store``."""
    if store.is_sqlite:
        return open_store(str(tmp_path / "fresh.db"), user="tester")
    store.close()
    _reset_pg(store.url)
    return open_store(store.url, user="tester")


def test_import_all_keeps_ids_and_never_gives_a_deleted_one_again(
    store: Store, tmp_path: Path
) -> None:
    ada = add_contact(store, name="Ada")
    bob = add_contact(store, name="Bob")
    cy = add_contact(store, name="Cy")
    remove_contact(store, cy.id)  # the newest: only the event log remembers its id
    dumped = dump_database(store)
    target = _fresh(store, tmp_path)
    try:
        restore_database(target, dumped)
        assert [(c.id, c.name) for c in list_contacts(target)] == [
            (ada.id, "Ada"),
            (bob.id, "Bob"),
        ]
        assert add_contact(target, name="Dee").id > cy.id
    finally:
        target.close()


def test_db_restore_keeps_ids_and_the_counter(tmp_path: Path) -> None:
    live = open_store(str(tmp_path / "live.db"), user="tester")
    add_contact(live, name="Ada")
    gone = add_contact(live, name="Bob")
    remove_contact(live, gone.id)
    backup = backup_sqlite(tmp_path / "live.db", tmp_path / "backup.db")
    add_contact(live, name="Carl")  # after the backup: restoring drops it
    restore_sqlite(live, backup)
    again = open_store(str(tmp_path / "live.db"), user="tester")
    try:
        assert [c.name for c in list_contacts(again)] == ["Ada"]
        assert add_contact(again, name="Dee").id > gone.id
    finally:
        again.close()
    with sqlite3.connect(tmp_path / "live.db") as conn:
        (seq,) = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'contact'").fetchone()
    assert seq == gone.id + 1
