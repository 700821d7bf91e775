"""tinycrm's public Python API: ``tinycrm.open()`` returns a ``Crm``.

The nouns of the command line are attributes of the ``Crm`` (``crm.contacts``,
``crm.deals``, ``crm.tasks``, …), with the same verbs (``add``, ``list``, ``get``,
``show``, ``edit``, ``remove``, ``move``, ``win``, …). Results are the store's
frozen read models (by name in ``tinycrm.api.models``); ``.model_dump(mode="json")``
gives the keys ``--json`` prints.
Every write records its event, and runs its rules, in the same transaction,
exactly as the command line does.
"""

from __future__ import annotations

from tinycrm.api.crm import Crm, open_crm

__all__ = ["Crm", "open_crm"]
