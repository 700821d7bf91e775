"""``--db`` URLs as people type them: the scheme in any case."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ..conftest import PG_URL, _reset_pg


@pytest.mark.parametrize("scheme", ["SQLITE", "Sqlite", "SQLite+PySQLite", "sqlite"])
def test_a_sqlite_url_scheme_is_read_in_any_case(cli, tmp_path: Path, scheme: str) -> None:
    """'--db SQLITE:///path' said 'tinycrm works with SQLite and PostgreSQL, not SQLITE'
    (a URL's scheme is case-insensitive, RFC 3986); now it is the file at that path."""
    db = tmp_path / "crm.db"
    url = f"{scheme}:///{db}"
    added = cli("--db", url, "contact", "add", "Ada Lovelace")
    assert added.exit_code == 0, added.stderr
    assert cli("--db", url, "db", "path").stdout.strip() == str(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM contact").fetchall() == [("Ada Lovelace",)]
    backup = cli("--db", url, "db", "backup", str(tmp_path / "copy.db"))
    assert backup.exit_code == 0, backup.stderr
    # a database in memory is still refused, in capitals too
    refused = cli("--db", f"{scheme}://", "contact", "list")
    assert refused.exit_code == 2 and "gone when this command ends" in refused.stderr


@pytest.mark.parametrize("scheme", ["Postgres", "POSTGRES+psycopg"])
def test_libpqs_spelling_in_capitals_gets_the_same_hint(cli, scheme: str) -> None:
    result = cli("--db", f"{scheme}://me:s3cret@db.example.com/crm", "contact", "list")
    assert result.exit_code == 1
    assert result.stderr == "Error: write a PostgreSQL URL as postgresql://…, not postgres://…\n"


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
@pytest.mark.parametrize("scheme", ["PostgreSQL+psycopg", "POSTGRESQL+PSYCOPG"])
def test_a_postgresql_url_scheme_is_read_in_any_case(cli, request, scheme: str) -> None:
    url = request.getfixturevalue("pg_schema_url")
    _reset_pg(url)
    typed = scheme + url[url.index("://") :]
    added = cli("--db", typed, "contact", "add", "Ada Lovelace")
    assert added.exit_code == 0, added.stderr
    listed = cli("--db", url, "contact", "list", "--json")
    assert [c["name"] for c in listed.json()] == ["Ada Lovelace"]
    assert cli("--db", typed, "db", "path").stdout.strip().startswith("postgresql+psycopg://")
