"""Mail into the CRM: each message logged as an email activity, once, for every known
contact on it.

:func:`log_messages` takes parsed messages (:mod:`tinycrm.mail`) from any source — a
Maildir, an mbox, ``.eml`` files, IMAP — and, in one transaction (``mail sync`` logs with
the same :class:`MailLogger` in batches, see :mod:`tinycrm.store.mail_sync`):

* finds the people on it: From (each of its addresses), To and Cc, and Bcc on the
  user's own sent mail (the Sent folder's copy keeps it; on a received message it is the
  sender's, not read); on received mail whose From names no known contact, the known
  contacts of Reply-To, as its senders (a helpdesk's or a web form's no-reply mail);
* skips what is never logged: mail with no From address that can be read, mail whose
  addresses are all the user's own or internal (``[mail] own_addresses`` /
  ``own_domains``), list and machine mail (unless
  ``include_lists``), and mail with no known contact (unless ``create_contacts``, which
  adds each unknown counterpart as a lead with source "email", but none from bulk mail:
  list or automated mail, or a message with more than ``create_max`` people on it
  besides the user and their colleagues; ``MailRun.not_added`` counts them);
* finds the contacts by their email and the old emails a merge kept (``contact_alias``),
  compared by the same key the store uses everywhere (``validate.stored_email_key``);
* writes one ``email`` activity per contact (subject, date, direction, a From/To/Cc and
  attachments header above the plain-text body), linked to the contact's company and to
  their open deal when they have exactly one;
* never logs a message twice for a contact: ``activity.mail_key`` (the Message-ID, or a
  hash of the message's header lines and text as they came when there is none; the keys
  earlier versions gave count too) with the contact is unique, so re-runs, other
  folders and IMAP after a file add nothing;
* stops the sequences of a contact who wrote (an inbound message from them);
* records one event for the run ("synced 12 emails for 5 contacts") and computes the
  lead scores again, as an import of activities does (``activity:email`` rules count them).

Everything else that reacts to logged email (keep-in-touch cadences, ``next``, timelines,
filters) reads the activity rows, so it reacts to these as to ``tinycrm log email``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from tinycrm.mail.keys import id_key
from tinycrm.mail.message import MailMessage
from tinycrm.store import validate
from tinycrm.store.automation_models import SequenceEnrollment
from tinycrm.store.companies import keep_company
from tinycrm.store.contacts import keep_contact
from tinycrm.store.dupe_rules import email_key
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.mail_insert import insert_once as _insert_once
from tinycrm.store.mail_insert import wrote as _wrote
from tinycrm.store.mail_once import MailOnce
from tinycrm.store.mail_run import CONTACT_GONE as CONTACT_GONE
from tinycrm.store.mail_run import CREATE_CONTACTS_MAX as CREATE_CONTACTS_MAX
from tinycrm.store.mail_run import NO_ADDRESS as NO_ADDRESS
from tinycrm.store.mail_run import NOT_SENT
from tinycrm.store.mail_run import SKIP_REASONS as SKIP_REASONS
from tinycrm.store.mail_run import UNREADABLE as UNREADABLE
from tinycrm.store.mail_run import UNREADABLE_FILE as UNREADABLE_FILE
from tinycrm.store.mail_run import MailRun as MailRun
from tinycrm.store.mail_run import record_mail_run as record_mail_run
from tinycrm.store.mail_text import BODY_MAX as BODY_MAX
from tinycrm.store.mail_text import SUBJECT_MAX, mail_body
from tinycrm.store.mail_text import clean as _clean
from tinycrm.store.mail_text import subject as _subject
from tinycrm.store.mail_tombstones import buried_pairs, lift
from tinycrm.store.models import Activity, Company, Contact, ContactAlias, Deal
from tinycrm.store.records import record_event, record_lifecycle
from tinycrm.store.types import utcnow

__all__ = ["SKIP_REASONS", "MailLogger", "MailRun", "log_messages", "mail_body", "record_mail_run"]

LOOKUP_CHUNK = 500  # addresses looked up per query (SQLite takes 32,766 parameters)
AHEAD = 500  # messages whose contacts are looked up together (MailLogger.log_all)
AHEAD_TEXT = 20_000_000  # or fewer, holding at most about this many characters of text


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def log_messages(
    store: Store,
    messages: Iterable[MailMessage],
    *,
    own_addresses: Iterable[str] = (),
    own_domains: Iterable[str] = (),
    create_contacts: bool = False,
    include_lists: bool = False,
    dry_run: bool = False,
    verb: str = "synced",
    create_max: int = CREATE_CONTACTS_MAX,
    undelete: bool = False,
) -> MailRun:
    """Log ``messages`` (see the module's docstring) in one transaction; a dry run
    rolls it back and reports what it would have done. ``undelete``: log again what
    was deleted from the CRM (``activity rm``; see :mod:`~tinycrm.store.mail_tombstones`)."""
    run = MailRun(dry_run=dry_run, create_max=create_max)
    own = tuple(a.strip().lower() for a in own_addresses)
    domains = tuple(d.strip().lower().lstrip("@") for d in own_domains)
    try:
        with store.write() as session:
            logger = MailLogger(
                store, run, own, domains, create_contacts, include_lists, create_max=create_max
            )
            logger.undelete = undelete
            logger.session = session
            logger.log_all(messages)
            if not dry_run:
                record_mail_run(store, session, run, verb)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return run


class MailLogger(MailOnce):
    """Logs messages into the transaction of ``session`` (set it, and set it again for
    each transaction of a run that logs in batches: the contacts it found are forgotten
    then, being rows of the old session)."""

    def __init__(
        self,
        store: Store,
        run: MailRun,
        own: tuple[str, ...],
        domains: tuple[str, ...],
        create_contacts: bool,
        include_lists: bool,
        *,
        create_max: int = CREATE_CONTACTS_MAX,
    ) -> None:
        self.store, self.run = store, run
        self.create_max = create_max
        self.undelete = False  # log mail deleted from the CRM again (mail import --undelete)
        self.own, self.domains = own, domains
        self.create_contacts, self.include_lists = create_contacts, include_lists
        # own addresses and domains compared by the key the store compares addresses
        # by: in lower case, the domain in Unicode (me@xn--mller-kva.de is me@müller.de)
        self._own_keys = {self._key(a) for a in own} - {None}
        # and their mailboxes: me+news@gmail.com and m.e@gmail.com are me@gmail.com's
        self._own_boxes = {email_key(k) for k in self._own_keys} - {None}
        self._own_domains = {_domain_key(d) for d in domains}
        self.known: dict[str, Contact | None] = {}  # address key -> contact
        # the mailbox of each contact whose email has a +tag or is a Gmail address ->
        # its id (the lowest): read once, when an address is first not found as it is
        self._tagged: dict[str, int] | None = None
        # the mailbox of each contact this transaction added -> the first of them: mail
        # from ann@x.example is the contact it added from ann+crm@x.example a moment ago
        self._added: dict[str, Contact] = {}
        # (mail key, contact id) written this run -> the Date it was written with (None
        # when not dated by its Date header)
        self.seen: dict[tuple[str, int], datetime | None] = {}
        # A dry run rolls each batch back, the contacts it created with it: one it
        # creates again in a later batch (under another id, or a reused one) is the
        # same person, counted under one id of its own (negative: no row has it).
        self._dry_people: dict[str, int] = {}  # mailbox (else address key) -> that id
        self._dry_ids: dict[int, int] = {}  # this batch's contact id -> that id
        self._sent_this_run: set[int] = set()  # contacts (as ``seen``) mail went out to
        self._session: Session | None = None
        self._kept: set[tuple[str, int]] = set()  # rows this transaction keeps (_keep)
        # What this transaction knows, read for many messages at once (_read_ahead)
        # rather than a few queries per message: the keys looked up, the (key, contact
        # id) logged under them (with those written since), each contact's open deals
        # (up to two) and active sequence enrollments; the contacts it created (no deal,
        # company, enrollment or mail of theirs but what it wrote)
        self._keys_read: set[str] = set()
        self._logged_rows: set[tuple[str, int]] = set()
        self._open_deals: dict[int, list[int]] = {}
        self._enrolled: dict[int, list[tuple[int, datetime]]] = {}
        self._fresh: set[int] = set()

    @property
    def session(self) -> Session:
        assert self._session is not None, "set MailLogger.session first"
        return self._session

    @session.setter
    def session(self, session: Session) -> None:
        self._session = session
        self.known.clear()
        self._added.clear()
        self._dry_ids.clear()
        self._kept.clear()
        self._keys_read.clear()
        self._logged_rows.clear()
        self._open_deals.clear()
        self._enrolled.clear()
        self._fresh.clear()

    def log_all(self, messages: Iterable[MailMessage]) -> None:
        """:meth:`log` each of ``messages``, finding the contacts of :data:`AHEAD` of
        them at a time in a few queries (two for each message's unknown sender made
        20,000 messages take 70 s), as many as hold :data:`AHEAD_TEXT` characters of text."""
        ahead: list[MailMessage] = []
        size = 0
        for message in messages:
            ahead.append(message)
            size += len(message.body)
            if len(ahead) >= AHEAD or size >= AHEAD_TEXT:
                self._log_ahead(ahead)
                ahead, size = [], 0
        self._log_ahead(ahead)

    def _log_ahead(self, messages: list[MailMessage]) -> None:
        addresses = (
            m.addresses(bcc=True) + m.reply_to + tuple(a for b in m.bounced for a in b.addresses)
            for m in messages
        )
        self._look_up(tuple({a: None for found in addresses for a in found}))
        self._read_ahead(messages)
        for message in messages:
            self.log(message)

    def _read_ahead(self, messages: list[MailMessage]) -> None:
        """What logging ``messages`` asks of each contact found for them, in a few
        queries for all (a few for each message made 2,000 messages take 28 s): which
        of their keys are logged for whom, and the found contacts' open deals and
        active sequence enrollments."""
        keys = sorted(
            {
                k
                for m in messages
                for k in (
                    m.key,
                    m.message_id,
                    m.text_key,
                    m.stored_key,
                    m.shared_key,
                    *self._dated_keys(m),
                )
                if k
            }
            - self._keys_read
        )
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            self._logged_rows.update(
                (key, contact_id)
                for key, contact_id in self.session.execute(
                    select(col(Activity.mail_key), col(Activity.contact_id)).where(
                        col(Activity.mail_key).in_(chunk), col(Activity.contact_id).is_not(None)
                    )
                )
            )
            if not self.undelete:  # a message deleted from the CRM counts as logged
                self._logged_rows.update(buried_pairs(self.session, chunk))
            self._keys_read.update(chunk)
        ids = sorted(
            {c.id for c in self.known.values() if c is not None and c.id is not None}
            - set(self._open_deals)
        )
        for start in range(0, len(ids), LOOKUP_CHUNK):
            some = ids[start : start + LOOKUP_CHUNK]
            deals: dict[int, list[int]] = {i: [] for i in some}
            for deal_id, contact_id in self.session.execute(
                select(col(Deal.id), col(Deal.contact_id))
                .where(col(Deal.contact_id).in_(some), col(Deal.status) == "open")
                .order_by(col(Deal.id))
                .with_for_update(read=True, key_share=True)  # a deal rm goes first, or waits
            ):
                deals[contact_id].append(deal_id)
            enrolled: dict[int, list[tuple[int, datetime]]] = {i: [] for i in some}
            for contact_id, sequence_id, started in self.session.execute(
                select(
                    col(SequenceEnrollment.contact_id),
                    col(SequenceEnrollment.sequence_id),
                    col(SequenceEnrollment.started_at),
                ).where(
                    col(SequenceEnrollment.contact_id).in_(some),
                    col(SequenceEnrollment.stopped_at).is_(None),
                )
            ):
                enrolled[contact_id].append((sequence_id, _aware(started)))
            self._open_deals.update(deals)
            self._enrolled.update(enrolled)

    def log(self, message: MailMessage) -> None:
        run = self.run
        run.read += 1
        if not message.authors():  # no one to log it from, nor to tell in from out
            run.skipped[NO_ADDRESS] += 1
            return
        sent = any(map(self._sent_by_user, message.authors()))  # its Bcc is the user's too
        bounced = self._bounced(message) if message.bounced and not sent else []
        if bounced:  # logged for those it bounced for alone, mail to them: no reply
            bounced = [c for c in bounced if self._sent_to(message, c)]
            if not bounced:  # forged, or of mail not logged: no bounce of theirs
                run.skipped[NOT_SENT] += 1
                return
            self._log_for(message, bounced, "in", set())
            return
        counterparts = tuple(a for a in message.addresses(bcc=sent) if not self._own(a))
        # Reply-To stands in for From when From names no contact (see _replying)
        replying = () if sent else tuple(a for a in message.reply_to if not self._own(a))
        if not counterparts and not replying:
            run.skipped["internal or own"] += 1
            return
        if message.automated and not self.include_lists:
            run.skipped["list or automated"] += 1
            return
        stand_ins = self._replying(message, replying)
        contacts = self._contacts(message, counterparts, stand_ins)
        if not contacts:
            run.skipped["without a known contact"] += 1
            return
        direction = "out" if sent else "in"
        senders = {c.id for c in map(self._find, message.authors()) if c is not None}
        senders |= {c.id for c in stand_ins}
        self._log_for(message, contacts, direction, senders)

    def _log_for(
        self, message: MailMessage, contacts: list[Contact], direction: str, senders: set[Any]
    ) -> None:
        """Log ``message`` for each of ``contacts`` it is not logged for, stopping the
        sequences of ``senders`` (contact ids) when it came in; count it in the run."""
        run = self.run
        outcomes: set[str] = set()  # "logged", "already", "gone": one per contact
        for contact in contacts:
            assert contact.id is not None
            who = self._dry_ids.get(contact.id, contact.id)
            key = self._new_key(message, contact.id, who)
            if key is None:
                gone = self._deleted(message, contact.id)
                outcomes.add("deleted" if gone else "already")
                continue
            outcome = self._write(message, contact, direction, key)
            outcomes.add(outcome)
            if outcome != "logged":
                continue  # another sync logged it a moment ago, or a contact rm went first
            self.seen[(key, who)] = message.sent_on  # its Date, believed or not
            if direction == "out":
                self._sent_this_run.add(who)
            run.activities += 1
            run.contacts.add(who)
            if direction == "in" and contact.id in senders:
                run.stopped += self._stop_sequences(contact, message)
        if "logged" in outcomes:
            run.logged += 1
            run.undated += message.date is None
            run.dated_when_received += message.date is not None and message.dated_by != "Date"
        elif "deleted" in outcomes:
            run.deleted += 1
        elif "already" in outcomes:
            run.already += 1
        else:  # every contact on it was deleted after it was found: logged for no one
            run.skipped[CONTACT_GONE] += 1

    # ------------------------------------------------------------------ contacts

    @staticmethod
    def _key(address: str | None) -> str | None:
        return _address_key(address) if address else None

    def _sent_by_user(self, sender: str | None) -> bool:
        """Whether From is one of the user's own addresses (or their mailbox's)."""
        key = self._key(sender)
        return key is not None and (key in self._own_keys or email_key(key) in self._own_boxes)

    def _own(self, address: str) -> bool:
        """Whether ``address`` is one of the user's own, or at an internal domain."""
        key = self._key(address) or address
        if key in self._own_keys or key.rpartition("@")[2] in self._own_domains:
            return True
        return email_key(key) in self._own_boxes

    def _bounced(self, message: MailMessage) -> list[Contact]:
        """The known contacts a bounce says mail was not delivered to: for each
        recipient of its delivery status, the contact of its final address, else of its
        original one (else those of the returned message's To); the user's own and
        internal addresses apart. No contact is created for a bounce."""
        found: dict[int, Contact] = {}
        self._look_up(tuple(a for b in message.bounced for a in b.addresses))
        for bounce in message.bounced:
            for address in bounce.addresses:
                contact = None if self._own(address) else self._find(address)
                if contact is not None and contact.id is not None:
                    found.setdefault(contact.id, contact)
                    break
        return list(found.values())

    def _sent_to(self, message: MailMessage, contact: Contact) -> bool:
        """Whether the mail a bounce returns was logged as sent to ``contact``: an email
        out to them under its Message-ID; a bounce without the returned message's
        Message-ID, any email out to them. A bounce naming a contact no mail went to
        (anyone can send one, naming any address) is none of theirs."""
        assert contact.id is not None
        who = self._dry_ids.get(contact.id, contact.id)
        query = select(col(Activity.id)).where(
            col(Activity.contact_id) == contact.id,
            col(Activity.kind) == "email",
            col(Activity.direction) == "out",
        )
        if message.returned_id is not None:
            key = id_key(message.returned_id)
            if (key, who) in self.seen:
                return True  # logged by this run (a dry run writes nothing)
            query = query.where(col(Activity.mail_key) == key)
        elif who in self._sent_this_run:
            return True
        return self.session.scalars(query.limit(1)).first() is not None

    def _replying(self, message: MailMessage, replying: tuple[str, ...]) -> list[Contact]:
        """The known contacts of Reply-To (``replying``: its addresses but the user's
        own) when no address of From is a known contact: a helpdesk's or a web form's
        mail, From a no-reply address on behalf of the person who wrote. They are its
        senders then. From comes first: a person's mail with another Reply-To (an
        assistant, a team) is theirs alone."""
        if not replying:
            return []
        self._look_up((*message.authors(), *replying))
        if any(self._find(a) is not None for a in message.authors()):
            return []
        return [c for c in map(self._find, replying) if c is not None]

    def _contacts(
        self, message: MailMessage, counterparts: tuple[str, ...], stand_ins: Sequence[Contact] = ()
    ) -> list[Contact]:
        found: dict[int, Contact] = {c.id: c for c in stand_ins if c.id is not None}
        # bulk mail (a newsletter to thousands, a mailing in Bcc, list mail) adds no one
        bulk = message.automated is not None or len(counterparts) > self.create_max
        # a no-reply address Reply-To stands in for is no person to add
        relays = set(message.authors()) if stand_ins else set()
        passed: set[str] = set()
        self._look_up(counterparts)
        for address in counterparts:
            contact = self._find(address)
            if contact is None and self.create_contacts and address not in relays:
                if bulk:
                    passed.add(self._key(address) or address)
                else:
                    contact = self._create(address, message.names.get(address))
            if contact is not None and contact.id is not None:
                found.setdefault(contact.id, contact)
        if passed:
            self.run.not_added |= passed
            self.run.bulk += 1
        return list(found.values())

    def _look_up(self, addresses: tuple[str, ...]) -> None:
        """Find the contacts of ``addresses`` not looked up yet, :data:`LOOKUP_CHUNK`
        at a time (one query for each address made a message to 3,000 people take
        6,000 queries): by their email, then by the old emails a merge kept."""
        keys = sorted({k for k in map(self._key, addresses) if k and k not in self.known})
        if len(keys) < 2:
            return  # one is found as it always was (_find)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            for contact in self.session.scalars(
                select(Contact).where(col(Contact.email_key).in_(chunk))
            ):
                if contact.email_key is not None:
                    self.known[contact.email_key] = contact
            rest = [k for k in chunk if k not in self.known]
            if rest:
                for value, contact in self.session.execute(
                    select(col(ContactAlias.value), Contact)
                    .join(ContactAlias, col(ContactAlias.contact_id) == col(Contact.id))
                    .where(col(ContactAlias.kind) == "email", col(ContactAlias.value).in_(rest))
                    .order_by(col(Contact.id))
                ).all():
                    self.known.setdefault(value, contact)
            self._by_mailbox([k for k in chunk if k not in self.known])
            for key in chunk:
                self.known.setdefault(key, None)

    def _find(self, address: str) -> Contact | None:
        key = self._key(address)
        if key is None:
            return None
        if key not in self.known:
            contact = self.session.scalars(
                select(Contact).where(col(Contact.email_key) == key)
            ).first()
            if contact is None:
                contact = self.session.scalars(
                    select(Contact)
                    .join(ContactAlias, col(ContactAlias.contact_id) == col(Contact.id))
                    .where(col(ContactAlias.kind) == "email", col(ContactAlias.value) == key)
                    .order_by(col(Contact.id))
                ).first()
            if contact is None:
                self._by_mailbox([key])
            self.known.setdefault(key, contact)
        found = self.known[key]
        if found is None and self._added and (box := email_key(key)) is not None:
            return self._added.get(box)  # looked up before the run added its contact
        return found

    def _by_mailbox(self, keys: list[str]) -> None:
        """Find the contacts of ``keys`` (addresses no contact has, as they are) by
        their mailbox, as the user's own addresses are found (and duplicates, by
        ``contact dupes``): mail from or to ann+crm@acme.example is the contact
        ann@acme.example's, and mail from ann@acme.example the contact
        ann+shop@acme.example's; j.doe@gmail.com is jdoe@gmail.com. The address as it is
        comes first; of several contacts with one mailbox, the oldest."""
        boxes = {key: box for key in keys if (box := email_key(key)) is not None}
        if not boxes:
            return
        other = sorted({box for key, box in boxes.items() if box != key})
        found: dict[str, Contact] = {}
        for start in range(0, len(other), LOOKUP_CHUNK):
            for contact in self.session.scalars(
                select(Contact)
                .where(col(Contact.email_key).in_(other[start : start + LOOKUP_CHUNK]))
                .order_by(col(Contact.id))
            ):
                if contact.email_key is not None:
                    found.setdefault(contact.email_key, contact)
        if self._tagged is None:
            self._tagged = {}
            for contact_id, stored in self.session.execute(
                select(col(Contact.id), col(Contact.email_key))
                .where(
                    or_(
                        col(Contact.email_key).contains("+", autoescape=True),
                        col(Contact.email_key).endswith("@gmail.com", autoescape=True),
                        col(Contact.email_key).endswith("@googlemail.com", autoescape=True),
                    )
                )
                .order_by(col(Contact.id))
            ).all():
                if (box := email_key(stored)) is not None and contact_id is not None:
                    self._tagged.setdefault(box, contact_id)
        wanted = {
            box: self._tagged[box]
            for box in boxes.values()
            if box not in found and box in self._tagged
        }
        if wanted:
            by_id = {
                c.id: c
                for c in self.session.scalars(
                    select(Contact).where(col(Contact.id).in_(sorted(set(wanted.values()))))
                )
            }
            found.update({box: by_id[i] for box, i in wanted.items() if i in by_id})
        for key, box in boxes.items():
            if box in found:
                self.known[key] = found[box]

    def _create(self, address: str, display: str | None) -> Contact | None:
        name = _clean(display or "", SUBJECT_MAX)
        if not name or "@" in unicodedata.normalize("NFKC", name):
            # '"ann@acme.com" <phish@evil.example>': an address it is not, no name
            name = address
        key = self._key(address) or address
        box = email_key(key)
        person = box or key  # a dry run's person: the same in each batch, by mailbox
        try:
            try:
                contact = self._add_contact(name, address)
            except Invalid:
                try:  # a display name the store refuses: the address is a name too
                    contact = self._add_contact(address, address)
                except Invalid:
                    return None
        except (IntegrityError, Conflict):
            # another sync (on the same PostgreSQL database) added them a moment ago
            self.known.pop(key, None)
            found = self._find(address)
            if found is None:
                raise
            return found
        assert contact.id is not None
        if not self.run.dry_run:
            self.run.created += 1
            if box is not None and box != key and self._tagged is not None:
                self._tagged.setdefault(box, contact.id)  # found so in later batches
        else:
            if person not in self._dry_people:
                self.run.created += 1
                self._dry_people[person] = -1 - len(self._dry_people)
            self._dry_ids[contact.id] = self._dry_people[person]
        if box is not None:
            self._added.setdefault(box, contact)
        self.known[key] = contact
        return contact

    def _add_contact(self, name: str, address: str) -> Contact:
        """Add a lead as ``add_contact(name=…, email=…, source="email")`` does (the same
        row, lifecycle change, event and automation rules), without what a contact of
        this run's has no use for: the duplicate check of its address (looked up
        already; the unique index is the guard), tags, fields, a company, its read model."""
        from tinycrm.store.automation import run_rules
        from tinycrm.store.contacts import check_contact, new_contact_row

        clean = check_contact(
            {"name": name, "email": address, "phone": None, "title": None, "role": None,
             "lifecycle": None, "source": "email", "owner": None, "notes": None,
             "cadence_days": None, "lead_status": None, "uid": None}
        )  # fmt: skip
        with self.session.begin_nested():  # a clash leaves the batch as it was
            contact = Contact(**new_contact_row(None, clean, owner=self.store.user, stamp=utcnow()))
            self.session.add(contact)
            self.session.flush()
        # written with the next activity: one flush, no savepoint of their own
        assert contact.id is not None
        record_lifecycle(self.store, self.session, contact.id, None, contact.lifecycle)
        record_event(self.store, self.session, action="created", entity="contact",
                     entity_id=contact.id, summary=f"created contact {contact.name}")  # fmt: skip
        run_rules(self.store, self.session, "contact.created", contact=contact)
        self._fresh.add(contact.id)
        return contact

    def _open_deal(self, contact: Contact) -> int | None:
        assert contact.id is not None
        if contact.id in self._fresh:
            return None  # created by this run: no deal yet
        if contact.id in self._open_deals:  # read ahead, and kept (locked) since
            found = self._open_deals[contact.id]
            return found[0] if len(found) == 1 else None
        ids = self.session.scalars(
            select(col(Deal.id))
            .where(col(Deal.contact_id) == contact.id, col(Deal.status) == "open")
            .limit(2)
            .with_for_update(read=True, key_share=True)  # a deal rm goes first, or waits
        ).all()
        return ids[0] if len(ids) == 1 else None

    def _keep(self, contact: Contact) -> bool:
        """Whether ``contact`` is still there: it is then kept from being deleted until
        the run commits, read afresh (``keep_contact``; once a transaction). A ``contact
        rm`` meanwhile goes first (its mail is not logged), or waits."""
        assert contact.id is not None
        if contact.id in self._fresh:
            return True  # created by this transaction: no one else sees it yet
        if ("contact", contact.id) not in self._kept:
            try:
                keep_contact(self.session, contact)
            except NotFound:
                return False
            self._kept.add(("contact", contact.id))
        return True

    def _company_id(self, contact: Contact) -> int | None:
        """The contact's company, kept from being deleted until the run commits
        (``keep_company``); None when it has none, or a ``company rm`` deleted it
        meanwhile."""
        if contact.company_id is None:
            return None
        company = self.session.get(Company, contact.company_id)
        if company is None or company.id is None:
            return None
        if ("company", company.id) not in self._kept:
            try:
                keep_company(self.session, company)
            except NotFound:
                return None
            self._kept.add(("company", company.id))
        return company.id

    def _write(self, message: MailMessage, contact: Contact, direction: str, key: str) -> str:
        """Write the activity: ``"logged"``; ``"already"`` when another sync (a
        colleague's, on the same PostgreSQL database) logged the message for this contact
        after our check (its insert waited for that commit and met the unique key);
        ``"gone"`` when a ``contact rm`` deleted the contact meanwhile."""
        from tinycrm.store.activity_rows import new_activity_row

        if not self._keep(contact):
            return "gone"
        now = utcnow()
        columns = {
            "kind": "email",
            "subject": _subject(message.subject) or "(no subject)",
            "body": mail_body(message),
            "contact_id": contact.id,
            "company_id": self._company_id(contact),
            "deal_id": self._open_deal(contact),
            "occurred_at": message.date or now,
            "mail_key": key,
            "direction": direction,
        }
        row = new_activity_row(None, columns, owner=self.store.user, stamp=now)
        assert contact.id is not None
        self.session.flush()  # what is pending first (a rule's task for a new contact)
        # one statement, no savepoint: met by the unique key, it writes nothing
        written = self.session.execute(_insert_once(self.store.engine.dialect.name), row)
        if not _wrote(written):
            return "already"
        self._logged_rows.add((key, contact.id))
        if self.undelete:
            for gone in self._lifted(message, key):
                lift(self.session, gone, contact.id)
        return "logged"

    def _stop_sequences(self, contact: Contact, message: MailMessage) -> int:
        """A reply stops the contact's sequences that began before it was sent."""
        from tinycrm.store.sequences import stop_enrollments

        assert contact.id is not None
        if contact.id in self._fresh:
            return 0  # created by this run: enrolled in nothing
        if contact.id not in self._enrolled:
            self._enrolled[contact.id] = [
                (e.sequence_id, _aware(e.started_at))
                for e in self.session.scalars(
                    select(SequenceEnrollment).where(
                        col(SequenceEnrollment.contact_id) == contact.id,
                        col(SequenceEnrollment.stopped_at).is_(None),
                    )
                )
            ]
        active = self._enrolled[contact.id]
        stopped = 0
        for sequence_id, started in list(active):
            if message.date is None or started <= message.date:
                stopped += stop_enrollments(
                    self.store,
                    self.session,
                    contact_id=contact.id,
                    reason="replied",
                    sequence_id=sequence_id,
                )
                active.remove((sequence_id, started))
        return stopped


@lru_cache(maxsize=4096)
def _address_key(address: str) -> str | None:
    return validate.stored_email_key(address)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _domain_key(domain: str) -> str:
    """A domain as the address key holds it: lower case, in Unicode."""
    key = _address_key(f"x@{domain}")
    return key.rpartition("@")[2] if key else domain.lower()
