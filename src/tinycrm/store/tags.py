"""Tags and custom fields across records: which are in use, and how often.

Setting and removing them happens through each noun's add and edit functions.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from tinycrm.store import validate
from tinycrm.store.code_points import code_points
from tinycrm.store.engine import Store
from tinycrm.store.models import FieldValue, ReadModel, Tag

TAGGABLE = ("company", "contact", "deal")


class TagCount(ReadModel):
    entity: str
    name: str
    count: int


class FieldKeyCount(ReadModel):
    entity: str
    key: str
    count: int


def record_kind(entity: str | None) -> str | None:
    return validate.choice(entity, TAGGABLE, "record kind") if entity else None


def list_tags(store: Store, *, entity: str | None = None) -> list[TagCount]:
    """Every tag in use, per kind of record, with how many records carry it."""
    kind = record_kind(entity)
    with store.read() as session:
        query = select(col(Tag.entity), col(Tag.name), func.count()).group_by(
            col(Tag.entity), col(Tag.name)
        )
        if kind:
            query = query.where(col(Tag.entity) == kind)
        rows = session.execute(query.order_by(Tag.entity, code_points(Tag.name))).all()
        return [TagCount(entity=e, name=n, count=c) for e, n, c in rows]


def list_field_keys(store: Store, *, entity: str | None = None) -> list[FieldKeyCount]:
    """Every custom field name in use, per kind of record, with how many records set it."""
    kind = record_kind(entity)
    with store.read() as session:
        query = select(col(FieldValue.entity), col(FieldValue.key), func.count()).group_by(
            col(FieldValue.entity), col(FieldValue.key)
        )
        if kind:
            query = query.where(col(FieldValue.entity) == kind)
        rows = session.execute(query.order_by(FieldValue.entity, code_points(FieldValue.key))).all()
        return [FieldKeyCount(entity=e, key=k, count=c) for e, k, c in rows]


def tags_not_carried(store: Store, names: list[str], entity: str) -> list[tuple[str, str | None]]:
    """Of the tags ``names`` (as a list's ``--tag`` takes them), those no ``entity``
    record carries, each with the nearest tag one does carry (None when none is near):
    what an empty list by a mistyped tag says."""
    import difflib

    kind = record_kind(entity)
    wanted = validate.tags(names)
    with store.read() as session:
        query = select(col(Tag.name)).where(col(Tag.entity) == kind).distinct()
        in_use = sorted(session.scalars(query))
    carried = set(in_use)
    return [
        (name, next(iter(difflib.get_close_matches(name, in_use, n=1)), None))
        for name in wanted
        if name not in carried
    ]
