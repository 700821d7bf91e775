"""The full dump: the demo data survives a round trip exactly, on every backend."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tinycrm.store import Conflict, Invalid, Unavailable
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.deals import list_deals
from tinycrm.store.dump import describe_sqlite, dump_database, restore_database, restore_sqlite
from tinycrm.store.engine import Store, backup_sqlite, open_store
from tinycrm.store.imports import count_rows

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.fixture
def demo(demo_database: Path, demo_dump: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """The shared demo database (tests/conftest.py) and its dump."""
    return demo_database, demo_dump


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["tables"].keys() == b["tables"].keys()
    for name in a["tables"]:
        assert a["tables"][name] == b["tables"][name], name


def test_the_demo_round_trips_exactly(store: Store, demo: tuple[Path, dict[str, Any]]) -> None:
    _, original = demo
    text = json.dumps(original)  # what export all writes, and import all reads
    counts = restore_database(store, json.loads(text))
    assert counts["contact"] == len(original["tables"]["contact"]) > 200
    assert counts["stage_change"] > 0 and counts["event"] > 0 and counts["tag"] > 0
    _same(dump_database(store), original)
    # the restored database works: search finds, lists list, new ids follow the old ones
    assert list_contacts(store, search="MÜLLER")
    assert len(list_deals(store, status=None)) == len(original["tables"]["deal"])
    newest = max(row["id"] for row in original["tables"]["contact"])
    assert add_contact(store, name="After Restore").id == newest + 1
    # the keys a dump leaves out are made again as every write makes them
    from sqlalchemy import text as sql

    from tinycrm.store.contacts import contact_search_key
    from tinycrm.store.validate import folded

    with store.read() as session:
        conn = session.connection()
        for table in ("contact", "company"):
            rows = conn.execute(sql(f"SELECT name, sort_key FROM {table}")).all()
            assert rows and all(key == folded(name) for name, key in rows), table
        rows = conn.execute(sql("SELECT name, email_key, phone, title, search_key FROM contact"))
        assert all(row.search_key == contact_search_key(row._mapping) for row in rows)


def test_restore_needs_an_empty_database(store: Store, demo: tuple[Path, dict[str, Any]]) -> None:
    add_contact(store, name="Ada")
    before = count_rows(store)
    # one row is one row ('1 event rows' before)
    with pytest.raises(
        Conflict, match=r"restores into an empty database, and this one has 1 event row \("
    ):
        restore_database(store, copy.deepcopy(demo[1]))
    assert count_rows(store) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something"), "not a tinycrm dump"),
        (lambda d: d.update(version=99), "format version 99"),
        (lambda d: d["tables"].update(spaceships=[]), "tables this tinycrm does not know"),
        (lambda d: d["tables"]["contact"][0].update(warp=9), "columns this tinycrm does not know"),
        (
            lambda d: d["tables"]["contact"][0].update(created_at="yesterday"),
            r"contact\[0\]: created_at",
        ),
        (lambda d: d["tables"]["contact"][0].update(name=None), "name must not be empty"),
        (lambda d: d["tables"]["deal"][0].update(stage_id=99999), "does not hold together"),
        # a list where text belongs (a traceback: 'list' object has no attribute 'split')
        (
            lambda d: d["tables"]["deal"][0].update(title=["x"]),
            r'deal\[0\]: title \["x"\] is not valid \(not text\)',
        ),
        (
            lambda d: d["tables"]["contact"][0].update(notes={"a": 1}),
            r'notes \{"a": 1\} is not valid \(not text\)',
        ),
        # past 64 bits no database holds it (SQLite's driver raised OverflowError)
        (
            lambda d: d["tables"]["deal"][0].update(id=2**70),
            r"deal\[0\]: id \d+ is not valid \(out of range\)",
        ),
        (lambda d: d["tables"]["deal"][0].update(amount_minor=-(2**63) - 1), "out of range"),
        # a dump of this schema holds every column and table: one missing was cut out by
        # hand, and was filled in (a won deal restored open, its amount gone) or left empty
        (lambda d: d["tables"]["deal"][0].pop("status"), r"deal\[0\]: status is missing"),
        (lambda d: d["tables"]["deal"][0].pop("amount_minor"), r"amount_minor is missing"),
        (lambda d: d["tables"].pop("activity"), "the dump has no activity table"),
        # a currency no write takes: restored, every view of the deal was a traceback
        (
            lambda d: d["tables"]["deal"][0].update(currency="XXXX"),
            r"deal\[0\]: currency 'XXXX' is not valid \(not an ISO 4217 code",
        ),
        (lambda d: d["tables"]["product"][0].update(currency="eur"), r"currency 'eur' is not"),
        (lambda d: d["tables"]["contract"][0].update(currency=""), r"currency '' is not valid"),
        (lambda d: d["tables"]["quote"][0].update(currency="EUR "), r"currency 'EUR ' is not"),
        # valid JSON, not text: half of a character, which no database stores (it was
        # refused as 'bytes that are not UTF-8 (is the terminal's locale UTF-8?)')
        (
            lambda d: d["tables"]["contact"][0].update(notes="Café \ud800 ok"),
            r"contact\[0\]: notes 'Café \\ud800 ok' is not valid \(half of a character",
        ),
        (
            lambda d: d["tables"]["deal"][0].update(currency="X" * 5000),
            r"currency 'X{59}…' is not valid",
        ),
        # a time that is no time in UTC (a traceback: OverflowError)
        (
            lambda d: d["tables"]["contact"][0].update(created_at="0001-01-01T00:00:00+05:00"),
            r"contact\[0\]: created_at '0001-01-01T00:00:00\+05:00' is not valid \(date value out",
        ),
        (
            lambda d: d["tables"]["deal"][0].update(updated_at="9999-12-31T23:00:00-05:00"),
            r"deal\[0\]: updated_at '9999-12-31T23:00:00-05:00' is not valid",
        ),
        # NUL: refused by PostgreSQL without naming the row, restored by SQLite
        (
            lambda d: d["tables"]["contact"][0].update(name="A\x00B"),
            r"contact\[0\]: name 'A\\x00B' is not valid \(NUL characters are not allowed",
        ),
        # a newer tinycrm's dump may mean something else by what it holds
        (lambda d: d.update(schema="9999"), "made at schema '9999', newer than this tinycrm"),
    ],
)
def test_broken_dumps_are_refused_and_write_nothing(
    store: Store, demo: tuple[Path, dict[str, Any]], change: Any, message: str
) -> None:
    data = copy.deepcopy(demo[1])
    change(data)
    with pytest.raises(Invalid, match=message):
        restore_database(store, data)
    assert count_rows(store) == {"company": 0, "contact": 0, "deal": 0, "activity": 0}


def test_an_older_dump_gets_what_later_schemas_added(
    store: Store, demo: tuple[Path, dict[str, Any]]
) -> None:
    """A dump made at an older schema lacks the columns and tables added since: they get
    their defaults (a deal's status 'open') or nothing, as the upgrade would give them."""
    data = copy.deepcopy(demo[1])
    data["schema"] = "0001"
    data["tables"].pop("score_rule")
    deal = data["tables"]["deal"][0]
    deal.pop("status")
    deal.pop("amount_minor")
    restore_database(store, data)
    restored = dump_database(store)["tables"]
    assert restored["score_rule"] == []
    first = restored["deal"][0]
    assert first["id"] == deal["id"] and first["status"] == "open"
    assert first["amount_minor"] is None


def test_a_number_past_what_a_column_holds_on_the_backend_is_refused(
    store: Store, demo: tuple[Path, dict[str, Any]]
) -> None:
    """PostgreSQL's INTEGER holds 32 bits, SQLite's 64: the same dump restores into one and
    is refused by the other with one line (it was psycopg's DataError, a traceback)."""
    data = copy.deepcopy(demo[1])
    data["tables"]["company"][0]["size"] = 2**40  # (a probability is refused past 100 anyway)
    if store.is_sqlite:
        restore_database(store, data)
        return
    with pytest.raises(Invalid, match=r"does not hold together \(company: integer out of range"):
        restore_database(store, data)
    assert count_rows(store) == {"company": 0, "contact": 0, "deal": 0, "activity": 0}


def test_database_files_are_described_and_restored(tmp_path: Path, demo: tuple[Path, dict]) -> None:
    path, data = demo
    info = describe_sqlite(path)
    assert info["contact"] == len(data["tables"]["contact"]) and info["revision"]
    live = open_store(str(tmp_path / "live.db"), user="tester")
    add_contact(live, name="Only me")
    backup = backup_sqlite(path, tmp_path / "backup.db")
    kept = restore_sqlite(live, backup)
    assert describe_sqlite(kept)["contact"] == 1
    again = open_store(str(tmp_path / "live.db"), user="tester")
    assert len(list_contacts(again)) == info["contact"]
    again.close()
    (tmp_path / "not.db").write_text("hello")
    with pytest.raises(Invalid, match="not an SQLite database"):
        describe_sqlite(tmp_path / "not.db")


def test_a_backup_without_its_schema_revision_is_not_restored(tmp_path: Path) -> None:
    """A backup whose alembic_version row was deleted was restored over the database,
    which then could not be opened (tinycrm cannot tell its schema): now it is refused
    first, in one line, and the database is left as it was, no copy made."""
    import sqlite3

    other = open_store(str(tmp_path / "other.db"), user="tester")
    add_contact(other, name="From the backup")
    backup = backup_sqlite(other.path, tmp_path / "backup.db")
    other.close()
    with sqlite3.connect(backup) as raw:
        raw.execute("DELETE FROM alembic_version")
    raw.close()
    live = open_store(str(tmp_path / "live.db"), user="tester")
    add_contact(live, name="Only me")
    with pytest.raises(Invalid) as err:
        restore_sqlite(live, backup)
    assert str(err.value) == (
        f"{backup} holds tinycrm's tables but no schema revision (its alembic_version row "
        "was deleted), so tinycrm cannot tell which upgrades it needs; not restored"
    )
    assert [c.name for c in list_contacts(live)] == ["Only me"]
    live.close()
    assert not list(tmp_path.glob("live.db.pre-restore-*"))


def test_two_restores_in_one_second_keep_both_databases_they_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of what a restore replaces is named by the second: a second restore in
    the same second (a script's two 'db restore --yes') wrote its copy over the first,
    and the database before both, the one the copies are kept for, was gone."""
    backups = []
    for name in ("first", "second"):
        other = open_store(str(tmp_path / f"{name}.db"), user="tester")
        add_contact(other, name=name.title())
        backups.append(backup_sqlite(other.path, tmp_path / f"{name}.bak.db"))
        other.close()
    live = open_store(str(tmp_path / "live.db"), user="tester")
    add_contact(live, name="Only me")
    monkeypatch.setattr("tinycrm.store.dump.utcnow", lambda: NOW)  # the same second
    kept = []
    for backup in backups:
        kept.append(restore_sqlite(live, backup))
        live = open_store(str(tmp_path / "live.db"), user="tester")
    live.close()
    assert kept[0] != kept[1] and kept[0].name.startswith("live.db.pre-restore-")
    names = []
    for path in kept:
        with_copy = open_store(str(path), user="tester")
        names.append([c.name for c in list_contacts(with_copy)])
        with_copy.close()
    assert names == [["Only me"], ["First"]]


def test_restoring_a_file_into_postgresql_explains_pg_restore(store: Store, tmp_path: Path) -> None:
    if store.is_sqlite:
        pytest.skip("PostgreSQL only")
    with pytest.raises(Unavailable, match="pg_restore"):
        restore_sqlite(store, tmp_path / "x.db")


def test_a_backup_that_is_not_there_or_a_folder_is_named_so(tmp_path: Path) -> None:
    """`db restore /tmp/typo.db` said "/tmp/typo.db is not a file": a file missing is
    told as missing, a folder as a folder."""
    with pytest.raises(Invalid) as err:
        describe_sqlite(tmp_path / "typo.db")
    assert str(err.value) == f"{tmp_path / 'typo.db'} does not exist"
    with pytest.raises(Invalid) as err:
        describe_sqlite(tmp_path)
    assert str(err.value) == f"{tmp_path} is a folder: give a backup file"
