"""Jumping to a record by name: the contacts, companies and deals whose name contains what
was typed (the board's command palette), and name completion for its forms."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from tinycrm.store import validate
from tinycrm.store.contacts import search_ids
from tinycrm.store.engine import Store
from tinycrm.store.models import (
    Company,
    Contact,
    Deal,
    ReadModel,
)


class RecordHit(ReadModel):
    """A contact, company or deal found by name (the command palette's jump list)."""

    kind: str
    id: int
    label: str
    detail: str


# --------------------------------------------------------------------------- jump to a record


def search_records(store: Store, query: str, *, limit: int = 8) -> list[RecordHit]:
    """Contacts, companies and deals whose name contains ``query`` (any case, any script).

    At most ``limit`` of each kind: deals first, then contacts, then companies.
    """
    text = query.strip()
    if not text:
        return []
    pattern = validate.contains_pattern(text)
    with store.read() as session:
        hits: list[RecordHit] = []
        account = aliased(Company)
        for deal_id, title, status, company in session.execute(
            select(col(Deal.id), col(Deal.title), col(Deal.status), col(account.name))
            .outerjoin(account, col(Deal.company_id) == col(account.id))
            .where(col(Deal.title_key).like(pattern, escape="\\"))
            .order_by(col(Deal.title_key), col(Deal.id))
            .limit(limit)
        ):
            detail = " · ".join(p for p in (company, status) if p)
            hits.append(RecordHit(kind="deal", id=deal_id, label=title, detail=detail))
        for contact_id, name, email, company in session.execute(
            select(col(Contact.id), col(Contact.name), col(Contact.email), col(account.name))
            .outerjoin(account, col(Contact.company_id) == col(account.id))
            .where(col(Contact.id).in_(search_ids(store, session, text)))
            .order_by(col(Contact.name_key), col(Contact.id))
            .limit(limit)
        ):
            detail = " · ".join(p for p in (email, company) if p)
            hits.append(RecordHit(kind="contact", id=contact_id, label=name, detail=detail))
        for company_id, name, domain in session.execute(
            select(col(Company.id), col(Company.name), col(Company.domain))
            .where(
                or_(
                    col(Company.name_key).like(pattern, escape="\\"),
                    col(Company.domain).like(pattern, escape="\\"),
                )
            )
            .order_by(col(Company.name_key), col(Company.id))
            .limit(limit)
        ):
            hits.append(RecordHit(kind="company", id=company_id, label=name, detail=domain or ""))
        return hits


def complete_name(store: Store, *, kind: str, prefix: str) -> str | None:
    """The first contact or company name (``kind``) that starts with ``prefix``, any case.

    What a form's REF field offers as inline completion.
    """
    key = " ".join(prefix.split()).casefold()
    if not key or len(key) > validate.MAX_SEARCH:
        return None
    model = {"contact": Contact, "company": Company}.get(kind)
    if model is None:
        raise ValueError(f"cannot complete names of {kind!r}")
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with store.read() as session:
        return session.scalar(
            select(model.name)  # type: ignore[attr-defined]
            .where(model.name_key.like(f"{escaped}%", escape="\\"))  # type: ignore[attr-defined]
            .order_by(model.name_key, model.id)  # type: ignore[attr-defined]
            .limit(1)
        )
