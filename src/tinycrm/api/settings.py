"""The config file, read above the store: ``store_settings`` makes the values the store's
own rules follow (``tinycrm.store.settings.StoreSettings``) from a ``Config``, which
``tinycrm.open`` hands to ``open_store``; ``hook_settings`` what the hooks and webhooks of
each write follow; ``usable`` the config a noun reads (``crm.quotes``, ``crm.mail``, …).
The store reads no config file itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.store.commits import HookSettings
    from tinycrm.store.settings import StoreSettings


def usable(config: Config | None) -> Config:
    """``config`` (what a ``Crm`` was opened with), or without one the config file as it
    is now; ``ConfigError`` with the file's mistake when it is broken."""
    from tinycrm.config import ConfigError, current_config

    if config is None:
        return current_config()
    if config.error:
        raise ConfigError(config.error)
    return config


def store_settings(config: Config) -> StoreSettings:
    """What the store follows of ``config``: the automation rules, ``[scoring]``'s
    thresholds, ``[phone] region`` and ``[support]`` (as the file sets it; None: the
    defaults, made when a case needs them); a broken file its error, which a write that
    needs them refuses with."""
    from tinycrm.store.settings import StoreSettings

    if config.error:
        return StoreSettings(error=config.error)
    return StoreSettings(
        rules=config.rules,
        score_hot=config.score_hot,
        score_cold=config.score_cold,
        phone_region=config.phone_region,
        support=config.support_table,
    )


def hook_settings(config: Config | None) -> Callable[[], HookSettings]:
    """What the hooks and webhooks of each write follow (``store.commits.install``):
    ``config``'s hooks folder, ``[hooks] timeout`` and ``[[webhooks]]``; without a
    config, the config file as it is when each write opens (a broken one: its error)."""
    if config is not None:
        made = _hooks_of(config)
        return lambda: made

    def now() -> HookSettings:
        from tinycrm.config import Config, ConfigError, config_path, current_config

        try:
            found = current_config()
        except ConfigError as exc:
            found = Config(path=config_path(), exists=True, error=str(exc))
        return _hooks_of(found)

    return now


def _hooks_of(config: Config) -> HookSettings:
    from tinycrm import hooks
    from tinycrm.store.commits import HookSettings

    return HookSettings(
        hooks_dir=hooks.hooks_dir(config.path),
        timeout=config.hook_timeout,
        endpoints=config.webhooks,
        error=config.error,
    )
