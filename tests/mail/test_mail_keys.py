"""A message is logged once (store.mail_log): its key from the Message-ID, or from a hash
of the raw message when there is none or it cannot be indexed; keys written by earlier
versions still count. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col

from tinycrm.mail.message import parse_message
from tinycrm.store.activities import list_activities
from tinycrm.store.contacts import add_contact
from tinycrm.store.mail_log import log_messages
from tinycrm.store.models import Activity

from .mail_log_helpers import OWN, _count, _msg


def test_a_message_id_too_long_for_an_index_is_kept_by_its_hash(store: Any) -> None:
    """A Message-ID of thousands of characters (a broken or hostile sender's) does not
    fit a PostgreSQL index row: it is known by a hash of itself, still once."""
    import random
    import string

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    noise = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=6000))
    message = _msg("ann@acme.example", mid=f"<{noise}@acme.example>")
    assert log_messages(store, [message], **OWN).logged == 1
    assert log_messages(store, [message], **OWN).already == 1
    other = _msg("ann@acme.example", mid=f"<{noise}x@acme.example>")
    assert log_messages(store, [other], **OWN).logged == 1
    assert _count(store) == 2
    if store.backend == "sqlite":  # logged before, under the whole id: not again
        with store.write() as session:
            session.execute(
                update(Activity)
                .where(col(Activity.mail_key) == message.key)
                .values(mail_key=message.message_id)
            )
        assert log_messages(store, [message], **OWN).already == 1
        assert _count(store) == 2


def test_a_message_id_holding_controls_is_kept_by_its_hash(store: Any) -> None:
    """A bell, an escape or a bidi override in a Message-ID (none is allowed there) was
    the activity's mail_key as it came, which exports and imports carry to a terminal."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example", mid="<a\x07b\u202e@acme.example>")
    assert message.key.startswith("sha256:")
    assert log_messages(store, [message], **OWN).logged == 1
    with store.write() as session:  # logged before, under the id as it came: not again
        session.execute(update(Activity).values(mail_key=message.message_id))
    assert log_messages(store, [message], **OWN).already == 1
    assert _count(store) == 1


def test_two_messages_without_message_id_or_date_are_both_logged_once(store: Any) -> None:
    """Same sender, same subject, neither Message-ID nor Date: the second was taken for
    the first and dropped ("1 already logged")."""
    add_contact(store, name="Ops", email="ops@client.example")
    head = "From: ops@client.example\nTo: me@mycompany.example\nSubject: alert\n\n"
    first, second = (parse_message((head + body).encode()) for body in ("Disk full", "Disk ok"))
    run = log_messages(store, [first, second], **OWN)
    assert (run.logged, run.already) == (2, 0)
    bodies = sorted((a.body or "").rsplit("\n", 1)[-1] for a in list_activities(store))
    assert bodies == ["Disk full", "Disk ok"]
    again = log_messages(store, [second, first, parse_message((head + "Disk ok").encode())], **OWN)
    assert (again.logged, again.already) == (0, 3)
    assert _count(store) == 2


def test_a_message_logged_by_an_earlier_version_without_message_id_is_not_logged_again(
    store: Any,
) -> None:
    """Earlier versions keyed a message without Message-ID by sender, date and subject:
    that message read again is logged (its text is the same); another one under that
    old key is not the same message and is logged."""
    add_contact(store, name="Ops", email="ops@client.example")
    head = "From: ops@client.example\nTo: me@mycompany.example\nSubject: alert\n\n"
    first, second = (parse_message((head + body).encode()) for body in ("Disk full", "Disk ok"))
    log_messages(store, [first], **OWN)
    assert first.old_key is not None
    with store.write() as session:  # as an earlier version logged it
        session.execute(update(Activity).values(mail_key=first.old_key))
    run = log_messages(store, [first, second], **OWN)
    assert (run.logged, run.already) == (1, 1)
    assert _count(store) == 2


def test_a_message_with_a_nul_or_a_bare_cr_logged_under_its_key_as_stored_is_not_logged_again(
    store: Any,
) -> None:
    """Such a message without Message-ID is keyed as Dovecot gives it (NUL as 0x80, a
    bare CR a line end: see test_imap_sync); earlier versions keyed it as stored, and
    one logged under that key is known. A message without either has one key."""
    add_contact(store, name="Ops", email="ops@client.example")
    head = b"From: ops@client.example\nTo: me@mycompany.example\n"
    nul = parse_message(head + b"Subject: a \x00 nul\n\nx")
    cr = parse_message(head + b"Subject: cr\n\nline1\rline2\n")
    served = parse_message(head + b"Subject: cr\n\nline1\nline2\n")
    assert cr.key == served.key and cr.stored_key not in (None, cr.key)
    assert nul.key != nul.stored_key and served.stored_key is None
    for message in (nul, cr):
        log_messages(store, [message], **OWN)
        with store.write() as session:  # as an earlier version logged it
            session.execute(
                update(Activity)
                .where(col(Activity.mail_key) == message.key)
                .values(mail_key=message.stored_key)
            )
    run = log_messages(store, [nul, cr, served], **OWN)
    # 'served' (cr as Dovecot gives it) cannot be told from the file's key as stored
    assert (run.logged, run.already) == (1, 2)
    assert _count(store) == 3


def test_two_messages_with_one_message_id_and_two_dates_are_both_logged(store: Any) -> None:
    """A mail program or script that gives every message the same Message-ID (or a
    sender reusing one): the second message, another day with other text, was taken for
    the first ('1 already logged') and never logged. A Message-ID logged for the
    contact with another Date (both believed) is another message now; the same message
    read again (another folder, a file, a re-sync) is still logged once."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    first = _msg("ann@acme.example", mid="<same@acme.example>", subject="Order 1", body="one")
    second = _msg("ann@acme.example", mid="<same@acme.example>", subject="Order 2",
                  date="Wed, 02 Dec 2026 09:00:00 +0000", body="two")  # fmt: skip
    run = log_messages(store, [first, second], **OWN)
    assert (run.logged, run.already) == (2, 0), run.summary()
    assert sorted(a.subject for a in list_activities(store, contact="Ann Lee")) == [
        "Order 1",
        "Order 2",
    ]
    again = log_messages(store, [second, first, second], **OWN)
    assert (again.logged, again.already) == (0, 3), again.summary()
    third = _msg("ann@acme.example", mid="<same@acme.example>", subject="Order 3",
                 date="Thu, 03 Dec 2026 09:00:00 +0000", body="three")  # fmt: skip
    dry = log_messages(store, [third, third], dry_run=True, **OWN)
    assert (dry.logged, dry.already) == (1, 1)
    assert (log_messages(store, [third], **OWN).logged, _count(store)) == (1, 3)


def test_a_message_id_reused_with_a_date_not_believed_is_another_message(store: Any) -> None:
    """Two messages of one Message-ID, one of them with a Date no message can have been
    sent on (2100, a broken client's clock): that one was dated when received and taken
    for the other ('1 already logged'), whichever came first. Their Date lines differ:
    two messages, each logged once; read again, neither is logged a second time. Its
    tombstone holds its Date: deleted, it stays deleted, and the other is logged."""
    from datetime import UTC, datetime

    from tinycrm.store.activity_edits import remove_activity

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    sane = _msg("ann@acme.example", mid="<same@acme.example>", subject="Order 1", body="one")
    wild = parse_message(
        b"From: ann@acme.example\nTo: me@mycompany.example\nSubject: Order 2\n"
        b"Date: Fri, 01 Jan 2100 09:00:00 +0000\nMessage-ID: <same@acme.example>\n\ntwo\n",
        received=datetime(2026, 12, 2, 10, tzinfo=UTC),
    )
    assert wild.dated_by == "INTERNALDATE"
    for order in ([wild, sane], [sane, wild]):
        with store.write() as session:
            session.execute(delete(Activity))
        run = log_messages(store, order, **OWN)
        assert (run.logged, run.already) == (2, 0), run.summary()
        again = log_messages(store, [sane, wild, wild], **OWN)
        assert (again.logged, again.already) == (0, 3), again.summary()
    (gone,) = [a for a in list_activities(store) if a.subject == "Order 2"]
    remove_activity(store, gone.id, task=False)
    with store.write() as session:
        session.execute(delete(Activity))
    run = log_messages(store, [wild, sane], **OWN)
    assert (run.logged, run.deleted) == (1, 1), run.summary()
    assert [a.subject for a in list_activities(store)] == ["Order 1"]
    back = log_messages(store, [wild], **OWN, undelete=True)
    assert (back.logged, back.deleted) == (1, 0), back.summary()
    again = log_messages(store, [wild, sane], **OWN)
    assert (again.already, again.deleted) == (2, 0), again.summary()


def test_two_messages_with_one_message_id_and_no_date_are_both_logged(store: Any) -> None:
    """A list re-sending, or a broken client, gives two messages one Message-ID and no
    Date: the second, other text, was taken for the first ('1 already logged') and never
    logged. Without a Date, a message with a Message-ID is known by its Message-ID and
    its header lines and text as they came: the same message read again (another folder
    and INTERNALDATE, a file dated when logged) is still logged once."""
    from datetime import UTC, datetime

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    head = b"From: ann@acme.example\nTo: me@mycompany.example\nMessage-ID: <same@acme.example>\n"
    one, two = head + b"Subject: Order 1\n\none\n", head + b"Subject: Order 2\n\ntwo\n"
    first = parse_message(one, received=datetime(2026, 12, 1, 10, tzinfo=UTC))
    second = parse_message(two, received=datetime(2026, 12, 2, 10, tzinfo=UTC))
    run = log_messages(store, [first, second], **OWN)
    assert (run.logged, run.already) == (2, 0), run.summary()
    assert sorted(a.subject for a in list_activities(store, contact="Ann Lee")) == [
        "Order 1",
        "Order 2",
    ]
    copies = [
        parse_message(one, received=datetime(2026, 12, 3, 10, tzinfo=UTC)),  # another folder
        parse_message(one.replace(b"\n", b"\r\n")),  # a file: dated when logged
        second,
    ]
    again = log_messages(store, copies, **OWN)
    assert (again.logged, again.already) == (0, 3), again.summary()
    assert _count(store) == 2


def test_a_message_without_date_logged_under_its_message_id_by_an_earlier_version_is_known(
    store: Any,
) -> None:
    """Earlier versions logged a message without Date under its Message-ID alone: read
    again, it is logged already; another message with its Message-ID and other text is
    logged."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    head = b"From: ann@acme.example\nTo: me@mycompany.example\nMessage-ID: <same@acme.example>\n"
    first = parse_message(head + b"Subject: Order 1\n\none\n")
    assert log_messages(store, [first], **OWN).logged == 1
    with store.write() as session:  # as an earlier version logged it
        session.execute(update(Activity).values(mail_key="same@acme.example"))
    assert log_messages(store, [first], **OWN).already == 1
    second = parse_message(head + b"Subject: Order 2\n\ntwo\n")
    assert log_messages(store, [second, second], **OWN).logged == 1
    assert _count(store) == 2


def test_a_message_without_message_id_logged_before_its_text_was_read_as_now_is_not_logged_again(
    store: Any,
) -> None:
    """A message without Message-ID was keyed by a hash of its text and attachments as
    the parser read them: one whose reading changed since (a multipart without its
    boundary, read as no text before, its text now) had another key, and mail import
    --from-start logged it a second time. A key an earlier version gave it (or the
    older one of sender, date and subject, its text read otherwise then) is taken as
    this message's when the activity has its sender, subject and date."""
    add_contact(store, name="Ops", email="ops@client.example")
    head = "From: Ops <ops@client.example>\nTo: me@mycompany.example\nSubject: alert\n"
    dated = head + "Date: Tue, 01 Dec 2026 10:00:00 +0000\n"
    script = "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n--X\n\nDisk full\n--X--\n"
    message = parse_message((dated + script).encode())
    log_messages(store, [message], **OWN)
    assert message.old_key is not None
    for earlier in ("sha256:" + "0" * 32, message.old_key):  # an earlier parser's keys
        with store.write() as session:  # as that version logged it: its text read otherwise
            session.execute(
                update(Activity).values(mail_key=earlier, body="From: Ops <ops@client.example>")
            )
        run = log_messages(store, [message], **OWN)
        assert (run.logged, run.already) == (0, 1)
        assert _count(store) == 1
    # an undated one under the older key, another text: another message (two alerts)
    undated = parse_message((head + "\nDisk ok\n").encode())
    assert log_messages(store, [undated], **OWN).logged == 1


def test_the_key_of_a_message_without_message_id_does_not_depend_on_how_it_is_read(
    monkeypatch: Any,
) -> None:
    """The key is a hash of the message as it came (its From, To, Cc, Date and Subject
    header lines and its text), not of what the parser makes of them: reading its text
    or attachments otherwise in a later version gives it the same key."""
    from tinycrm.mail import message as module

    raw = b"From: ops@client.example\nTo: me@my.example\nSubject: alert\n\nDisk full\n"
    key = parse_message(raw).key
    monkeypatch.setattr(
        module, "read_content", lambda _message: ("read otherwise", (), "read otherwise")
    )
    assert parse_message(raw).key == key
    assert parse_message(raw.replace(b"\n", b"\r\n").replace(b"full", b"full  ")).key == key
    assert parse_message(raw.replace(b"full", b"ok")).key != key


def test_an_older_tombstone_of_a_date_not_believed_hides_that_message_alone(store: Any) -> None:
    """Tombstones made before they kept a Date not believed hold no Date for a message
    dated otherwise (2100: dated when received). Such a tombstone under a Message-ID hid
    every later message with that Message-ID, a new one with a Date believed too. It
    hides the messages it can be: none dated by a Date it could have held."""
    from datetime import UTC, datetime

    from tinycrm.store.activity_edits import remove_activity
    from tinycrm.store.log_models import MailTombstone

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    wild = parse_message(
        b"From: ann@acme.example\nTo: me@mycompany.example\nSubject: Order 2\n"
        b"Date: Fri, 01 Jan 2100 09:00:00 +0000\nMessage-ID: <same@acme.example>\n\ntwo\n",
        received=datetime(2026, 12, 2, 10, tzinfo=UTC),
    )
    assert log_messages(store, [wild], **OWN).logged == 1
    (gone,) = list_activities(store)
    remove_activity(store, gone.id, task=False)
    with store.write() as session:  # as the tombstone was made then
        session.execute(update(MailTombstone).values(dated_at=None))
    again = log_messages(store, [wild], **OWN)
    assert (again.logged, again.deleted) == (0, 1), again.summary()
    sane = _msg("ann@acme.example", mid="<same@acme.example>", subject="Order 1", body="one")
    run = log_messages(store, [sane, wild], **OWN)
    assert (run.logged, run.deleted) == (1, 1), run.summary()
    assert [a.subject for a in list_activities(store)] == ["Order 1"]
    again = log_messages(store, [wild, sane], **OWN)
    assert (again.logged, again.deleted, again.already) == (0, 1, 1), again.summary()
