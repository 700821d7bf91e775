"""Correcting and removing tasks and logged activities (store.activity_edits), on SQLite
and PostgreSQL: task edit, reopen and rm; activity edit and rm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.mail.mail_log_helpers import OWN, _msg
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.activities import (
    add_task,
    complete_task,
    get_activity,
    list_activities,
    list_tasks,
    log_activity,
)
from tinycrm.store.activity_edits import (
    edit_activity,
    edit_task,
    remove_activity,
    reopen_task,
)
from tinycrm.store.contacts import add_contact
from tinycrm.store.deals import add_deal
from tinycrm.store.events import list_events
from tinycrm.store.mail_log import log_messages
from tinycrm.store.search import search
from tinycrm.store.types import utcnow

DUE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def _last_event(store):
    return list_events(store, limit=1)[0]


def test_edit_task_text_due_body_and_links(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com", company="Acme")
    add_deal(store, title="Renewal", contact="Ada")
    task = add_task(store, text="Send contrat", due=DUE, remind=DUE - timedelta(hours=1),
                    contact="Ada", body="old notes")  # fmt: skip
    later = DUE + timedelta(days=2)
    edited = edit_task(store, task.id, text="Send contract", due=later, body="")
    assert (edited.subject, edited.due_at, edited.body) == ("Send contract", later, None)
    assert edited.remind_at == later - timedelta(hours=1)  # the reminder moves with it
    assert (edited.contact, edited.company) == ("Ada", "Acme")
    event = _last_event(store)
    assert (event.action, event.entity, event.entity_id) == ("updated", "activity", task.id)
    assert event.summary == (f"updated task #{task.id} Send contract: subject, body, reminder, due")
    # a deal named: its contact and company kept; the contact cleared on purpose stays so
    edited = edit_task(store, task.id, deal="Renewal", contact="")
    assert (edited.deal, edited.contact, edited.company) == ("Renewal", None, "Acme")
    edited = edit_task(store, task.id, company=None, deal="")
    assert (edited.deal, edited.contact, edited.company) == (None, None, None)
    # the text's later lines are its body
    edited = edit_task(store, task.id, text="Call back\nabout seats")
    assert (edited.subject, edited.body) == ("Call back", "about seats")
    # nothing changed: no event
    before = _last_event(store).id
    assert edit_task(store, task.id, text="Call back", due=later) == edited
    assert _last_event(store).id == before


def test_edit_task_refuses_what_task_add_refuses_and_writes_nothing(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    call = log_activity(store, kind="email", text="Sent", ref="Ada")
    task = add_task(store, text="Send contract", due=DUE)
    before = _last_event(store).id
    with pytest.raises(NotFound, match=rf"#{call.id} is a logged email, not a task"):
        edit_task(store, call.id, text="x")
    with pytest.raises(NotFound, match="no task with id 99"):
        edit_task(store, 99, text="x")
    with pytest.raises(Invalid, match="text must not be empty"):
        edit_task(store, task.id, text="  ")
    with pytest.raises(Invalid, match="due time must not be empty"):
        edit_task(store, task.id, due=None)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        edit_task(store, task.id, text="Renamed", contact="Nobody")
    assert get_activity(store, task.id) == task
    assert _last_event(store).id == before


def test_a_repeating_task_moved_follows_its_new_due_time(store) -> None:
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    moved = DUE + timedelta(days=1)
    edit_task(store, task.id, due=moved)
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    assert following.due_at is not None and following.due_at.weekday() == moved.weekday()


def test_reopen_a_done_task(store) -> None:
    task = add_task(store, text="Send contract", due=DUE)
    with pytest.raises(Conflict, match=rf"task #{task.id} Send contract is not done"):
        reopen_task(store, task.id)
    complete_task(store, task.id)
    reopened = reopen_task(store, task.id)
    assert reopened.done_at is None and reopened.occurred_at is None
    assert [t.id for t in list_tasks(store)] == [task.id]
    event = _last_event(store)
    assert (event.action, event.entity_id) == ("reopened", task.id)
    assert event.summary.startswith("reopened task: Send contract (due ")


def test_edit_a_logged_activity(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    at = utcnow() - timedelta(days=2)
    note = log_activity(store, kind="note", text="Pricng", body="10 seats", ref="Ada", at=at)
    earlier = at - timedelta(days=1)
    edited = edit_activity(store, note.id, text="Pricing call", kind="Call", at=earlier)
    assert (edited.kind, edited.subject, edited.body) == ("call", "Pricing call", "10 seats")
    assert edited.occurred_at == earlier and edited.contact == "Ada"
    assert _last_event(store).summary == (
        f"updated call #{note.id} Pricing call: kind, time, subject"
    )
    assert edit_activity(store, note.id, body="").body is None
    task = add_task(store, text="Send contract", due=DUE)
    with pytest.raises(NotFound, match=rf"#{task.id} is a task, not a logged activity"):
        edit_activity(store, task.id, text="x")
    with pytest.raises(NotFound, match="no activity with id 99"):
        edit_activity(store, 99, text="x")
    with pytest.raises(Invalid, match="kind"):
        edit_activity(store, note.id, kind="task")
    with pytest.raises(Invalid, match="a planned call is a task"):
        edit_activity(store, note.id, at=utcnow() + timedelta(days=3))
    assert get_activity(store, note.id).occurred_at == earlier


def test_search_finds_an_edited_note_by_its_new_words_and_a_removed_one_not(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    note = log_activity(store, kind="note", text="Zebra pricing", ref="Ada")
    assert [h.id for h in search(store, "zebra", kinds=["activity"])] == [note.id]
    edit_activity(store, note.id, text="Giraffe pricing")
    assert search(store, "zebra", kinds=["activity"]) == []
    assert [h.id for h in search(store, "giraffe", kinds=["activity"])] == [note.id]
    remove_activity(store, note.id, task=False)
    assert search(store, "giraffe", kinds=["activity"]) == []


def test_remove_says_what_went_and_refuses_the_other_kind(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    call = log_activity(store, kind="call", text="Pricing call", body="secret", ref="Ada",
                        at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # fmt: skip
    task = add_task(store, text="Send contract", due=DUE, contact="Ada")
    with pytest.raises(NotFound, match=rf"#{call.id} is a logged call, not a task"):
        remove_activity(store, call.id, task=True)
    with pytest.raises(NotFound, match=rf"#{task.id} is a task, not a logged activity"):
        remove_activity(store, task.id, task=False)
    gone = remove_activity(store, call.id, task=False)
    assert (gone.id, gone.subject, gone.body) == (call.id, "Pricing call", "secret")
    event = _last_event(store)
    assert (event.action, event.entity, event.entity_id) == ("deleted", "activity", call.id)
    assert event.summary.startswith(f"deleted call #{call.id} with Ada: Pricing call (2026-12-")
    remove_activity(store, task.id, task=True)
    assert _last_event(store).summary.startswith(
        f"deleted task #{task.id} for Ada: Send contract (due 2026-12-"
    )
    assert list_activities(store) == []
    with pytest.raises(NotFound, match="no task with id"):
        remove_activity(store, task.id, task=True)


def test_a_mail_edited_is_not_logged_again(store) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example")
    log_messages(store, [message], **OWN)
    (mail,) = list_activities(store)
    edited = edit_activity(store, mail.id, text="Hello from Ann")
    assert edited.subject == "Hello from Ann"
    # (a text of several lines changes the body too: its lines after the first are it)
    changes = ({"at": utcnow() - timedelta(days=9)}, {"body": "x"}, {"kind": "note"},
               {"text": "Hello\nand a new body"})  # fmt: skip
    for change in changes:
        with pytest.raises(Invalid, match="logged from a mailbox"):
            edit_activity(store, mail.id, **change)
    assert list_activities(store)[0].body == mail.body
    again = log_messages(store, [message], **OWN)
    assert (again.logged, again.already) == (0, 1)
    assert [a.subject for a in list_activities(store)] == ["Hello from Ann"]
    remove_activity(store, mail.id, task=False)
    assert _last_event(store).summary.endswith("logged from a mailbox)")
    # read again, a message deleted is not logged again (test_mail_tombstones.py)
    assert (log_messages(store, [message], **OWN).logged, list_activities(store)) == (0, [])


def test_reopening_a_repeating_task_takes_back_its_next_occurrence(store) -> None:
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    reopen_task(store, task.id)
    assert [t.id for t in list_tasks(store)] == [task.id]
    assert _last_event(store).summary.endswith(f"; its next occurrence #{following.id} removed")
    # an occurrence changed since it was made stays
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    edit_task(store, following.id, text="Weekly report, with numbers")
    reopen_task(store, task.id)
    assert [t.id for t in list_tasks(store)] == [task.id, following.id]
    assert _last_event(store).summary.endswith(f"; its next occurrence #{following.id} stays")


def test_last_touch_follows_a_touch_deleted_or_retimed(store) -> None:
    """The contact's last touch is the channel or campaign of its latest touch: deleting
    that touch, or moving it before another, makes the next latest one the last touch
    (none left: none); moving an older one after it makes that one the last touch. A
    last touch that came from elsewhere (typed, imported, a campaign send) stays."""
    from tinycrm.store.contacts import get_contact

    now = utcnow()
    add_contact(store, name="Bob", email="bob@example.com")
    ads = log_activity(store, kind="call", text="Ad", ref="Bob", channel="ads",
                       at=now - timedelta(days=9))  # fmt: skip
    fair = log_activity(store, kind="call", text="Fair", ref="Bob", channel="event",
                        at=now - timedelta(days=2))  # fmt: skip
    log_activity(store, kind="note", text="No touch", ref="Bob")
    assert get_contact(store, "Bob").last_touch == "event"
    edit_activity(store, ads.id, at=now - timedelta(days=1))  # now the latest touch
    assert get_contact(store, "Bob").last_touch == "ads"
    edit_activity(store, ads.id, at=now - timedelta(days=5))  # back before the fair
    assert get_contact(store, "Bob").last_touch == "event"
    remove_activity(store, fair.id, task=False)
    assert get_contact(store, "Bob").last_touch == "ads"
    remove_activity(store, ads.id, task=False)
    bob = get_contact(store, "Bob")
    assert (bob.last_touch, bob.source) == (None, "ads")  # the first touch is kept

    add_contact(store, name="Cy", email="cy@example.com")
    web = log_activity(store, kind="email", text="Web form", ref="Cy", channel="web",
                       at=now - timedelta(days=3))  # fmt: skip
    from sqlalchemy import update

    from tinycrm.store.models import Contact

    with store.write() as session:  # imported, say: not this touch's
        session.execute(update(Contact).where(Contact.name == "Cy").values(last_touch="fair"))
    remove_activity(store, web.id, task=False)
    assert get_contact(store, "Cy").last_touch == "fair"


def test_the_occurrence_a_reopen_takes_back_has_its_own_deleted_event(store) -> None:
    """Reopening a repeating task deletes the next occurrence its completion made: hooks
    and webhooks, which mirror tasks by their events, heard of its creation but not of
    its going (only 'reopened' for the task reopened). Its own 'deleted' event now tells."""
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    reopen_task(store, task.id)
    reopened, deleted = list_events(store, limit=2)
    assert (reopened.action, reopened.entity_id) == ("reopened", task.id)
    assert (deleted.action, deleted.entity, deleted.entity_id) == (
        "deleted",
        "activity",
        following.id,
    )
    assert deleted.summary.startswith(f"deleted task #{following.id}: Weekly report (due ")


def test_a_done_repeating_task_edited_still_takes_back_its_next_occurrence(store) -> None:
    """A done weekly task whose due time was corrected moved its series' first due time
    with it, and reopening it no longer found the occurrence its completion made: two
    open weekly tasks, each its own series. The series lives on in that occurrence: the
    edit of a done task no longer moves it, and the reopen takes the occurrence back."""
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    edit_task(store, task.id, due=DUE + timedelta(hours=1))
    reopen_task(store, task.id)
    assert [t.id for t in list_tasks(store)] == [task.id]
    assert _last_event(store).summary.endswith(f"; its next occurrence #{following.id} removed")


def test_a_touch_deleted_while_its_contact_is_removed_takes_turns(store, monkeypatch) -> None:
    """activity rm of a contact's touch and contact rm at once (PostgreSQL): the delete
    locked the activity and then wrote the contact's last touch, while contact rm held
    the contact and waited for the activity (to unlink it): a deadlock, one of them
    failing. The delete now locks the contact first, as contact rm does: they take turns."""
    import time

    from tests.store.races import at_once
    from tinycrm.store import touches
    from tinycrm.store.contacts import remove_contact

    add_contact(store, name="Bob", email="bob@example.com")
    touch = log_activity(store, kind="call", text="Fair", ref="Bob", channel="event")
    made = touches.LastTouch.__init__

    def slowly(self, session, activity) -> None:  # the activity locked: contact rm comes
        time.sleep(0.3)
        made(self, session, activity)

    monkeypatch.setattr(touches.LastTouch, "__init__", slowly)
    at_once(
        lambda: remove_activity(store, touch.id, task=False),
        lambda: (time.sleep(0.1), remove_contact(store, "Bob")),
    )
    assert list_activities(store) == []


def test_a_done_repeating_task_given_another_time_and_reopened_repeats_at_it(store) -> None:
    """A done weekly 9:00 task moved to 14:00 (task edit --due) and reopened took back
    its next occurrence, but its series kept 9:00: done again, the next one was due at
    9:00. The series now follows the due time the user set."""
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    complete_task(store, task.id)
    moved = DUE + timedelta(hours=5)
    edit_task(store, task.id, due=moved)
    reopen_task(store, task.id)
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    assert following.due_at is not None and following.due_at > moved
    assert (following.due_at - moved) % timedelta(weeks=1) == timedelta(0)
    complete_task(store, following.id)  # and the series goes on from there
    (third,) = list_tasks(store)
    assert third.due_at is not None and (third.due_at - moved) % timedelta(weeks=1) == timedelta(0)


def test_a_reopen_says_which_next_occurrence_it_took_back(store) -> None:
    task = add_task(store, text="Weekly report", due=DUE, every="1w")
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    reopened = reopen_task(store, task.id)
    assert (reopened.next_removed, reopened.next_kept) == (following.id, None)
    complete_task(store, task.id)
    (following,) = list_tasks(store)
    edit_task(store, following.id, text="Weekly report, with numbers")
    reopened = reopen_task(store, task.id)
    assert (reopened.next_removed, reopened.next_kept) == (None, following.id)
    plain = add_task(store, text="Once", due=DUE)
    complete_task(store, plain.id)
    reopened = reopen_task(store, plain.id)
    assert (reopened.next_removed, reopened.next_kept) == (None, None)
