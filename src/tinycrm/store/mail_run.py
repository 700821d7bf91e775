"""What one mail run did (``tinycrm mail import``, ``mail sync``, ``crm.mail.log``):
:class:`MailRun`, its counts, the reasons a message is skipped for, the summary line, and
its record (:func:`record_mail_run`).
Kept apart from :mod:`tinycrm.store.mail_log`, which does the logging."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session

from tinycrm.mail.sources import BROKEN_EMLX, CANNOT_READ, NO_FILE, NOT_MAIL
from tinycrm.store.engine import Store
from tinycrm.store.records import record_event
from tinycrm.vocab import plural

__all__ = [
    "CONTACT_GONE",
    "CREATE_CONTACTS_MAX",
    "GONE",
    "NOT_SENT",
    "NO_ADDRESS",
    "SKIP_REASONS",
    "UNREADABLE",
    "UNREADABLE_FILE",
    "MailRun",
    "record_mail_run",
]

CREATE_CONTACTS_MAX = 15
"""People on a message, by default (``[mail] create_contacts_max``'s default, which the API
passes from the config: the store reads none; tests/mail/test_mail_log.py keeps them equal)."""
CONTACT_GONE = "whose contact was deleted during the run"  # a reason a message was skipped
# another: no From address that can be read (none, or one in an encoded word): who sent
# it, and whether it was received at all, cannot be told, so it is logged for no one
NO_ADDRESS = "with no From address"
# another: a bounce of no mail logged as sent to the contacts it names (a forged one,
# or one of mail from a folder not read: the Sent folder read after the INBOX)
NOT_SENT = "bounce of mail not logged as sent"
UNREADABLE = "unreadable on the server"  # another: mail sync's, a message IMAP refused
GONE = "deleted on the server before it was read"  # mail sync's: expunged once listed
# mail import's: a message file that is a link to nothing, a pipe or a device
UNREADABLE_FILE = NO_FILE
# every reason a message is skipped for: a run's record has a count of each (0 or more),
# so that its CSV has the same columns whatever the run met; the last four are mail
# import's, for a message file under a folder it does not read (mail.sources.Skipped)
SKIP_REASONS = ("internal or own", NO_ADDRESS, "list or automated", "without a known contact",
                CONTACT_GONE, NOT_SENT, UNREADABLE, GONE, NO_FILE, NOT_MAIL, CANNOT_READ,
                BROKEN_EMLX)  # fmt: skip


@dataclass
class MailRun:
    """What one run did (or, for a dry run, would do)."""

    read: int = 0  # messages read
    logged: int = 0  # messages logged (for at least one contact)
    activities: int = 0  # email activities written
    contacts: set[int] = field(default_factory=set)  # contacts the logged mail is about
    created: int = 0  # contacts created (--create-contacts)
    not_added: set[str] = field(default_factory=set)  # people on bulk mail not created
    bulk: int = 0  # messages --create-contacts created no one from (bulk or list mail)
    already: int = 0  # messages logged before (by an earlier run or another folder)
    deleted: int = 0  # messages logged before and deleted since (activity rm): not again
    skipped: Counter[str] = field(default_factory=Counter)  # why a message was not logged
    stopped: int = 0  # sequence enrollments stopped by a reply
    undated: int = 0  # messages logged with no date of their own: dated when logged
    dated_when_received: int = 0  # logged, its Date missing or impossible: dated by receipt
    dry_run: bool = False
    create_max: int = CREATE_CONTACTS_MAX  # the limit the run had (for its summary)
    # mail import's message files not read, each (where, why): also counted in skipped
    files_skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, other: MailRun) -> None:
        """Count ``other`` (one batch) into this run."""
        self.read += other.read
        self.logged += other.logged
        self.activities += other.activities
        self.contacts |= other.contacts
        self.created += other.created
        self.not_added |= other.not_added
        self.bulk += other.bulk
        self.already += other.already
        self.deleted += other.deleted
        self.skipped.update(other.skipped)
        self.stopped += other.stopped
        self.undated += other.undated
        self.dated_when_received += other.dated_when_received

    def skipped_by_reason(self) -> dict[str, int]:
        """How many messages were skipped for each reason in :data:`SKIP_REASONS` (0 for
        one the run did not meet), then any other: the same keys whatever the run met."""
        return {reason: self.skipped.get(reason, 0) for reason in SKIP_REASONS} | dict(self.skipped)

    def summary(self) -> str:
        verb = "would log" if self.dry_run else "logged"
        parts = [
            f"read {plural(self.read, 'message')}",
            f"{verb} {plural(self.logged, 'email')} for {plural(len(self.contacts), 'contact')}",
        ]
        if self.created:
            parts.append(f"{'would create' if self.dry_run else 'created'} "
                         f"{plural(self.created, 'contact')}")  # fmt: skip
        if self.not_added:
            people = len(self.not_added)
            parts.append(
                f"{people:,} {'person' if people == 1 else 'people'} on "
                f"{plural(self.bulk, 'bulk message')} not added as contacts "
                f"(over {self.create_max} people on it, or list mail)"
            )
        if self.already:
            parts.append(f"{self.already:,} already logged")
        if self.deleted:
            parts.append(
                f"{self.deleted:,} deleted from tinycrm before, not logged again "
                "(mail import --undelete logs them)"
            )
        for reason, count in sorted(self.skipped.items()):
            parts.append(f"{count:,} {reason}")
        if self.stopped:
            parts.append(f"stopped {plural(self.stopped, 'sequence')} on a reply")
        if self.undated:
            parts.append(f"{self.undated:,} without a usable date (dated now)")
        if self.dated_when_received:
            parts.append(
                f"{self.dated_when_received:,} with no usable Date header (dated when received)"
            )
        return "; ".join(parts)


def record_mail_run(store: Store, session: Session, run: MailRun, verb: str) -> None:
    """The run's one feed event ("synced 12 emails for 5 contacts") and, as an import
    of activities does, the lead scores again (behaviour rules count email activities);
    nothing when the run logged nothing."""
    if not run.logged:
        return
    from tinycrm.store.scoring import recompute_scores

    record_event(
        store,
        session,
        action="synced",
        entity="activity",
        entity_id=None,
        summary=f"{verb} {plural(run.logged, 'email')} for {plural(len(run.contacts), 'contact')}",
    )
    recompute_scores(store, quiet=True)
