"""Mail into the CRM (store.mail_log): each message an email activity for every known
contact on it, once; on SQLite and PostgreSQL. How a message is known again: in
test_mail_keys.py; how many queries a run asks: in test_mail_log_queries.py."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sqlalchemy import func, select

from tinycrm.mail.message import parse_message
from tinycrm.store.activities import list_activities
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.deals import add_deal
from tinycrm.store.dupes import merge_contacts
from tinycrm.store.events import list_events
from tinycrm.store.mail_log import log_messages
from tinycrm.store.models import Activity, Contact
from tinycrm.store.sequences import add_sequence, enroll_contacts, list_enrollments

from .mail_log_helpers import OWN, _count, _msg


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
                           "without a known contact": 1, "with no From address": 1}  # fmt: skip
    assert run.summary().endswith("; 1 with no From address; 1 without a known contact")
    assert not [e for e in list_events(store, limit=5) if e.action == "synced"]
    lists = log_messages(store, [listed, bulk], include_lists=True, **OWN)
    assert lists.logged == 2


def test_mail_with_no_from_address_is_logged_for_no_one(store: Any) -> None:
    """A message with no From (or one whose only address hides in an encoded word,
    which no address may be) was logged as received ('in') from the contacts in its To
    and Cc, as though they had written it, and with --create-contacts added them; nobody
    can say who sent it, or whether it was received at all. It is logged for no one and
    counted as 'with no From address', whoever else is on it."""
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    add_contact(store, name="Bob Roe", email="bob@acme.example")
    messages = [
        parse_message(b"To: ann@acme.example\nMessage-ID: <a@x>\nSubject: s\n\nx"),
        parse_message(
            b"From: =?utf-8?q?bob=40acme.example?=\nTo: ann@acme.example\n"
            b"Cc: me@mycompany.example\nMessage-ID: <b@x>\n\nx"
        ),
        parse_message(
            b"From: \nTo: me@mycompany.example\nReply-To: bob@acme.example\nMessage-ID: <c@x>\n\nx"
        ),
        parse_message(b"To: new@else.example\nMessage-ID: <d@x>\n\nx"),
    ]
    run = log_messages(store, messages, create_contacts=True, **OWN)
    assert (run.logged, run.created, _count(store)) == (0, 0, 0)
    assert run.skipped == {"with no From address": 4}
    assert run.summary().endswith("logged 0 emails for 0 contacts; 4 with no From address")


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

    from tinycrm.store import mail_text as mail_log

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


def test_a_bounce_is_logged_for_the_contact_whose_address_bounced(store: Any) -> None:
    """A bounce (From MAILER-DAEMON, to the user) named no contact: mail to a contact's
    address bounced and their timeline did not say. It is logged for the contact its
    delivery status names (else the returned message's To), saying which address and
    its status, once; no contact is made from it, not even with --create-contacts."""
    from tests.mail.test_message_reports import RETURNED, _bounce

    add_contact(store, name="Gone Person", email="gone@client.example")
    own = {"own_addresses": ["me@my.example"], "own_domains": ["my.example"]}
    assert log_messages(store, [parse_message(RETURNED)], **own).logged == 1  # the one sent
    bounce = parse_message(_bounce(RETURNED))
    run = log_messages(store, [bounce], create_contacts=True, **OWN)
    assert (run.logged, run.created, run.stopped) == (1, 0, 0), run.summary()
    activity = next(
        a for a in list_activities(store, contact="Gone Person") if a.subject != "The proposal"
    )
    assert activity.subject == "Undelivered Mail Returned to Sender"
    assert (
        "Bounced: gone@client.example (failed; 5.1.1 (permanent failure: bad destination"
        " mailbox address))"
    ) in (activity.body or "")
    assert "Here is the proposal we spoke of." in (activity.body or "")
    assert log_messages(store, [bounce], **OWN).already == 1
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
    other = parse_message(
        _bounce(RETURNED.replace(b"gone@", b"nobody@")).replace(b"gone@", b"nobody@")
    )
    skipped = log_messages(store, [other], create_contacts=True, **OWN)
    assert (skipped.logged, skipped.skipped["list or automated"], skipped.created) == (0, 1, 0)
    assert _count(store) == 2


def test_a_bounce_with_a_server_answer_in_utf8_is_logged(store: Any) -> None:
    """The store refused the text of a delivery status holding raw UTF-8 (kept as
    undecodable bytes), and the whole import with it."""
    from tests.mail.test_message_reports import RETURNED, STATUS, _bounce

    add_contact(store, name="Gone Person", email="gone@client.example")
    own = {"own_addresses": ["me@my.example"], "own_domains": ["my.example"]}
    assert log_messages(store, [parse_message(RETURNED)], **own).logged == 1  # the one sent
    status = STATUS.replace(b"User unknown", "Empf\u00e4nger unbekannt \u202e".encode())
    run = log_messages(store, [parse_message(_bounce(RETURNED, status=status))], **OWN)
    assert run.logged == 1
    activity = next(
        a for a in list_activities(store, contact="Gone Person") if a.subject != "The proposal"
    )
    assert "Empf\u00e4nger unbekannt" in (activity.body or "")


def test_a_bounce_of_no_mail_sent_to_the_contact_is_no_bounce_of_theirs(store: Any) -> None:
    """Anyone can send a bounce naming any address: one naming a contact no mail went to
    was logged on them as a bounce. A bounce is logged on a contact when the message it
    returns was logged as sent to them (its Message-ID; without one, any mail out to
    them); another is skipped, said in the summary."""
    from tests.mail.test_message_reports import RETURNED, _bounce

    add_contact(store, name="Gone Person", email="gone@client.example")
    own = {"own_addresses": ["me@my.example"], "own_domains": ["my.example"]}
    copy = RETURNED.replace(b"Subject:", b"Message-ID: <sent-1@my.example>\nSubject:")
    forged = parse_message(_bounce(copy.replace(b"sent-1@", b"never@")))
    run = log_messages(store, [forged], **own)
    assert (run.logged, run.skipped["bounce of mail not logged as sent"]) == (0, 1)
    assert "1 bounce of mail not logged as sent" in run.summary()
    bare = parse_message(_bounce(RETURNED))  # no Message-ID: no mail out to them either
    assert log_messages(store, [bare], **own).skipped["bounce of mail not logged as sent"] == 1
    assert _count(store) == 0
    sent, bounce = parse_message(copy), parse_message(_bounce(copy))
    dry = log_messages(store, [sent, bounce, forged], dry_run=True, **own)
    assert (dry.logged, dry.skipped["bounce of mail not logged as sent"]) == (2, 1), dry.summary()
    run = log_messages(store, [sent, bounce, forged], **own)
    assert (run.logged, run.skipped["bounce of mail not logged as sent"]) == (2, 1), run.summary()
    assert sorted(a.subject for a in list_activities(store)) == [
        "The proposal",
        "Undelivered Mail Returned to Sender",
    ]
    assert log_messages(store, [forged], **own).logged == 0


def test_the_stores_default_limit_is_the_config_files_default() -> None:
    # the store reads no config: its default for a run given no limit is its own number,
    # which must stay the [mail] create_contacts_max a config file without it gives
    from tinycrm.config import MailSettings
    from tinycrm.store.mail_run import CREATE_CONTACTS_MAX

    assert CREATE_CONTACTS_MAX == MailSettings().create_contacts_max == 15
