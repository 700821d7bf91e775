"""PostgreSQL extensions live outside tinycrm schemas: dropping one team's schema must
not take the extension, and with it the other teams' trigram indexes, along.

The shared extensions (pg_trgm, unaccent) are never created, moved or dropped here:
``fuzzystrmatch`` (which tinycrm does not use) stands in for them, in schemas of our own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text

from tinycrm.store import pg_extensions

from ..conftest import PG_URL, new_pg_schema

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TINYCRM_TEST_PG_URL")

STAND_IN = "fuzzystrmatch"


@pytest.fixture
def admin() -> Iterator[Connection]:
    """A connection and three schemas of our own (a team's, another's, the shared one),
    the stand-in extension not installed; all dropped afterwards."""
    assert PG_URL
    engine = create_engine(PG_URL)
    tail = uuid.uuid4().hex[:10]
    names = {k: f"tinycrm_ext_{k}_{tail}" for k in ("team", "other", "shared")}
    with engine.connect() as conn:
        if pg_extensions.extension_schema(conn, STAND_IN) is not None:
            pytest.skip(f"{STAND_IN} is installed in this database already")
        for name in names.values():
            if name != names["shared"]:
                conn.execute(text(f'CREATE SCHEMA "{name}"'))
        conn.commit()
        conn.info.update(names)
        try:
            yield conn
        finally:
            conn.rollback()
            for name in names.values():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.commit()
    engine.dispose()


def _make_tinycrm_like(conn: Connection, schema: str) -> None:
    conn.execute(text(f'CREATE TABLE "{schema}".alembic_version (version_num varchar(32))'))
    conn.execute(text(f'CREATE TABLE "{schema}".contact (id integer)'))


def test_a_missing_extension_is_made_outside_the_current_schema(admin: Connection) -> None:
    team, shared = admin.info["team"], admin.info["shared"]
    admin.execute(text(f'SET search_path = "{team}"'))
    made = pg_extensions.ensure_extension(admin, STAND_IN, targets=(shared,))
    admin.commit()
    assert made == shared == pg_extensions.extension_schema(admin, STAND_IN)
    admin.execute(text(f'DROP SCHEMA "{team}" CASCADE'))
    admin.commit()
    assert pg_extensions.extension_schema(admin, STAND_IN) == shared


def test_an_extension_in_a_tinycrm_schema_is_moved_out(admin: Connection) -> None:
    team, shared = admin.info["team"], admin.info["shared"]
    _make_tinycrm_like(admin, team)
    admin.execute(text(f'CREATE EXTENSION {STAND_IN} SCHEMA "{team}"'))
    admin.commit()
    assert pg_extensions.ensure_extension(admin, STAND_IN, targets=(shared,)) == team
    assert pg_extensions.ensure_extension(admin, STAND_IN, movable=True, targets=(shared,)) == (
        shared
    )
    admin.commit()
    admin.execute(text(f'DROP SCHEMA "{team}" CASCADE'))
    admin.commit()
    assert pg_extensions.extension_schema(admin, STAND_IN) == shared


def test_an_extension_in_a_schema_not_tinycrm_s_stays(admin: Connection) -> None:
    other, shared = admin.info["other"], admin.info["shared"]
    admin.execute(text(f'CREATE EXTENSION {STAND_IN} SCHEMA "{other}"'))
    admin.commit()
    assert pg_extensions.ensure_extension(admin, STAND_IN, movable=True, targets=(shared,)) == (
        other
    )


def _trigram_index_opclass_schema(conn: Connection, schema: str) -> str | None:
    return conn.execute(
        text(
            "SELECT n.nspname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_opclass o ON o.oid = i.indclass[0] "
            "JOIN pg_namespace n ON n.oid = o.opcnamespace "
            "WHERE c.relname = 'ix_contact_search_trgm' "
            "AND c.relnamespace = CAST(:s AS regnamespace)"
        ),
        {"s": f'"{schema}"'},
    ).scalar()


def test_dropping_one_tinycrm_schema_keeps_the_others_trigram_index() -> None:
    assert PG_URL
    engine = create_engine(PG_URL)
    with new_pg_schema("tinycrm_ext_b") as url_b:
        schema_b = url_b.rsplit("%3D", 1)[1].split(",")[0]
        with new_pg_schema("tinycrm_ext_a"):
            pass  # made, migrated, dropped with CASCADE
        with engine.connect() as conn:
            where = _trigram_index_opclass_schema(conn, schema_b)
            assert where is not None, "the trigram index went with the other schema"
            assert where != schema_b
            assert not pg_extensions.is_tinycrm_schema(conn, where)
    engine.dispose()


def test_0031_adds_the_trigram_index_where_0002_could_not() -> None:
    """A schema whose role could not create pg_trgm when 0002 ran searched contacts by a
    scan for ever; 0031 adds the index once the extension exists (or may be made)."""
    from alembic import command

    from tinycrm.store.migrations.runner import make_config

    assert PG_URL
    with new_pg_schema("tinycrm_ext_0031") as url:
        schema = url.rsplit("%3D", 1)[1].split(",")[0]
        engine = create_engine(url)
        with engine.begin() as conn:
            command.downgrade(make_config(conn), "0030")
            conn.execute(text("DROP INDEX ix_contact_search_trgm"))
        with engine.begin() as conn:
            command.upgrade(make_config(conn), "head")
        with engine.connect() as conn:
            assert _trigram_index_opclass_schema(conn, schema) == pg_extensions.extension_schema(
                conn, "pg_trgm"
            )
        engine.dispose()
