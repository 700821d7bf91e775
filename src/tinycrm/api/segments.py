"""``crm.segments`` and ``crm.tags``: saved filters, and the tags and fields in use."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.segments import SegmentRead
    from tinycrm.store.tags import FieldKeyCount, TagCount


class Segments:
    """Saved filters, usable as ``segment=`` in every list (``tinycrm segment``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, name: str, expression: str) -> SegmentRead:
        """Save ``expression`` (the filter language of ``--where``) under ``name``."""
        from tinycrm.store.segments import save_segment

        return save_segment(self._store, name=name, expression=expression)

    def list(self) -> list[SegmentRead]:
        """Every saved segment."""
        from tinycrm.store.segments import list_segments

        return list_segments(self._store)

    def get(self, ref: str | int, *, count: bool = True) -> SegmentRead:
        """One segment, with how many records of each kind match it now."""
        from tinycrm.store.segments import get_segment

        return get_segment(self._store, ref, count=count)

    def remove(self, ref: str | int) -> SegmentRead:
        """Delete a saved segment."""
        from tinycrm.store.segments import remove_segment

        return remove_segment(self._store, ref)


class Tags:
    """The tags and custom field keys in use (``tinycrm tag list``, ``field list``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, *, entity: str | None = None) -> list[TagCount]:
        """Tags with how many records carry each (of ``entity`` only, when given)."""
        from tinycrm.store.tags import list_tags

        return list_tags(self._store, entity=entity)

    def fields(self, *, entity: str | None = None) -> builtins.list[FieldKeyCount]:
        """Custom field keys with how many records set each."""
        from tinycrm.store.tags import list_field_keys

        return list_field_keys(self._store, entity=entity)
