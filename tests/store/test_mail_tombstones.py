"""A mailbox email deleted from the CRM stays deleted (store.mail_tombstones): the next
``mail sync`` or ``mail import`` does not log it again, unless ``--undelete``; a merge
and a dump carry it. On SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.mail.mail_log_helpers import OWN, _msg
from tinycrm.store.activities import list_activities
from tinycrm.store.activity_edits import remove_activity
from tinycrm.store.contacts import add_contact, remove_contact
from tinycrm.store.dump import dump_database, restore_database
from tinycrm.store.dupes import merge_contacts
from tinycrm.store.engine import open_store
from tinycrm.store.log_models import MailTombstone
from tinycrm.store.mail_log import log_messages


def _tombstones(store: Any) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(MailTombstone)) or 0)


def _mail_of(store: Any, contact: str) -> list[str]:
    return [a.subject for a in list_activities(store, contact=contact)]


def test_a_deleted_mail_is_not_logged_again_unless_undeleted(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    message = _msg("ann@acme.example", "me@mycompany.example, bob@acme.example")
    assert log_messages(store, [message], **OWN).activities == 2
    (ann_mail,) = list_activities(store, contact="Ann Lee")
    remove_activity(store, ann_mail.id, task=False)
    assert _tombstones(store) == 1

    again = log_messages(store, [message], **OWN)
    assert (again.logged, again.already, again.deleted) == (0, 0, 1)
    assert "1 deleted from tinycrm before, not logged again" in again.summary()
    assert _mail_of(store, "Ann Lee") == [] and _mail_of(store, "Bob Roe") == ["Hello"]

    # another message under the same Message-ID, on another date, is another message
    other = _msg("ann@acme.example", date="Fri, 04 Dec 2026 10:00:00 +0000", subject="Other")
    assert log_messages(store, [other], **OWN).logged == 1
    assert _mail_of(store, "Ann Lee") == ["Other"]

    # asked for: logged again, and its tombstone lifted (a second delete makes another)
    undone = log_messages(store, [message], **OWN, undelete=True)
    assert (undone.logged, undone.deleted) == (1, 0)
    assert sorted(_mail_of(store, "Ann Lee")) == ["Hello", "Other"]
    assert _tombstones(store) == 0
    assert log_messages(store, [message], **OWN).already == 1


def test_a_dry_run_counts_a_deleted_mail_and_a_contact_rm_takes_its_tombstones(
    store: Any,
) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example", mid=None)  # keyed by its text: no Message-ID
    log_messages(store, [message], **OWN)
    remove_activity(store, list_activities(store)[0].id, task=False)
    dry = log_messages(store, [message], **OWN, dry_run=True)
    assert (dry.logged, dry.deleted) == (0, 1)
    remove_contact(store, "Ann Lee")
    assert _tombstones(store) == 0


def test_a_merge_keeps_the_deleted_mail_of_the_contact_merged_away(store: Any) -> None:
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    add_contact(store, name="Bobby", email="bob.old@acme.example")
    message = _msg("bob.old@acme.example")
    log_messages(store, [message], **OWN)
    remove_activity(store, list_activities(store, contact="Bobby")[0].id, task=False)
    merge_contacts(store, "Bob Roe", "Bobby")  # bob.old@ now finds Bob Roe
    assert _tombstones(store) == 1
    assert log_messages(store, [message], **OWN).deleted == 1
    assert _mail_of(store, "Bob Roe") == []


def test_a_restored_dump_does_not_log_deleted_mail_again(
    store: Any, sqlite_template: Path, tmp_path: Path
) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example")
    log_messages(store, [message], **OWN)
    remove_activity(store, list_activities(store)[0].id, task=False)
    dump = dump_database(store)
    assert [row["mail_key"] for row in dump["tables"]["mail_tombstone"]] == ["m1@acme.example"]
    path = tmp_path / "restored.db"
    shutil.copy(sqlite_template, path)
    restored = open_store(str(path), user="tester")
    try:
        restore_database(restored, dump)
        assert log_messages(restored, [message], **OWN).deleted == 1
        assert list_activities(restored) == []
    finally:
        restored.close()


def _row(line: int, mail: Any, key: str) -> tuple[int, dict[str, str], list[str]]:
    values = {"kind": "email", "subject": mail.subject, "body": mail.body or "",
              "date": mail.occurred_at.isoformat(), "contact_email": "ann@acme.example",
              "mail_key": key, "direction": "in"}  # fmt: skip
    return line, values, list(values.values())


def test_an_activities_import_does_not_bring_back_a_deleted_mail(store: Any) -> None:
    """An activities CSV (tinycrm's own export) with a mail_key column logged again a
    mailbox email the user had deleted, which mail sync and mail import leave deleted.
    The import now skips it too, and counts it apart."""
    from tinycrm.store.exports import mail_keys
    from tinycrm.store.imports import import_records

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    log_messages(store, [_msg("ann@acme.example")], **OWN)
    (mail,) = list_activities(store)
    key, _ = mail_keys(store, [mail.id])[mail.id]
    assert key is not None
    remove_activity(store, mail.id, task=False)
    summary = import_records(store, kind="activities", rows=[_row(2, mail, key)], source="a.csv")
    assert (summary.created, summary.skipped, summary.mail_deleted) == (0, 1, 1)
    assert list_activities(store) == [] and _tombstones(store) == 1
    # a mail not deleted is imported as before
    other = _row(3, mail, "<m2@acme.example>")
    summary = import_records(store, kind="activities", rows=[other], source="b.csv")
    assert (summary.created, summary.mail_deleted) == (1, 0)


def test_a_mail_an_earlier_version_logged_and_then_deleted_stays_deleted(store: Any) -> None:
    """A message without Message-ID that an earlier version logged under its sender, date
    and subject key, deleted since: its tombstone holds that key, which the message's own
    keys never matched, so the next import logged it again. A dated message under such a
    tombstone now counts as deleted (an undated one's key is shared by every undated
    message of its sender and subject: that tombstone cannot say which it was)."""
    from sqlalchemy import update

    from tinycrm.store.models import Activity

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example", mid=None)
    assert message.old_key is not None
    log_messages(store, [message], **OWN)
    with store.write() as session:  # as an earlier version logged it
        session.execute(update(Activity).values(mail_key=message.old_key))
    remove_activity(store, list_activities(store)[0].id, task=False)
    again = log_messages(store, [message], **OWN)
    assert (again.logged, again.already, again.deleted) == (0, 0, 1)
    assert list_activities(store) == []
    undone = log_messages(store, [message], **OWN, undelete=True)
    assert (undone.logged, undone.deleted) == (1, 0)
    assert log_messages(store, [message], **OWN).already == 1


def test_a_mail_whose_text_was_written_over_then_deleted_stays_deleted(store: Any) -> None:
    """An earlier version (or other SQL) wrote over a logged mail's text, then it was
    deleted: its tombstone holds the date it was logged under (its text no longer says
    how it was dated), so the same message read again stays deleted and another message
    under its Message-ID, another day, is logged."""
    from sqlalchemy import update

    from tinycrm.store.models import Activity

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example")
    assert log_messages(store, [message], **OWN).logged == 1
    with store.write() as session:
        session.execute(update(Activity).values(body="my own notes"))
    (mail,) = list_activities(store, contact="Ann Lee")
    remove_activity(store, mail.id, task=False)
    again = log_messages(store, [message], **OWN)
    assert (again.logged, again.deleted) == (0, 1), again.summary()
    other = _msg("ann@acme.example", date="Fri, 04 Dec 2026 10:00:00 +0000", subject="Other")
    assert log_messages(store, [other], **OWN).logged == 1


def test_an_undated_mail_an_earlier_version_logged_then_deleted_stays_deleted(store: Any) -> None:
    """An earlier version keyed a message without Message-ID or Date by its sender and
    subject alone, a key every such message of theirs shares (it logged the first and
    counted the others as logged). Deleted, it came back on the next import. A message
    received before that deletion is one the deleted activity stood for, and stays
    deleted; one received after it is new, and logged; one whose reception is not known
    cannot be told, and is counted as deleted (--undelete logs it)."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from tinycrm.mail.message import parse_message
    from tinycrm.store.models import Activity

    def alert(text: bytes, received: datetime | None) -> Any:
        head = b"From: ann@acme.example\nTo: me@mycompany.example\nSubject: Disk full\n\n"
        return parse_message(head + text, received=received)

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    first = alert(b"one\n", datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert first.old_key is not None and first.date_header == ""
    log_messages(store, [first], **OWN)
    with store.write() as session:  # as an earlier version logged it
        session.execute(update(Activity).values(mail_key=first.old_key))
    remove_activity(store, list_activities(store)[0].id, task=False)
    with store.write() as session:
        session.execute(update(MailTombstone).values(deleted_at=datetime(2026, 12, 5, tzinfo=UTC)))
    before = alert(b"two\n", datetime(2026, 12, 2, 10, tzinfo=UTC))
    after = alert(b"three\n", datetime(2026, 12, 6, 10, tzinfo=UTC))
    unknown = alert(b"four\n", None)
    run = log_messages(store, [first, before, after, unknown], **OWN)
    assert (run.logged, run.deleted) == (1, 3), run.summary()
    assert [a.body.split("\n\n")[-1] for a in list_activities(store)] == ["three"]
    assert log_messages(store, [first, after], **OWN).logged == 0
