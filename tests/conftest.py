"""Shared fixtures.

Every test runs with its own data and config dirs and its own ``TINYCRM_DB``, so
no test touches a real user's data. Store tests take the ``store`` fixture,
which runs them on SQLite and, when ``TINYCRM_TEST_PG_URL`` is set, on
PostgreSQL too (a fresh schema per test session, dropped afterwards).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("TINYCRM_TEST_PG_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "tinycrm.db"))
    monkeypatch.setenv("TINYCRM_USER", "tester")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once; each test gets a copy (migrating is the slow part)."""
    from tinycrm.store.engine import open_store

    path = tmp_path_factory.mktemp("template") / "template.db"
    store = open_store(str(path), user="tester")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL schema of our own, migrated to head, dropped after the session."""
    assert PG_URL
    from sqlalchemy import create_engine, text

    schema = f"tinycrm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        # pg_trgm lives in public, shared by every test schema: created inside one of
        # them, it would vanish with that schema (and with it other runs' indexes).
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema},public"
    from tinycrm.store.engine import open_store

    store = open_store(url, user="tester")
    store.close()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _reset_pg(url: str) -> None:
    """Empty every table and put the default pipeline back, as a new database has it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        assert names, "the test schema has no tables: was it dropped?"
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(
            text(
                "INSERT INTO pipeline (name, name_key, position, created_at) "
                "VALUES ('Sales', 'sales', 0, now())"
            )
        )
        from tinycrm.vocab import DEFAULT_STAGES

        for position, (name, probability, rotting) in enumerate(DEFAULT_STAGES):
            conn.execute(
                text(
                    "INSERT INTO stage (pipeline_id, name, name_key, position, probability, "
                    "rotting_days) VALUES (1, :n, :k, :p, :pr, :r)"
                ),
                {"n": name, "k": name.casefold(), "p": position, "pr": probability, "r": rotting},
            )
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An open, empty store at the newest schema, on each backend under test."""
    from tinycrm.store.engine import open_store

    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        opened = open_store(str(path), user="tester")
    else:
        url = request.getfixturevalue("pg_schema_url")
        _reset_pg(url)
        opened = open_store(url, user="tester")
    try:
        yield opened
    finally:
        opened.close()
