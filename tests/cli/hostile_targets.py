"""The databases the hostile suite runs its cases against: SQLite and PostgreSQL.

A target hands each case the seeded database fresh (``fresh``) and says afterwards
whether the case left it as it was (``digest``):

- SQLite: a copy of the seeded file per case, compared by ``iterdump`` (unless not a
  byte of it changed, as for most refusals).
- PostgreSQL: one schema per test process (xdist worker), seeded once, with a copy of
  every table kept in a snapshot schema beside it. A case that changed a row or moved a
  sequence is followed by a reset from the snapshot (DELETE, then INSERT … SELECT in
  foreign-key order, then the sequences set back); most cases fail and change nothing,
  so most cases cost one digest query. The digest hashes every table's rows (as text,
  sorted) in one query; sequences are compared apart: a refused INSERT may draw an id
  (PostgreSQL's sequences do not roll back), which is not a change to the data.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def sqlite_digest(db: Path) -> str:
    """A SQLite database's contents as SQL text (iterdump), hashed."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        text = "\n".join(con.iterdump())
    finally:
        con.close()
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class SqliteTarget:
    backend = "sqlite"
    task = ""  # the seeded open task's id
    last_case = ""  # the id of the case that ran last (PostgreSQL names it when it leaks)

    def __init__(self, seed_db: Path) -> None:
        self.seed_db = seed_db
        self.seed_bytes = seed_db.read_bytes()
        self.seed_digest = sqlite_digest(seed_db)

    def fresh(self, folder: Path) -> str:
        """The seeded database for one case (a copy in ``folder``): TINYCRM_DB's value."""
        db = folder / "tinycrm.db"
        shutil.copy(self.seed_db, db)
        return str(db)

    def the_database_file(self, folder: Path) -> str:
        return str(folder / "tinycrm.db")

    def unchanged(self, folder: Path) -> str | None:
        """None when the case left the database as seeded, else what is wrong."""
        db = folder / "tinycrm.db"
        if not db.exists():
            return "the database is gone"
        wal = db.with_name(db.name + "-wal")
        if db.read_bytes() == self.seed_bytes and not (wal.exists() and wal.stat().st_size):
            return None  # not a byte changed (the usual refusal): no need to read it
        return None if sqlite_digest(db) == self.seed_digest else "the database changed"


class PostgresTarget:
    backend = "postgresql"
    task = ""

    def __init__(self, url: str, engine: Any, snapshot: str, sqlite_seed: Path) -> None:
        self.url = url
        self.engine = engine
        self.snapshot = snapshot
        self.sqlite_seed = sqlite_seed
        self.tables = tables_of(engine)
        self.seed_state = self._state()
        self.seed_sequences = [
            (name[len("sequence:") :], None if n < 0 else n)
            for name, n, _ in self.seed_state
            if name.startswith("sequence:")
        ]
        self.last_case = ""
        # The state ``unchanged`` read after the last case, when nothing has run since:
        # ``fresh`` takes it instead of reading it again (one query a case, not two).
        self.checked: list[tuple[str, int, str]] | None = None

    def fresh(self, folder: Path) -> str:
        """The seeded schema, reset first if the last case changed it: TINYCRM_DB's value."""
        state, self.checked = self.checked or self._state(), None
        if state != self.seed_state:
            self._reset()
            wrong = self._differences(("table:", "sequence:", "(schema)"))
            assert wrong is None, (
                f"the reset did not bring the seed back after {self.last_case!r}: {wrong}"
            )
        return self.url

    def the_database_file(self, folder: Path) -> str:
        """ "The database itself" where a case names a file: PostgreSQL has none, so a
        SQLite copy of the seed (a real database file that is not the one in use)."""
        db = folder / "tinycrm.db"
        if not db.exists():
            shutil.copy(self.sqlite_seed, db)
        return str(db)

    def unchanged(self, folder: Path) -> str | None:
        """None when every row and the schema itself are as seeded (a refused insert
        may still have drawn an id: PostgreSQL's sequences do not roll back)."""
        self.checked = self._state()
        return self._differences(("table:", "(schema)"), self.checked)

    # --------------------------------------------------------------------------------

    def _differences(
        self, kinds: tuple[str, ...], state: list[tuple[str, int, str]] | None = None
    ) -> str | None:
        """None when the parts of the state named by ``kinds`` are as seeded, else which
        are not."""
        state = self._state() if state is None else state
        seed = {t: (n, h) for t, n, h in self.seed_state if t.startswith(kinds)}
        now = {t: (n, h) for t, n, h in state if t.startswith(kinds)}
        if now == seed:
            return None
        changed = [
            f"{t} ({seed.get(t, (0,))[0]} -> {now.get(t, (0,))[0]})"
            for t in sorted(set(seed) | set(now))
            if seed.get(t) != now.get(t)
        ]
        return "the database changed: " + ", ".join(changed)

    def _state(self) -> list[tuple[str, int, str]]:
        """In one query: each table's row count and a hash of its rows (as text, sorted),
        each sequence's last value (-1: never drawn), and a hash of the schema's columns,
        indexes, constraints, triggers and Alembic revision (what a reset cannot undo)."""
        from sqlalchemy import text

        parts = [
            f"SELECT 'table:{t}' AS t, count(*) AS n, "
            f"md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS h "
            f'FROM "{t}" r'
            for t in self.tables
        ]
        parts.append(
            "SELECT 'sequence:' || sequencename, coalesce(last_value, -1), '' "
            "FROM pg_sequences WHERE schemaname = current_schema()"
        )
        parts.append(
            "SELECT '(schema)', count(*), md5(string_agg(x, E'\\n' ORDER BY x)) FROM ("
            "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, "
            "a.atttypmod) || ' ' || a.attnotnull AS x FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 "
            "AND NOT a.attisdropped "
            "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace "
            "UNION ALL SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace "
            "UNION ALL SELECT 'alembic ' || version_num FROM alembic_version) AS ddl"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(text(" UNION ALL ".join(parts))).all()
        return sorted((t, n, h) for t, n, h in rows)

    def _reset(self) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            # Triggers off while the rows go back: the copy already holds what they made
            # (the search index's rows), and firing them would make those rows twice.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in self.tables:  # DELETE: TRUNCATE makes every table new files
                conn.execute(text(f'DELETE FROM "{table}"'))
            for table in self.tables:  # parents first
                conn.execute(
                    text(
                        f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE '
                        f'SELECT * FROM "{self.snapshot}"."{table}"'
                    )
                )
            for name, value in self.seed_sequences:
                if value is None:  # never drawn: back to its start
                    conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
                else:
                    conn.execute(text("SELECT setval(:s, :v)"), {"s": f'"{name}"', "v": value})


def tables_of(engine: Any) -> list[str]:
    """The schema's tables, parents before children (SQLModel's order; any table the
    models do not know, e.g. one a newer migration made, after them)."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import tinycrm.store.all_tables  # noqa: F401  (every table in the metadata)

    with engine.connect() as conn:
        present = set(
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
        )
    ordered = [t.name for t in SQLModel.metadata.sorted_tables if t.name in present]
    return ordered + sorted(present - set(ordered))


@contextmanager
def snapshot_schema(engine: Any, tables: list[str]) -> Iterator[str]:
    """A copy of every table of the current schema in a schema of its own (dropped after)."""
    from sqlalchemy import text

    name = f"tinycrm_snap_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
        for table in tables:
            conn.execute(text(f'CREATE TABLE "{name}"."{table}" AS SELECT * FROM "{table}"'))
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
