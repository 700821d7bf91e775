"""``crm.reminders``: what is due now, and telling each item once (``tinycrm remind``).

A run that tells people what is due (a mail, a webhook, a notification) claims the
items nobody has told yet, delivers them, then confirms; when the delivery fails it
releases its claims so the next run tells them again. A run that dies without either
leaves claims that go back by themselves after ``stale_claim``::

    items = crm.reminders.due(new_only=True)
    mine = crm.reminders.claim(items, run_id="…")
    try:
        deliver(mine)
    except Exception:
        crm.reminders.release("…")
        raise
    crm.reminders.confirm("…", mine)

A run that tells on several channels and fails on one passes ``release(…, told=…)`` the
channels that had the items all the same; the next run asks ``told_on(mine)`` and tells
each item only where it did not go out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.api.settings import usable
from tinycrm.api.values import When

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.store.engine import Store
    from tinycrm.store.reminders import DueItem, RemindSettings


def remind_settings(given: Config | None) -> RemindSettings:
    """What remind and next look ahead by, from the config the Crm was opened with
    (read here, the store reads none): a broken config file refuses with its error."""
    from tinycrm.store.reminders import RemindSettings

    config = usable(given)
    return RemindSettings(
        closing_days=config.closing_days,
        contract_days=config.contracts.remind_days,
        quote_days=config.quotes.remind_days,
        support=config.support,
    )


class Reminders:
    """Due tasks, keep-in-touch cadences, rotting deals and deals closing soon."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self._config = config  # None: the config file as it is now (api.settings.usable)

    @property
    def groups(self) -> dict[str, str]:
        """The groups of due items, in the order they are told, with their headings."""
        from tinycrm.store.reminders import GROUPS

        return dict(GROUPS)

    @property
    def stale_claim(self) -> timedelta:
        """A run that claimed items this long ago and neither confirmed nor released them
        has died: the next run releases its claims."""
        from tinycrm.store.reminders import STALE_CLAIM

        return STALE_CLAIM

    def due(
        self, *, closing_days: int | None = None, new_only: bool = False, now: When | None = None
    ) -> list[DueItem]:
        """Everything due at ``now`` (default: now), in ``groups`` order, oldest first in a
        group. ``closing_days``: "closing soon" horizon (default: the config's, else 7).
        ``new_only`` leaves out what a run has told (or is telling) for the same due time."""
        from tinycrm.store.reminders import due_items

        return due_items(
            self._store,
            now=values.when(now, "now"),
            closing_days=closing_days,
            new_only=new_only,
            settings=remind_settings(self._config),
        )

    def claim(self, items: list[DueItem], *, run_id: str) -> list[DueItem]:
        """Claim the ``items`` no run has told: this run's share, to deliver, then
        ``confirm`` (or ``release``) under the same ``run_id``."""
        from tinycrm.store.reminders import claim_items

        return claim_items(self._store, items, run_id=run_id)

    def confirm(
        self, run_id: str, items: list[DueItem] | None = None, *, started: When | None = None
    ) -> None:
        """The run delivered its items: they stay told. ``items``, its share as ``claim``
        returned it, stay told also when a later run took their claims over (this run
        stalled past ``stale_claim``) and then gave them back. ``started``: when the run
        asked what was ``due`` (default: when it claimed), the last run, which the next
        looks back to for days that passed untold."""
        from tinycrm.store.reminders import confirm_run

        confirm_run(self._store, run_id, items=items, started=values.when(started, "started"))

    def told_on(self, items: list[DueItem]) -> dict[tuple[str, datetime], set[str]]:
        """The channels each of ``items`` (by key and due time) went out on in a run that
        failed elsewhere: the run telling them now leaves those out."""
        from tinycrm.store.announcements import told_on

        return told_on(self._store, ((i.key, i.due_at) for i in items))

    def record_told(self, channel: str, items: list[DueItem]) -> None:
        """``channel`` took ``items`` in the run telling them: should it die before it
        confirms or releases, the run taking its claims over leaves that channel out."""
        from tinycrm.store.reminder_claims import record_channel

        record_channel(self._store, channel, items)

    def release(self, run_id: str, *, told: dict[str, list[DueItem]] | None = None) -> None:
        """The run could not deliver: its items go back for the next run. ``told``: the
        channels (``stdout``, ``mail:ADDRESS``, ``webhook:…``, ``desktop``) that had some
        of them all the same, with those items: the next run does not tell them there."""
        from tinycrm.store.reminders import release_run

        release_run(self._store, run_id, told=told)
