"""``tinycrm mail sync`` on the store's side: checkpoints, and logging in batches.

An IMAP folder is read from its checkpoint (``mail_checkpoint``: the folder's
UIDVALIDITY and the last UID logged) on. Each batch of messages is logged exactly as
``tinycrm mail import`` logs them (:class:`~tinycrm.store.mail_log.MailLogger`: the same
matching, skipping and ``mail_key`` idempotency) in ONE transaction with the
checkpoint's advance, so a run stopped anywhere (Ctrl-C, ``kill -9``, a lost
connection) has either logged a batch and moved past it, or neither: the next run
goes on from there, losing nothing and logging nothing twice.

The checkpoint moves only from the value this run read: when another sync moved it
first (cron and a hand-run at once), the batch rolls back with
:class:`CheckpointMoved` and the caller reads the checkpoint again. At the end of the
run, :meth:`MailSync.finish` writes its one feed event and rescores the leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tinycrm import interrupts
from tinycrm.mail.message import MailMessage
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict
from tinycrm.store.log_models import MailCheckpoint
from tinycrm.store.mail_log import (
    CREATE_CONTACTS_MAX,
    UNREADABLE,
    MailLogger,
    MailRun,
    record_mail_run,
)
from tinycrm.store.mail_run import GONE
from tinycrm.store.types import utcnow

__all__ = ["Checkpoint", "CheckpointMoved", "MailSync", "read_checkpoint"]


@dataclass(frozen=True)
class Checkpoint:
    uidvalidity: int
    last_uid: int


class CheckpointMoved(Conflict):
    """Another sync advanced this folder's checkpoint first: the batch was rolled back."""


class _DryRun(Exception):
    pass


def read_checkpoint(store: Store, *, account: str, folder: str) -> Checkpoint | None:
    """The folder's checkpoint, None before its first sync."""
    with store.read() as session:
        row = session.execute(
            select(col(MailCheckpoint.uidvalidity), col(MailCheckpoint.last_uid)).where(
                col(MailCheckpoint.account) == account, col(MailCheckpoint.folder) == folder
            )
        ).first()
    return None if row is None else Checkpoint(int(row[0]), int(row[1]))


class MailSync:
    """One sync run: :meth:`log_batch` for each batch of each folder, then :meth:`finish`."""

    def __init__(
        self,
        store: Store,
        *,
        own_addresses: Iterable[str] = (),
        own_domains: Iterable[str] = (),
        create_contacts: bool = False,
        include_lists: bool = False,
        dry_run: bool = False,
        create_max: int = CREATE_CONTACTS_MAX,
    ) -> None:
        self.store = store
        self.run = MailRun(dry_run=dry_run, create_max=create_max)
        own = tuple(a.strip().lower() for a in own_addresses)
        domains = tuple(d.strip().lower().lstrip("@") for d in own_domains)
        self._logger = MailLogger(
            store, self.run, own, domains, create_contacts, include_lists, create_max=create_max
        )
        self._finished = False

    def log_batch(
        self,
        messages: Iterable[MailMessage],
        *,
        account: str,
        folder: str,
        since: Checkpoint | None,
        until: Checkpoint,
        unreadable: int = 0,
        gone: int = 0,
    ) -> MailRun:
        """Log ``messages`` and move the folder's checkpoint from ``since`` (what the run
        read; None: no checkpoint yet) to ``until``, in one transaction. What the batch
        did is added to :attr:`run` and returned. Raises :class:`CheckpointMoved` (and
        logs nothing) when the checkpoint is no longer ``since``; a dry run logs and
        moves nothing. ``unreadable`` counts the batch's messages the server refused
        to give, ``gone`` those it no longer had (expunged after they were listed): read,
        and skipped for that reason."""
        batch = MailRun(dry_run=self.run.dry_run)
        for reason, count in ((UNREADABLE, unreadable), (GONE, gone)):
            if count:
                batch.read += count
                batch.skipped[reason] += count
        seen = dict(self._logger.seen)
        self._logger.run = batch
        commits = interrupts.saved()
        try:
            with self.store.write() as session:
                if not self.run.dry_run:
                    _advance(session, account, folder, since, until)
                self._logger.session = session
                self._logger.log_all(messages)
                if self.run.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except BaseException:
            if interrupts.saved() == commits:
                self._logger.seen = seen  # rolled back: what it wrote is not written
            else:  # committed, then stopped (Ctrl-C held during the COMMIT): it counts
                self.run.add(batch)
            raise
        self.run.add(batch)
        return batch

    def finish(self, verb: str = "synced") -> None:
        """The run's one feed event and the lead scores (see ``record_mail_run``); once."""
        if self._finished or self.run.dry_run or not self.run.logged:
            return
        self._finished = True
        with self.store.write() as session:
            record_mail_run(self.store, session, self.run, verb)


def _advance(
    session: Any, account: str, folder: str, since: Checkpoint | None, until: Checkpoint
) -> None:
    """Move the checkpoint from ``since`` to ``until`` first, so that this transaction
    holds the folder's row (a second sync waits for it, then finds it moved)."""
    now = utcnow()
    if since is None:
        session.add(
            MailCheckpoint(
                account=account,
                folder=folder,
                uidvalidity=until.uidvalidity,
                last_uid=until.last_uid,
                updated_at=now,
            )
        )
        try:
            session.flush()
        except IntegrityError:
            raise CheckpointMoved(f"another mail sync is reading {folder} too") from None
        return
    moved = session.execute(
        update(MailCheckpoint)
        .where(
            col(MailCheckpoint.account) == account,
            col(MailCheckpoint.folder) == folder,
            col(MailCheckpoint.uidvalidity) == since.uidvalidity,
            col(MailCheckpoint.last_uid) == since.last_uid,
        )
        .values(uidvalidity=until.uidvalidity, last_uid=until.last_uid, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], moved).rowcount != 1:
        raise CheckpointMoved(f"another mail sync is reading {folder} too")
