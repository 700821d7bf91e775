"""``crm.segments`` and ``crm.tags``: saved filters, and the tags and fields in use."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.segments import SegmentRead
    from tinycrm.store.tag_renames import TagChange
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
    """The tags and custom field keys in use (``tinycrm tag list``, ``field list``); a tag
    renamed or removed on every record (``tag rename``, ``tag rm``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, *, entity: str | None = None) -> list[TagCount]:
        """Tags with how many records carry each (of ``entity`` only, when given)."""
        from tinycrm.store.tags import list_tags

        return list_tags(self._store, entity=entity)

    def not_carried(
        self, names: builtins.list[str], *, entity: str
    ) -> builtins.list[tuple[str, str | None]]:
        """Of the tags ``names``, those no ``entity`` record carries, each with the
        nearest tag one carries (or None): a list by a mistyped tag says so."""
        from tinycrm.store.tags import tags_not_carried

        return tags_not_carried(self._store, names, entity)

    def fields(self, *, entity: str | None = None) -> builtins.list[FieldKeyCount]:
        """Custom field keys with how many records set each."""
        from tinycrm.store.tags import list_field_keys

        return list_field_keys(self._store, entity=entity)

    def rename(self, old: str, new: str, *, entity: str | None = None) -> TagChange:
        """Every record carrying tag ``old`` (of ``entity`` only, when given) carries ``new``
        instead; saved segments and scoring rules testing ``old`` are rewritten to ``new``
        (see :func:`tinycrm.store.tag_renames.rename_tag` for ``entity``)."""
        from tinycrm.store.tag_renames import rename_tag

        return rename_tag(self._store, old, new, entity=entity)

    def remove(self, name: str, *, entity: str | None = None, dry_run: bool = False) -> TagChange:
        """Take tag ``name`` off every record carrying it (of ``entity`` only, when given);
        ``still_named_by`` lists the segments and scoring rules that still test it.
        ``dry_run``: only say how many records carry it."""
        from tinycrm.store.tag_renames import remove_tag

        return remove_tag(self._store, name, entity=entity, dry_run=dry_run)
