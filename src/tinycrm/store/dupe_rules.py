"""What counts as a likely duplicate contact: the rules ``contact dupes`` lists by, an
import decides by (``--on-duplicate``) and ``contact add`` warns by.

Two contacts are likely one person when they share an email address (ignoring case,
``+tags`` and Gmail's dots), a phone number (as a number: ``tinycrm.phones``; an
extension is another line), or work at one company under names that look like one
person's (``tinycrm.names``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.names import RATIO, NameKey, compare, name_blocks, similarity_function
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


def mailbox(email: str | None) -> str | None:
    """``email_key``, the string given when it is one already, without working it out
    for the commonest address (lower case, no ``+``, not Gmail, nothing to strip)."""
    if not email:
        return None
    if (
        "+" not in email
        and email.islower()
        and not email.endswith(_GMAIL)
        and email[0] != "@"
        and "@" in email
        and not email[0].isspace()
        and not email[-1].isspace()
    ):
        return email
    key = email_key(email)
    return email if key == email else key


_GMAIL = tuple(f"@{domain}" for domain in GMAIL)


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


def key_pairs(keys: Sequence[Any]) -> Iterator[tuple[int, int]]:
    """Pairs of positions ``(i, j)``, ``i < j``, whose keys are equal (and not empty).
    Most keys are unique: they are counted in C and only shared ones are filed."""
    shared = {key for key, n in Counter(keys).items() if n > 1 and key}
    if not shared:
        return
    buckets: dict[Any, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key in shared:
            buckets[key].append(i)
    for bucket in buckets.values():
        yield from combinations(bucket, 2)


def phone_pairs(
    phones: Sequence[str | None], keys: Sequence[str | None]
) -> Iterator[tuple[int, int]]:
    """Pairs of positions with one number: equal normalised forms ``keys`` (an extension
    is another number); and, for a number that could not be read (a ``phones`` entry
    without a key), the same digits but for a country code."""
    yield from key_pairs(keys)
    unread = [phones[i] for i, key in enumerate(keys) if not key and phones[i]]
    if not any(phone_digits(phone) for phone in unread):
        return
    tails: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, (phone, key) in enumerate(zip(phones, keys, strict=True)):
        digits = phone_digits(key or phone)
        if digits and ";ext=" not in (key or ""):
            tails[digits[-6:]].append((i, digits))
    for bucket in tails.values():
        for (a, da), (b, db) in combinations(bucket, 2):
            if (not keys[a] or not keys[b]) and same_phone(da, db):
                yield a, b


def name_pairs(
    names: Sequence[str], companies: Sequence[int | None]
) -> Iterator[tuple[int, int, str]]:
    """Pairs of positions ``(i, j)``, ``i < j``, of names at one company (``companies``)
    that look like one person's, with why. Blocking: only names filed under one key
    (``NameKey.blocks``) at one company are compared, each pair once; a name is worked
    out in full (``NameKey``) only when it shares a key with another, and ``compare``d only
    when the pair passes a test that every one of its rules implies."""
    at: dict[int, list[int]] = defaultdict(list)
    for i, company in enumerate(companies):
        if company is not None:
            at[company].append(i)
    keys: dict[int, NameKey] = {}
    similarity, cutoff = similarity_function(), RATIO / 100
    for members in at.values():
        if len(members) < 2:
            continue
        blocks: dict[str, list[int]] = defaultdict(list)
        for i in members:
            for block in name_blocks(names[i]):
                blocks[block].append(i)
        filed = [group for group in blocks.values() if len(group) > 1]
        for group in filed:
            for i in group:
                if i not in keys:
                    keys[i] = NameKey.of(names[i])
        seen: set[tuple[int, int]] = set()
        for group in filed:
            for j in range(1, len(group)):
                b = group[j]
                kb = keys[b]
                joined, last = kb.joined, kb.last
                for a in group[:j]:
                    ka = keys[a]
                    # What every rule of ``compare`` needs: the same words (sorted), the
                    # same last name, or similar names. Most pairs have none of them.
                    if (
                        ka.joined != joined
                        and ka.last != last
                        and not similarity(ka.joined, joined, score_cutoff=cutoff)
                    ) or (a, b) in seen:
                        continue
                    seen.add((a, b))
                    why = compare(ka, kb)
                    if why:
                        yield a, b, why


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
