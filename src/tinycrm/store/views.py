"""The 360-degree views of a contact, a company and a deal: the record with its company,
contacts, deals, stage history, open tasks, latest activities and events.

A composite: it reads through the nouns' own list functions, so a view shows exactly
what ``contact list``, ``deal list``, ``task list`` and ``feed`` would.
"""

from __future__ import annotations

from tinycrm.store import activities, companies, contacts, deals, events
from tinycrm.store.engine import Store
from tinycrm.store.models import Company, CompanyView, ContactView, DealView


def contact_view(store: Store, ref: str | int, *, limit: int = 20) -> ContactView:
    """The 360-degree view: details, company, deals, open tasks, activities and events."""
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
        )


def company_view(store: Store, ref: str | int, *, limit: int = 20) -> CompanyView:
    """A company with its contacts, deals, open tasks, latest activities and events."""
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


def deal_view(store: Store, ref: str | int, *, limit: int = 20) -> DealView:
    """A deal with its stage history, open tasks, activities and events."""
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
