"""``crm.activities`` and ``crm.tasks``: what happened, and what is to be done."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.api.values import When
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.store.activity_edits import RemovedActivity, ReopenedTask
    from tinycrm.store.engine import Store
    from tinycrm.store.models import ActivityRead


class Activities:
    """Calls, emails, meetings and notes (``tinycrm log``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def log(
        self,
        kind: str,
        ref: str | None,
        text: str,
        *,
        contact: str | None = None,
        company: str | None = None,
        deal: str | None = None,
        body: str | None = None,
        at: When | None = None,
        campaign: str | None = None,
        channel: str | None = None,
    ) -> ActivityRead:
        """Record a call, email, meeting or note about ``ref`` (a contact, company or
        deal REF) or the records named. A deal's contact and company are linked too."""
        from tinycrm.store.activities import log_activity

        return log_activity(
            self._store,
            kind=kind,
            text=text,
            ref=ref,
            contact=contact,
            company=company,
            deal=deal,
            body=body,
            at=values.when(at, "at"),
            campaign=campaign,
            channel=channel,
        )

    def edit(
        self,
        activity_id: int,
        *,
        text: str | Unset = UNSET,
        body: str | Unset | None = UNSET,
        at: When | Unset = UNSET,
        kind: str | Unset = UNSET,
    ) -> ActivityRead:
        """Change a logged call, email, meeting or note: ``text`` (its first line the
        subject, the rest the body), ``body`` (``None`` or "" clears it), ``at`` (when it
        happened: not ahead of now) and ``kind``; what is left out is kept. A task's id
        is ``NotFound`` (``crm.tasks.edit``). An email logged from a mailbox keeps its
        time, body and kind. One event lists what changed; nothing changed, no event."""
        from tinycrm.store.activity_edits import edit_activity

        when: datetime | Unset | None = UNSET
        if not isinstance(at, Unset):
            when = values.when(at, "at")
        return edit_activity(
            self._store, activity_id, **values.changes(text=text, body=body, at=when, kind=kind)
        )

    def remove(self, activity_id: int) -> RemovedActivity:
        """Delete a logged call, email, meeting or note (a task's id is ``NotFound``:
        ``crm.tasks.remove``); the result is what was deleted, and so is its event. An
        email logged from a mailbox (``mailbox``) is not logged again by ``crm.mail``
        (unless ``undelete``)."""
        from tinycrm.store.activity_edits import remove_activity

        return remove_activity(self._store, activity_id, task=False)

    def from_mailbox(self, activity_id: int) -> bool:
        """Whether the activity was logged from a mailbox (``tinycrm mail``): ``edit``
        changes only its subject (its time, body and kind stay as the message has them)."""
        from tinycrm.store.exports import mail_keys

        key, _direction = mail_keys(self._store, [activity_id]).get(activity_id, (None, None))
        return key is not None

    def get(self, activity_id: int) -> ActivityRead:
        """One activity (or task) by id, its body whole."""
        from tinycrm.store.activities import get_activity

        return get_activity(self._store, activity_id)

    def list(
        self,
        *,
        contact: str | None = None,
        company: str | None = None,
        deal: str | None = None,
        kinds: str | Iterable[str] | None = None,
        tasks: bool = True,
        since: When | None = None,
        limit: int | None = 50,
    ) -> list[ActivityRead]:
        """Activities newest first, about the records named (all when none is);
        ``tasks=False`` leaves tasks out (every other kind stays, as stored)."""
        from tinycrm.store.activities import list_activities

        return list_activities(
            self._store,
            contact=contact,
            company=company,
            deal=deal,
            kinds=values.names(kinds),
            tasks=tasks,
            since=values.when(since, "since"),
            limit=limit,
        )


class Tasks:
    """Tasks with a due time, reminders and repeats (``tinycrm task``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        text: str,
        *,
        due: When,
        remind: When | None = None,
        every: str | None = None,
        contact: str | None = None,
        company: str | None = None,
        deal: str | None = None,
        body: str | None = None,
    ) -> ActivityRead:
        """Add a task due at ``due`` (``"tomorrow 9:00"``, ``"+3d"`` or a datetime).
        ``remind`` is a moment before it; ``every`` a repeat (``2w``, ``month``, …)."""
        from tinycrm.store.activities import add_task

        due_at = values.when(due, "due")
        assert due_at is not None
        return add_task(
            self._store,
            text=text,
            due=due_at,
            remind=values.when(remind, "remind"),
            every=every,
            contact=contact,
            company=company,
            deal=deal,
            body=body,
        )

    def list(
        self,
        scope: str = "open",
        *,
        contact: str | None = None,
        company: str | None = None,
        deal: str | None = None,
        limit: int | None = None,
        now: When | None = None,
        offset: int | None = None,
    ) -> list[ActivityRead]:
        """Tasks by due time: ``open`` (default), ``overdue``, ``today``, ``upcoming``,
        ``done`` or ``all``; ``now`` is the moment the scope is judged from; ``offset``
        passes over that many first."""
        from tinycrm.store.activities import list_tasks

        return list_tasks(
            self._store, scope=scope, contact=contact, company=company, deal=deal, limit=limit,
            now=values.when(now, "now"), offset=offset,
        )  # fmt: skip

    def done(self, task_id: int) -> ActivityRead:
        """Mark a task done; a repeating one gets its next occurrence."""
        from tinycrm.store.activities import complete_task

        return complete_task(self._store, task_id)

    def edit(
        self,
        task_id: int,
        *,
        text: str | Unset = UNSET,
        due: When | Unset = UNSET,
        body: str | Unset | None = UNSET,
        contact: str | Unset | None = UNSET,
        company: str | Unset | None = UNSET,
        deal: str | Unset | None = UNSET,
    ) -> ActivityRead:
        """Change a task: ``text`` (its first line the subject, the rest the body),
        ``due`` (its reminder moves with it), ``body`` and the ``contact``, ``company``
        or ``deal`` it is about (``None`` or "" clears one); what is left out is kept.
        A logged activity's id is ``NotFound``. One event lists what changed."""
        from tinycrm.store.activity_edits import edit_task

        due_at: datetime | Unset | None = UNSET
        if not isinstance(due, Unset):
            due_at = values.when(due, "due")
        return edit_task(
            self._store,
            task_id,
            **values.changes(text=text, due=due_at, body=body, contact=contact,
                             company=company, deal=deal),
        )  # fmt: skip

    def reopen(self, task_id: int) -> ReopenedTask:
        """A done task open again (``Conflict`` when it is not done). A repeating task's
        next occurrence, made when it was done, is taken back unless it was changed
        since: ``next_removed`` and ``next_kept`` name it."""
        from tinycrm.store.activity_edits import reopen_task

        return reopen_task(self._store, task_id)

    def remove(self, task_id: int) -> RemovedActivity:
        """Delete a task, open or done (a logged activity's id is ``NotFound``:
        ``crm.activities.remove``); the result is what was deleted."""
        from tinycrm.store.activity_edits import remove_activity

        return remove_activity(self._store, task_id, task=True)
