"""Edits made elsewhere while a form was open: the record as stored now, and the
refusal to overwrite a value the user did not see change.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from tinycrm.errors import Conflict, NotFound


def stored_now(read: Callable[[int], Any], record_id: int, noun: str) -> Any:
    """The record an edit form saves to, as stored now (``read``: ``crm.deals.get`` and
    the like, in the write's transaction); one deleted elsewhere is said to be, by noun."""
    try:
        return read(record_id)
    except NotFound:
        raise NotFound(
            f"this {noun} was deleted elsewhere while the form was open; nothing was saved "
            "(esc leaves it)"
        ) from None


def _cut(value: str, limit: int = 60) -> str:
    """A value as a message quotes it: its first ``limit`` characters."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def refuse_unseen(
    before: Any,
    now: Any,
    changes: dict[str, Any],
    told: dict[str, object],
    shown: dict[str, Callable[[Any], object]],
) -> None:
    """Refuse an edit form's ``changes`` to a value changed elsewhere since the form
    opened with ``before`` (``now`` is the record in the write's transaction), unless the
    form has said so already (``told``, which this fills): a save overwrites nothing
    unseen, and a second save puts the form's values in."""
    clashes = {
        name: read(now)
        for name, read in shown.items()
        if name in changes and read(now) not in (read(before), told.get(name, read(before)))
    }
    if clashes:
        told.update(clashes)
        said = ", ".join(
            f"{name} ({'none' if value in (None, '') else _cut(str(value))})"
            for name, value in clashes.items()
        )
        raise Conflict(
            f"changed elsewhere while this form was open: {said}; save again to put yours in"
        )


def attributes(*names: str) -> dict[str, Callable[[Any], object]]:
    """What ``refuse_unseen`` compares for fields that show a record's attribute as is."""
    return {name: operator.attrgetter(name) for name in names}
