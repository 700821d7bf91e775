"""Whether a message is logged for a contact already, and under which key to log it
(:class:`~tinycrm.store.mail_log.MailLogger` logs each message once per contact): its
key, the keys earlier versions gave it, and the key of another message that has its
Message-ID."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.mail.message import MailMessage
from tinycrm.store.mail_text import is_mail_body, mail_body, same_mail_text, sent_on
from tinycrm.store.mail_text import subject as _subject
from tinycrm.store.mail_tombstones import burials, buried_dates, is_buried
from tinycrm.store.models import Activity

__all__ = ["MailOnce"]


class MailOnce:
    """The once-only checks of :class:`~tinycrm.store.mail_log.MailLogger`, which sets
    what they read: its session, the (key, contact id) written this run (``seen``), the
    keys read ahead and the rows logged under them, and the contacts it created."""

    session: Session
    seen: dict[tuple[str, int], datetime | None]
    _keys_read: set[str]
    _logged_rows: set[tuple[str, int]]
    _fresh: set[int]
    undelete: bool  # log mail deleted from the CRM again (mail import --undelete)

    def _new_key(self, message: MailMessage, contact_id: int, who: int) -> str | None:
        """The key to log ``message`` under for this contact; None when it is logged.

        Its key, unless a message logged under it for the contact is another one: both
        with a Date header, of other dates (a mail program giving every message one
        Message-ID, a sender reusing one; a Date not believed, such as 2100, is its
        Date too). Such a message is keyed by its Message-ID and its Date. The same
        message read again (another folder, a file, a re-sync) has the same Date."""
        if (message.key, who) not in self.seen and not self._logged(message, contact_id):
            if self._deleted_by_date(message, contact_id):
                return None  # logged under its Message-ID and Date, and deleted since
            return message.key
        date = message.sent_on
        if message.message_id is None or date is None:
            return None
        dates = [self.seen[(message.key, who)]] if (message.key, who) in self.seen else []
        keys = {message.key, message.message_id}
        for when, body in self.session.execute(
            select(col(Activity.occurred_at), col(Activity.body)).where(
                col(Activity.mail_key).in_(keys), col(Activity.contact_id) == contact_id
            )
        ).all():
            dates.append(sent_on(when, body))
        if any(when is None or when == date for when in dates):
            return None  # this message, or one that cannot be told from it
        if not self.undelete and self._buried_as(message, keys, contact_id):
            return None  # deleted, or one that cannot be told from a deleted one
        other = _other_key(message.key, date)
        if (other, who) in self.seen or self._has(other, contact_id):
            return None
        return other

    def _buried_as(self, message: MailMessage, keys: set[str], contact_id: int) -> bool:
        """Whether a message deleted for the contact under ``keys`` (its Message-ID) is
        ``message``, or cannot be told from it: its tombstone holds its Date (or the date
        it was logged under, its text edited), or no date. Tombstones made before they
        kept a Date not believed (2100) hold none for a message dated otherwise: such a
        one is not a message dated by its Date, believed."""
        for when in buried_dates(self.session, keys, contact_id):
            if when is None and message.dated_by != "Date":
                return True
            if when is not None and when in (message.sent_on, message.date):
                return True
        return False

    def _buried(self, keys: set[str], contact_id: int) -> bool:
        return not self.undelete and is_buried(self.session, keys, contact_id)

    @staticmethod
    def _keys(message: MailMessage) -> set[str]:
        # A Message-ID too long to be its key (see parse_message) was its own key on
        # SQLite before such ids were hashed: a message logged under it is logged.
        return {message.key, message.message_id or message.key, message.text_key or message.key,
                message.stored_key or message.key}  # fmt: skip

    @staticmethod
    def _old_keys(message: MailMessage) -> set[str]:
        """The key an earlier version logged ``message`` (without Message-ID) under, of
        its sender, Date and subject, as a deleted one's tombstone holds it: its text
        is gone with it, so the key alone tells it, when the message has a Date line.
        Without one, every message of its sender and subject without one had that key."""
        return {message.old_key} if message.old_key and message.date_header else set()

    def _deleted(self, message: MailMessage, contact_id: int) -> bool:
        """Whether ``message`` is logged for the contact because it was deleted from the
        CRM (under any of its keys), rather than being there."""
        dated = self._dated_keys(message)
        keys = self._keys(message) | self._old_keys(message) | dated
        if not self._buried(keys, contact_id) and not self._buried_undated(message, contact_id):
            return False
        # logged under its Message-ID and Date, as another message of its Message-ID was
        # deleted: it is there
        return not dated or not self._has_activity(dated, contact_id)

    def _has_activity(self, keys: set[str], contact_id: int) -> bool:
        if any((key, contact_id) in self.seen for key in keys):
            return True
        return (
            self.session.scalars(
                select(col(Activity.id)).where(
                    col(Activity.mail_key).in_(keys), col(Activity.contact_id) == contact_id
                )
            ).first()
            is not None
        )

    def _buried_undated(self, message: MailMessage, contact_id: int) -> bool:
        """Whether ``message`` (without Message-ID or Date) is one an earlier version
        logged under its sender and subject alone, deleted since. That key is every such
        message's of the sender and subject (the version logged the first, counting the
        others as logged): the deleted activity stood for each received before it was
        deleted; one received after is new. One whose reception is not known (a file
        without a From line) cannot be told: it counts as deleted (--undelete logs it)."""
        if self.undelete or message.old_key is None or message.date_header:
            return False
        received = message.date if message.dated_by in _RECEIVED else None
        deleted = burials(self.session, message.old_key, contact_id)
        return any(received is None or received < when for when in deleted)

    def _deleted_by_date(self, message: MailMessage, contact_id: int) -> bool:
        """Whether ``message``, logged under its Message-ID and Date (another message
        had its Message-ID), was deleted since: by what was read ahead, when it was."""
        keys = self._dated_keys(message)
        if not keys or self.undelete or contact_id in self._fresh:
            return False
        if keys <= self._keys_read:
            return any((key, contact_id) in self._logged_rows for key in keys)
        return self._buried(keys, contact_id)

    @staticmethod
    def _dated_keys(message: MailMessage) -> set[str]:
        """The key ``message`` has when another message of the contact has its Message-ID
        (see :meth:`_new_key`)."""
        if message.message_id is None or message.sent_on is None:
            return set()
        return {_other_key(message.key, message.sent_on)}

    def _lifted(self, message: MailMessage, key: str) -> set[str]:
        """The tombstones ``mail import --undelete`` lifts, logging ``message`` under
        ``key``: those of each key it was known by (an earlier version's too), not of a
        key another message shares (its Message-ID, when it is logged by it and its
        Date or text)."""
        if key != message.key:
            return {key}
        keys = self._keys(message) | self._old_keys(message) | self._dated_keys(message)
        return keys - {message.message_id, message.shared_key} if message.shared_key else keys

    def _has(self, key: str, contact_id: int) -> bool:
        if self._buried({key}, contact_id):
            return True
        return (
            self.session.scalars(
                select(col(Activity.id)).where(
                    col(Activity.mail_key) == key, col(Activity.contact_id) == contact_id
                )
            ).first()
            is not None
        )

    def _logged(self, message: MailMessage, contact_id: int, *, fresh: bool = False) -> bool:
        """Whether ``message`` is logged for the contact, by what was read ahead
        (``fresh``: by asking the database, which another sync may have written to)."""
        keys = self._keys(message)
        shared = {message.message_id, message.shared_key} if message.shared_key else set()
        keys -= shared  # another message's too: see _logged_under_its_id
        if not fresh and keys | shared <= self._keys_read:
            if any((key, contact_id) in self._logged_rows for key in keys):
                return True
            if contact_id in self._fresh:
                return False  # created by this run: logged under no earlier version's key
            if shared and not any((key, contact_id) in self._logged_rows for key in shared):
                return False  # no activity under its Message-ID alone
        elif (
            self.session.scalars(
                select(col(Activity.id)).where(
                    col(Activity.mail_key).in_(keys), col(Activity.contact_id) == contact_id
                )
            ).first()
            is not None
        ) or self._buried(keys, contact_id):
            return True
        if shared:
            return self._logged_under_its_id(message, contact_id, shared)
        if message.old_key is None:
            return False
        if self._buried(self._old_keys(message), contact_id) or self._buried_undated(
            message, contact_id
        ):
            return True
        # Without a Message-ID, earlier versions keyed a message by sender, date and
        # subject, which another message can share: one logged under that key is this
        # one when it holds the same text.
        bodies = self.session.scalars(
            select(col(Activity.body)).where(
                col(Activity.mail_key) == message.old_key, col(Activity.contact_id) == contact_id
            )
        ).all()
        return mail_body(message) in bodies or self._logged_by_earlier_parser(message, contact_id)

    def _logged_under_its_id(
        self, message: MailMessage, contact_id: int, shared: set[str | None]
    ) -> bool:
        """Whether a message with a Message-ID and no Date was logged for the contact
        under its Message-ID alone, as earlier versions logged it: an activity under it
        with its subject and text (a Date line apart, which says how each copy was
        dated), or one edited since, which cannot be told from it. Another message with
        its Message-ID (a list's re-sending, a broken client's) is not this one."""
        subject = _subject(message.subject) or "(no subject)"
        body = mail_body(message)
        for was, text in self.session.execute(
            select(col(Activity.subject), col(Activity.body)).where(
                col(Activity.mail_key).in_(shared), col(Activity.contact_id) == contact_id
            )
        ).all():
            if not is_mail_body(text) or (was == subject and same_mail_text(text, body)):
                return True
        return False

    def _logged_by_earlier_parser(self, message: MailMessage, contact_id: int) -> bool:
        """Whether an earlier version logged this message (without Message-ID) for the
        contact under a key of what it read of it, which another reading of its text or
        attachments changed: an activity under such a key (``sha256:…``) with its sender,
        subject and date (one it was sent or received on). The older key of sender,
        date and subject is one only when the message has a Date: two undated alerts
        with one subject had that key, the first logged and the second not."""
        if message.date is None or message.dated_by is None or message.sender is None:
            return False
        subject = _subject(message.subject) or "(no subject)"
        for key, body in self.session.execute(
            select(col(Activity.mail_key), col(Activity.body)).where(
                col(Activity.contact_id) == contact_id,
                col(Activity.kind) == "email",
                col(Activity.occurred_at) == message.date,
                col(Activity.subject) == subject,
                col(Activity.mail_key).startswith("sha256:", autoescape=True),
            )
        ).all():
            if key == message.old_key and message.dated_by != "Date":
                continue
            line = (body or "").split("\n", 1)[0]  # From: Ann <ann@x.example>, bob@y.example
            if re.search(rf"(?:^From: |<|, ){re.escape(message.sender)}(?:>|,|$)", line):
                return True
        return False


_RECEIVED = ("INTERNALDATE", "Received", "From line")  # dated when it was received


def _other_key(key: str, date: datetime) -> str:
    """The key of a message whose Message-ID another message of the contact has."""
    joined = f"{key}\n{date.isoformat()}".encode("utf-8", "surrogatepass")
    return f"sha256:{hashlib.sha256(joined).hexdigest()[:32]}"
