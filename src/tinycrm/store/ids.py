"""Ids are never handed out twice: ``contact show 4`` names the same person for ever.

The tables whose ids people see are SQLite ``AUTOINCREMENT`` tables (migration 0009),
whose counter, ``sqlite_sequence``, only grows; PostgreSQL's sequences only grow too.
What writes ids itself (the bulk writer of imports, a restore) goes through here, so it
starts above the counter, and leaves the counter above every id the database remembers.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# The tables with ids people see and type; each is also the entity name events use.
ID_TABLES = (
    "company",
    "contact",
    "pipeline",
    "stage",
    "deal",
    "activity",
    "campaign",
    "segment",
    "sequence",
    "score_rule",
    "import_batch",
)


def last_id(conn: Connection, table: str) -> int:
    """The highest id ``table`` has handed out: its rows, else its counter (deleted rows)."""
    highest = conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar() or 0
    if conn.dialect.name == "sqlite" and table in ID_TABLES:
        counter = conn.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}
        ).scalar()
        highest = max(highest, int(counter or 0))
    return int(highest)


def remembered_id(conn: Connection, table: str) -> int:
    """The highest id of ``table`` the database remembers: its rows, the event log and the
    import log (records since deleted), and the old ids merged contacts answer to."""
    found = [
        conn.execute(text(f"SELECT MAX(id) FROM {table}")).scalar(),
        conn.execute(
            text("SELECT MAX(entity_id) FROM event WHERE entity = :e"), {"e": table}
        ).scalar(),
        conn.execute(
            text("SELECT MAX(entity_id) FROM import_change WHERE entity = :e"), {"e": table}
        ).scalar(),
    ]
    if table == "contact":
        found += [
            int(value)
            for (value,) in conn.execute(text("SELECT value FROM contact_alias WHERE kind = 'id'"))
            if str(value).isdigit() and len(str(value)) < 19
        ]
    return max((int(n) for n in found if n is not None), default=0)


def keep_ids_unused(conn: Connection) -> None:
    """Move every id counter past the ids the database remembers (after a restore, which
    writes ids itself and would otherwise leave a deleted record's id free)."""
    for table in ID_TABLES:
        highest = remembered_id(conn, table)
        if not highest:
            continue
        if conn.dialect.name == "sqlite":
            current = conn.execute(
                text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}
            ).scalar()
            if current is None:
                conn.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :n)"),
                    {"t": table, "n": highest},
                )
            elif current < highest:
                conn.execute(
                    text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t"),
                    {"t": table, "n": highest},
                )
        else:
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), GREATEST(:n, COALESCE("
                    "pg_sequence_last_value(pg_get_serial_sequence(:t, 'id')), 0)))"
                ),
                {"t": table, "n": highest},
            )
