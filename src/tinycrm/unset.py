"""``UNSET``: "leave it as it is", the default of every edit parameter.

An edit takes each field typed as what it may become, or ``Unset``::

    def edit_contact(store, ref, *, name: str | Unset = UNSET,
                     owner: str | None | Unset = UNSET, ...) -> ContactRead: ...

``crm.contacts.edit("ada", owner=None)`` clears the owner; leaving ``owner`` out keeps
it; ``name=None`` is a type error (a contact always has a name). ``is_set`` narrows
the type for the checker.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, TypeGuard, TypeVar

T = TypeVar("T")


class Unset(Enum):
    """The type of ``UNSET`` (an enum of one, so type checkers can narrow on it)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
"""Default of edit parameters: "leave as it is". ``None`` (or "") clears a value."""


def is_set(value: T | Unset) -> TypeGuard[T]:
    """Whether an edit parameter was given (it is not ``UNSET``); narrows its type."""
    return value is not UNSET
