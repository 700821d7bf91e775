"""tinycrm: a terminal-first CRM for solo founders and small teams.

The public Python API::

    import tinycrm

    with tinycrm.open("crm.db") as crm:
        ada = crm.contacts.add("Ada Lovelace", email="ada@example.com")
        crm.log("call", "ada@example.com", "Discussed the order")

``open()`` returns a ``Crm`` (see ``tinycrm.api``); every refusal is a
``TinyCrmError``. Importing this package stays light: the store (SQLAlchemy,
SQLModel) loads on the first ``open()``.
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING

from tinycrm.errors import Ambiguous, Conflict, Invalid, NotFound, TinyCrmError, Unavailable
from tinycrm.unset import UNSET, Unset

if TYPE_CHECKING:
    from collections.abc import Callable

    from tinycrm.api import Crm
    from tinycrm.api.database import UpgradeNotice
    from tinycrm.config import Config

from tinycrm.version import __version__


def open(
    db: str | PathLike[str] | None = None,
    *,
    user: str | None = None,
    config: Config | str | PathLike[str] | None = None,
    migrate: bool = True,
    on_upgrade: Callable[[UpgradeNotice], None] | None = None,
) -> Crm:
    """Open a tinycrm database: a file path or a SQLAlchemy URL (default: the user's own).

    ``config``: a ``tinycrm.config.Config`` or the path of a config file (default: the
    user's config file, read once now). ``on_upgrade``: called before and after an
    existing database is upgraded (see ``tinycrm.api.open_crm``). See ``tinycrm.api.Crm``
    for what it holds; use it as a context manager.
    """
    from tinycrm.api import open_crm

    return open_crm(db, user=user, config=config, migrate=migrate, on_upgrade=on_upgrade)


def __getattr__(name: str) -> object:
    if name == "Crm":
        from tinycrm.api import Crm

        return Crm
    raise AttributeError(f"module 'tinycrm' has no attribute {name!r}")


__all__ = [
    "UNSET",
    "Ambiguous",
    "Conflict",
    "Crm",
    "Invalid",
    "NotFound",
    "TinyCrmError",
    "Unavailable",
    "Unset",
    "__version__",
    "open",
]
