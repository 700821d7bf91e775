"""A filter given blank is refused, never read as no filter.

``tinycrm contact list --owner "$WHO"`` with WHO unset (or ``deal list --stage ""``,
``case list --contact ""``…) listed every record, and a script went on to act on them
all; ``task list --contact ""`` was refused already. Every list says so now, in the store,
so the command line, the library and the MCP server alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tinycrm.store import Invalid
from tinycrm.store.activities import list_activities, list_tasks
from tinycrm.store.cases import list_cases
from tinycrm.store.companies import list_companies
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.contracts import list_contracts
from tinycrm.store.deals import list_deals
from tinycrm.store.leads import list_leads
from tinycrm.store.products import list_products
from tinycrm.store.quotes import list_quotes

LISTS: list[tuple[Callable[..., Any], tuple[str, ...]]] = [
    (list_contacts, ("company", "lifecycle", "lead_status", "role", "owner", "segment")),
    (list_companies, ("owner", "segment")),
    (list_deals, ("status", "stage", "pipeline", "contact", "company", "owner", "segment")),
    (list_leads, ("status", "owner")),
    (list_cases, ("status", "priority", "owner", "contact", "company")),
    (list_contracts, ("status", "contact", "company", "deal")),
    (list_products, ("currency",)),
    (list_tasks, ("contact", "company", "deal")),
    (list_activities, ("contact", "company", "deal")),
    (list_quotes, ("status", "deal")),
]


@pytest.mark.parametrize(
    ("listing", "name"),
    [(listing, name) for listing, names in LISTS for name in names],
    ids=[f"{listing.__name__}-{name}" for listing, names in LISTS for name in names],
)
def test_a_blank_filter_is_refused(store: Any, listing: Callable[..., Any], name: str) -> None:
    add_contact(store, name="Ada Lovelace", owner="ada")
    for blank in ("", "   "):
        with pytest.raises(Invalid, match="must not be empty: leave it out"):
            listing(store, **{name: blank})


def test_a_filter_left_out_still_lists_them_all(store: Any) -> None:
    add_contact(store, name="Ada Lovelace", owner="ada")
    assert [c.name for c in list_contacts(store)] == ["Ada Lovelace"]
    assert [c.name for c in list_contacts(store, owner="ada")] == ["Ada Lovelace"]
