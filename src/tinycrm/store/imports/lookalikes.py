"""Which contact an imported row looks like, by the rules ``contact dupes`` lists by and
``contact add`` warns by (``store.dupe_rules``), for ``--on-duplicate``.

After a row's card UID and its exact email (or, without one, its exact name at its
company) found nothing, a row is a duplicate of a contact that has

1. the same email but for case, ``+tags`` or Gmail's dots (``J.Doe+news@gmail.com``);
2. the same phone number, compared as numbers (the E.164 form; an extension is another
   line);
3. at the same company, a name that looks like one person's: transliterated (Jürgen
   Müller / Juergen Mueller), reordered (``Smith, John``), an initial (``J. Smith``), a
   nickname (Bob / Robert), or 85% alike.

Two different email addresses are taken as two people: rules 2 and 3 match a contact
only when the row or the contact has no email (colleagues share a switchboard number,
and two Bob Smiths at one big company are often two people); ``contact dupes`` still
lists such pairs for a person to judge. The contacts compared are those in the database
before the import and the rows it created before this one; the strongest rule wins, then
the oldest contact.

Nothing compares all pairs: each chunk of rows asks the database only for the numbers it
holds and the companies it names (each company once), and names at a company are
compared only within one blocking key (``NameKey.blocks``). A company's names are worked
out only when a row without an email, or a contact without one, could match there: an
export where everyone has an address costs a dictionary lookup a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import col

from tinycrm.names import NameKey, compare
from tinycrm.store.dupe_rules import mailbox as _mailbox
from tinycrm.store.engine import chunks
from tinycrm.store.imports.common import _IN, _Prepared
from tinycrm.store.models import Company, Contact


@dataclass(slots=True)
class _Person:
    id: int
    name: str
    mailbox: str | None  # email_key of its email
    company_id: int | None


@dataclass
class _Company:
    """The contacts at one company, and their names filed by blocking key once needed."""

    people: list[_Person] = field(default_factory=list)
    without_email: int = 0
    blocks: dict[str, list[tuple[_Person, NameKey]]] | None = None

    def add(self, person: _Person) -> None:
        self.people.append(person)
        self.without_email += person.mailbox is None
        if self.blocks is not None:
            self._file(person)

    def _file(self, person: _Person) -> None:
        assert self.blocks is not None
        key = NameKey.of(person.name)
        for block in key.blocks:
            self.blocks.setdefault(block, []).append((person, key))

    def filed(self) -> dict[str, list[tuple[_Person, NameKey]]]:
        if self.blocks is None:
            self.blocks = {}
            for person in self.people:
                self._file(person)
        return self.blocks


class ContactLookalikes:
    """The contacts an import's rows are compared with: ``prime`` a chunk, then ``find``
    each row's lookalike and ``add`` each contact the import creates."""

    def __init__(self, conn: Connection, *, empty: bool) -> None:
        self.conn = conn
        self.empty = empty  # no contact in the database before the import
        self._mailboxes: dict[str, _Person] = {}
        self._mailboxes_loaded = empty
        self._phones: dict[str, tuple[_Person, ...]] = {}
        self._phones_asked: set[str] = set()
        self._companies: dict[int, _Company] = {}
        self._company_names: dict[int, str] = {}
        self._known: dict[int, _Person] = {}  # by id: the people loaded or created

    # ---------------------------------------------------------------- loading

    def prime(self, rows: list[_Prepared]) -> None:
        """Load what the database holds that rows of this chunk could match."""
        if self.empty:
            known = self._companies
            for prep in rows:
                cid = prep.columns.get("company_id")
                if cid is not None and cid not in known:
                    known[cid] = _Company()
            return
        if not self._mailboxes_loaded and any(p.columns.get("email") for p in rows):
            self._load_mailboxes()
        phones = {p.columns["phone_e164"] for p in rows if p.columns.get("phone_e164")}
        phones -= self._phones_asked
        self._phones_asked |= phones
        for chunk in chunks(sorted(phones), _IN):
            for person, phone in self._load(col(Contact.phone_e164).in_(chunk)):
                self._phones[phone] = (*self._phones.get(phone, ()), person)
        companies: set[int] = {
            p.columns["company_id"] for p in rows if p.columns.get("company_id") is not None
        }
        for chunk in chunks(sorted(companies - set(self._companies)), _IN):
            for company_id in chunk:
                self._companies[company_id] = _Company()
            for person, _ in self._load(col(Contact.company_id).in_(chunk)):
                self._companies[person.company_id].add(person)  # type: ignore[index]  # IN

    def _load(self, where: Any) -> Iterator[tuple[_Person, Any]]:
        """The contacts ``where`` picks, oldest first, one object per contact, with the
        E.164 form of their phone."""
        rows: Any = self.conn.execute(
            select(
                col(Contact.id),
                col(Contact.name),
                col(Contact.email_key),
                col(Contact.company_id),
                col(Contact.phone_e164),
            )
            .where(where)
            .order_by(col(Contact.id))
        )
        for cid, name, email, company_id, phone in rows:
            person = self._known.get(cid)
            if person is None:
                person = self._known[cid] = _Person(cid, name, _mailbox(email), company_id)
            yield person, phone

    def _load_mailboxes(self) -> None:
        self._mailboxes_loaded = True
        created, self._mailboxes = self._mailboxes, {}
        for person, _ in self._load(col(Contact.email_key).is_not(None)):
            if person.mailbox:
                self._mailboxes.setdefault(person.mailbox, person)
        for mailbox, person in created.items():  # created by the import: newer
            self._mailboxes.setdefault(mailbox, person)

    def company_name(self, company_id: int) -> str:
        if company_id not in self._company_names:
            name = self.conn.execute(
                select(col(Company.name)).where(col(Company.id) == company_id)
            ).scalar()
            self._company_names[company_id] = name or f"company #{company_id}"
        return self._company_names[company_id]

    # ---------------------------------------------------------------- matching

    def find(self, prep: _Prepared) -> tuple[int, str] | None:
        """The contact ``prep`` looks like and why, or None (see the module docstring)."""
        columns = prep.columns
        mailbox = prep.mailbox = _mailbox(columns.get("email_key"))  # (for ``add``)
        if mailbox:
            person = self._mailboxes.get(mailbox)
            if person is not None:
                return person.id, f"same email ({columns['email']})"
        phone = columns.get("phone_e164")
        if phone:
            for person in self._phones.get(phone, ()):
                if mailbox is None or person.mailbox is None:
                    return person.id, f"same phone ({columns.get('phone')})"
        company_id: int | None = columns.get("company_id")
        at = self._companies.get(company_id) if company_id is not None else None
        if at is None or company_id is None or not at.people or (mailbox and not at.without_email):
            return None
        mine = NameKey.of(columns["name"])
        best: tuple[int, str] | None = None
        seen: set[int] = set()
        for block in mine.blocks:
            for person, theirs in at.filed().get(block, ()):
                if person.id in seen or (mailbox and person.mailbox):
                    continue
                seen.add(person.id)
                why = compare(theirs, mine)
                if why and (best is None or person.id < best[0]):
                    best = person.id, why
        if best is None:
            return None
        return best[0], f"{best[1]} at {prep.company or self.company_name(company_id)}"

    def add(self, contact_id: int, columns: dict[str, Any], mailbox: str | None = None) -> None:
        """A contact the import created: later rows are compared with it too. ``mailbox``:
        its email's, when ``find`` has worked it out already (None: worked out here)."""
        company_id = columns.get("company_id")
        if mailbox is None:
            mailbox = _mailbox(columns.get("email_key"))
        person = _Person(contact_id, columns["name"], mailbox, company_id)
        self._known[contact_id] = person
        if mailbox:
            self._mailboxes.setdefault(mailbox, person)
        phone = columns.get("phone_e164")
        if phone:
            self._phones[phone] = (*self._phones.get(phone, ()), person)
        if company_id is not None:
            at = self._companies.get(company_id)
            if at is None:
                at = self._companies[company_id] = _Company()
            at.add(person)

    def update(self, contact_id: int, columns: dict[str, Any]) -> None:
        """A contact an import row updates: the email it fills in (``merge`` fills a
        missing one, never replaces one) counts for the rows after it."""
        person = self._known.get(contact_id)
        mailbox = _mailbox(columns.get("email_key"))
        if person is None or person.mailbox or not mailbox:
            return
        person.mailbox = mailbox
        self._mailboxes.setdefault(mailbox, person)
        at = self._companies.get(person.company_id) if person.company_id is not None else None
        if at is not None:  # filed there: a company is loaded once, with everyone at it
            at.without_email -= 1
