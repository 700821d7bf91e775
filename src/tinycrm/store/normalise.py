"""Bringing the forms the store compares by up to date: each contact's phone number in
E.164 (``tinycrm.phones``, with the ``[phone] region`` set now) and its email's key
(``validate.email``), with the search key that holds them (``tinycrm db normalise``).

A national number typed before ``[phone] region`` was set could not be read, so it was
kept as typed and compared by its digits only; once the region is set this reads it.
A number read before stays read when it cannot be read now (the region was removed).
Running it again changes nothing: it writes only the rows whose forms differ.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import col

from tinycrm.phones import try_normalise
from tinycrm.store import validate
from tinycrm.store.contacts import contact_search_key
from tinycrm.store.engine import Store
from tinycrm.store.models import Contact, ReadModel, table_of
from tinycrm.store.records import record_event
from tinycrm.vocab import plural

CHUNK = 1000


class NormaliseSummary(ReadModel):
    """What ``normalise_contacts`` changed (or, with ``dry_run``, would change)."""

    contacts: int  # contacts looked at
    phones: int  # phone numbers now read as numbers (or read differently)
    emails: int  # email keys brought up to date
    unread: int  # phone numbers that still cannot be read
    clashes: list[str]  # emails whose key another contact's email has
    dry_run: bool

    @property
    def summary(self) -> str:
        """One line: ``3 phone numbers and 1 email key normalised (120 contacts; …)``."""
        done = "would be normalised" if self.dry_run else "normalised"
        line = (
            f"{plural(self.phones, 'phone number')} and {plural(self.emails, 'email key')} "
            f"{done} ({plural(self.contacts, 'contact')} checked"
        )
        if self.unread:
            line += f"; {plural(self.unread, 'phone number')} still not readable"
        if self.clashes:
            line += f"; {plural(len(self.clashes), 'email')} left: another contact has it"
        return line + ")"


def normalise_contacts(store: Store, *, dry_run: bool = False) -> NormaliseSummary:
    """Recompute every contact's phone number as a number and its email's key, and write
    those that changed, in one transaction with one event (none when nothing changed)."""
    region = store.phone_region()
    opened = store.read() if dry_run else store.write()
    with opened as session:
        conn = session.connection()
        rows: Any = conn.execute(
            select(
                col(Contact.id),
                col(Contact.name),
                col(Contact.email),
                col(Contact.email_key),
                col(Contact.phone),
                col(Contact.phone_e164),
                col(Contact.title),
            ).order_by(col(Contact.id))
        ).all()
        holders = {row.email_key: row.id for row in rows if row.email_key}
        changes: list[dict[str, Any]] = []
        phones = emails = unread = 0
        clashes: list[str] = []
        for row in rows:
            e164, key = row.phone_e164, row.email_key
            if row.phone:
                read = try_normalise(row.phone, region)[0]
                if read is None and e164 is None:
                    unread += 1
                elif read is not None and read != e164:
                    e164, phones = read, phones + 1
            fresh = validate.stored_email_key(row.email)
            if fresh != key:
                holder = holders.get(fresh) if fresh else None
                if holder is not None and holder != row.id:
                    clashes.append(f"{row.email} (#{row.id}; #{holder} has it)")
                else:
                    holders.pop(key, None)
                    if fresh:
                        holders[fresh] = row.id
                    key, emails = fresh, emails + 1
            if (e164, key) != (row.phone_e164, row.email_key):
                search = contact_search_key(
                    {"name": row.name, "email_key": key, "phone": row.phone, "title": row.title}
                )
                changes.append({"_id": row.id, "e164": e164, "key": key, "search": search})
        result = NormaliseSummary(
            contacts=len(rows),
            phones=phones,
            emails=emails,
            unread=unread,
            clashes=clashes,
            dry_run=dry_run,
        )
        if changes and not dry_run:
            statement = (
                update(table_of(Contact))
                .where(table_of(Contact).c.id == bindparam("_id"))
                .values(
                    phone_e164=bindparam("e164"),
                    email_key=bindparam("key"),
                    search_key=bindparam("search"),
                )
            )
            for start in range(0, len(changes), CHUNK):
                conn.execute(statement, changes[start : start + CHUNK])
            record_event(
                store,
                session,
                action="normalised",
                entity="contact",
                entity_id=None,
                summary=result.summary,
            )
        return result
