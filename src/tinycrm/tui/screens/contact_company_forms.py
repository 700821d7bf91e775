"""The contact and company forms, new and edited (``screens.forms`` runs them)."""

from __future__ import annotations

from typing import Any

from tinycrm.api import Crm
from tinycrm.api.models import CompanyRead, ContactRead
from tinycrm.tui.screens.form_conflicts import attributes, refuse_unseen, stored_now
from tinycrm.tui.screens.form_fields import FormField
from tinycrm.tui.screens.form_values import owner_and_tag_changes, owner_and_tags, parse_size, plain
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.vocab import LIFECYCLES, ROLES

ROLE_CHOICES = [(r, r) for r in ROLES]
LIFECYCLE_CHOICES = [(lc, lc) for lc in LIFECYCLES]

# --------------------------------------------------------------------------- contacts, companies


def _contact_fields(contact: ContactRead | None) -> list[FormField]:
    c = contact
    return [
        FormField(
            "name", "Name", c.name if c else "", "Jürgen Müller", required=True, words=("name",)
        ),
        FormField("email", "Email", plain(c.email if c else None), "jm@acme.de", words=("email",)),
        FormField("phone", "Phone", plain(c.phone if c else None), words=("phone",)),
        FormField("title", "Title", plain(c.title if c else None), "CEO", words=("title",)),
        FormField(
            "role", "Role", plain(c.role if c else None), choices=ROLE_CHOICES, words=("role",)
        ),
        FormField(
            "company",
            "Company",
            plain(c.company if c else None),
            "name or domain",
            words=("company",),
            complete="company",
        ),
        FormField(
            "lifecycle",
            "Lifecycle",
            c.lifecycle if c else "lead",
            choices=LIFECYCLE_CHOICES,
            required=True,
            words=("lifecycle",),
        ),
        *owner_and_tags(c),
    ]


def new_contact_form() -> FormScreen:
    def save(crm: Crm, v: dict[str, Any]) -> ContactRead:
        return crm.contacts.add(**v)

    return FormScreen("New contact", _contact_fields(None), save, id="contact-form")


_CONTACT_SHOWN = attributes(
    "name", "email", "phone", "title", "role", "company", "lifecycle", "owner"
)


def edit_contact_form(contact: ContactRead) -> FormScreen:
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> ContactRead:
        changes = {
            k: v[k]
            for k in ("name", "email", "phone", "title", "role", "company", "lifecycle")
            if v[k] != getattr(contact, k)
        }
        changes.update(owner_and_tag_changes(contact, v))
        refuse_unseen(
            contact,
            stored_now(crm.contacts.lock, contact.id, "contact"),  # locked in the write
            changes,
            told,
            _CONTACT_SHOWN,
        )
        return crm.contacts.edit(contact.id, **changes)

    return FormScreen(
        f"Edit contact · {contact.name}",
        _contact_fields(contact),
        save,
        id="contact-form",
    )


def _company_fields(company: CompanyRead | None) -> list[FormField]:
    c = company
    return [
        FormField("name", "Name", c.name if c else "", "Acme GmbH", required=True, words=("name",)),
        FormField("domain", "Domain", plain(c.domain if c else None), "acme.de", words=("domain",)),
        FormField("industry", "Industry", plain(c.industry if c else None)),
        FormField(
            "size",
            "Size",
            plain(c.size if c else None),
            "employees",
            parse=parse_size,
            words=("size",),
        ),
        FormField("phone", "Phone", plain(c.phone if c else None)),
        FormField("city", "City", plain(c.city if c else None)),
        FormField("country", "Country", plain(c.country if c else None)),
        *owner_and_tags(c),
    ]


def new_company_form() -> FormScreen:
    def save(crm: Crm, v: dict[str, Any]) -> CompanyRead:
        return crm.companies.add(**v)

    return FormScreen("New company", _company_fields(None), save, id="company-form")


_COMPANY_SHOWN = attributes(
    "name", "domain", "industry", "size", "phone", "city", "country", "owner"
)


def edit_company_form(company: CompanyRead) -> FormScreen:
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> CompanyRead:
        keys = ("name", "domain", "industry", "size", "phone", "city", "country")
        changes = {k: v[k] for k in keys if v[k] != getattr(company, k)}
        changes.update(owner_and_tag_changes(company, v))
        refuse_unseen(
            company,
            stored_now(crm.companies.lock, company.id, "company"),  # locked in the write
            changes,
            told,
            _COMPANY_SHOWN,
        )
        return crm.companies.edit(company.id, **changes)

    return FormScreen(
        f"Edit company · {company.name}",
        _company_fields(company),
        save,
        id="company-form",
    )
