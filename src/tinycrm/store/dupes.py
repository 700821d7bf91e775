"""Duplicate contacts: finding likely pairs, and merging one contact into another.

Likely duplicates share an email address (ignoring case, ``+tags`` and Gmail's
dots), a phone number (compared as numbers: ``tinycrm.phones``), or work at one
company under names that look like one person's (``tinycrm.names``: accents,
transliterations, reordered words, initials, nicknames, then rapidfuzz's ratio).
Only names at one company filed under one blocking key are compared, not every pair
(``bench/dupes.py``).

A merge moves everything that hangs off OTHER to KEEP (activities, deals, tags,
custom fields, campaign memberships, BANT answers, lifecycle history, sequence
enrollments, events and earlier aliases), fills KEEP's empty fields from OTHER,
deletes OTHER, and records OTHER's id and email as aliases so they still resolve
as REFs. One transaction, one event; ``dry_run`` reports the same without writing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlmodel import Session, col

from tinycrm.phones import try_normalise
from tinycrm.safetext import quoted
from tinycrm.store import validate
from tinycrm.store.automation_models import SequenceEnrollment
from tinycrm.store.bulk import gc_paused
from tinycrm.store.companies import resolve_company
from tinycrm.store.contacts import resolve_contact, search_key, typed_by
from tinycrm.store.contacts import to_read as contact_read
from tinycrm.store.dupe_rules import key_pairs, mailbox, name_pairs, phone_pairs
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.mail_tombstones import move_tombstones
from tinycrm.store.models import (
    Activity,
    CampaignMember,
    Company,
    Contact,
    ContactAlias,
    ContactRead,
    Deal,
    Event,
    FieldValue,
    LifecycleChange,
    Qualification,
    ReadModel,
    Tag,
)
from tinycrm.store.records import fields_for, lock_linked, record_event, stored_key, tags_for
from tinycrm.store.refs import lock_row
from tinycrm.store.service_models import Contract, SupportCase
from tinycrm.store.types import utcnow

ENTITY = "contact"
MEMBER_ORDER = ("targeted", "sent", "responded", "converted")
# Fields a merge fills on KEEP when KEEP has none (notes are appended instead).
FILLED = (
    "email",
    "phone",
    "title",
    "role",
    "company_id",
    "source",
    "last_touch",
    "cadence_days",
    "lead_status",
)


# what a merge moves: (one, many)
MOVED_NAMES = {
    "activities": ("activity", "activities"),
    "deals": ("deal", "deals"),
    "contracts": ("contract", "contracts"),
    "cases": ("support case", "support cases"),
    "tags": ("tag", "tags"),
    "fields": ("custom field", "custom fields"),
    "campaigns": ("campaign membership", "campaign memberships"),
    "qualification": ("BANT answer", "BANT answers"),
    "lifecycle_history": ("lifecycle change", "lifecycle changes"),
    "sequences": ("sequence enrollment", "sequence enrollments"),
    "events": ("event", "events"),
    "aliases": ("alias", "aliases"),
}


def describe_moved(moved: dict[str, int]) -> str:
    """``{"activities": 3, "deals": 1}`` → ``3 activities, 1 deal``."""
    parts = []
    for what, n in moved.items():
        if n:
            one, many = MOVED_NAMES.get(what, (what, what))
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


# --------------------------------------------------------------------------- read models


class DuplicateRead(ReadModel):
    """A likely duplicate pair: ``keep`` is the older record, the suggested survivor.

    Flat, so that the table, JSON and CSV carry the same columns."""

    keep_id: int
    keep: str
    keep_email: str | None
    keep_phone: str | None
    keep_company: str | None
    other_id: int
    other: str
    other_email: str | None
    other_phone: str | None
    other_company: str | None
    reasons: list[str]


class MergeRead(ReadModel):
    """What a merge did (or, with ``dry_run``, would do)."""

    keep: ContactRead
    other: ContactRead
    moved: dict[str, int]  # activities, deals, tags, fields, … → how many
    filled: list[str]  # KEEP's empty fields filled from OTHER
    conflicts: list[str]  # fields and custom fields where KEEP's value won over OTHER's
    aliases: list[str]  # "id 7", "email old@example.com": REFs that now name KEEP
    dry_run: bool


# --------------------------------------------------------------------------- matching


def find_duplicates(
    store: Store, *, company: str | None = None, limit: int | None = None
) -> list[DuplicateRead]:
    """Likely duplicate contacts, strongest evidence first (email, phone, name)."""
    limit = validate.limit(limit)
    with gc_paused(), store.read() as session:  # 100,000 rows: no collector passes
        query: Select[*tuple[Any, ...]] = select(
            col(Contact.id),
            col(Contact.name),
            col(Contact.email),
            col(Contact.email_key),
            col(Contact.phone),
            col(Contact.phone_e164),
            col(Contact.company_id),
        )
        if company:
            query = query.where(col(Contact.company_id) == resolve_company(session, company).id)
        # Columns, not rows: 100,000 contacts are compared by key, and only the few
        # that share one are looked at as records.
        rows = session.connection().execute(query.order_by(col(Contact.id))).all()
        columns = [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(7)]
        ids, names, emails, email_keys, phones, phone_keys, companies = columns
        region = store.phone_region()
        if region:  # numbers typed before the region was set
            for i, phone in enumerate(phones):
                if phone and not phone_keys[i]:
                    phone_keys[i] = try_normalise(phone, region)[0]
        found: dict[tuple[int, int], list[str]] = defaultdict(list)
        rank: dict[tuple[int, int], int] = {}

        def note(a: int, b: int, reason: str, strength: int) -> None:
            pair = (a, b)
            if reason not in found[pair]:
                found[pair].append(reason)
            rank[pair] = min(rank.get(pair, strength), strength)

        for a, b in key_pairs([mailbox(key) for key in email_keys]):
            note(a, b, f"same email ({emails[a]} / {emails[b]})", 0)
        for a, b in phone_pairs(phones, phone_keys):
            note(a, b, f"same phone ({phones[a]} / {phones[b]})", 1)
        by_name = list(name_pairs(names, companies))
        # Positions are in id order: (strength, positions) is (strength, ids).
        ordered = sorted(
            found.keys() | {(a, b) for a, b, _ in by_name},
            key=lambda pair: (rank.get(pair, 2), pair),
        )
        if limit:
            ordered = ordered[:limit]
        wanted = {companies[i] for pair in ordered for i in pair if companies[i] is not None}
        wanted.update(companies[a] for a, _, _ in by_name)
        company_names = _company_names(session, wanted)
    for a, b, why in by_name:
        note(a, b, f"{why} at {company_names.get(companies[a])}", 2)
    out = []
    for a, b in ordered:
        values: dict[str, Any] = {"reasons": found[(a, b)]}
        for side, i in (("keep", a), ("other", b)):
            values[f"{side}_id"] = ids[i]
            values[side] = names[i]
            values[f"{side}_email"] = emails[i]
            values[f"{side}_phone"] = phones[i]
            values[f"{side}_company"] = company_names.get(companies[i])
        out.append(DuplicateRead(**values))
    return out


def _company_names(session: Session, ids: set[int]) -> dict[int | None, str]:
    """The names of the companies ``ids`` (the few that pairs are found at)."""
    names: dict[int | None, str] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        names.update(
            session.execute(
                select(col(Company.id), col(Company.name)).where(col(Company.id).in_(chunk))
            ).all()
        )
    return names


# --------------------------------------------------------------------------- merging

# A vCard's type and label of the main phone and email (TYPE=CELL, …), kept beside them
# as custom fields: each follows the value it describes.
TYPED = {"phone_type": "phone", "email_type": "email", "phone_label": "phone",
         "email_label": "email"}  # fmt: skip


class _Plan:
    """What a merge of ``other`` into ``keep`` will do, decided before anything is written."""

    def __init__(self) -> None:
        self.moved: dict[str, int] = {}
        self.filled: list[str] = []
        self.conflicts: list[str] = []
        self.aliases: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.fields: list[str] = []
        self.stale: list[str] = []  # KEEP's fields that OTHER's replace (a phone's type)
        self.members: list[tuple[CampaignMember, CampaignMember | None]] = []
        self.answers: list[tuple[Qualification, Qualification | None]] = []
        self.stop: list[int] = []  # OTHER's enrollments that KEEP already has running


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _plan(session: Session, keep: Contact, other: Contact) -> _Plan:
    plan = _Plan()
    kid, oid = keep.id, other.id
    assert kid is not None and oid is not None
    plan.moved["activities"] = _count(session, Activity, Activity.contact_id == oid)
    plan.moved["deals"] = _count(session, Deal, Deal.contact_id == oid)
    plan.moved["contracts"] = _count(session, Contract, col(Contract.contact_id) == oid)
    plan.moved["cases"] = _count(session, SupportCase, col(SupportCase.contact_id) == oid)
    keep_tags = set(tags_for(session, ENTITY, [kid]).get(kid, []))
    plan.tags = [t for t in tags_for(session, ENTITY, [oid]).get(oid, []) if t not in keep_tags]
    plan.moved["tags"] = len(plan.tags)
    keep_fields = fields_for(session, ENTITY, [kid]).get(kid, {})
    other_fields = fields_for(session, ENTITY, [oid]).get(oid, {})
    pages = {typed.casefold(): key for fields in (keep_fields, other_fields) for key in fields
             for typed in typed_by(key)}  # fmt: skip  # website_type: website

    def described(record: Contact, fields: dict[str, str], typed: str) -> str | None:
        """The value a type or label field describes (its phone, email, web page)."""
        if typed.casefold() in TYPED:
            return getattr(record, TYPED[typed.casefold()])  # type: ignore[no-any-return]
        key = pages.get(typed.casefold())
        return fields.get(stored_key(fields, key) or "") if key is not None else None

    for k, v in other_fields.items():
        typing = k.casefold() in TYPED or k.casefold() in pages
        if typing and described(keep, keep_fields, k) not in (None, ""):
            continue  # the type of OTHER's phone, email or page, which KEEP's own wins over
        if typing and described(other, other_fields, k) not in (None, ""):
            # OTHER's phone, email or page fills KEEP's: its type comes with it, and a
            # type KEEP kept without the value goes
            plan.stale += [key for key in keep_fields if key.casefold() == k.casefold()]
            plan.fields.append(k)
        elif k not in keep_fields:
            plan.fields.append(k)
        elif keep_fields[k] != v:
            plan.conflicts.append(f"field {k}: kept {keep_fields[k]!r}, dropped {v!r}")
    plan.moved["fields"] = len(plan.fields)
    keep_members = {
        m.campaign_id: m
        for m in session.scalars(
            select(CampaignMember).where(col(CampaignMember.contact_id) == kid)
        )
    }
    for member in session.scalars(
        select(CampaignMember).where(col(CampaignMember.contact_id) == oid)
    ):
        plan.members.append((member, keep_members.get(member.campaign_id)))
    plan.moved["campaigns"] = len(plan.members)
    keep_answers = {
        q.criterion: q
        for q in session.scalars(
            select(Qualification).where(
                col(Qualification.entity) == ENTITY, col(Qualification.entity_id) == kid
            )
        )
    }
    for answer in session.scalars(
        select(Qualification).where(
            col(Qualification.entity) == ENTITY, col(Qualification.entity_id) == oid
        )
    ):
        mine = keep_answers.get(answer.criterion)
        better = mine is None or (mine.answer == "unknown" and answer.answer != "unknown")
        if better or (mine is not None and mine.note is None and answer.note):
            plan.answers.append((answer, mine))
    plan.moved["qualification"] = len(plan.answers)
    plan.moved["lifecycle_history"] = _count(
        session, LifecycleChange, LifecycleChange.contact_id == oid
    )
    running = {
        e.sequence_id
        for e in session.scalars(
            select(SequenceEnrollment).where(
                col(SequenceEnrollment.contact_id) == kid,
                col(SequenceEnrollment.stopped_at).is_(None),
            )
        )
    }
    enrollments = list(
        session.scalars(select(SequenceEnrollment).where(col(SequenceEnrollment.contact_id) == oid))
    )
    plan.stop = [
        e.id for e in enrollments if e.stopped_at is None and e.sequence_id in running and e.id
    ]
    plan.moved["sequences"] = len(enrollments)
    plan.moved["events"] = _count(session, Event, Event.entity == ENTITY, Event.entity_id == oid)
    plan.moved["aliases"] = _count(session, ContactAlias, ContactAlias.contact_id == oid)
    for attr in FILLED:
        if getattr(keep, attr) in (None, "") and getattr(other, attr) not in (None, ""):
            plan.filled.append(attr)
    plan.conflicts[:0] = _dropped(session, keep, other)
    if other.notes and other.notes != keep.notes:
        plan.filled.append("notes")
    for flag in ("unsubscribed", "do_not_contact"):
        if getattr(other, flag) and not getattr(keep, flag):
            plan.filled.append(flag)
    plan.aliases.append(("id", str(oid)))
    if other.email_key and "email" not in plan.filled:
        plan.aliases.append(("email", other.email_key))  # looked up by key, as REFs are
    return plan


def _dropped(session: Session, keep: Contact, other: Contact) -> list[str]:
    """``title: kept 'CEO', dropped 'CTO'``: each of OTHER's values KEEP's own wins over
    (its email is not dropped: it stays a REF for KEEP)."""
    out = []
    for attr in (*(a for a in FILLED if a != "email"), "lifecycle", "owner"):
        mine, theirs = getattr(keep, attr), getattr(other, attr)
        if mine in (None, "") or theirs in (None, "") or mine == theirs:
            continue
        if attr == "company_id":
            names = _company_names(session, {mine, theirs})
            mine, theirs = names.get(mine, f"#{mine}"), names.get(theirs, f"#{theirs}")
        name = {"company_id": "company", "cadence_days": "cadence"}.get(attr, attr)
        out.append(f"{name}: kept {quoted(mine)}, dropped {quoted(theirs)}")
    return out


def _lock(session: Session, keep: Contact, other: Contact) -> None:
    """Before a merge: OTHER's deals, then both contacts in id order, locked until the
    transaction ends and read afresh (``lock_row``; KEEP as an edit locks it, OTHER as
    its delete does, in the order ``contact rm`` takes them): a ``contact rm`` of either
    goes first, and then the merge is ``NotFound``, or waits for it."""
    assert other.id is not None
    lock_linked(session, Deal, "contact_id", other.id)
    for row in sorted((keep, other), key=lambda contact: contact.id or 0):
        lock_row(session, row, "contact", row.name, edit=row is keep)


def _apply(session: Session, keep: Contact, other: Contact, plan: _Plan) -> None:
    kid, oid = keep.id, other.id
    assert kid is not None and oid is not None
    now = utcnow()
    session.execute(update(Activity).where(col(Activity.contact_id) == oid).values(contact_id=kid))
    session.execute(update(Deal).where(col(Deal.contact_id) == oid).values(contact_id=kid))
    for model in (Contract, SupportCase):  # what comes after the sale follows the person
        session.execute(update(model).where(col(model.contact_id) == oid).values(contact_id=kid))
    for name in plan.tags:
        session.add(Tag(entity=ENTITY, entity_id=kid, name=name))
    session.execute(delete(Tag).where(col(Tag.entity) == ENTITY, col(Tag.entity_id) == oid))
    if plan.stale:
        session.execute(
            delete(FieldValue).where(
                col(FieldValue.entity) == ENTITY,
                col(FieldValue.entity_id) == kid,
                col(FieldValue.key).in_(plan.stale),
            )
        )
    if plan.fields:
        session.execute(
            update(FieldValue)
            .where(
                col(FieldValue.entity) == ENTITY,
                col(FieldValue.entity_id) == oid,
                col(FieldValue.key).in_(plan.fields),
            )
            .values(entity_id=kid)
        )
    session.execute(
        delete(FieldValue).where(col(FieldValue.entity) == ENTITY, col(FieldValue.entity_id) == oid)
    )
    for member, mine in plan.members:
        if mine is None:
            member.contact_id = kid
            continue
        if MEMBER_ORDER.index(member.status) > MEMBER_ORDER.index(mine.status):
            mine.status, mine.updated_at = member.status, now
        mine.added_at = min(mine.added_at, member.added_at)
        session.delete(member)
    for answer, known in plan.answers:
        if known is None:
            answer.entity_id = kid
            continue
        if known.answer == "unknown" and answer.answer != "unknown":
            known.answer = answer.answer
        known.note = known.note or answer.note
        known.updated_at = now
    session.flush()
    session.execute(
        delete(Qualification).where(
            col(Qualification.entity) == ENTITY, col(Qualification.entity_id) == oid
        )
    )
    session.execute(
        update(LifecycleChange).where(col(LifecycleChange.contact_id) == oid).values(contact_id=kid)
    )
    if plan.stop:
        session.execute(
            delete(Activity).where(
                col(Activity.enrollment_id).in_(plan.stop), col(Activity.done_at).is_(None)
            )
        )
        session.execute(
            update(SequenceEnrollment)
            .where(col(SequenceEnrollment.id).in_(plan.stop))
            .values(stopped_at=now, stop_reason="merged")
        )
    session.execute(
        update(SequenceEnrollment)
        .where(col(SequenceEnrollment.contact_id) == oid)
        .values(contact_id=kid)
    )
    session.execute(
        update(Event)
        .where(col(Event.entity) == ENTITY, col(Event.entity_id) == oid)
        .values(entity_id=kid)
    )
    session.execute(
        update(ContactAlias).where(col(ContactAlias.contact_id) == oid).values(contact_id=kid)
    )
    move_tombstones(session, oid, kid)  # its deleted mail stays deleted (mail_tombstones)
    values = {attr: getattr(other, attr) for attr in plan.filled if attr in FILLED}
    if "phone" in values:
        values["phone_e164"] = other.phone_e164
    if "email" in values:
        values["email_key"] = other.email_key
    if "notes" in plan.filled:
        values["notes"] = "\n\n".join(n for n in (keep.notes, other.notes) if n)
    for flag in ("unsubscribed", "do_not_contact"):
        if flag in plan.filled:
            values[flag] = True
    session.delete(other)
    session.flush()  # OTHER's email is free before KEEP takes it
    for attr, value in values.items():
        setattr(keep, attr, value)
    keep.search_key = search_key(keep)
    keep.updated_at = now
    for kind, value in plan.aliases:
        session.add(ContactAlias(contact_id=kid, kind=kind, value=value, created_at=now))
    session.flush()


def merge_contacts(
    store: Store, keep: str | int, other: str | int, *, dry_run: bool = False
) -> MergeRead:
    """Merge OTHER into KEEP (both REFs) and delete OTHER; see the module docstring."""
    opened = store.read() if dry_run else store.write()
    with opened as session:
        survivor = resolve_contact(session, keep)
        merged = resolve_contact(session, other)
        if survivor.id == merged.id:
            raise Invalid(f"{survivor.name} (#{survivor.id}) cannot be merged with itself")
        if not dry_run:
            _lock(session, survivor, merged)
        plan = _plan(session, survivor, merged)
        other_read = contact_read(session, merged)
        if not dry_run:
            _apply(session, survivor, merged, plan)
            moved = describe_moved(plan.moved)
            record_event(
                store,
                session,
                action="merged",
                entity=ENTITY,
                entity_id=survivor.id,
                summary=f"merged contact {merged.name} (#{merged.id}) into {survivor.name}"
                + (f": moved {moved}" if moved else "")
                # what KEEP's own values won over stays in the log, not only on the screen
                + (f"; kept: {'; '.join(plan.conflicts)}" if plan.conflicts else ""),
            )
            session.flush()
        return MergeRead(
            keep=contact_read(session, survivor),
            other=other_read,
            moved=plan.moved,
            filled=[
                {"company_id": "company", "cadence_days": "cadence"}.get(f, f) for f in plan.filled
            ],
            conflicts=plan.conflicts,
            aliases=[f"{kind} {value}" for kind, value in plan.aliases],
            dry_run=dry_run,
        )
