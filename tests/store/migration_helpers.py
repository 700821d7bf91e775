"""What the migration tests share: an empty PostgreSQL schema to migrate, a database
whose collation is a language's, and the timestamp literal their raw rows are written with."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ..conftest import PG_URL

T = "'2024-01-02 03:04:05.000000'"
"""A timestamp as the rows of an old database hold it (SQL literal)."""


@contextmanager
def empty_pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of our own, empty (the migrations under test make its tables):
    its URL, ``search_path`` set to it; dropped on leaving."""
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


@contextmanager
def _own_database(prefix: str, options: str, *, needs: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of our own, ``CREATE DATABASE … TEMPLATE template0 {options}``:
    its URL, dropped on leaving. ``needs``: a query whose empty answer skips the test."""
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            if needs is not None and conn.execute(text(needs)).first() is None:
                pytest.skip(f"this PostgreSQL lacks what the test needs ({needs})")
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 {options}'))
        try:
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def language_collated_database(prefix: str) -> Iterator[str]:
    """A PostgreSQL database of our own whose default collation is a language's (ICU
    ``en-US``, as a server set up with ``en_US.UTF-8`` has), not the byte order of the
    test database: its URL, dropped on leaving. Skips when the server has no ICU (or is
    older than 15)."""
    with _own_database(
        prefix,
        "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        needs="SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu' "
        "AND current_setting('server_version_num')::int >= 150000",
    ) as url:
        yield url


@contextmanager
def encoded_database(prefix: str, encoding: str) -> Iterator[str]:
    """A PostgreSQL database of our own whose server encoding is ``encoding``
    (``SQL_ASCII``, ``LATIN1``: what an old server's ``initdb`` under a C locale made):
    its URL, dropped on leaving."""
    with _own_database(prefix, f"ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C'") as url:
        yield url
