"""Hooks see a task's or a logged activity's edit with its changes, and its removal
with the record as it was (``activity.updated``, ``activity.deleted``)."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_hooks import recorder, seen
from tinycrm.api import Crm


def test_hooks_see_edits_with_changes_and_removals_with_the_record(
    store, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    crm = Crm(store)
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    note = crm.activities.log("note", "ada@example.com", "Pricng", body="10 seats")
    task = crm.tasks.add("Send contract", due="2026-12-10 09:00")
    log = tmp_path / "pre.log"
    recorder(isolated_user_dirs / "config" / "tinycrm" / "hooks" / "pre-write", log)
    crm.activities.edit(note.id, text="Pricing")
    crm.tasks.edit(task.id, due="2026-12-11 09:00")
    crm.activities.remove(note.id)
    edited, moved, removed = seen(log)
    assert isinstance(edited, dict) and isinstance(moved, dict) and isinstance(removed, dict)
    assert edited["event"] == "activity.updated" and edited["id"] == note.id
    assert edited["changes"]["subject"] == ["Pricng", "Pricing"]
    assert moved["event"] == "activity.updated" and list(moved["changes"]) == ["due_at"]
    assert removed["event"] == "activity.deleted" and removed["changes"] == {}
    assert removed["record"]["subject"] == "Pricing" and removed["record"]["body"] == "10 seats"
    assert removed["record"]["contact"] == "Ada Lovelace"


def test_from_mailbox_tells_a_mailbox_email_from_one_logged_by_hand(store) -> None:
    """The board's edit form offers a mailbox email's subject only: it asks this."""
    from tests.mail.mail_log_helpers import OWN, _msg
    from tinycrm.store.mail_log import log_messages

    crm = Crm(store)
    crm.contacts.add("Ann Lee", email="ann@acme.example")
    log_messages(store, [_msg("ann@acme.example")], **OWN)
    typed = crm.activities.log("email", "ann@acme.example", "Sent the quote")
    (mail,) = [a for a in crm.activities.list() if a.id != typed.id]
    assert crm.activities.from_mailbox(mail.id) is True
    assert crm.activities.from_mailbox(typed.id) is False
    assert crm.activities.from_mailbox(999_999) is False
