"""Giving a store opened in a test what a config file says, as ``tinycrm.open`` gives it
(``tinycrm.api.settings.store_settings``): the store reads no config file itself."""

from __future__ import annotations

from pathlib import Path

from tinycrm.api.settings import store_settings
from tinycrm.config import Config, load_config_lenient
from tinycrm.store.engine import Store


def follow_config(store: Store, path: Path) -> None:
    """``store`` follows the config file at ``path`` as it is now (a broken one: its
    error, which the writes that need it refuse with)."""
    store.given = store_settings(load_config_lenient(path))


def use_config(store: Store, config: Config) -> None:
    """``store`` follows ``config`` (``tinycrm.config.parse_config``), as a ``Crm`` opened
    with ``tinycrm.open(config=config)`` gives it."""
    store.given = store_settings(config)
