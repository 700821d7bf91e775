"""The config file read for the store: ``store_settings`` makes the values the store's
own rules follow (``tinycrm.store.settings.StoreSettings``) from a ``Config``, which
``tinycrm.open`` hands to ``open_store``. The store reads no config file itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.store.settings import StoreSettings


def store_settings(config: Config) -> StoreSettings:
    """What the store follows of ``config``: the automation rules, ``[scoring]``'s
    thresholds and ``[support]`` (as the file sets it; None: the defaults, made when a
    case needs them); a broken file its error, which a write that needs them refuses with."""
    from tinycrm.store.settings import StoreSettings

    if config.error:
        return StoreSettings(error=config.error)
    return StoreSettings(
        rules=config.rules,
        score_hot=config.score_hot,
        score_cold=config.score_cold,
        support=config.support_table,
    )
