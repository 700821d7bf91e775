"""tinycrm's public Python API: ``tinycrm.open()`` returns a ``Crm``.

The nouns of the command line are attributes of the ``Crm`` (``crm.contacts``,
``crm.deals``, ``crm.tasks``, …), with the same verbs (``add``, ``list``, ``get``,
``show``, ``edit``, ``remove``, ``move``, ``win``, …). Results are the store's
frozen read models (by name in ``tinycrm.api.models``); ``.model_dump(mode="json")``
gives the keys ``--json`` prints.
Every write records its event, and runs its rules, in the same transaction,
exactly as the command line does.

Every ``limit`` (of a list, a view, ``search``, ``feed``, ``next``, the board's pages)
follows one rule: ``None`` is every row, a whole number from 1 to 2**63 - 1 at most that
many; 0, a negative number, one past 64 bits, a bool, a float or text is ``Invalid``
(``field="limit"``). An ``offset`` is a whole number from 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.api.crm import Crm, open_crm

__all__ = ["Crm", "open_crm"]


def __getattr__(name: str) -> object:
    # Loaded on first use, so that a light submodule (``tinycrm.api.completion``,
    # ``tinycrm.api.models``) does not pull in the whole ``Crm`` and the store.
    if name in __all__:
        from tinycrm.api import crm

        return getattr(crm, name)
    raise AttributeError(f"module 'tinycrm.api' has no attribute {name!r}")
