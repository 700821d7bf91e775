"""Sequences (``store.sequences``): steps filled in per contact, enrolment exactly once."""

from __future__ import annotations

import pytest

from tinycrm.store.activities import list_tasks
from tinycrm.store.contacts import add_contact
from tinycrm.store.errors import Conflict
from tinycrm.store.sequences import add_sequence, enroll_contacts, list_enrollments


def test_a_brace_that_is_no_placeholder_is_kept_as_typed(store) -> None:
    """``{name`` or a lone ``}`` in a step's text was taken at ``sequence add`` and then
    made every enrolment fail (Python's format string syntax: a ValueError traceback)."""
    add_contact(store, name="Ada Lovelace", company="Engines")
    add_sequence(store, name="Braces", steps=[(0, "Call {name"), (1, "Say }hi {first_name}")])
    add_sequence(store, name="Doubled", steps=[(0, "Use {{company}} as {first_name}")])
    enroll_contacts(store, "Braces", ["Ada Lovelace"])
    enroll_contacts(store, "Doubled", ["Ada Lovelace"])
    subjects = sorted(t.subject for t in list_tasks(store))
    assert subjects == ["Call {name", "Say }hi Ada", "Use {Engines} as Ada"]


def test_a_placeholder_is_filled_once_not_again_from_the_contacts_own_text(store) -> None:
    add_contact(store, name="Ann {company}", company="Acme")
    add_sequence(store, name="S", steps=[(0, "Hi {name} at {company}")])
    enroll_contacts(store, "S", ["Ann {company}"])
    assert [t.subject for t in list_tasks(store)] == ["Hi Ann {company} at Acme"]


def test_a_contact_named_twice_in_one_enrolment_is_enrolled_once(store) -> None:
    """Before: "Ada Lovelace is already in sequence S", and nobody was enrolled."""
    ada = add_contact(store, name="Ada Lovelace", email="ada@x.io")
    add_contact(store, name="Bob")
    add_sequence(store, name="S", steps=[(0, "Call {first_name}")])
    enrolled = enroll_contacts(store, "S", ["Ada Lovelace", str(ada.id), "ada@x.io", "Bob"])
    assert [e.contact for e in enrolled] == ["Ada Lovelace", "Bob"]
    assert sorted(t.subject for t in list_tasks(store)) == ["Call Ada", "Call Bob"]
    assert len(list_enrollments(store, "S")) == 2
    with pytest.raises(Conflict, match="Ada Lovelace is already in sequence S"):
        enroll_contacts(store, "S", ["Ada Lovelace"])


def test_a_step_falls_on_its_day_across_a_change_of_summer_time(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step 'day 7' was due seven times 24 hours after the enrolment: enrolled at 00:30
    in Berlin three days before the clocks went back, its task was due at 23:30 the
    evening before its day, and remind told it a day early (in spring, a day late). Now
    a step's day is counted on the calendar: the same time of day, seven days on."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("TZ", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    add_sequence(store, name="S", steps=[(0, "Write {first_name}"), (7, "Call {first_name}")])
    starts = {"Ada": datetime(2026, 10, 22, 0, 30), "Bob": datetime(2027, 3, 24, 23, 30)}
    for name, start in starts.items():
        add_contact(store, name=name)
        enroll_contacts(store, "S", [name], start=start.replace(tzinfo=berlin).astimezone(UTC))
    dues = {t.subject: t.due_at.astimezone(berlin).replace(tzinfo=None) for t in list_tasks(store)}
    assert dues == {
        "Write Ada": datetime(2026, 10, 22, 0, 30),
        "Call Ada": datetime(2026, 10, 29, 0, 30),
        "Write Bob": datetime(2027, 3, 24, 23, 30),
        "Call Bob": datetime(2027, 3, 31, 23, 30),
    }


def test_a_step_filled_past_a_subjects_limit_is_cut_to_it(store) -> None:
    """A step's text and a contact's and company's names are 300 characters each at most,
    and a step naming them was filled past that: a task of 767 characters that `task add`
    could not have made, and whose export `import activities` refused ('subject is too
    long'). Now its subject is cut to 300 characters, ending in …, as a rule's task is."""
    from tinycrm.store.validate import name

    add_contact(store, name="N" * 200, company="C" * 200)
    add_sequence(store, name="Long", steps=[(0, "Call {name} at {company} about " + "x" * 150)])
    enroll_contacts(store, "Long", ["N" * 200])
    (task,) = list_tasks(store)
    assert len(task.subject) == 300 and task.subject.endswith("…")
    assert task.subject.startswith("Call " + "N" * 200 + " at C")
    assert name(task.subject, "subject") == task.subject
