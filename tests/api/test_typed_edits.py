"""Edit functions take typed parameters: each field is what it may become, or ``Unset``
(``UNSET``: leave it), never ``Any``; ``None`` only where a value can be cleared."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import tinycrm
from tinycrm.api import campaigns, companies, contacts, deals, pipelines
from tinycrm.store import campaigns as store_campaigns
from tinycrm.store import companies as store_companies
from tinycrm.store import contacts as store_contacts
from tinycrm.store import deals as store_deals
from tinycrm.store import pipelines as store_pipelines
from tinycrm.unset import UNSET, Unset, is_set

EDITS = [
    contacts.Contacts.edit,
    companies.Companies.edit,
    deals.Deals.edit,
    campaigns.Campaigns.edit,
    pipelines.Pipelines.edit_stage,
    store_contacts.edit_contact,
    store_companies.edit_company,
    store_deals.edit_deal,
    store_campaigns.edit_campaign,
    store_pipelines.edit_stage,
]


def _kinds(annotation: Any) -> set[str]:
    """``"str | Unset | None"`` → ``{"str", "Unset", "None"}`` (read as written: the API
    imports its read models for the type checker only)."""
    if not isinstance(annotation, str):
        annotation = inspect.formatannotation(annotation)
    return {part.strip().rsplit(".", 1)[-1] for part in annotation.split("|")}


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__qualname__)
def test_every_edit_parameter_is_typed(edit: Any) -> None:
    left = {p.name: _kinds(p.annotation) for p in inspect.signature(edit).parameters.values()
            if p.default is UNSET}  # fmt: skip
    assert left, "the edit takes no UNSET parameters"
    for name, kinds in left.items():
        assert "Unset" in kinds and "Any" not in kinds and len(kinds) > 1, (name, kinds)
    # A record always has a name (a deal a title): UNSET or a value, never None.
    required = "title" if "deal" in edit.__qualname__.lower() else "name"
    assert "None" not in left[required]
    assert "None" in left.get("owner", {"None"})  # clearable: back to the user


def test_unset_is_public_and_narrows() -> None:
    assert tinycrm.UNSET is UNSET and tinycrm.Unset is Unset
    assert repr(UNSET) == "UNSET"
    assert not is_set(UNSET) and is_set(None) and is_set("")


def test_leaving_out_keeps_none_clears(tmp_path) -> None:
    with tinycrm.open(str(tmp_path / "crm.db")) as crm:
        crm.contacts.add("Ada", email="ada@example.com", title="Engineer")
        edited = crm.contacts.edit("ada@example.com", title=None, owner=UNSET)
        assert edited.title is None and edited.email == "ada@example.com"
        assert edited.owner  # kept: still the user who added her
