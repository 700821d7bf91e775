"""Leads: status, touches, BANT qualification and conversion to a prospect.

A lead is a contact in the ``lead`` lifecycle. Its status (new, working, hot,
cold, junk, dead) says how the work on it goes; BANT (budget, authority, need,
timeline, each yes / no / unknown with a note) says whether it is worth a
salesperson's time: all four "yes" makes it *sales-qualified*. Converting a
lead makes it a prospect, links its company and may open a deal, as one write
with one event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlmodel import Session, col

from tinycrm import money
from tinycrm.store import odd_dates, validate
from tinycrm.store.companies import (
    create_company,
    create_named_company,
    keep_company,
    link_company,
)
from tinycrm.store.companies import to_read as company_read
from tinycrm.store.contacts import check_lead_status, keep_contact, resolve_contact
from tinycrm.store.contacts import to_read as contact_read
from tinycrm.store.deals import insert_deal, resolve_deal, run_new_deal_rules
from tinycrm.store.deals import to_read as deal_read
from tinycrm.store.engine import Store
from tinycrm.store.errors import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.models import (
    UNREADABLE,
    Activity,
    Campaign,
    CampaignMember,
    Company,
    CompanyRead,
    Contact,
    ContactRead,
    Deal,
    DealRead,
    Qualification,
    ReadModel,
)
from tinycrm.store.records import record_event, record_lifecycle
from tinycrm.store.refs import lock_row, numeric_id
from tinycrm.store.types import ODD_AMOUNTS, utcnow
from tinycrm.vocab import BANT_ANSWERS, BANT_CRITERIA

# Mail providers: an address there says nothing about the company a lead works for.
FREEMAIL = frozenset(
    {
        "aol.com",
        "gmail.com",
        "gmx.at",
        "gmx.ch",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.ru",
        "me.com",
        "outlook.com",
        "posteo.de",
        "proton.me",
        "protonmail.com",
        "t-online.de",
        "web.de",
        "yahoo.com",
        "yandex.ru",
    }
)
ADVANCING = ("targeted", "sent")  # campaign member statuses a response moves on from


# --------------------------------------------------------------------------- read models


class Criterion(ReadModel):
    answer: str  # yes | no | unknown
    note: str | None = None


class QualificationRead(ReadModel):
    """The BANT answers of a contact or a deal."""

    entity: str  # contact | deal
    entity_id: int
    name: str
    budget: Criterion
    authority: Criterion
    need: Criterion
    timeline: Criterion
    sales_qualified: bool  # all four answered "yes"


class LeadRead(ReadModel):
    """A row of ``lead list``: a lead with its status, score and BANT answers."""

    id: int
    name: str
    email: str | None
    company: str | None
    company_id: int | None
    lead_status: str | None
    score: int
    source: str | None
    last_touch: str | None
    owner: str
    budget: str
    authority: str
    need: str
    timeline: str
    sales_qualified: bool
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    unreadable: list[str] = UNREADABLE


class ConversionRead(ReadModel):
    """What ``lead convert`` did."""

    contact: ContactRead
    company: CompanyRead | None
    company_created: bool
    deal: DealRead | None


# --------------------------------------------------------------------------- status


def set_lead_status(store: Store, ref: str | int, status: str) -> ContactRead:
    """Set a contact's lead status (new, working, hot, cold, junk, dead)."""
    clean = check_lead_status(status)
    if clean is None:
        raise Invalid("lead status must not be empty")
    with store.write() as session:
        contact = _locked(session, resolve_contact(session, ref))
        before = contact.lead_status
        if before != clean:
            contact.lead_status = clean
            contact.updated_at = utcnow()
            record_event(
                store,
                session,
                action="updated",
                entity="contact",
                entity_id=contact.id,
                summary=f"lead status of {contact.name}: {before or 'none'} → {clean}",
            )
            session.flush()
        return contact_read(session, contact)


def list_leads(
    store: Store,
    *,
    status: str | None = None,
    qualified: bool | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> list[LeadRead]:
    """Contacts in the lead lifecycle, highest score first, with their BANT answers.

    ``status`` may name several statuses, comma-separated; ``qualified`` keeps only
    sales-qualified leads (True) or only the others (False).
    """
    validate.filters_given(status=status, owner=owner)
    limit = validate.limit(limit)
    from tinycrm.store.contacts import lead_statuses

    with store.read() as session:
        query = (
            select(Contact, col(Company.name))
            .outerjoin(Company, col(Contact.company_id) == col(Company.id))
            .where(col(Contact.lifecycle) == "lead")
        )
        if status:
            query = query.where(col(Contact.lead_status).in_(lead_statuses(status)))
        if owner:
            query = query.where(col(Contact.owner) == owner)
        query = query.order_by(col(Contact.score).desc(), col(Contact.sort_key), col(Contact.id))
        rows = session.execute(query).all()
        answers = _answers(session, "contact", [c.id for c, _ in rows if c.id is not None])
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "contact")
        out: list[LeadRead] = []
        for contact, company in rows:
            bant = answers.get(contact.id, {})
            values = {c: bant[c].answer if c in bant else "unknown" for c in BANT_CRITERIA}
            sql = all(v == "yes" for v in values.values())
            if qualified is not None and sql != qualified:
                continue
            out.append(
                LeadRead(
                    id=contact.id,
                    name=contact.name,
                    email=contact.email,
                    company=company,
                    company_id=contact.company_id,
                    lead_status=contact.lead_status,
                    score=contact.score,
                    source=contact.source,
                    last_touch=contact.last_touch,
                    owner=contact.owner,
                    sales_qualified=sql,
                    created_at=contact.created_at,
                    unreadable=odd.get(contact.id or 0, []),
                    **values,
                )
            )
            if limit and len(out) >= limit:
                break
        return out


# --------------------------------------------------------------------------- touches


def touch_channel(value: str | None) -> str | None:
    """A touch channel as stored: web, event, ads, social, … (lowercase, one line)."""
    clean = validate.optional_text(value, "channel")
    if clean and len(clean) > 60:
        raise Invalid("channel is too long (at most 60 characters)")
    return clean.lower() if clean else None


def record_touch(
    session: Session, contact: Contact, activity: Activity, campaign: Campaign | None
) -> str:
    """A logged activity came through a campaign or channel: it is the contact's last
    touch (unless a later touch is already logged), the first touch (source) when the
    contact has none, and a campaign member's response. Returns the touch's name."""
    name = campaign.name if campaign is not None else (activity.channel or "")
    later = session.scalar(
        select(col(Activity.id))
        .where(
            col(Activity.contact_id) == contact.id,
            col(Activity.id) != activity.id,
            (col(Activity.campaign_id).is_not(None)) | (col(Activity.channel).is_not(None)),
            col(Activity.occurred_at) > activity.occurred_at,
        )
        .limit(1)
    )
    now = utcnow()
    if later is None and contact.last_touch != name:
        contact.last_touch = name
        contact.updated_at = now
    if not contact.source:
        contact.source = name
        contact.updated_at = now
    if campaign is not None:
        session.execute(
            update(CampaignMember)
            .where(
                col(CampaignMember.campaign_id) == campaign.id,
                col(CampaignMember.contact_id) == contact.id,
                col(CampaignMember.status).in_(ADVANCING),
            )
            .values(status="responded", updated_at=now)
        )
    return name


def _locked(session: Session, contact: Contact) -> Contact:
    """``contact`` locked as an edit locks it (``lock_row``): one deleted by the
    ``contact rm`` it waited for is ``NotFound``, never a write to a row that is gone."""
    return lock_row(session, contact, "contact", contact.name, edit=True)


# --------------------------------------------------------------------------- BANT


def _answers(
    session: Session, entity: str, ids: Sequence[int]
) -> dict[int, dict[str, Qualification]]:
    out: dict[int, dict[str, Qualification]] = defaultdict(dict)
    if not ids:
        return out
    query = select(Qualification).where(col(Qualification.entity) == entity)
    if len(ids) < 500:
        query = query.where(col(Qualification.entity_id).in_(ids))
    for row in session.scalars(query):
        out[row.entity_id][row.criterion] = row
    return out


def _qualification(session: Session, entity: str, entity_id: int, name: str) -> QualificationRead:
    rows = _answers(session, entity, [entity_id]).get(entity_id, {})
    criteria = {
        c: Criterion(answer=rows[c].answer, note=rows[c].note)
        if c in rows
        else Criterion(answer="unknown")
        for c in BANT_CRITERIA
    }
    return QualificationRead(
        entity=entity,
        entity_id=entity_id,
        name=name,
        sales_qualified=all(c.answer == "yes" for c in criteria.values()),
        **criteria,
    )


def resolve_lead(session: Session, ref: str) -> tuple[str, Contact | Deal]:
    """A REF naming a contact or a deal (``contact:REF`` / ``deal:REF`` say which)."""
    kind, sep, rest = ref.partition(":")
    prefix = kind.strip().lower()
    if sep and prefix in ("contact", "deal") and rest.strip():
        resolver = resolve_contact if prefix == "contact" else resolve_deal
        return prefix, resolver(session, rest)
    found: list[tuple[str, Contact | Deal]] = []
    for name, resolver in (("contact", resolve_contact), ("deal", resolve_deal)):
        try:
            found.append((name, resolver(session, ref)))  # type: ignore[operator]
        except NotFound:
            continue
    if not found:
        raise NotFound(f"no contact or deal matches {ref!r}")
    if len(found) > 1:
        listed = "; ".join(f"{name}:{record.id}" for name, record in found)
        raise Ambiguous(f"{ref!r} could be {listed} (write one of these)", [listed])
    return found[0]


def _label(record: Contact | Deal) -> str:
    return record.name if isinstance(record, Contact) else record.title


def get_qualification(store: Store, ref: str) -> QualificationRead:
    """The BANT answers of the contact or deal ``ref`` names."""
    with store.read() as session:
        entity, record = resolve_lead(session, ref)
        assert record.id is not None
        return _qualification(session, entity, record.id, _label(record))


def contact_qualification(store: Store, contact_id: int) -> QualificationRead:
    """The BANT answers of a contact, by id (for the contact view)."""
    with store.read() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"no contact with id {contact_id}")
        return _qualification(session, "contact", contact_id, contact.name)


def qualify(
    store: Store,
    ref: str,
    *,
    answers: Mapping[str, str | None] | None = None,
    notes: Mapping[str, str] | None = None,
) -> QualificationRead:
    """Set BANT answers (``{"budget": "yes", …}``) and notes on a contact or deal.

    A criterion not named keeps its answer; a note alone leaves the answer as it
    is ("unknown" when there was none). An empty note clears it. One event.
    """
    clean_answers = {
        _criterion(k): _answer(v, k) for k, v in (answers or {}).items() if v is not None
    }
    clean_notes = {
        _criterion(k): validate.optional_text(v, f"{k} note") for k, v in (notes or {}).items()
    }
    with store.write() as session:
        entity, record = resolve_lead(session, ref)
        # not deleted before its answers are written (a contact rm or deal rm meanwhile:
        # waited for, and then NotFound)
        if isinstance(record, Contact):
            record = keep_contact(session, record)
        else:
            record = lock_row(session, record, "deal", record.title, key=True)
        assert record.id is not None
        existing = _answers(session, entity, [record.id]).get(record.id, {})
        now = utcnow()
        changes: list[str] = []
        for criterion in BANT_CRITERIA:
            if criterion not in clean_answers and criterion not in clean_notes:
                continue
            row = existing.get(criterion)
            if row is None:
                row = Qualification(
                    entity=entity,
                    entity_id=record.id,
                    criterion=criterion,
                    answer="unknown",
                    updated_at=now,
                )
                session.add(row)
            answer = clean_answers.get(criterion, row.answer)
            note = clean_notes.get(criterion, row.note)
            if answer != row.answer:
                changes.append(f"{criterion}={answer}")
            elif note != row.note:
                changes.append(f"{criterion} note")
            if (answer, note) != (row.answer, row.note):
                row.answer, row.note, row.updated_at = answer, note, now
        session.flush()
        result = _qualification(session, entity, record.id, _label(record))
        if changes:
            marker = " (sales-qualified)" if result.sales_qualified else ""
            record_event(
                store,
                session,
                action="qualified",
                entity=entity,
                entity_id=record.id,
                summary=f"qualified {entity} {_label(record)}: {', '.join(changes)}{marker}",
            )
        return result


def _criterion(value: str) -> str:
    found = validate.choice(value, BANT_CRITERIA, "BANT criterion")
    if found is None:
        raise Invalid("BANT criterion must not be empty")
    return found


def _answer(value: str, criterion: str) -> str:
    found = validate.choice(value, BANT_ANSWERS, f"{criterion} answer")
    if found is None:
        raise Invalid(f"{criterion} answer must not be empty (yes, no or unknown)")
    return found


# --------------------------------------------------------------------------- conversion


def convert_lead(
    store: Store,
    ref: str | int,
    *,
    company: str | None = None,
    deal: str | None = None,
    amount: Decimal | str | int | None = None,
    currency: str | None = None,
    stage: str | None = None,
    pipeline: str | None = None,
) -> ConversionRead:
    """Make a lead a prospect, in one transaction with one event.

    Its company is ``company`` (a REF; a name that matches none creates it), else the
    one it already has, else the company with its email's domain, created (named
    after the domain) when there is none; addresses at mail providers name no
    company. With ``deal`` (a title), a deal is opened with the contact and company
    (automation rules for new deals run). The contact's campaign memberships
    become "converted".
    """
    if deal is None and (amount is not None or stage or pipeline or currency):
        raise Invalid("--amount, --currency, --stage and --pipeline need --deal TITLE")
    with store.write() as session:
        contact = _locked(session, resolve_contact(session, ref))
        assert contact.id is not None
        if contact.lifecycle != "lead":
            raise Conflict(f"{contact.name} is not a lead (lifecycle: {contact.lifecycle})")
        account, created = _company_for(store, session, contact, company)
        now = utcnow()
        if account is not None:
            contact.company_id = account.id
        contact.lifecycle = "prospect"
        contact.updated_at = now
        record_lifecycle(store, session, contact.id, "lead", "prospect")
        session.execute(
            update(CampaignMember)
            .where(
                col(CampaignMember.contact_id) == contact.id,
                col(CampaignMember.status) != "converted",
            )
            .values(status="converted", updated_at=now)
        )
        session.flush()
        opened = None
        if deal is not None:
            opened = _open_deal(
                store,
                session,
                contact,
                account,
                title=deal,
                amount=amount,
                currency=currency,
                stage=stage,
                pipeline=pipeline,
            )
        summary = f"converted lead {contact.name} to prospect"
        if account is not None:
            summary += f" at {account.name}" + (" (new company)" if created else "")
        if opened is not None:
            value = money.format_money(
                money.from_minor(opened.amount_minor, opened.currency)
                if opened.amount_minor is not None
                else None,
                opened.currency,
            )
            summary += f"; opened deal {opened.title}" + (f" ({value})" if value else "")
        record_event(
            store,
            session,
            action="converted",
            entity="contact",
            entity_id=contact.id,
            summary=summary,
        )
        session.flush()
        return ConversionRead(
            contact=contact_read(session, contact),
            company=company_read(session, account) if account else None,
            company_created=created,
            deal=deal_read(session, opened) if opened else None,
        )


def email_domain(email: str | None) -> str | None:
    """The company domain an email address points to (None for mail providers)."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].lower()
    try:
        clean = validate.domain(domain)
    except Invalid:
        return None
    return None if clean in FREEMAIL else clean


def name_from_domain(domain: str) -> str:
    """``acme-tools.co.uk`` → ``Acme Tools``."""
    labels = domain.split(".")[:-1]
    if len(labels) > 1 and labels[-1] in ("co", "com", "org", "net", "ac", "gv", "gov"):
        labels = labels[:-1]
    base = labels[-1] if labels else domain
    return " ".join(word.capitalize() for word in base.replace("_", "-").split("-") if word)


def _company_for(
    store: Store, session: Session, contact: Contact, ref: str | None
) -> tuple[Company | None, bool]:
    """The company a converted lead belongs to, and whether it was created for it."""
    if ref is not None and ref.strip():
        try:
            return link_company(session, ref), False  # not deleted meanwhile
        except NotFound:
            if numeric_id(ref) is not None:
                raise
            return create_named_company(store, session, ref, event=False), True
    if contact.company_id:
        kept = session.get(Company, contact.company_id)
        return (keep_company(session, kept) if kept else None), False
    domain = email_domain(contact.email)
    if domain is None:
        return None, False
    found = session.scalars(
        select(Company)
        .where(col(Company.domain).in_(validate.domain_forms(domain)))
        .order_by(col(Company.id))
        .limit(1)
    ).first()
    if found is not None:
        return keep_company(session, found), False  # not deleted before it is linked
    name = name_from_domain(validate.domain_unicode(domain)) or domain
    same_name = session.scalars(
        select(Company).where(col(Company.name_key) == validate.key(name)).limit(1)
    ).first()
    if same_name is not None:
        if same_name.domain is None:
            return keep_company(
                session, same_name
            ), False  # "Acme" without a domain is acme.de's company
        name = domain
        if session.scalars(select(Company).where(col(Company.name_key) == domain)).first():
            raise Conflict(f"a company named {domain!r} already exists; name one with --company")
    return create_company(store, session, name, domain=domain, event=False), True


def _open_deal(
    store: Store,
    session: Session,
    contact: Contact,
    account: Company | None,
    *,
    title: str,
    amount: Decimal | str | int | None,
    currency: str | None,
    stage: str | None,
    pipeline: str | None,
) -> Deal:
    """A deal opened by a conversion: ``insert_deal``'s, owned by the contact's owner,
    without an event of its own (the conversion's event names it)."""
    opened, target = insert_deal(
        store,
        session,
        title=title,
        contact=contact,
        company=account,
        amount=amount,
        currency=currency,
        stage=stage,
        pipeline=pipeline,
        owner=contact.owner,
    )
    run_new_deal_rules(store, session, opened, target)
    return opened
