"""Mail into the CRM (store.mail_log): a contact's mail is found by its mailbox, as the
user's own addresses are: a +tag, or the dots of a Gmail address, are the same person's.
Before, mail from ann+crm@acme.example was logged for no one (or, with
--create-contacts, for a second Ann)."""

from __future__ import annotations

from typing import Any

import pytest

from tinycrm.store.activities import list_activities
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.mail_log import log_messages

from .mail_log_helpers import OWN, _msg


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("ann@acme.example", "Ann <ANN+crm@acme.example>"),
        ("ann+shop@acme.example", "ann@acme.example"),
        ("ann+shop@acme.example", "ann+other@acme.example"),
        ("j.doe@gmail.com", "JDoe@googlemail.com"),
        ("jdoe@gmail.com", "j.d.o.e+x@gmail.com"),
    ],
)
def test_mail_is_found_for_the_contact_of_its_mailbox(
    store: Any, stored: str, written: str
) -> None:
    add_contact(store, name="Ann Lee", email=stored)
    run = log_messages(store, [_msg(written)], **OWN, create_contacts=True)
    assert (run.logged, run.created) == (1, 0)
    assert [a.subject for a in list_activities(store, contact="Ann Lee")] == ["Hello"]
    assert len(list_contacts(store)) == 1


def test_the_address_as_it_is_comes_first_and_others_are_other_people(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Ann at the shop", email="ann+shop@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    messages = [
        _msg("ann+shop@acme.example", mid="<1@x>", subject="m1"),
        _msg("ann+news@acme.example", mid="<2@x>", subject="m2"),
        _msg("annie@acme.example", mid="<3@x>", subject="m3"),  # no one's mailbox
        _msg("bob@other.example", mid="<4@x>", subject="m4"),
    ]
    run = log_messages(store, messages, **OWN)
    assert run.logged == 2
    assert [a.subject for a in list_activities(store, contact="Ann at the shop")] == ["m1"]
    assert [a.subject for a in list_activities(store, contact="Ann Lee")] == ["m2"]
    assert list_activities(store, contact="Bob Roe") == []


@pytest.mark.parametrize(
    ("first", "later"),
    [
        ("ann+crm@x.example", "ann@x.example"),
        ("ann@x.example", "Ann <ann+crm@x.example>"),
        ("j.doe@gmail.com", "jdoe+x@googlemail.com"),
    ],
)
def test_a_contact_added_in_the_run_is_found_by_its_mailbox_later_in_the_run(
    store: Any, first: str, later: str
) -> None:
    """A contact the run added from ann+crm@x.example was not found for mail from
    ann@x.example later in the same run (it was, on the next run): a second Ann was
    added. The run finds its own contacts by their mailbox, as it finds stored ones."""
    messages = [_msg(first, mid="<1@x>", subject="m1"), _msg(later, mid="<2@x>", subject="m2")]
    for dry_run in (True, False):
        run = log_messages(store, messages, **OWN, create_contacts=True, dry_run=dry_run)
        assert (run.logged, run.created) == (2, 1)
    ((ann,),) = [[c.email for c in list_contacts(store)]]
    assert ann == first
    assert sorted(a.subject for a in list_activities(store, contact=first)) == ["m1", "m2"]


def test_a_contact_added_in_one_batch_is_found_by_its_mailbox_in_a_later_one(store: Any) -> None:
    """A run logs in transactions of a few hundred messages (mail sync): a contact
    added from a +tag address in one is found by its mailbox in the next."""
    from tinycrm.store.mail_log import MailLogger, MailRun

    run = MailRun()
    logger = MailLogger(store, run, ("me@mycompany.example",), ("mycompany.example",), True, False)
    for mid, sender in (("<1@x>", "ann+crm@x.example"), ("<2@x>", "ann@x.example")):
        with store.write() as session:
            logger.session = session
            logger.log_all([_msg(sender, mid=mid)])
    assert (run.logged, run.created) == (2, 1)
    assert len(list_contacts(store)) == 1
