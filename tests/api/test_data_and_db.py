"""The API's nouns for the command line's data commands: ``crm.imports``, ``crm.exports``,
``crm.reminders`` and ``crm.db`` (and the demo builder), on SQLite and PostgreSQL where
the store runs on both; each test reads back what the database holds afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

import tinycrm
from tinycrm.api import Crm
from tinycrm.api.database import describe, locate


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def _rows(*records: dict[str, str]) -> list[tuple[int, dict[str, str], list[str]]]:
    return [(n, record, list(record.values())) for n, record in enumerate(records, start=2)]


def test_import_rows_history_and_undo(crm: Crm) -> None:
    crm.contacts.add("Ada", email="ada@example.com")
    rejected: list[tuple[int, str]] = []
    summary = crm.imports.rows(
        "contacts",
        _rows(
            {"name": "Bea", "email": "bea@example.com", "company": "Acme"},
            {"name": "Ada Lovelace", "email": "ADA@example.com", "title": "Countess"},
            {"name": "Eve", "email": "eve@"},
        ),
        source="people.csv",
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    assert (summary.created, summary.updated, summary.rejected) == (1, 1, 1)
    assert [line for line, _ in rejected] == [4]
    assert crm.contacts.get("bea@example.com").company == "Acme"
    assert crm.contacts.get("ada@example.com").title == "Countess"

    (batch,) = crm.imports.history()
    assert (batch.id, batch.source, batch.created) == (summary.batch_id, "people.csv", 1)
    preview = crm.imports.undo(dry_run=True)
    assert crm.contacts.get("bea@example.com")  # a dry run changes nothing
    undone = crm.imports.undo(summary.batch_id)
    assert (preview.deleted, undone.deleted) == ({"contact": 1, "company": 1},) * 2
    assert [c.name for c in crm.contacts.list()] == ["Ada"]
    assert crm.contacts.get("ada@example.com").title is None
    assert crm.imports.history()[0].undone_at is not None


def test_import_refuses_an_unknown_policy_and_a_dry_run_writes_nothing(crm: Crm) -> None:
    with pytest.raises(tinycrm.Invalid):
        crm.imports.rows("contacts", [], source="x.csv", on_duplicate="merge")
    summary = crm.imports.rows("companies", _rows({"name": "Acme"}), source="x.csv", dry_run=True)
    assert (summary.created, summary.dry_run) == (1, True)
    assert crm.companies.list() == [] and crm.imports.history() == []


def test_exports_stream_contacts_and_add_contact_emails(crm: Crm) -> None:
    crm.contacts.add("Ada", email="ada@example.com", tags="vip", fields={"plan": "pro"})
    crm.contacts.add("Bea")
    batches = crm.exports.contacts(tags="vip", times="iso")
    keys, field_names = next(batches)
    rows = [row for batch in batches for row in batch]
    assert keys[0] == "id" and keys[-2:] == ["tags", "fields"] and field_names == ["plan"]
    assert [dict(zip(keys, row, strict=True))["email"] for row in rows] == ["ada@example.com"]

    crm.deals.add("Order", contact="ada@example.com", amount=100)
    crm.deals.add("Loose")
    records = crm.exports.records(crm.deals.list(status=None), mode="json")
    by_title = {r["title"]: r for r in records}
    assert by_title["Order"]["contact_email"] == "ada@example.com"
    assert by_title["Loose"]["contact_email"] is None
    keys = list(by_title["Order"])
    assert keys[keys.index("contact") + 1] == "contact_email"


def test_everything_and_a_dump_restored_elsewhere(crm: Crm, tmp_path: Path) -> None:
    crm.contacts.add("Ada", email="ada@example.com", company="Acme")
    crm.deals.add("Order", contact="ada@example.com")
    crm.log("call", "ada@example.com", "Hello")
    crm.tasks.add("Call back", due="+1d")
    everything = crm.exports.everything()
    assert {k: len(v) for k, v in everything.items()} == {
        "companies": 1, "contacts": 1, "deals": 1, "activities": 1, "tasks": 1,
        "contracts": 0, "cases": 0, "products": 0, "items": 0, "quotes": 0,
    }  # fmt: skip
    dump = crm.exports.dump()
    with tinycrm.open(tmp_path / "copy.db") as copy:
        counts = copy.imports.restore(dump)
        assert counts["contact"] == 1 and counts["deal"] == 1
        assert copy.contacts.get("ada@example.com").company == "Acme"
        with pytest.raises(tinycrm.Conflict):  # only into an empty database
            copy.imports.restore(dump)


def test_reminders_claim_confirm_and_release(crm: Crm) -> None:
    crm.tasks.add("Late", due="-1d")
    crm.tasks.add("Later", due="+5d")
    due = crm.reminders.due()
    assert [i.group for i in due] == ["overdue"] and "overdue" in crm.reminders.groups
    assert crm.due() == due
    assert crm.reminders.claim(due, run_id="one") == due
    assert crm.reminders.claim(due, run_id="two") == []  # claimed by the first run
    crm.reminders.release("one")
    assert crm.reminders.claim(due, run_id="three") == due
    crm.reminders.confirm("three")
    assert crm.reminders.due(new_only=True) == []
    assert crm.reminders.due() == due  # still due; only told
    assert crm.reminders.stale_claim.total_seconds() > 0


def test_db_locate_backup_restore_and_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    where = locate(path)
    assert (where.path, where.shown) == (path, str(path))
    assert not path.exists()  # locating opens nothing
    secret = locate("postgresql+psycopg://me:secret@db.example/crm")
    assert secret.path is None and "secret" not in secret.shown and "secret" in secret.url

    with tinycrm.open(path) as crm:
        crm.contacts.add("Ada")
        assert crm.db.path == path
        assert crm.db.upgrade().changed is False
        copy = crm.db.backup(tmp_path / "backup.db")
        assert copy == tmp_path / "backup.db"
        assert describe(copy).contacts == 1 and crm.db.contents().contacts == 1
        with pytest.raises(tinycrm.Invalid):
            crm.db.backup(path)  # onto itself
        with pytest.raises(tinycrm.Invalid):
            crm.db.refuse_own_file(Path(f"{path}-wal"))
        crm.db.refuse_own_file(tmp_path / "other.csv")  # anything else is fine
        crm.contacts.add("Bea")
        kept = crm.db.restore(copy)
        assert kept.exists() and describe(kept).contacts == 2
        assert [c.name for c in crm.contacts.list()] == ["Ada"]


def test_db_on_postgresql_refuses_file_copies(crm: Crm) -> None:
    if crm.db.path is not None:
        pytest.skip("PostgreSQL only")
    assert crm.db.libpq_url.startswith("postgresql://")
    with pytest.raises(tinycrm.Unavailable):
        crm.db.backup("copy.db")


def test_build_demo_refuses_the_users_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """(Building and reusing through the API: tests/test_demo.py, on its one build.)"""
    from tinycrm.api.demo import build_demo, demo_path

    monkeypatch.delenv("TINYCRM_DB")
    own = locate().path
    assert own is not None and demo_path() == own.with_name("demo.db")
    with pytest.raises(tinycrm.Invalid):
        build_demo(own, reset=True)
    assert not own.exists()
