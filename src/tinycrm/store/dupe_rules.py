"""What counts as a likely duplicate contact: the rules ``contact dupes`` lists by, an
import decides by (``--on-duplicate``) and ``contact add`` warns by.

Two contacts are likely one person when they share an email address (ignoring case,
``+tags`` and Gmail's dots), a phone number (as a number: ``tinycrm.phones``; an
extension is another line), or work at one company under names that look like one
person's (``tinycrm.names``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.names import NameKey, compare
from tinycrm.store.models import Contact

GMAIL = frozenset({"gmail.com", "googlemail.com"})


def email_key(email: str | None) -> str | None:
    """``J.Doe+crm@GoogleMail.com`` → ``jdoe@gmail.com``: one mailbox, one key."""
    if not email or "@" not in email:
        return None
    local, domain = email.strip().lower().rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def phone_digits(phone: str | None) -> str | None:
    """The digits that identify a number libphonenumber could not read (a national
    number with no default region set): no punctuation, no leading 00/0. None when
    fewer than six remain (an extension, a typo)."""
    digits = re.sub(r"\D", "", (phone or "").split(";ext=")[0]).lstrip("0")
    return digits if len(digits) >= 6 else None


def same_phone(a: str, b: str) -> bool:
    """Digits equal, or equal but for a country code of up to three digits."""
    short, long_ = sorted((a, b), key=len)
    return long_.endswith(short) and len(long_) - len(short) <= 3


def phone_pairs(rows: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs with one number: equal normalised forms (an extension is another number);
    and, for a number that could not be read, the same digits but for a country code."""
    yield from pairs(rows, "phone_key")
    unread = [r for r in rows if r["phone"] and not r["phone_key"] and phone_digits(r["phone"])]
    if not unread:
        return
    tails: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        digits = phone_digits(row["phone_key"] or row["phone"])
        if digits and ";ext=" not in (row["phone_key"] or ""):
            row["phone_digits"] = digits
            tails[digits[-6:]].append(row)
    for bucket in tails.values():
        for ra, rb in combinations(bucket, 2):
            if (not ra["phone_key"] or not rb["phone_key"]) and same_phone(
                ra["phone_digits"], rb["phone_digits"]
            ):
                yield ra, rb


def pairs(
    rows: Iterable[dict[str, Any]], key: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    buckets: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row[key]:
            buckets[row[key]].append(row)
    for bucket in buckets.values():
        yield from combinations(bucket, 2)


def name_pairs(
    rows: Iterable[dict[str, Any]],
) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """Pairs of rows (``id``, ``name``, ``company_id``; in id order) at one company whose
    names look like one person's, with why. Blocking: only names filed under one key
    (``NameKey.blocks``) at one company are compared, each pair once."""
    at: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["company_id"] is not None:
            at[row["company_id"]].append(row)
    for members in at.values():
        if len(members) < 2:
            continue
        keys = [NameKey.of(row["name"]) for row in members]
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            for block in key.blocks:
                blocks[block].append(i)
        seen: set[tuple[int, int]] = set()
        for filed in blocks.values():
            for j in range(1, len(filed)):
                b = filed[j]
                for a in filed[:j]:
                    if (a, b) in seen:
                        continue
                    seen.add((a, b))
                    why = compare(keys[a], keys[b])
                    if why:
                        yield members[a], members[b], why


def lookalikes(session: Session, contact: Contact, *, limit: int = 3) -> list[tuple[Contact, str]]:
    """Other contacts that look like ``contact`` by the rules above, with why: the
    same email but for case, ``+tags`` or Gmail's dots; the same phone number (its
    normalised form); or, at its company, a name that looks like one person's."""
    found: dict[int, tuple[Contact, str]] = {}
    key = email_key(contact.email_key)
    if key:
        local, domain = key.split("@", 1)
        pattern = f"{_escape(local[:1])}%@%{_escape(domain.split('.', 1)[0])}%"
        similar = col(Contact.email_key).like(pattern, escape="\\")
        for other in session.scalars(select(Contact).where(similar, col(Contact.id) != contact.id)):
            if email_key(other.email_key) == key:
                found.setdefault(other.id or 0, (other, f"same email ({other.email})"))
    if contact.phone_e164:
        same = col(Contact.phone_e164) == contact.phone_e164
        for other in session.scalars(select(Contact).where(same, col(Contact.id) != contact.id)):
            found.setdefault(other.id or 0, (other, f"same phone ({other.phone})"))
    if contact.company_id is not None:
        mine = NameKey.of(contact.name)
        blocks = mine.blocks
        rows = session.execute(
            select(col(Contact.id), col(Contact.name)).where(
                col(Contact.company_id) == contact.company_id, col(Contact.id) != contact.id
            )
        )
        for cid, name in rows:
            theirs = NameKey.of(name)
            why = compare(theirs, mine) if theirs.blocks & blocks else None
            if why and cid not in found:
                looks_alike = session.get(Contact, cid)
                assert looks_alike is not None
                found[cid] = (looks_alike, why)
    return [found[cid] for cid in sorted(found)][:limit]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
