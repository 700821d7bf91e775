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
            assert version.scalar() == "0029"
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
