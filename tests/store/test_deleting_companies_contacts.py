"""Deleting a company or a contact: what it says goes, what it keeps, and a delete at the
same moment as a link, an edit or a merge (gone or linked, never an error or a deadlock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once, refused
from tinycrm.store import Conflict, NotFound
from tinycrm.store.activities import add_task, log_activity
from tinycrm.store.campaigns import add_campaign, add_members
from tinycrm.store.cases import add_case
from tinycrm.store.companies import (
    add_company,
    edit_company,
    list_companies,
    remove_company,
)
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    get_contact,
    list_contacts,
    remove_contact,
)
from tinycrm.store.contracts import add_contract
from tinycrm.store.deals import add_deal, edit_deal, list_deals, remove_deal, win_deal
from tinycrm.store.events import list_events


def _linked_while_deleted(store, monkeypatch, delete, link) -> BaseException | None:  # type: ignore[no-untyped-def]
    """``link`` run while ``delete`` has deleted its record but not committed yet (its
    event written, it waits half a second): the error ``link`` raised, if any."""
    import threading
    import time

    from tinycrm.store import companies, contacts

    deleted = threading.Event()
    for module in (contacts, companies):
        original = module.record_event

        def paused(store, session, *, original=original, **kwargs):  # type: ignore[no-untyped-def]
            original(store, session, **kwargs)
            if kwargs["action"] == "deleted":
                session.flush()
                deleted.set()
                time.sleep(0.5)

        monkeypatch.setattr(module, "record_event", paused)
    thread = threading.Thread(target=delete)
    thread.start()
    assert deleted.wait(10)
    try:
        link()
    except BaseException as exc:
        return exc
    finally:
        thread.join()
    return None


LINKS_TO_A_CONTACT = {
    "deal add": lambda store, n: add_deal(store, title=f"New {n}", contact=f"Person {n}"),
    "deal edit": lambda store, n: edit_deal(store, f"Deal {n}", contact=f"Person {n}"),
    "activity log": lambda store, n: log_activity(
        store, kind="call", text="Hi", contact=f"Person {n}"
    ),
    "task add": lambda store, n: add_task(
        store, text="Call back", due=datetime(2030, 1, 1, tzinfo=UTC), contact=f"Person {n}"
    ),
    "case add": lambda store, n: add_case(store, subject="Broken", contact=f"Person {n}"),
    "contract add": lambda store, n: add_contract(store, deal=f"Won {n}"),
    "campaign members": lambda store, n: add_members(store, "Spring", contacts=[f"Person {n}"]),
}


@pytest.mark.parametrize("link", list(LINKS_TO_A_CONTACT))
def test_a_contact_deleted_while_it_is_linked_is_gone_or_linked_never_an_error(
    store, monkeypatch, link: str
) -> None:
    """``contact rm`` at the moment another writer links that contact: the link is refused
    (``NotFound``: the contact was deleted just now) or made first (and then unlinked by
    the delete, or refusing it), never a foreign-key error from the database."""
    add_campaign(store, name="Spring", channel="email")
    add_company(store, name="Firm 0")
    add_contact(store, name="Person 0", company="Firm 0")
    add_deal(store, title="Deal 0")
    win_deal(store, add_deal(store, title="Won 0", contact="Person 0", amount=5).id)
    error = _linked_while_deleted(
        store,
        monkeypatch,
        lambda: remove_contact(store, "Person 0"),
        lambda: LINKS_TO_A_CONTACT[link](store, 0),
    )
    assert error is None or isinstance(error, NotFound), repr(error)
    if isinstance(error, NotFound):
        assert "Person 0" in str(error)


LINKS_TO_A_COMPANY = {
    "deal add": lambda store, n: add_deal(store, title=f"New {n}", company=f"Firm {n}"),
    "deal edit": lambda store, n: edit_deal(store, f"Deal {n}", company=f"Firm {n}"),
    "contact add": lambda store, n: add_contact(store, name=f"Other {n}", company=f"Firm {n}"),
    "contact edit": lambda store, n: edit_contact(store, f"Person {n}", company=f"Firm {n}"),
    "activity log": lambda store, n: log_activity(
        store, kind="note", text="Hi", company=f"Firm {n}"
    ),
    "case add": lambda store, n: add_case(
        store, subject="Broken", contact=f"Person {n}", company=f"Firm {n}"
    ),
}


@pytest.mark.parametrize("link", list(LINKS_TO_A_COMPANY))
def test_a_company_deleted_while_it_is_linked_is_gone_or_linked_never_an_error(
    store, monkeypatch, link: str
) -> None:
    """``company rm`` at the moment another writer links that company: refused
    (``NotFound``) or linked first, never a foreign-key error from the database."""
    add_company(store, name="Firm 0")
    add_contact(store, name="Person 0")
    add_deal(store, title="Deal 0")
    error = _linked_while_deleted(
        store,
        monkeypatch,
        lambda: remove_company(store, "Firm 0"),
        lambda: LINKS_TO_A_COMPANY[link](store, 0),
    )
    assert error is None or isinstance(error, NotFound), repr(error)
    if isinstance(error, NotFound):
        assert "Firm 0" in str(error)


EDITED_WHILE_DELETED = {
    "contact": (
        lambda store, n: add_contact(store, name=f"Person {n}"),
        lambda store, n: edit_contact(store, f"Person {n}", title="CEO", add_tags=["vip"]),
        lambda store, n: remove_contact(store, f"Person {n}"),
        lambda store: list_contacts(store),
    ),
    "company": (
        lambda store, n: add_company(store, name=f"Firm {n}"),
        lambda store, n: edit_company(store, f"Firm {n}", city="Cork", add_tags=["vip"]),
        lambda store, n: remove_company(store, f"Firm {n}"),
        lambda store: list_companies(store),
    ),
    "deal": (
        lambda store, n: add_deal(store, title=f"Deal {n}"),
        lambda store, n: edit_deal(store, f"Deal {n}", amount=5, add_tags=["vip"]),
        lambda store, n: remove_deal(store, f"Deal {n}"),
        lambda store: list_deals(store),
    ),
}


@pytest.mark.parametrize("noun", list(EDITED_WHILE_DELETED))
def test_a_record_edited_while_it_is_deleted_is_edited_first_or_not_found(store, noun: str) -> None:
    """``contact edit`` and ``contact rm`` of one contact at once (a company's, a deal's): the
    edit comes first (and the delete after it), or it is refused with one line (the
    record was deleted just now), never the ORM's StaleDataError; no tag of it is left."""
    from tinycrm.store.models import Tag

    add, edit, remove, listed = EDITED_WHILE_DELETED[noun]
    rounds = 6
    for n in range(rounds):
        add(store, n)
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: edit(store, n), lambda n=n: remove(store, n), expected=(NotFound,)
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f" {n}" in str(outcomes[0]) and "\n" not in str(outcomes[0])
    assert listed(store) == []
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Tag)) == 0


def test_deleting_a_contact_says_what_goes_and_keeps_a_case_only_when_confirmed(store) -> None:
    from tinycrm.store.sequences import add_sequence, enroll_contacts

    add_contact(store, name="Bob", tags=["vip"], fields={"plan": "pro"})
    add_deal(store, title="Deal", contact="Bob")
    log_activity(store, kind="call", text="Hello", contact="Bob")
    log_activity(store, kind="note", text="Met", contact="Bob")
    log_activity(store, kind="call", text="About the deal", deal="Deal")  # kept: the deal's
    add_task(store, text="Call back", due=datetime(2030, 1, 1, tzinfo=UTC), contact="Bob")
    add_campaign(store, name="Spring", channel="email")
    add_members(store, "Spring", contacts=["Bob"])
    add_sequence(store, name="Nurture", steps=[(1, "Ping")])
    enroll_contacts(store, "Nurture", ["Bob"])  # one step task
    add_case(store, subject="Broken login", contact="Bob")
    before = len(list_events(store))
    with pytest.raises(Conflict, match=r"^contact Bob has case #1 Broken login: deleting"):
        remove_contact(store, "Bob")
    assert get_contact(store, "Bob").name == "Bob" and len(list_events(store)) == before
    removed = remove_contact(store, "Bob", unlink_contracts_and_cases=True)
    assert removed.name == "Bob"
    gone = removed.removed
    assert (gone.activities_deleted, gone.tasks_deleted, gone.activities_unlinked) == (2, 2, 1)
    assert (gone.deals_unlinked, gone.cases_unlinked, gone.contracts_unlinked) == (1, 1, 0)
    assert (gone.tags_deleted, gone.fields_deleted) == (1, 1)
    assert (gone.campaign_memberships_deleted, gone.sequence_enrollments_deleted) == (1, 1)
    assert gone.kept == ["case #1 Broken login"]
    assert list_events(store, limit=1)[0].summary == (
        "deleted contact Bob; case #1 Broken login kept, unlinked"
    )
    # a contact with nothing linked goes as before, asked nothing
    plain = remove_contact(store, add_contact(store, name="Plain").id)
    assert plain.removed.kept == [] and plain.removed.deals_unlinked == 0


def test_deleting_a_company_says_what_goes_and_keeps_a_contract_only_when_confirmed(
    store,
) -> None:
    add_company(store, name="Acme", tags=["eu"])
    add_contact(store, name="Ann", company="Acme")
    won = win_deal(store, add_deal(store, title="Platform", contact="Ann", amount=5).id)
    add_contract(store, deal=won.id)
    log_activity(store, kind="note", text="Org chart", company="Acme")
    with pytest.raises(Conflict, match=r"^company Acme has contract #1 Platform \(active"):
        remove_company(store, "Acme")
    removed = remove_company(store, "Acme", unlink_contracts_and_cases=True).removed
    assert (removed.contacts_unlinked, removed.deals_unlinked) == (1, 1)
    assert (removed.contracts_unlinked, removed.activities_deleted) == (1, 1)
    assert removed.tags_deleted == 1
    assert removed.kept == ["contract #1 Platform"]


def test_a_company_deleted_while_its_people_are_merged_never_deadlocks(store) -> None:
    """``company rm`` and ``contact merge`` of two of its people at once: the delete locks
    the company's deals and contacts, the merge the two contacts, each in id order, so one
    waits for the other (the merge's contacts lose their company, or the delete comes
    after the merge), never PostgreSQL's deadlock. The older contact is edited last, so
    its row lies after the newer one's on disk, where a scan without an order meets it."""
    from tinycrm.store.dupes import merge_contacts

    rounds = 8
    for n in range(rounds):
        add_company(store, name=f"Firm {n}")
        add_contact(store, name=f"Keep {n}", company=f"Firm {n}")
        add_contact(store, name=f"Other {n}", company=f"Firm {n}")
        edit_contact(store, f"Keep {n}", title="CEO")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: remove_company(store, f"Firm {n}"),
            lambda n=n: merge_contacts(store, f"Other {n}", f"Keep {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes) == 0, outcomes
    assert list_companies(store) == []
    assert sorted(c.name for c in list_contacts(store)) == [f"Other {n}" for n in range(rounds)]
