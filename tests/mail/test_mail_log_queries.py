"""How many queries logging mail asks (store.mail_log): a few for a run, not a few for
each message or contact. Counted statements, not timing. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tinycrm.store.activities import list_activities
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.deals import add_deal
from tinycrm.store.dupes import merge_contacts
from tinycrm.store.mail_log import log_messages
from tinycrm.store.models import Activity
from tinycrm.store.sequences import add_sequence, enroll_contacts

from .mail_log_helpers import OWN, _msg


def test_a_message_to_thousands_finds_its_contacts_in_a_few_queries(store: Any) -> None:
    """Two queries per address (the email, then the old emails a merge kept): a message
    to 3,000 addresses took 6,000 of them, 22 seconds, to log for its one contact."""
    from sqlalchemy import event

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    add_contact(store, name="Bobby", email="Bob.Old@Acme.example")
    merge_contacts(store, "Bob Roe", "Bobby")  # bob.old@ is kept as Bob's old email
    crowd = ", ".join(f"p{n}@else.example" for n in range(3000))
    blast = _msg("promo@else.example", f"{crowd}, ANN@acme.example, bob.old@acme.example",
                 mid="<blast@x>")  # fmt: skip
    statements: list[str] = []

    def spy(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        run = log_messages(store, [blast], **OWN)
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    assert (run.logged, run.activities) == (1, 2)
    assert {a.contact for a in list_activities(store)} == {"Ann Lee", "Bob Roe"}
    assert len(statements) < 100


def test_many_messages_from_strangers_find_their_contacts_in_a_few_queries(store: Any) -> None:
    """Each message's sender was looked up on its own, two queries when unknown (the
    email, then the old emails a merge kept): 20,000 messages from people who are not
    contacts took 70 s to import, to log none of them. Their senders are looked up
    together now, hundreds at a time."""
    from sqlalchemy import event

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    messages = [_msg(f"p{n}@else.example", mid=f"<m{n}@x>") for n in range(1000)]
    messages.append(_msg("ann@acme.example", mid="<ann@x>"))
    statements: list[str] = []

    def spy(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        run = log_messages(store, messages, **OWN)
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    assert (run.logged, run.skipped["without a known contact"]) == (1, 1000)
    assert len([s for s in statements if "FROM contact" in s]) < 20


def _statements(store: Any, work: Any) -> list[str]:
    from sqlalchemy import event

    statements: list[str] = []

    def spy(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        work()
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    return statements


def test_mail_from_many_known_contacts_asks_a_few_queries_not_a_few_per_message(
    store: Any,
) -> None:
    """Each message asked whether it was logged, for the contact's open deal and for
    their sequence enrolments, and was written inside a savepoint of its own: 2,000
    messages took 28 s. What a batch of messages asks is asked for all of them now."""
    for n in range(60):
        add_contact(store, name=f"Person {n}", email=f"p{n}@acme.example")
    add_deal(store, title="One deal", contact="Person 1")
    add_sequence(store, name="Follow up", steps=[(2, "Call")])
    enroll_contacts(store, "Follow up", ["Person 2"])
    later = "Sat, 05 Dec 2099 10:00:00 +0000"
    messages = [_msg(f"p{n}@acme.example", mid=f"<m{n}@x>", date=later) for n in range(60)]
    done: list[Any] = []
    statements = _statements(store, lambda: done.append(log_messages(store, messages, **OWN)))
    assert (done[0].logged, done[0].stopped) == (60, 1)
    with store.read() as session:
        linked = session.scalars(select(Activity.subject).where(col(Activity.deal_id).is_not(None)))
        assert linked.all() == ["Hello"]  # Person 1's, to their one open deal
    asked = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in asked if "FROM deal" in s]) < 5
    assert len([s for s in asked if "FROM sequence_enrollment" in s]) < 5
    assert len([s for s in asked if "FROM activity" in s]) < 5
    assert not [s for s in statements if s.upper().startswith("SAVEPOINT")]


def test_create_contacts_adds_leads_as_contact_add_does_without_its_per_contact_reads(
    store: Any,
) -> None:
    """Each lead --create-contacts added went through the whole of ``add_contact``: its
    read model (tags, fields), a duplicate check of an address just looked up, a
    savepoint around each write: about 21 ms each. The rows are the same now (the
    lead, its lifecycle change, its "created contact" event), without those reads."""
    from tinycrm.store.models import Event, LifecycleChange

    messages = [_msg(f"New {n} <new{n}@else.example>", mid=f"<n{n}@x>") for n in range(40)]
    done: list[Any] = []
    statements = _statements(
        store, lambda: done.append(log_messages(store, messages, create_contacts=True, **OWN))
    )
    assert (done[0].logged, done[0].created) == (40, 40)
    asked = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in asked if "FROM tag" in s or "FROM field_value" in s]
    assert len(asked) < 20
    lead = get_contact(store, "new7@else.example")
    assert (lead.name, lead.lifecycle, lead.lead_status, lead.source, lead.owner) == (
        "New 7",
        "lead",
        "new",
        "email",
        "tester",
    )
    with store.read() as session:
        events = session.scalars(select(Event.summary).where(Event.action == "created")).all()
        changes = session.scalars(select(LifecycleChange.to_lifecycle)).all()
    assert sorted(events) == sorted(f"created contact New {n}" for n in range(40))
    assert changes == ["lead"] * 40
