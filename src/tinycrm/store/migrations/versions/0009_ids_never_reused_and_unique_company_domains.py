"""ids never reused; a company domain belongs to one company

Ids: SQLite gives a new row the highest id + 1, so after the newest contact was
deleted or merged away the next one got its id, and ``contact show 4`` showed a
different person than last week. The tables whose ids people see (company,
contact, pipeline, stage, deal, activity, campaign, segment, sequence,
score_rule, import_batch) are rebuilt with ``AUTOINCREMENT`` (SQLite's
documented new table, copy, drop, rename), keeping every row and id and
recreating each index and trigger (the contact search triggers) from the
schema's own text. Their counters start above every id the database has ever
used, as far as it can tell: the rows, the event log, the import log and the ids
merged contacts still answer to, so an id deleted before this upgrade is not
handed out again either. PostgreSQL's sequences never went back; they are only
moved past those ids too, should a restore have set one back.

The rebuild runs with foreign keys off (``engine.upgrade`` turns them off before
its transaction): with them on, dropping the old contact table would delete or
unlink everything that refers to it. This migration refuses to run with them on.

Domains: stored domains are normalised as the store does now (lower case; no
scheme, ``www.``, path, port or trailing dot) and ``ix_company_domain`` becomes a
unique index. Where several companies had the same domain, the oldest (lowest
id) keeps it; the others lose it, and the domain is kept in their custom field
``duplicate_domain`` and named in an event ("domain acme.de moved to field
duplicate_domain: Acme GmbH (#3) has it"), so nothing is lost and ``company
show`` says what happened. A downgrade keeps the domains where they are now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import tinycrm.store.types
from tinycrm.store.types import utcnow

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables with ids people see and type; each is also the entity name events use.
TABLES = (
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
DUPLICATE_FIELD = "duplicate_domain"
ACTOR = "tinycrm upgrade"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _refuse_with_foreign_keys_on(bind)
        for name in TABLES:
            _rebuild_sqlite(bind, name, autoincrement=True)
        for name in TABLES:
            _sqlite_counter_at_least(bind, name, _highest_id_ever(bind, name))
    elif bind.dialect.name == "postgresql":
        for name in TABLES:
            _pg_sequence_at_least(bind, name, _highest_id_ever(bind, name))
    _normalise_domains(bind)
    op.drop_index("ix_company_domain", table_name="company")
    op.create_index("ix_company_domain", "company", ["domain"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_company_domain", table_name="company")
    op.create_index("ix_company_domain", "company", ["domain"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _refuse_with_foreign_keys_on(bind)
        for name in TABLES:
            _rebuild_sqlite(bind, name, autoincrement=False)


# --------------------------------------------------------------------------- SQLite rebuild

_ID_COLUMN = re.compile(r"([(,]\s*)(\"?id\"?\s+INTEGER\s+NOT\s+NULL)(\s*,)", re.IGNORECASE)
_TABLE_PK = re.compile(r",\s*PRIMARY\s+KEY\s*\(\s*\"?id\"?\s*\)", re.IGNORECASE)
_AUTOINCREMENT = re.compile(r"\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.IGNORECASE)
_CREATE = re.compile(r"^\s*CREATE\s+TABLE\s+(\"[^\"]+\"|\S+)\s*\(", re.IGNORECASE)


def _refuse_with_foreign_keys_on(bind: Any) -> None:
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0009 rebuilds tables and must run with foreign keys off "
            "(dropping a table would delete the rows that refer to it)"
        )


def _create_sql(create: str, name: str, *, autoincrement: bool) -> str:
    """``create`` (the table's CREATE TABLE) for a copy named ``_new_NAME``, its id with or
    without AUTOINCREMENT; everything else (types, defaults, constraints) as it was."""
    if autoincrement:
        if _AUTOINCREMENT.search(create):
            new = create  # already (a database made by a later tinycrm and downgraded?)
        else:
            new, ids = _ID_COLUMN.subn(r"\1\2 PRIMARY KEY AUTOINCREMENT\3", create, count=1)
            new, pks = _TABLE_PK.subn("", new)
            if ids != 1 or pks != 1:
                raise RuntimeError(f"cannot read the schema of table {name}: {create!r}")
    else:
        new = _AUTOINCREMENT.sub(" PRIMARY KEY", create)
    return _CREATE.sub(f"CREATE TABLE _new_{name} (", new, count=1)


def _rebuild_sqlite(bind: Any, name: str, *, autoincrement: bool) -> None:
    """SQLite's own recipe for a change ALTER TABLE cannot make: a new table, the rows
    copied with their ids, the old one dropped, the new one renamed; then the indexes and
    triggers of the old table made again from their own SQL (partial ones included)."""
    objects = bind.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY type = 'trigger', rowid",
        (name,),
    ).fetchall()
    create = next(sql for kind, obj, sql in objects if kind == "table" and obj == name)
    later = [sql for kind, _obj, sql in objects if kind in ("index", "trigger")]
    count = bind.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar()
    bind.exec_driver_sql(_create_sql(create, name, autoincrement=autoincrement))
    bind.exec_driver_sql(f"INSERT INTO _new_{name} SELECT * FROM {name}")
    copied = bind.exec_driver_sql(f"SELECT count(*) FROM _new_{name}").scalar()
    if copied != count:
        raise RuntimeError(f"copying table {name} kept {copied} of {count} rows")
    bind.exec_driver_sql(f"DROP TABLE {name}")
    # Legacy renaming leaves the other tables' references (to the old name, which the new
    # table takes over) alone and does not re-check triggers that name this table.
    bind.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        bind.exec_driver_sql(f"ALTER TABLE _new_{name} RENAME TO {name}")
    finally:
        bind.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
    for sql in later:
        bind.exec_driver_sql(sql)
    if not autoincrement:
        bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))


def _sqlite_counter_at_least(bind: Any, name: str, highest: int) -> None:
    current = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (name,)
    ).scalar()
    if current is None:
        if highest:
            bind.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, highest)
            )
    elif current < highest:
        bind.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (highest, name))


def _pg_sequence_at_least(bind: Any, name: str, highest: int) -> None:
    if highest:
        bind.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                "GREATEST(:n, COALESCE(pg_sequence_last_value(pg_get_serial_sequence(:t, 'id')), "
                "0)))"
            ),
            {"t": name, "n": highest},
        )


def _highest_id_ever(bind: Any, name: str) -> int:
    """The highest id ``name`` has used as far as the database remembers: its rows, the
    event log and the import log (deleted records), merged contacts' old ids."""
    found = [
        bind.execute(sa.text(f"SELECT MAX(id) FROM {name}")).scalar(),
        bind.execute(
            sa.text("SELECT MAX(entity_id) FROM event WHERE entity = :e"), {"e": name}
        ).scalar(),
        bind.execute(
            sa.text("SELECT MAX(entity_id) FROM import_change WHERE entity = :e"), {"e": name}
        ).scalar(),
    ]
    if name == "contact":
        found += [
            int(value)
            for (value,) in bind.execute(
                sa.text("SELECT value FROM contact_alias WHERE kind = 'id'")
            )
            if str(value).isdigit() and len(str(value)) < 19
        ]
    return max((int(n) for n in found if n is not None), default=0)


# --------------------------------------------------------------------------- domains

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normal_domain(value: str | None) -> str | None:
    """A domain as the store keeps it (a copy of ``validate.domain``'s cleaning, without
    its refusals: this keeps whatever a user stored)."""
    clean = _SCHEME.sub("", (value or "").strip().lower())
    clean = re.split(r"[/?#]", clean, maxsplit=1)[0]
    clean = re.sub(r":\d*$", "", clean).rstrip(".").removeprefix("www.")
    return clean or None


def _normalise_domains(bind: Any) -> None:
    company = sa.table(
        "company",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("domain", sa.String),
    )
    field = sa.table(
        "field_value",
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("value", sa.String),
    )
    event = sa.table(
        "event",
        sa.column("at", tinycrm.store.types.UTCDateTime()),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("summary", sa.String),
    )
    owners: dict[str, tuple[int, str]] = {}
    rows = bind.execute(
        sa.select(company.c.id, company.c.name, company.c.domain)
        .where(company.c.domain.is_not(None))
        .order_by(company.c.id)
    ).all()
    for cid, name, stored in rows:
        domain = normal_domain(stored)
        holder = owners.get(domain) if domain else None
        if domain and holder is None:
            owners[domain] = (cid, name)
            if domain != stored:
                bind.execute(company.update().where(company.c.id == cid).values(domain=domain))
            continue
        bind.execute(company.update().where(company.c.id == cid).values(domain=None))
        if holder is None:
            continue  # a blank domain: nothing to keep
        taken = {
            key
            for (key,) in bind.execute(
                sa.select(field.c.key).where(field.c.entity == "company", field.c.entity_id == cid)
            )
        }
        key, n = DUPLICATE_FIELD, 1
        while key in taken:
            n += 1
            key = f"{DUPLICATE_FIELD}_{n}"
        bind.execute(field.insert().values(entity="company", entity_id=cid, key=key, value=stored))
        bind.execute(
            event.insert().values(
                at=utcnow(),
                actor=ACTOR,
                action="updated",
                entity="company",
                entity_id=cid,
                summary=(
                    f"domain {domain} of company {name} moved to field {key}: "
                    f"{holder[1]} (#{holder[0]}) has it"
                ),
            )
        )
