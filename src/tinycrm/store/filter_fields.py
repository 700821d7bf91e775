"""The fields of the filter language, per record kind: ``FIELDS``, what a filter on
contacts, companies, deals, cases, products and quotes can name, each a field kind of
``tinycrm.store.filter_field_kinds`` (how it compares in SQL), their other names
(``ALIASES``), and ``field_of``, the field a name means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import col

from tinycrm.store import validate
from tinycrm.store.filter_field_kinds import (
    KINDS,
    PLURALS,
    Bool,
    Ctx,
    Field,
    _ByKind,
    _Domain,
    _Email,
    _FullText,
    _LastContacted,
    _Money,
    _Number,
    _QuoteStatus,
    _Ref,
    _Text,
    _Via,
    _When,
    email_key,
)
from tinycrm.store.models import Company, Contact, Deal, Pipeline, Stage
from tinycrm.vocab import (
    CASE_CHANNELS,
    CASE_PRIORITIES,
    CASE_STATUSES,
    DEAL_STATUSES,
    LEAD_STATUSES,
    LIFECYCLES,
    ROLES,
)

# --------------------------------------------------------------------------- the fields


def _effective_probability() -> Any:
    stage = (
        select(col(Stage.probability))
        .where(col(Stage.id) == col(Deal.stage_id))
        .correlate(Deal)
        .scalar_subquery()
    )
    return case(
        (col(Deal.status) == "won", 100),
        (col(Deal.status) == "lost", 0),
        else_=func.coalesce(Deal.probability, stage),
    )


def _lowered(text: str) -> str:
    return text.strip().lower()


def _company_of(link: Any) -> Callable[[Field], _Via]:
    return lambda field: _Via(link, Company.id, field)


_CONTACT_COMPANY = _company_of(Contact.company_id)
_DEAL_COMPANY = _company_of(Deal.company_id)


def _domain(text: str) -> str | None:
    """A domain as stored (``https://www.Acme.de/`` is ``acme.de``), None for no domain."""
    forms = validate.domain_forms(text)
    return forms[0] if forms else None


_COMPANY_REF = _Ref(
    keys=(
        (Company.name_key, validate.key),
        (Company.domain, _lowered),
        (Company.domain, _domain),
        (Company.domain, validate.domain_other_form),
    ),
    what_named="company",
)
_CONTACT_REF = _Ref(
    keys=((Contact.name_key, validate.key), (Contact.email_key, email_key)), what_named="contact"
)

_FIELDS_NOW: dict[str, dict[str, Field]] = {
    "contact": {
        "name": _Text(Contact.name_key, fold="key", nullable=False),
        "email": _Email(Contact.email_key, fold="stored"),  # compared by its key
        "phone": _Text(Contact.phone),
        "title": _Text(Contact.title),
        "role": _Text(Contact.role, fold="stored", choices=ROLES),
        "company": _CONTACT_COMPANY(_COMPANY_REF),
        "lifecycle": _Text(Contact.lifecycle, fold="stored", choices=LIFECYCLES, nullable=False),
        "lead_status": _Text(Contact.lead_status, fold="stored", choices=LEAD_STATUSES),
        "source": _Text(Contact.source),
        "last_touch": _Text(Contact.last_touch),
        "owner": _Text(Contact.owner, nullable=False),
        "score": _Number(Contact.score, nullable=False),
        "created": _When(Contact.created_at),
        "updated": _When(Contact.updated_at),
        "last_contacted": _LastContacted(),
        "city": _CONTACT_COMPANY(_Text(Company.city)),
        "country": _CONTACT_COMPANY(_Text(Company.country)),
        "industry": _CONTACT_COMPANY(_Text(Company.industry)),
        "size": _CONTACT_COMPANY(_Number(Company.size)),
        "unsubscribed": Bool(Contact.unsubscribed),
        "do_not_contact": Bool(Contact.do_not_contact),
        "text": _FullText(),
    },
    "company": {
        "name": _Text(Company.name_key, fold="key", nullable=False),
        "domain": _Domain(Company.domain, fold="stored"),
        "industry": _Text(Company.industry),
        "size": _Number(Company.size),
        "city": _Text(Company.city),
        "country": _Text(Company.country),
        "owner": _Text(Company.owner, nullable=False),
        "created": _When(Company.created_at),
        "updated": _When(Company.updated_at),
        "text": _FullText(),
    },
    "deal": {
        "title": _Text(Deal.title_key, fold="key", nullable=False),
        "stage": _Via(
            Deal.stage_id,
            Stage.id,
            _Ref(keys=((Stage.name_key, validate.key),), what_named="stage"),
        ),
        "status": _Text(Deal.status, fold="stored", choices=DEAL_STATUSES, nullable=False),
        "pipeline": _Via(
            Deal.pipeline_id,
            Pipeline.id,
            _Ref(keys=((Pipeline.name_key, validate.key),), what_named="pipeline"),
        ),
        "amount": _Money(),
        "currency": _Text(Deal.currency, nullable=False),
        "probability": _Number(_effective_probability, nullable=False, percent=True),
        "close": _When(Deal.close_date, date_only=True),
        "owner": _Text(Deal.owner, nullable=False),
        "company": _DEAL_COMPANY(_COMPANY_REF),
        "contact": _Via(Deal.contact_id, Contact.id, _CONTACT_REF),
        "created": _When(Deal.created_at),
        "updated": _When(Deal.updated_at),
        "text": _FullText(),
    },
}


def _sales_or_service_fields(kind: str) -> dict[str, Field]:
    """The fields of cases, products and quotes (their tables loaded now)."""
    from tinycrm.store.sales_models import Product, Quote
    from tinycrm.store.service_models import SupportCase

    fields: dict[str, dict[str, Field]] = {
        "case": {
            "subject": _Text(SupportCase.subject, nullable=False),
            "status": _Text(
                SupportCase.status, fold="stored", choices=CASE_STATUSES, nullable=False
            ),
            "priority": _Text(
                SupportCase.priority, fold="stored", choices=CASE_PRIORITIES, nullable=False
            ),
            "channel": _Text(SupportCase.channel, fold="stored", choices=CASE_CHANNELS),
            "owner": _Text(SupportCase.owner, nullable=False),
            "contact": _Via(SupportCase.contact_id, Contact.id, _CONTACT_REF),
            "company": _company_of(SupportCase.company_id)(_COMPANY_REF),
            "csat": _Number(SupportCase.csat),
            "opened": _When(SupportCase.opened_at),
            "first_response": _When(SupportCase.first_response_at),
            "resolved": _When(SupportCase.resolved_at),
            "updated": _When(SupportCase.updated_at),
        },
        "product": {
            "name": _Text(Product.name_key, fold="key", nullable=False),
            "sku": _Text(Product.sku),
            "price": _Money(minor=Product.price_minor, currency=Product.currency),
            "currency": _Text(Product.currency, nullable=False),
            "unit": _Text(Product.unit),
            "recurring": _Text(Product.recurring, fold="stored", choices=("month", "year")),
            "created": _When(Product.created_at),
            "updated": _When(Product.updated_at),
        },
        "quote": {
            "number": _Text(Quote.number, nullable=False),
            "status": _QuoteStatus(),
            "total": _Money(minor=Quote.total_minor, currency=Quote.currency),
            "net": _Money(minor=Quote.net_minor, currency=Quote.currency),
            "currency": _Text(Quote.currency, nullable=False),
            "deal": _Text(Quote.deal_title, nullable=False),
            "company": _Text(Quote.company),
            "contact": _Text(Quote.contact),
            "valid_until": _When(Quote.valid_until, date_only=True),
            "created": _When(Quote.created_at),
        },
    }
    return fields[kind]


FIELDS: dict[str, dict[str, Field]] = _ByKind(_FIELDS_NOW, _sales_or_service_fields)

ALIASES: dict[str, dict[str, str]] = {
    "contact": {"status": "lead_status", "created_at": "created", "updated_at": "updated"},
    "company": {"created_at": "created", "updated_at": "updated"},
    "case": {"opened_at": "opened", "created": "opened", "resolved_at": "resolved"},
    "product": {"created_at": "created", "updated_at": "updated"},
    "quote": {"valid": "valid_until", "created_at": "created", "amount": "total"},
    "deal": {
        "close_date": "close",
        "created_at": "created",
        "updated_at": "updated",
        "value": "amount",
    },
}

OPS_HINT = {
    "text": "=, != or ~",
    "number": "=, !=, <, >, <= or >=",
    "amount": "=, !=, <, >, <= or >=",
    "date": "=, !=, <, >, <= or >=",
    "yes/no": "= or !=",
    "full text": '~: text~"words"',
}


def field_of(ctx: Ctx, name: str, offset: int) -> Field:
    table = FIELDS[ctx.kind]
    field = table.get(ALIASES[ctx.kind].get(name, name))
    if field is not None:
        return field
    import difflib  # only on this error path: it is slow to import

    close = difflib.get_close_matches(name, list(table), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    elsewhere = [PLURALS[k] for k in KINDS if k != ctx.kind and name in FIELDS[k]]
    where = f"; it is a field of {' and '.join(elsewhere)}" if elsewhere else ""
    raise ctx.fail(
        offset,
        f"unknown field '{name}' for {PLURALS[ctx.kind]}{hint}{where}; known: {', '.join(table)}",
    )
