"""Streamed contact exports hold what ``list_contacts`` returns, filtered or not."""

from __future__ import annotations

from typing import Any

import pytest

from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.engine import Store
from tinycrm.store.errors import TinyCrmError
from tinycrm.store.exports import iter_contacts, stream_contacts


@pytest.fixture
def people(store: Store) -> Store:
    add_contact(store, name="Ada Lovelace", email="ada@example.com", tags=["vip", "math"])
    add_contact(store, name="Bob Byte", company="Acme", fields={"shoe": "44"})
    add_contact(store, name="Cy Cycle", company="Acme", tags=["vip"], fields={"pet": "cat"})
    add_contact(store, name="Dee Dup", lifecycle="customer")
    return store


def _streamed(store: Store, chunk: int = 2, **filters: Any) -> tuple[list[str], list[dict]]:
    batches = stream_contacts(store, chunk=chunk, **filters)
    keys, field_names = next(batches)
    rows = [dict(zip(keys, row, strict=True)) for batch in batches for row in batch]
    return field_names, rows


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"tags": ["vip"]},
        {"company": "Acme"},
        {"where": "lifecycle=customer or tag:math"},
        {"where": "#vip acme"},
        {"search": "cy", "owner": "me"},
        {"lifecycle": "lead", "limit": 2},
        {"limit": 2},
    ],
    ids=["all", "tag", "company", "where", "quick", "search", "lifecycle", "limit"],
)
def test_stream_matches_list(people: Store, filters: dict[str, Any]) -> None:
    listed = list_contacts(people, **filters)
    field_names, rows = _streamed(people, **filters)
    assert [r["id"] for r in rows] == [c.id for c in listed]
    for row, contact in zip(rows, listed, strict=True):
        assert row["tags"] == contact.tags
        assert row["fields"] == contact.fields
        assert row["created_at"] == contact.created_at
        assert row["unsubscribed"] is contact.unsubscribed
        assert row["company"] == contact.company
    assert field_names == sorted({k for c in listed for k in c.fields})


def test_list_export_and_board_share_one_query_builder_per_noun() -> None:
    """``contact list`` and ``export contacts`` run one query; ``deal list`` (and so
    ``export deals``) and the board's columns one set of deal conditions."""
    from tinycrm.store import board, contacts, deals, exports

    assert exports.contacts_query is contacts.contacts_query
    assert board.deal_conditions is deals.deal_conditions


def test_tags_of_contacts_outside_the_selection_are_not_read(people: Store) -> None:
    field_names, rows = _streamed(people, where="name~bob")
    assert [r["name"] for r in rows] == ["Bob Byte"]
    assert rows[0]["tags"] == [] and rows[0]["fields"] == {"shoe": "44"}
    assert field_names == ["shoe"]


def test_times_as_iso_text_are_what_isoformat_writes(people: Store) -> None:
    from datetime import UTC, datetime

    from tinycrm.store.types import written_at

    with written_at(datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC)):  # no microseconds
        add_contact(people, name="Eve Even")
    _, as_times = _streamed(people)
    _, as_text = _streamed(people, times="iso")
    assert len(as_text) == len(as_times) == 5
    for timed, text in zip(as_times, as_text, strict=True):
        for key in ("created_at", "updated_at"):
            assert text[key] == timed[key].isoformat()
    (eve,) = [row for row in as_text if row["name"] == "Eve Even"]
    assert eve["created_at"] == "2026-03-29T01:00:00+00:00"


def test_iter_contacts_gives_what_list_gives(people: Store) -> None:
    """The streamed contacts are the list's, read model for read model, in its order
    (tags, custom fields, company names, times), also in chunks smaller than the list
    and with a filter."""
    assert list(iter_contacts(people, chunk=3)) == list_contacts(people)
    assert list(iter_contacts(people, chunk=1, tags=["vip"])) == list_contacts(people, tags=["vip"])


def test_iter_contacts_checks_its_filters_at_once(people: Store) -> None:
    """A bad filter is refused when the iterator is made, before a row is asked for."""
    with pytest.raises(TinyCrmError):
        iter_contacts(people, where="lifecycle=nonsense")
