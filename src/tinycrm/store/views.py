"""The 360-degree views of a contact, a company and a deal: the record with its company,
contacts, deals, stage history, open tasks, latest activities and events.

A composite: it reads through the nouns' own list functions, so a view shows exactly
what ``contact list``, ``deal list``, ``task list`` and ``feed`` would.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tinycrm import repeat
from tinycrm.store import activities, companies, contacts, deals, events, validate
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, Company, CompanyView, Contact, ContactView, DealView


def contact_view(store: Store, ref: str | int, *, limit: int | None = 20) -> ContactView:
    """The 360-degree view: details, company, deals, open tasks, activities and events."""
    limit = validate.limit(limit)
    with store.read() as session:
        contact = contacts.resolve_contact(session, ref)
        company = session.get(Company, contact.company_id) if contact.company_id else None
        key = str(contact.id)
        return ContactView(
            contact=contacts.to_read(session, contact),
            company=companies.to_read(session, company) if company else None,
            deals=deals.list_deals(store, contact=key, status=None),
            open_tasks=activities.list_tasks(store, contact=key, scope="open"),
            activities=activities.list_activities(store, contact=key, limit=limit),
            events=events.list_events(store, entity="contact", entity_id=contact.id, limit=limit),
            next_touch=_next_touch(session, contact),
        )


def _next_touch(session: Session, contact: Contact) -> datetime | None:
    """When keeping in touch with ``contact`` is next due (None without a cadence)."""
    if not contact.cadence_days:
        return None
    last = session.exec(
        select(func.max(Activity.occurred_at)).where(Activity.contact_id == contact.id)
    ).one()
    started = contact.cadence_since or contact.created_at
    return repeat.next_touch(contact.cadence_days, started=started, last=last)


def company_view(store: Store, ref: str | int, *, limit: int | None = 20) -> CompanyView:
    """A company with its contacts, deals, open tasks, latest activities and events."""
    limit = validate.limit(limit)
    with store.read() as session:
        company = companies.resolve_company(session, ref)
        return CompanyView(
            company=companies.to_read(session, company),
            contacts=contacts.list_contacts(store, company=str(company.id)),
            deals=deals.list_deals(store, company=str(company.id), status=None),
            open_tasks=activities.list_tasks(store, company=str(company.id), scope="open"),
            activities=activities.list_activities(store, company=str(company.id), limit=limit),
            events=events.list_events(store, entity="company", entity_id=company.id, limit=limit),
        )


def deal_view(store: Store, ref: str | int, *, limit: int | None = 20) -> DealView:
    """A deal with its stage history, open tasks, activities and events."""
    limit = validate.limit(limit)
    with store.read() as session:
        deal = deals.resolve_deal(session, ref)
        assert deal.id is not None
        key = str(deal.id)
        return DealView(
            deal=deals.to_read(session, deal),
            history=deals.deal_history(session, deal.id),
            open_tasks=activities.list_tasks(store, deal=key, scope="open"),
            activities=activities.list_activities(store, deal=key, limit=limit),
            events=events.list_events(store, entity="deal", entity_id=deal.id, limit=limit),
        )
