"""a name typed in two Unicode spellings is one name; so is a tag

"Café" typed with é (U+00E9), and "Café" typed with e and a combining accent (U+0301, as
macOS file names, some keyboards and some exports give it), look the same and are, by
Unicode, one text; ``name_key`` and ``title_key`` held each as it came, so they were two
companies with one name, ``contact show "Café Müller"`` missed the contact typed the other
way, and a tag typed both ways was two tags. ``validate.key`` now makes the key of one
spelling (NFC of the casefolded NFD), and a tag is kept in NFC; the keys and tags of rows
made before are made again here, where they change (text that is not ASCII only).

Nothing is merged or dropped that holds anything: where two records with unique names
(two companies, two products, …) now have one key, the first keeps the new key and the
other its old one, so both stay as they were, found by id, for ``merge`` to join if the
user wishes. A tag on one record in both spellings is one tag: the second row goes.
The downgrade leaves the keys as they are: older code compares them as it did.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 21:20:00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000

# (table, key column, text column, the columns the key is unique within, or None)
KEYS = (
    ("company", "name_key", "name", ()),
    ("campaign", "name_key", "name", ()),
    ("pipeline", "name_key", "name", ()),
    ("product", "name_key", "name", ()),
    ("score_rule", "name_key", "name", ()),
    ("segment", "name_key", "name", ()),
    ("sequence", "name_key", "name", ()),
    ("stage", "name_key", "name", ("pipeline_id",)),
    ("contact", "name_key", "name", None),
    ("deal", "title_key", "title", None),
)


def _key(text: str) -> str:
    """``validate.key`` as of this revision (a copy: later changes to it are theirs)."""
    if text.isascii():
        return " ".join(text.split()).casefold()
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())
    return " ".join(text.split())


def _keys(conn: Any, name: str, key: str, source: str, within: tuple[str, ...] | None) -> None:
    columns = ("id", key, source, *(within or ()))
    table = sa.table(name, *(sa.column(c) for c in columns))
    rows = conn.execute(sa.select(*table.c).order_by(table.c.id)).mappings().all()
    taken = {(tuple(r[c] for c in within), r[key]) for r in rows} if within is not None else set()
    changed = []
    for row in rows:
        text = row[source] or ""
        if text.isascii() or (new := _key(text)) == row[key]:
            continue
        if within is not None:
            place = (tuple(row[c] for c in within), new)
            if place in taken:  # another record has the name: this one keeps its old key
                continue
            taken.add(place)
        changed.append({"rid": row["id"], "key": new})
    update = (
        table.update().where(table.c.id == sa.bindparam("rid")).values({key: sa.bindparam("key")})
    )
    for start in range(0, len(changed), CHUNK):
        conn.execute(update, changed[start : start + CHUNK])


def _tags(conn: Any) -> None:
    tag = sa.table("tag", *(sa.column(c) for c in ("id", "entity", "entity_id", "name")))
    rows = conn.execute(sa.select(*tag.c).order_by(tag.c.id)).mappings().all()
    held = {(r["entity"], r["entity_id"], r["name"]) for r in rows}
    renamed, twice = [], []
    for row in rows:
        name = row["name"] or ""
        if name.isascii() or (new := unicodedata.normalize("NFC", name)) == name:
            continue
        place = (row["entity"], row["entity_id"], new)
        if place in held:  # the record has the tag in the other spelling already
            twice.append(row["id"])
        else:
            held.add(place)
            renamed.append({"rid": row["id"], "new": new})
    update = tag.update().where(tag.c.id == sa.bindparam("rid")).values(name=sa.bindparam("new"))
    for start in range(0, len(renamed), CHUNK):
        conn.execute(update, renamed[start : start + CHUNK])
    for start in range(0, len(twice), CHUNK):
        conn.execute(tag.delete().where(tag.c.id.in_(twice[start : start + CHUNK])))


def upgrade() -> None:
    conn = op.get_bind()
    present = set(sa.inspect(conn).get_table_names())
    for name, key, source, within in KEYS:
        if name in present:
            _keys(conn, name, key, source, within)
    _tags(conn)


def downgrade() -> None:
    """The keys stay as they are: a key of one spelling is still a key older code finds
    the name by when it is typed that way."""
