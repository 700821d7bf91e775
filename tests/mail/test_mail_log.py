"""Mail into the CRM (store.mail_log): each message an email activity for every known
contact on it, once; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col

from tinycrm.mail.message import parse_message
from tinycrm.store.activities import list_activities
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.deals import add_deal
from tinycrm.store.dupes import merge_contacts
from tinycrm.store.events import list_events
from tinycrm.store.mail_log import log_messages
from tinycrm.store.models import Activity, Contact
from tinycrm.store.sequences import add_sequence, enroll_contacts, list_enrollments

OWN = {"own_addresses": ["me@mycompany.example"], "own_domains": ["mycompany.example"]}


def _msg(
    sender: str,
    to: str = "me@mycompany.example",
    *,
    cc: str = "",
    subject: str = "Hello",
    mid: str | None = "<m1@acme.example>",
    extra: str = "",
    date: str = "Tue, 01 Dec 2026 10:00:00 +0000",
    body: str = "Hi there",
) -> Any:
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
    if cc:
        head += f"Cc: {cc}\n"
    if mid:
        head += f"Message-ID: {mid}\n"
    return parse_message((head + extra + "\n" + body + "\n").encode())


def _count(store: Any) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_one_activity_per_known_contact_with_company_and_open_deal(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example", company="Acme")
    add_deal(store, title="Acme renewal", contact="Ann Lee")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    add_contact(store, name="Bobby", email="Bob.Old@Acme.example")
    merge_contacts(store, "Bob Roe", "Bobby")  # bob.old@ is kept as Bob's old email
    message = _msg(
        '"Lee, Ann" <ANN@acme.example>',
        "me@mycompany.example, bob.old@ACME.example",
        cc="colleague@mycompany.example, stranger@else.example",
        subject="=?utf-8?q?Quote_f=C3=BCr_you?=",
        extra="Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n",
        body="--XX\nContent-Type: text/plain\n\nSee the quote.\n--XX\n"
        "Content-Type: application/pdf\nContent-Disposition: attachment; filename=q.pdf\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0x\n--XX--",
    )
    run = log_messages(store, [message], **OWN)
    assert (run.read, run.logged, run.activities, len(run.contacts)) == (1, 1, 2, 2)
    ann = list_activities(store, contact="Ann Lee")
    assert len(ann) == 1
    assert ann[0].kind == "email" and ann[0].subject == "Quote für you"
    assert ann[0].company == "Acme" and ann[0].deal == "Acme renewal"
    assert ann[0].body is not None
    assert ann[0].body.startswith('From: "Lee, Ann" <ann@acme.example>\nTo: ')
    assert "Attachment: q.pdf (application/pdf, 6 B)" in ann[0].body
    assert ann[0].body.endswith("See the quote.")
    assert ann[0].occurred_at is not None and ann[0].occurred_at.day == 1
    assert len(list_activities(store, contact="Bob Roe")) == 1
    with store.read() as session:
        directions = set(session.scalars(select(Activity.direction)))
    assert directions == {"in"}
    again = log_messages(store, [message, message], **OWN)  # a re-run, another folder
    assert (again.logged, again.already) == (0, 2)
    assert _count(store) == 2
    events = [e.summary for e in list_events(store, limit=5) if e.action == "synced"]
    assert events == ["synced 1 email for 2 contacts"]


def test_two_open_deals_link_none_and_out_is_out(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_deal(store, title="One", contact="Ann Lee")
    add_deal(store, title="Two", contact="Ann Lee")
    run = log_messages(store, [_msg("me@mycompany.example", "ann@acme.example")], **OWN)
    assert run.logged == 1
    (activity,) = list_activities(store, contact="Ann Lee")
    assert activity.deal is None
    with store.read() as session:
        assert session.scalar(select(Activity.direction)) == "out"


def test_what_is_never_logged(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    internal = _msg("boss@mycompany.example", "me@mycompany.example", mid="<i@x>")
    listed = _msg("ann@acme.example", mid="<l@x>", extra="List-Id: <news.acme.example>\n")
    bulk = _msg("ann@acme.example", mid="<b@x>", extra="Precedence: bulk\n")
    unknown = _msg("who@else.example", mid="<u@x>")
    # no address at all (a header that could not be read) is not 'internal or own'
    nobody = parse_message(b"Subject: lost\nMessage-ID: <n@x>\n\nWho sent this?")
    run = log_messages(store, [internal, listed, bulk, unknown, nobody], **OWN)
    assert run.logged == 0 and _count(store) == 0
    assert run.skipped == {"internal or own": 1, "list or automated": 2,
                           "without a known contact": 1, "with no address": 1}  # fmt: skip
    assert run.summary().endswith("; 1 with no address; 1 without a known contact")
    assert not [e for e in list_events(store, limit=5) if e.action == "synced"]
    lists = log_messages(store, [listed, bulk], include_lists=True, **OWN)
    assert lists.logged == 2


def test_create_contacts_makes_leads_from_email_and_dry_run_writes_nothing(store: Any) -> None:
    message = _msg("=?utf-8?q?J=C3=BCrgen?= <jurgen@else.example>", mid=None)
    dry = log_messages(store, [message], create_contacts=True, dry_run=True, **OWN)
    assert (dry.logged, dry.created) == (1, 1)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
    assert _count(store) == 0
    run = log_messages(store, [message], create_contacts=True, **OWN)
    assert (run.logged, run.created) == (1, 1)
    lead = get_contact(store, "jurgen@else.example")
    assert (lead.name, lead.lifecycle, lead.source) == ("Jürgen", "lead", "email")
    # no Message-ID: the hash of what the message says keeps it once
    assert log_messages(store, [message], create_contacts=True, **OWN).already == 1
    assert _count(store) == 1


def test_a_reply_stops_the_contacts_sequence(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Cy Doe", email="cy@acme.example")
    add_sequence(store, name="Follow up", steps=[(2, "Call"), (5, "Write again")])
    enroll_contacts(store, "Follow up", ["Ann Lee", "Cy Doe"])
    # we wrote to Cy (out: no stop); Ann replied (in, after enrolment: stop)
    now = "Sat, 05 Dec 2099 10:00:00 +0000"
    out = _msg("me@mycompany.example", "cy@acme.example", mid="<o@x>", date=now)
    reply = _msg("ann@acme.example", mid="<r@x>", date=now)
    run = log_messages(store, [out, reply], **OWN)
    assert run.stopped == 1
    states = {e.contact: e.stop_reason for e in list_enrollments(store, "Follow up")}
    assert states == {"Ann Lee": "replied", "Cy Doe": None}


def test_cadences_and_scoring_filters_see_logged_mail(store: Any, freeze_clock: Any) -> None:
    from datetime import timedelta

    from tinycrm.store.contacts import list_contacts
    from tinycrm.store.reminders import due_items
    from tinycrm.store.types import utcnow

    add_contact(store, name="Ann Lee", email="ann@acme.example", cadence_days=7)
    later = utcnow() + timedelta(days=10)
    assert [i.key for i in due_items(store, now=later) if i.key.startswith("cadence:")]
    freeze_clock(utcnow() + timedelta(days=9))  # mail dated ahead of the clock is not believed
    sent = format_datetime(utcnow())
    log_messages(store, [_msg("me@mycompany.example", "ann@acme.example", date=sent)], **OWN)
    assert not [i.key for i in due_items(store, now=later) if i.key.startswith("cadence:")]
    where = "activity:email within 30d >= 1"
    assert [c.name for c in list_contacts(store, where=where)] == ["Ann Lee"]


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


def test_controls_in_an_address_are_not_stored(store: Any) -> None:
    """A NUL in an address (which PostgreSQL refuses in text: the whole import failed)
    or an escape sequence after one: the address is read without them."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    message = parse_message(
        b"From: ann@acme.example\x1b[31m\nTo: me@mycompany.example, bob\x00@acme.example\n"
        b"Subject: hi\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n"
        b"Message-ID: <ctl@acme.example>\n\nHello"
    )
    assert message.sender == "ann@acme.example" and message.to[1] == "bob@acme.example"
    run = log_messages(store, [message], **OWN)
    assert (run.logged, len(run.contacts)) == (1, 2)
    (first, *_) = list_activities(store, contact="Ann Lee")
    assert (
        first.body == "From: ann@acme.example\nTo: me@mycompany.example, bob@acme.example\n\nHello"
    )


def test_mail_with_no_date_at_all_is_dated_now_and_the_run_says_so(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    undated = parse_message(b"From: ann@acme.example\nTo: me@mycompany.example\nSubject: hi\n\nx")
    received = parse_message(
        b"Received: from a by b; Wed, 02 Dec 2026 08:14:00 +0000\n"
        b"From: ann@acme.example\nTo: me@mycompany.example\nSubject: later\n\ny"
    )
    run = log_messages(store, [undated, received], **OWN)
    assert (run.logged, run.undated) == (2, 1)
    assert "1 without a usable date (dated now)" in run.summary()
    by_subject = {a.subject: a for a in list_activities(store)}
    assert by_subject["later"].occurred_at.isoformat().startswith("2026-12-02T08:14")
    assert "Date: none on the message; dated when logged" in (by_subject["hi"].body or "")
    assert "Date:" not in (by_subject["later"].body or "")
    impossible = _msg("ann@acme.example", mid="<f@x>", date="Fri, 01 Jan 2100 00:00:00 +0000")
    assert log_messages(store, [impossible], **OWN).undated == 1
    (logged,) = list_activities(store, since=datetime(2099, 1, 1, tzinfo=UTC)) or [None]
    assert logged is None  # not dated 2100
    body = next(a.body for a in list_activities(store) if a.subject == "Hello") or ""
    assert "Date: Fri, 01 Jan 2100 00:00:00 +0000 (not a date it can have been sent on; " in body


def test_a_name_in_an_unknown_charset_is_logged_not_refused(store: Any) -> None:
    """It made the whole import fail ('text holds bytes that are not UTF-8'), and a
    sync stick at that message on every run."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("=?x-unknown?q?Ann_L=E9e?= <ann@acme.example>",
                   "me@mycompany.example, =?utf-8?q?B=F6b?= <bob@else.example>")  # fmt: skip
    run = log_messages(store, [message], create_contacts=True, **OWN)
    assert (run.logged, run.created) == (1, 1)
    assert get_contact(store, "bob@else.example").name == "Böb"
    (logged,) = list_activities(store, contact="Ann Lee")
    assert (logged.body or "").startswith("From: Ann Lée <ann@acme.example>\nTo: me@mycompany")


def test_own_addresses_and_domains_match_in_any_form_of_their_domain(store: Any) -> None:
    """me@müller.de in the config is the me@xn--mller-kva.de a mail program writes (and
    the other way round): the user was logged 'in' to themselves, made a lead by
    --create-contacts, and colleagues at the punycode domain counted as outsiders."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    own = {"own_addresses": ["me@müller.de"], "own_domains": ["xn--bro-hoa.de"]}
    sent = _msg("Me <ME@XN--MLLER-KVA.DE>", "ann@acme.example, kollege@büro.de", mid="<s@x>")
    got = _msg("ann@acme.example", "me@xn--mller-kva.de", cc="chef@BÜRO.de", mid="<g@x>")
    internal = _msg("me@xn--mller-kva.de", "chef@xn--bro-hoa.de", mid="<i@x>")
    run = log_messages(store, [sent, got, internal], create_contacts=True, **own)
    assert (run.logged, run.created, run.skipped) == (2, 0, {"internal or own": 1})
    with store.read() as session:
        directions = dict(session.execute(select(Activity.mail_key, Activity.direction)).all())
    assert directions == {"s@x": "out", "g@x": "in"}


def test_a_message_with_thousands_of_attachments_lists_the_first_hundred(store: Any) -> None:
    """Each was a line of the body: 20,000 of them made a body over the 1,000,000
    characters every activity body keeps to (so that it imports again)."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    parts = "".join(
        f"--B\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        f'filename="invoice {n}.pdf"\n\nxx\n'
        for n in range(1, 301)
    )
    message = _msg(
        "ann@acme.example",
        extra="MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n",
        body=f"--B\nContent-Type: text/plain\n\nSee attached\n{parts}--B--",
    )
    assert len(message.attachments) == 300
    log_messages(store, [message], **OWN)
    (logged,) = list_activities(store)
    lines = (logged.body or "").splitlines()
    assert "Attachment: invoice 100.pdf (application/pdf, 2 B)" in lines
    assert "Attachment: invoice 101.pdf (application/pdf, 2 B)" not in lines
    assert "Attachments: 200 more (400 B)" in lines
    assert lines[-1] == "See attached"


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


def test_an_own_address_with_a_plus_tag_or_gmail_dots_is_own(store: Any) -> None:
    """me+news@gmail.com is the mailbox of own_addresses' me@gmail.com (the README's
    duplicates compare addresses so): --create-contacts made it a lead, and mail from
    it was logged 'in'."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    own = {"own_addresses": ["me@gmail.com"]}
    got = _msg("ann@acme.example", "Me <me+crm@gmail.com>", mid="<g@x>")
    sent = _msg("M.E@googlemail.com", "ann@acme.example", mid="<s@x>")
    run = log_messages(store, [got, sent], create_contacts=True, **own)
    assert (run.logged, run.created) == (2, 0)
    with store.read() as session:
        directions = dict(session.execute(select(Activity.mail_key, Activity.direction)).all())
    assert directions == {"g@x": "in", "s@x": "out"}


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


def test_bcc_of_sent_mail_is_logged_for_those_contacts_too(store: Any) -> None:
    """The user's own message with Bcc recipients (the Sent folder's copy keeps them):
    they were ignored, so a contact the user wrote in Bcc had no trace of it."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    sent = _msg(
        "me@mycompany.example",
        "ann@acme.example",
        mid="<s@x>",
        extra='Bcc: "Roe, Bob" <BOB@acme.example>, boss@mycompany.example\n',
    )
    run = log_messages(store, [sent], **OWN)
    assert (run.logged, run.activities) == (1, 2)
    (bob,) = list_activities(store, contact="Bob Roe")
    assert bob.body is not None and 'Bcc: "Roe, Bob" <bob@acme.example>, boss@' in bob.body
    with store.read() as session:
        assert set(session.scalars(select(Activity.direction))) == {"out"}
    # only a Bcc: the message is still about a contact
    only = _msg("me@mycompany.example", "boss@mycompany.example", mid="<b@x>",
                extra="Bcc: ann@acme.example\n")  # fmt: skip
    assert log_messages(store, [only], **OWN).logged == 1
    # --create-contacts adds the Bcc recipients as it adds the To and Cc ones
    new = _msg("me@mycompany.example", "ann@acme.example", mid="<n@x>",
               extra="Bcc: Cy <cy@else.example>\n")  # fmt: skip
    assert log_messages(store, [new], create_contacts=True, **OWN).created == 1
    assert get_contact(store, "cy@else.example").name == "Cy"
    # a Bcc header on mail the user received is not theirs to read (a broken client
    # of the sender's showed it): it is not logged for the people in it
    got = _msg("ann@acme.example", mid="<g@x>", extra="Bcc: bob@acme.example\n")
    assert log_messages(store, [got], **OWN).activities == 1
    assert len(list_activities(store, contact="Bob Roe")) == 1


def test_create_contacts_adds_no_one_from_bulk_mail_and_says_how_many(store: Any) -> None:
    """One message to 3,000 addresses made 3,000 leads: a message with more people on it
    than ``create_max`` (15; the user and their colleagues are not counted), and list
    or automated mail, creates no contact. Known contacts on it still get it logged."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    crowd = ", ".join(f"p{n}@else.example" for n in range(3000))
    blast = _msg("promo@else.example", f"me@mycompany.example, {crowd}, ann@acme.example",
                  mid="<blast@x>")  # fmt: skip
    run = log_messages(store, [blast], create_contacts=True, **OWN)
    assert (run.logged, run.created, len(run.not_added), run.bulk) == (1, 0, 3001, 1)
    assert "3,001 people on 1 bulk message not added as contacts" in run.summary()
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
    # fifteen people besides the user and their colleagues: a meeting, not bulk
    team = ", ".join(f"t{n}@team.example" for n in range(14))
    meeting = _msg("lead@team.example", f"{team}, boss@mycompany.example", mid="<m15@x>")
    assert log_messages(store, [meeting], create_contacts=True, **OWN).created == 15
    sixteen = _msg("x@big.example", ", ".join(f"b{n}@big.example" for n in range(15)),
                   mid="<m16@x>")  # fmt: skip
    sent = log_messages(store, [sixteen], create_contacts=True, **OWN)
    assert (sent.created, len(sent.not_added), sent.bulk, sent.logged) == (0, 16, 1, 0)
    assert sent.skipped == {"without a known contact": 1}
    # Bcc counts: the user's own message to 20 people in Bcc is a mailing
    bcc = ", ".join(f"c{n}@bcc.example" for n in range(20))
    mailing = _msg("me@mycompany.example", "me@mycompany.example", mid="<bcc@x>",
                   extra=f"Bcc: {bcc}\n")  # fmt: skip
    assert log_messages(store, [mailing], create_contacts=True, **OWN).created == 0
    # the limit is the caller's (the config file's [mail] create_contacts_max)
    few = log_messages(store, [sixteen], create_contacts=True, create_max=20, **OWN)
    assert few.created == 16
    # list mail, logged with --include-lists, adds no one either
    listed = _msg("poster@list.example", mid="<l@x>", extra="List-Id: <l.list.example>\n")
    lists = log_messages(store, [listed], create_contacts=True, include_lists=True, **OWN)
    assert (lists.created, len(lists.not_added), lists.bulk) == (0, 1, 1)
    # a dry run counts the same
    again = _msg("promo@else.example", crowd, mid="<blast2@x>")
    dry = log_messages(store, [again, again], create_contacts=True, dry_run=True, **OWN)
    assert (len(dry.not_added), dry.bulk) == (3001, 2)


def test_an_mbox_import_dates_an_undated_message_by_its_from_line(
    store: Any, tmp_path: Any
) -> None:
    """It was dated at the time of the import ("1 without a usable date (dated now)")."""
    from tinycrm.api.crm import Crm

    add_contact(store, name="Ana", email="ana@client.example")
    (tmp_path / "old.mbox").write_bytes(
        b"From ana@client.example Tue Jan  2 10:00:00 2024\n"
        b"From: ana@client.example\nTo: me@my.example\nSubject: undated\n\nHi\n"
    )
    run = Crm(store).mail.import_paths([tmp_path / "old.mbox"])
    assert (run.logged, run.undated) == (1, 0)
    (logged,) = list_activities(store, contact="Ana")
    assert logged.occurred_at == datetime(2024, 1, 2, 10, tzinfo=UTC)


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


def test_an_imported_message_dated_ahead_is_logged_when_it_was_received(
    store: Any, tmp_path: Any, freeze_clock: Any
) -> None:
    """A Date a few hours ahead (a broken client's clock or zone) was believed, and a
    Date in 2100 was too when a Received header above it said 2100 as well (a relay's
    broken clock, or a spammer's own header): the mail sat on top of the timeline and
    the feed until then. A message cannot have been sent after it was received, nor
    received after the import: one dated later (by more than the 5 minutes a typed
    activity may be ahead) is logged when it was received (the newest Received header
    that is not ahead), else when it is imported; its Date stays in the activity."""
    from tinycrm.api.crm import Crm

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    freeze_clock(now)
    add_contact(store, name="Ana", email="ana@client.example")
    head = "From: ana@client.example\nTo: me@my.example\n"
    (tmp_path / "skewed.eml").write_text(
        f"{head}Subject: skewed\nDate: Sun, 06 Dec 2026 18:00:00 +0000\n\nHi\n"
    )
    (tmp_path / "relayed.eml").write_text(
        "Received: from relay by mx; Fri, 01 Jan 2100 00:00:00 +0000\n"
        "Received: from out by relay; Sat, 05 Dec 2026 09:30:00 +0000\n"
        f"{head}Subject: relayed\nDate: Fri, 01 Jan 2100 00:00:00 +0000\n\nHi\n"
    )
    run = Crm(store).mail.import_paths([tmp_path / "skewed.eml", tmp_path / "relayed.eml"])
    assert run.logged == 2
    by_subject = {a.subject: a for a in list_activities(store, contact="Ana")}
    assert by_subject["skewed"].occurred_at == now
    assert by_subject["relayed"].occurred_at == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert "Date: Sun, 06 Dec 2026 18:00:00 +0000 (not a date it can have been sent on; " \
        "dated when logged)" in (by_subject["skewed"].body or "")  # fmt: skip
    assert "Date: Fri, 01 Jan 2100 00:00:00 +0000 (not a date it can have been sent on; " \
        "dated when it was received)" in (by_subject["relayed"].body or "")  # fmt: skip


def test_a_body_with_unicode_line_separators_is_stored_as_the_store_takes_bodies(
    store: Any,
) -> None:
    """U+2028 and U+2029 (a line and a paragraph separator, which some terminals take
    for a new line) were kept in a logged mail's text, though the store refuses them in
    every body it is given: 'export activities' then 'import activities' rejected that
    mail ('body: bidirectional controls are not allowed (\\u2028 …)'). They are line
    breaks now, as a mail program shows them."""
    from tinycrm.store import validate

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    message = _msg("ann@acme.example", body="one\u2028two\u2029three \x1b[31mred\u202e")
    assert log_messages(store, [message], **OWN).logged == 1
    (logged,) = list_activities(store, contact="Ann Lee")
    body = logged.body or ""
    assert body.endswith("\n\none\ntwo\n\nthree red")
    assert validate.plain(body, "body", multiline=True) == body  # import takes it again


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


def test_the_summary_writes_every_count_with_thousands_separators() -> None:
    """A sync of a folder made again read 'Read 5,001 messages; logged 1 email for 1
    contact; 5000 already logged': the counts after the first two had no separator."""
    from collections import Counter

    from tinycrm.store.mail_log import MailRun

    run = MailRun(read=9_004, logged=1, contacts={1}, already=5_000, stopped=0)
    run.skipped = Counter({"internal or own": 1_200, "list or automated": 2_500})
    run.undated, run.dated_when_received = 1_001, 1_002
    assert run.summary() == (
        "read 9,004 messages; logged 1 email for 1 contact; 5,000 already logged; "
        "1,200 internal or own; 2,500 list or automated; "
        "1,001 without a usable date (dated now); "
        "1,002 with no usable Date header (dated when received)"
    )


def test_a_long_subject_is_kept_whole(store: Any) -> None:
    """A subject over 200 characters (a thread of 'Fwd: Re: AW:', a ticket system's)
    was cut at 200 with nothing to say so, though the store takes 300, and the rest of
    it was in no activity. Up to 300 it is the subject; a longer one is cut with '…' and
    kept whole in the activity's header lines."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    long = "Re: " + " ".join(f"w{i}" for i in range(70))  # 263 characters
    longer = "Fwd: " + " ".join(f"part{i}" for i in range(70))
    assert 200 < len(long) < 300 and len(longer) > 400
    run = log_messages(
        store, [_msg("ann@acme.example", subject=long, mid="<a@x>"),
                _msg("ann@acme.example", subject=longer, mid="<b@x>")], **OWN
    )  # fmt: skip
    assert run.logged == 2
    by_start = {a.subject[:3]: a for a in list_activities(store, contact="Ann Lee")}
    whole, cut = by_start["Re:"], by_start["Fwd"]
    assert whole.subject == long and "Subject:" not in (whole.body or "")
    assert len(cut.subject) == 300 and cut.subject == longer[:299] + "…"
    assert f"\nSubject: {longer}\n" in (cut.body or "")


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
    monkeypatch.setattr(module, "_content", lambda _message: ("read otherwise", ()))
    assert parse_message(raw).key == key
    assert parse_message(raw.replace(b"\n", b"\r\n").replace(b"full", b"full  ")).key == key
    assert parse_message(raw.replace(b"full", b"ok")).key != key


def test_a_from_with_two_addresses_is_logged_for_both_known_contacts(store: Any) -> None:
    """From: may name several authors (RFC 5322): only the first was read, so mail from
    "Ann, Bob" where only Bob is a contact was 'without a known contact', and Bob's
    sequence went on after his reply."""
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    add_contact(store, name="Cy Doe", email="cy@acme.example")
    add_sequence(store, name="Follow up", steps=[(2, "Call")])
    enroll_contacts(store, "Follow up", ["Bob Roe"])
    both = _msg(
        'Ann <ann@else.example>, "Roe, Bob" <bob@acme.example>',
        extra="Sender: ann@else.example\n",
        date="Sat, 05 Dec 2099 10:00:00 +0000",  # after the enrolment
    )
    run = log_messages(store, [both], **OWN)
    assert (run.logged, run.activities, run.stopped) == (1, 1, 1)
    (activity,) = list_activities(store, contact="Bob Roe")
    assert activity.body is not None
    assert activity.body.startswith('From: Ann <ann@else.example>, "Roe, Bob" <bob@acme.example>\n')
    # the user and a colleague writing together: out, for the contact they wrote to
    ours = _msg("Me <me@mycompany.example>, cy@acme.example", "bob@acme.example", mid="<o@x>")
    assert log_messages(store, [ours], **OWN).activities == 2
    with store.read() as session:
        directions = set(
            session.scalars(select(Activity.direction).where(Activity.mail_key == "o@x"))
        )
    assert directions == {"out"}


def test_reply_to_names_the_contact_when_from_names_none(store: Any) -> None:
    """A helpdesk's or a web form's mail comes From a no-reply address with Reply-To the
    person who wrote: it was 'without a known contact' (or 'internal or own' from the
    user's own web form), though Reply-To names one. From comes first: Reply-To is
    looked up when no address of From is a known contact."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    add_sequence(store, name="Follow up", steps=[(2, "Call")])
    enroll_contacts(store, "Follow up", ["Ann Lee"])
    later = "Sat, 05 Dec 2099 10:00:00 +0000"  # after the enrolment
    desk = _msg("Helpdesk <no-reply@desk.example>", extra="Reply-To: Ann <ANN@acme.example>\n",
                mid="<d@x>", date=later)  # fmt: skip
    form = _msg("forms@mycompany.example", extra="Reply-To: ann@acme.example\n", mid="<f@x>")
    assistant = _msg("bob@acme.example", extra="Reply-To: ann@acme.example\n", mid="<b@x>")
    run = log_messages(store, [desk, form, assistant], create_contacts=True, **OWN)
    assert (run.logged, run.activities, run.created, run.stopped) == (3, 3, 0, 1)
    bodies = [a.body or "" for a in list_activities(store, contact="Ann Lee")]
    assert len(bodies) == 2
    assert any(b.startswith("From: Helpdesk <no-reply@desk.example>\n") for b in bodies)
    assert all("\nReply-To: " in b for b in bodies)
    assert len(list_activities(store, contact="Bob Roe")) == 1  # From, not its Reply-To
    with store.read() as session:
        assert set(session.scalars(select(Activity.direction))) == {"in"}


def test_create_contacts_names_no_one_by_an_address_in_the_display_name(store: Any) -> None:
    """'"ann@acme.com" <phish@evil.example>' made a lead named ann@acme.com, the
    address it is not (a phisher's usual trick), listed as if Ann wrote. A display name
    that holds an address (a full-width ＠ too) is no name: the lead is named by the
    address the mail came from."""
    spoofed = _msg('"ann@acme.com" <phish@evil.example>', mid="<p@x>")
    wide = _msg('"Ann Lee (ann＠acme.com)" <wide@evil.example>', mid="<w@x>")
    fine = _msg('"Bob Roe" <bob@good.example>', mid="<g@x>")
    run = log_messages(store, [spoofed, wide, fine], create_contacts=True, **OWN)
    assert run.created == 3
    assert get_contact(store, "phish@evil.example").name == "phish@evil.example"
    assert get_contact(store, "wide@evil.example").name == "wide@evil.example"
    assert get_contact(store, "bob@good.example").name == "Bob Roe"


def test_escape_sequences_in_names_and_subjects_are_dropped_whole(store: Any) -> None:
    """A name or subject holding terminal escape sequences (an encoded word hides them
    from the header parser) kept their printable tails: a lead named 'Evil [2J ]0;pwn',
    a subject 'Hi [31mRED', a From of 'raw\\x1b[31m <raw@x>' read as a lead named '31m'.
    Each sequence (CSI, OSC up to its end, 8-bit CSI) is dropped whole, as a terminal
    would not show it; other controls still become spaces."""
    import base64

    def word(text: str) -> str:
        return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="

    name = word("Evil\x1b[2J\x1b]0;pwn\x07")
    evil = _msg(f"{name} <evil@x.example>", mid="<e@x>",
                subject=word("Hi\x1b[31mRED\u009b0m done\x1b]52;c;aGk=\x1b\\"))  # fmt: skip
    raw = _msg("raw\x1b[31m <raw@x.example>", mid="<r@x>", body="a \x1b[1mbold\x1b[0m word")
    log_messages(store, [evil, raw], create_contacts=True, **OWN)
    assert get_contact(store, "evil@x.example").name == "Evil"
    assert get_contact(store, "raw@x.example").name == "raw"
    (activity,) = list_activities(store, contact="Evil")
    assert activity.subject == "HiRED done"
    (activity,) = list_activities(store, contact="raw")
    assert activity.body is not None and activity.body.endswith("\n\na bold word")


def test_a_huge_text_is_cut_before_it_is_cleaned(monkeypatch: Any) -> None:
    """A 40 MB text took 7.5 s to make into the activity's body, every character of it
    looked at for controls and escape sequences, to keep its first 100,000: it is cut
    (with room for what cleaning drops) before it is cleaned now, and reads the same."""
    import re

    from tinycrm.store import mail_log

    seen: list[int] = []

    class Spy:
        def sub(self, new: str, text: str) -> str:
            seen.append(len(text))
            return re.sub("\x1b", new, text)

    text = ("word " * 20 + "\n") * 100_000  # 10 MB
    message = _msg("ann@acme.example", body=text)
    whole = mail_log.mail_body(message)
    monkeypatch.setattr(mail_log, "ESCAPE_SEQUENCE", Spy())
    assert mail_log.mail_body(message) == whole
    assert whole.endswith("\n[…]") and max(seen) <= 2 * mail_log.BODY_MAX + 10


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
