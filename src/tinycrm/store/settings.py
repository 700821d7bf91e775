"""``StoreSettings``: what the store's own rules follow, given to it as values when it is
opened (``open_store(given=…)``). The API layer reads the config file and makes them
(``tinycrm.api.settings.store_settings``); the store reads no config file.

A store opened without them follows the config file's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinycrm.automation_rules import Rule
from tinycrm.business_hours import SupportSettings
from tinycrm.store.errors import Invalid


@dataclass(frozen=True)
class StoreSettings:
    """``rules``: the automation rules (``[[rules]]``) run inside the store's writes;
    ``score_hot`` and ``score_cold``: ``[scoring]``'s thresholds (a lead scoring at
    least ``hot`` is hot, one below ``cold`` cold); ``support``: ``[support]``'s business
    hours and SLA targets the cases are timed by (None: Monday to Friday, 09:00-17:00 in
    the user's time zone, the default targets); ``phone_region``: ``[phone] region``, the
    country of numbers typed without ``+CC``. ``error``: why the config file cannot be
    used (a write that needs these refuses with it; reads still work)."""

    rules: tuple[Rule, ...] = ()
    score_hot: int = 10
    score_cold: int = 0
    phone_region: str | None = None
    support: SupportSettings | None = None
    error: str | None = None

    def support_settings(self) -> SupportSettings:
        """``support``, else the defaults in the user's time zone now; a broken config
        file is ``ConfigError`` with its mistake (as a case write says it)."""
        from tinycrm.config_lines import ConfigError

        if self.error is not None:
            raise ConfigError(self.error)
        if self.support is not None:
            return self.support
        from tinycrm.business_hours import default_support
        from tinycrm.dates import local_tz

        return default_support(local_tz())

    def usable(self) -> StoreSettings:
        """These settings, or ``Invalid`` with the config file's mistake when it is broken
        (the line every write that needs it says: ``ConfigError.refusal``)."""
        if self.error is not None:
            from tinycrm.config_lines import ConfigError

            raise Invalid(ConfigError(self.error).refusal())
        return self


__all__ = ["StoreSettings"]
