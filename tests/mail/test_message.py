"""tinycrm.mail.message: real-world messages into plain data, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.mail.samples import BOUNCE, HTML_ONLY, PLAIN_QP_1252, multipart
from tinycrm.mail.html_text import html_to_text
from tinycrm.mail.message import parse_message


def test_encoded_words_quoted_printable_and_windows_1252() -> None:
    m = parse_message(PLAIN_QP_1252)
    assert m.subject == "Résumé and 👋\u200b hi"
    assert m.sender == "juergen@mueller.example" and m.sender_name == "Jürgen Müller"
    assert m.to == ("me@my.example", "bo@x.example") and m.cc == ("team@my.example",)
    assert m.names["bo@x.example"] == "Bo Berg"
    assert m.date == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert m.key == m.message_id == "abc.123@mueller.example"
    assert m.body == "Hello “there”,\nthe price is €5.\n\nJürgen"
    assert m.automated is None and m.attachments == ()


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("", "Grüße, Jürgen — 5 €".encode()),  # no charset: UTF-8 bytes, as most mail is
        ("", "Grüße, Jürgen".encode("cp1252")),  # no charset, an old mail program's bytes
        ('; charset="us-ascii"', "Grüße, Jürgen".encode()),  # a charset that lies
    ],
)
def test_eight_bit_text_without_its_charset_is_read_not_replaced(charset: str, body: bytes) -> None:
    raw = (
        b"From: Juergen <j@mueller.example>\r\nTo: me@my.example\r\nSubject: hi\r\n"
        b"Message-ID: <8bit@mueller.example>\r\n"
        + f"Content-Type: text/plain{charset}\r\n".encode()
        + b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + body
        + b"\r\n"
    )
    text = parse_message(raw).body
    assert "\ufffd" not in text
    assert text.startswith("Grüße, Jürgen")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_eight_bit_headers_are_read_as_text_not_left_as_undecodable_bytes(encoding: str) -> None:
    """Raw 8-bit headers (RFC 6532's UTF-8, or an old program's Windows-1252) are common:
    their names, subject and file names are text, never lone surrogates (which no
    database stores: one such message refused a whole import or stuck a sync)."""
    raw = (
        'From: Jürgen Müller <j@mueller.example>\r\nTo: "Zoë" <me@my.example>\r\n'
        "Subject: Grüße aus Köln\r\nMessage-ID: <8bit-head@mueller.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n"
        "--B\r\nContent-Type: application/pdf\r\n"
        'Content-Disposition: attachment; filename="Überweisung.pdf"\r\n\r\n'
        "%PDF\r\n--B--\r\n"
    ).encode(encoding)
    m = parse_message(raw)
    assert m.sender == "j@mueller.example" and m.sender_name == "Jürgen Müller"
    assert m.names == {"j@mueller.example": "Jürgen Müller", "me@my.example": "Zoë"}
    assert m.subject == "Grüße aus Köln"
    assert [a.name for a in m.attachments] == ["Überweisung.pdf"]
    assert m.body == "Hallo"


def test_direction_and_counterparts() -> None:
    m = parse_message(PLAIN_QP_1252)
    assert m.direction(["me@my.example"]) == "in"
    assert m.direction(["Juergen@mueller.example"]) == "out"
    assert m.counterparts(["me@my.example"], ["my.example"]) == (
        "juergen@mueller.example",
        "bo@x.example",
    )
    assert m.addresses()[0] == "juergen@mueller.example"


def test_bcc_is_read_and_counted_only_when_asked() -> None:
    m = parse_message(
        b"From: me@my.example\nTo: ana@client.example\nBcc: Bo <BO@x.example>, cy@y.example\n"
        b"Subject: Offer\n\nx"
    )
    assert m.bcc == ("bo@x.example", "cy@y.example")
    assert m.names["bo@x.example"] == "Bo"
    assert m.addresses() == ("me@my.example", "ana@client.example")
    assert m.addresses(bcc=True) == (
        "me@my.example",
        "ana@client.example",
        "bo@x.example",
        "cy@y.example",
    )
    # the key is the message's, Bcc or not: the copy in Sent and the one received
    assert (
        m.key
        == parse_message(b"From: me@my.example\nTo: ana@client.example\nSubject: Offer\n\nx").key
    )


def test_plain_part_wins_base64_body_attachments_listed_and_thread_kept() -> None:
    raw = multipart("<p>HTML</p>", utf8_body="Grüße,\r\nAna\r\n", attachment=b"%PDF" * 100)
    m = parse_message(raw)
    assert m.body == "Grüße,\nAna"
    assert [(a.name, a.content_type, a.size) for a in m.attachments] == [
        ("offer 2026.pdf", "application/pdf", 400)
    ]
    assert m.in_reply_to == "q-1@my.example"
    assert m.references == ("start@my.example", "q-1@my.example")
    assert m.date == datetime(2026, 12, 2, 13, 30, tzinfo=UTC)


def test_an_empty_plain_part_gives_way_to_the_html_one() -> None:
    """Some programs send an empty (or blank) text/plain alternative beside the HTML
    that holds the message: it was logged with no text at all."""
    raw = (
        b"From: a@x.example\nTo: me@my.example\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain; charset=utf-8\n\n \r\n\n"
        b"--B\nContent-Type: text/html; charset=utf-8\n\n<p>The real text</p>\n--B--\n"
    )
    m = parse_message(raw)
    assert m.body == "The real text"
    assert m.attachments == ()


_NO_BOUNDARY = (
    b"From: a@x.example\nTo: me@my.example\nSubject: s\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed{param}\n\n"
    b"--X\nContent-Type: text/plain; charset=utf-8\n\nThe text, gr\xc3\xbc\xc3\x9fe\n"
    b"--X\nContent-Type: application/pdf; name=q.pdf\nContent-Transfer-Encoding: base64\n\n"
    b"JVBERi0x\n--X--\n"
)


@pytest.mark.parametrize("param", [b"", b'; boundary="ZZZ"', b"; boundary="])
def test_a_multipart_whose_boundary_is_missing_or_never_met_keeps_its_text(param: bytes) -> None:
    """A script's multipart without its boundary parameter, or with one its parts do
    not use: the standard library splits nothing, and the mail was logged with no text
    and no attachment at all. The parts are read by the delimiter lines they have."""
    m = parse_message(_NO_BOUNDARY.replace(b"{param}", param))
    assert m.body == "The text, grüße"
    assert [(a.name, a.content_type, a.size) for a in m.attachments] == [
        ("q.pdf", "application/pdf", 6)
    ]


def test_a_multipart_inside_a_multipart_whose_boundary_is_missing_keeps_its_text() -> None:
    """The same inside another multipart: the alternative text and HTML of a mail
    with an attachment were lost, the attachment listed alone."""
    raw = (
        b"From: a@x.example\nTo: me@my.example\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="OUT"\n\n'
        b"--OUT\nContent-Type: multipart/alternative\n\n"
        b"--IN\nContent-Type: text/plain; charset=utf-8\n\nThe text\n"
        b"--IN\nContent-Type: text/html; charset=utf-8\n\n<p>The text</p>\n--IN--\n"
        b"--OUT\nContent-Type: application/pdf; name=q.pdf\nContent-Transfer-Encoding: base64\n\n"
        b"JVBERi0x\n--OUT--\n"
    )
    m = parse_message(raw)
    assert m.body == "The text"
    assert [(a.name, a.content_type) for a in m.attachments] == [("q.pdf", "application/pdf")]


def test_a_multipart_without_any_part_is_read_as_its_text() -> None:
    raw = _NO_BOUNDARY.split(b"\n\n", 1)[0].replace(b"{param}", b"") + b"\n\nJust text\n"
    assert parse_message(raw).body == "Just text"
    signed = raw.replace(b"Just text\n", b"Just text\n--Bob\n")  # a line, no boundary
    assert parse_message(signed).body == "Just text\n--Bob"


_FORWARDED = b"""\
From: ann@acme.example
To: me@my.example
Subject: Fwd: contract
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="F"

--F
Content-Type: text/plain

See below.
--F
Content-Type: message/rfc822
Content-Disposition: attachment; filename="contract.eml"

From: bob@bob.example
Subject: =?utf-8?q?Vertrag_f=C3=BCr_2027?=
Content-Type: text/plain

The contract text.
--F--
"""


def test_a_forwarded_message_attached_is_listed_as_an_attachment() -> None:
    """A message forwarded as an attachment (message/rfc822: Outlook's 'Forward as
    attachment', a bounce's copy) was in no list: the activity said nothing of it, and
    a forward without text of its own was logged empty. It is listed by its file name,
    else its subject."""
    m = parse_message(_FORWARDED)
    assert m.body == (
        "See below.\n\n---------- Forwarded message ----------\n"
        "From: bob@bob.example\nSubject: Vertrag für 2027\n\nThe contract text."
    )
    ((name, kind, size),) = [(a.name, a.content_type, a.size) for a in m.attachments]
    assert (name, kind, size) == ("contract.eml", "message/rfc822", len("The contract text."))
    unnamed = parse_message(_FORWARDED.replace(b'; filename="contract.eml"', b""))
    assert [(a.name, a.content_type) for a in unnamed.attachments] == [
        ("Vertrag für 2027", "message/rfc822")
    ]
    alone = _FORWARDED.replace(b"--F\nContent-Type: text/plain\n\nSee below.\n", b"")
    assert [a.name for a in parse_message(alone).attachments] == ["contract.eml"]


@pytest.mark.parametrize(
    ("content", "listed"),
    [
        (
            "Content-Type: application/pdf; name=scan.pdf\n"
            "Content-Disposition: attachment; filename=scan.pdf\n"
            "Content-Transfer-Encoding: base64\n\nJVBERi0x\n",
            ("scan.pdf", "application/pdf", 6),
        ),
        (
            "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw==\n",
            ("(unnamed)", "image/png", 4),
        ),
        (
            "Content-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n"
            "\nthe notes\n",
            ("notes.txt", "text/plain", 10),
        ),
    ],
)
def test_a_message_that_is_one_attachment_lists_it(
    content: str, listed: tuple[str, str, int]
) -> None:
    """A message with no multipart around its one attachment (a scanner's PDF, a
    script's file): it was logged with no text and no attachment, the activity saying
    nothing of what came."""
    head = "From: scanner@acme.example\nTo: me@my.example\nSubject: Scan\nMIME-Version: 1.0\n"
    m = parse_message((head + content).encode())
    assert m.body == ""
    assert [(a.name, a.content_type, a.size) for a in m.attachments] == [listed]
    text = parse_message((head + "Content-Type: text/plain\n\nJust text\n").encode())
    assert (text.body, text.attachments) == ("Just text", ())


@pytest.mark.parametrize("before", [b"\xef\xbb\xbf", b"\r\n", b"\n\n", b"  ", b"\xef\xbb\xbf\r\n"])
def test_a_byte_order_mark_or_blank_lines_before_the_header_are_passed_over(before: bytes) -> None:
    """An .eml a Windows tool saved with a UTF-8 byte order mark, or written with a
    blank line first: its header was read as text (no sender, no subject) and the mail
    was counted 'internal or own', never logged."""
    raw = (
        b"From: Ann <ann@acme.example>\r\nTo: me@my.example\r\nSubject: Offer\r\n"
        b"Message-ID: <offer@acme.example>\r\n\r\nHello\r\n"
    )
    m = parse_message(before + raw)
    assert (m.sender, m.subject, m.body, m.message_id) == (
        "ann@acme.example",
        "Offer",
        "Hello",
        "offer@acme.example",
    )
    assert m.key == parse_message(raw).key  # one message, however it was saved


def test_html_only_mail_becomes_text_and_list_mail_is_marked() -> None:
    m = parse_message(HTML_ONLY)
    assert m.body == "Thanks for ordering\n\nItem: Widget & more\nQty: 2\n\n- one\n- two"
    assert m.automated == "mailing list"


def test_no_message_id_gives_a_stable_key_from_the_message_itself() -> None:
    raw = PLAIN_QP_1252.replace(b"Message-ID: <abc.123@mueller.example>\n", b"")
    first = parse_message(raw)
    assert first.message_id is None and first.key.startswith("raw-sha256:")
    # the same message however it is stored: CRLF (IMAP), an mbox's status headers
    # and From_ line, the Received headers of its delivery (a file saved without them)
    stored = b"From ana@x Tue Dec  1 10:00:00 2026\nStatus: RO\nX-Mozilla-Status: 0001\n" + raw
    delivered = b"Received: from mx by imap; Tue, 01 Dec 2026 09:01:00 +0000\n" + raw
    for same in (raw.replace(b"\n", b"\r\n"), stored, delivered):
        assert parse_message(same).key == first.key
    # another message from the same sender with the same subject and date is another key
    other_body = raw.replace(b"Hello", b"Hi")
    other_date = raw.replace(b"Date: Tue, 01 Dec", b"Date: Wed, 02 Dec")
    other_to = raw.replace(b"Bo Berg", b'Bo Berg" <bo2@x.example>, "Bo')
    keys = {parse_message(r).key for r in (raw, other_body, other_date, other_to)}
    assert len(keys) == 4


def test_no_message_id_and_no_date_two_messages_are_two_keys() -> None:
    """A script's "Disk full" and "Disk full again" with neither Message-ID nor Date,
    from one sender, with one subject: one key made the second a double of the first."""
    head = b"From: ops@client.example\nTo: me@my.example\nSubject: alert\n"
    first, second = (parse_message(head + b"\n" + body) for body in (b"Disk full", b"Disk ok"))
    assert first.key != second.key
    assert first.old_key == second.old_key  # what earlier versions keyed both by
    attached = parse_message(
        head + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
        b"Content-Type: text/plain\n\nDisk full\n--B\nContent-Type: text/csv\n"
        b"Content-Disposition: attachment; filename=df.csv\n\na,b\n--B--\n"
    )
    assert attached.key not in (first.key, second.key)  # the same text, an attachment more
    assert parse_message(head + b"\n" + b"Disk full").key == first.key
    assert parse_message(b"Message-ID: <a@b>\n" + head + b"\nx").old_key is None


def test_a_bounce_is_machine_mail() -> None:
    m = parse_message(BOUNCE)
    assert m.automated == "auto-submitted (auto-replied)"
    assert "could not be delivered" in m.body
    no_header = parse_message(BOUNCE.replace(b"Auto-Submitted: auto-replied\n", b""))
    assert no_header.automated == "delivery report"


UNDATED = (
    b"Received: from mx.my.example by imap.my.example; Wed, 02 Dec 2026 09:15:00 +0100\n"
    b"Received: from out.client.example by mx.my.example; Wed, 02 Dec 2026 08:14:00 +0000\n"
    b"From: Ana <ana@client.example>\nTo: me@my.example\nSubject: no date\n\nHello"
)


def test_mail_without_a_date_is_dated_by_the_server_else_its_newest_received_header() -> None:
    received = parse_message(UNDATED)
    assert (received.date, received.dated_by) == (datetime(2026, 12, 2, 8, 15, tzinfo=UTC),
                                                  "Received")  # fmt: skip
    internal = datetime(2026, 12, 2, 9, 20, tzinfo=UTC)
    server = parse_message(UNDATED, received=internal)
    assert (server.date, server.dated_by) == (internal, "INTERNALDATE")
    # the key stays that of the message itself: the same from IMAP and from a file
    assert server.key == received.key == parse_message(UNDATED.split(b"\n", 2)[2]).key
    dated = parse_message(b"Date: Tue, 01 Dec 2026 10:00:00 +0000\n" + UNDATED, received=internal)
    assert (dated.date, dated.dated_by) == (datetime(2026, 12, 1, 10, tzinfo=UTC), "Date")
    bare = parse_message(UNDATED.split(b"\n", 2)[2])
    assert (bare.date, bare.dated_by) == (None, None)
    naive = parse_message(UNDATED, received=datetime(2026, 12, 2, 9, 20))
    assert naive.date == internal  # a server time without a zone is UTC


@pytest.mark.parametrize(
    "word",
    [
        "=?x-unknown?q?D=EDaz?=",
        "=?utf-8?q?D=EDaz?=",
        "=?us-ascii?b?RO1heg==?=",
        "=?utf-8*de?Q?D=EDaz?=",
    ],
)
def test_an_encoded_word_in_a_wrong_or_unknown_charset_is_read_not_left_as_bytes(
    word: str,
) -> None:
    """Its bytes are read as UTF-8, else Windows-1252, as raw 8-bit headers are: a name
    left holding them could not be stored (the whole import or sync batch failed)."""
    raw = f"From: Ana {word} <ana@client.example>\nTo: {word} <d@client.example>\n"
    m = parse_message(f"{raw}Subject: Hola {word}\n\nx".encode())
    assert m.subject == "Hola Díaz"
    assert m.names == {"ana@client.example": "Ana Díaz", "d@client.example": "Díaz"}
    assert m.sender_name == "Ana Díaz"
    odd = parse_message(b"From: =?x-unknown?q?=81=8D?= <a@b.example>\n\nx")
    assert odd.names == {"a@b.example": "\x81\x8d"}  # no Windows-1252 character: Latin-1


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["utf-8", "us-ascii", "iso-8859-1", "x-unknown", "utf-7", "shift_jis"]),
    st.binary(max_size=40),
)
def test_any_bytes_in_an_encoded_word_give_text_a_database_can_store(
    charset: str, data: bytes
) -> None:
    import base64

    word = f"=?{charset}?b?{base64.b64encode(data).decode()}?="
    m = parse_message(f"From: {word} <a@b.example>\nTo: {word} <c@d.example>\n"
                      f"Subject: {word}\n\nx".encode())  # fmt: skip
    for text in (m.subject, *m.names.values()):
        text.encode("utf-8")


@pytest.mark.parametrize(
    "date",
    [
        "Fri, 01 Jan 2100 00:00:00 +0000",
        "Thu, 01 Jan 1970 00:00:00 +0000",
        "Mon, 1 Jan 1900",
        # a year of four digits is that year: Python's parser read 0001 as 2001, 0025
        # as 2025 (two-digit years' rule), and the mail was logged on that day
        "Sat, 01 Jan 0001 00:00:00 +0000",
        "Wed, 01 Jan 0025 00:00:00 +0000",
    ],
)
def test_a_date_it_cannot_have_been_sent_on_gives_way_to_when_it_was_received(date: str) -> None:
    """A spammer's date in 2100 put the mail on top of the timeline for good (and a
    contact's cadence out of reach); a broken client's 1970 buried it."""
    raw = f"Date: {date}\n".encode() + UNDATED
    internal = datetime(2026, 12, 2, 9, 20, tzinfo=UTC)
    assert (parse_message(raw, received=internal).dated_by, parse_message(raw).dated_by) == (
        "INTERNALDATE",
        "Received",
    )
    alone = parse_message(f"Date: {date}\nFrom: ana@client.example\n\nx".encode())
    assert (alone.date, alone.dated_by, alone.date_header) == (None, None, date)
    skewed = datetime(2026, 12, 2, 9, 23, tzinfo=UTC)  # minutes ahead of its server: clocks
    early = f"Date: {skewed:%a, %d %b %Y %H:%M:%S} +0000\n".encode() + UNDATED
    assert parse_message(early, received=internal).date == skewed
    ahead = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # hours after it arrived: not so
    later_sent = f"Date: {ahead:%a, %d %b %Y %H:%M:%S} +0000\n".encode() + UNDATED
    assert parse_message(later_sent, received=internal).dated_by == "INTERNALDATE"
    key = parse_message(f"Date: {date}\nFrom: ana@client.example\n\nx".encode()).key
    assert key == parse_message(f"Date: {date}\nFrom: ana@client.example\n\nx".encode()).key
    later = date.replace("Jan", "Feb")
    assert key != parse_message(f"Date: {later}\nFrom: ana@client.example\n\nx".encode()).key


def test_a_year_of_three_digits_is_one_after_1900_as_rfc_5322_reads_it() -> None:
    """RFC 5322's obsolete three-digit year (what some old clients wrote: the year minus
    1900) is 1900 more; Python's parser read 126 as the year 126, refused as too early."""
    m = parse_message(b"Date: Tue, 01 Dec 126 10:00:00 +0000\nFrom: ana@client.example\n\nx")
    assert (m.date, m.dated_by) == (datetime(2026, 12, 1, 10, tzinfo=UTC), "Date")
    m = parse_message(b"Date: Tue, 01 Dec 02026 10:00:00 +0000\nFrom: ana@client.example\n\nx")
    assert (m.date, m.dated_by) == (datetime(2026, 12, 1, 10, tzinfo=UTC), "Date")


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("From ana@client.example Tue Jan  2 10:00:00 2024", datetime(2024, 1, 2, 10, tzinfo=UTC)),
        ("From - Tue Jan 02 10:00:00 2024", datetime(2024, 1, 2, 10, tzinfo=UTC)),  # Thunderbird
        ("From 178@xxx Tue Jan 02 10:00:00 +0100 2024", datetime(2024, 1, 2, 9, tzinfo=UTC)),
        ("From a@b Tue Jan  2 10:00:00 2024 -0200", datetime(2024, 1, 2, 12, tzinfo=UTC)),
        ("From a@b Tue, 02 Jan 2024 10:00:00 +0000", datetime(2024, 1, 2, 10, tzinfo=UTC)),
    ],
)
def test_an_mbox_message_without_date_is_dated_by_its_from_line(line: str, when: datetime) -> None:
    """An mbox message with no Date header got the time it was imported: its ``From ``
    line says when it was stored, as IMAP's INTERNALDATE does."""
    m = parse_message(f"{line}\n".encode() + UNDATED.split(b"\n", 2)[2])
    assert (m.date, m.dated_by) == (when, "From line")
    # before the Received headers (as INTERNALDATE is); after the Date header
    assert parse_message(f"{line}\n".encode() + UNDATED).dated_by == "From line"
    dated = parse_message(f"{line}\nDate: Mon, 01 Jan 2024 08:00:00 +0000\n".encode() + UNDATED)
    assert (dated.date, dated.dated_by) == (datetime(2024, 1, 1, 8, tzinfo=UTC), "Date")
    # a Date a day after the message was stored cannot be its date
    late = parse_message(f"{line}\nDate: Fri, 05 Jan 2024 08:00:00 +0000\n".encode() + UNDATED)
    assert (late.date, late.dated_by) == (when, "From line")
    # the key is the message's: the same with or without the line
    assert m.key == parse_message(UNDATED.split(b"\n", 2)[2]).key


def test_a_from_line_without_a_usable_date_is_passed_over() -> None:
    for line in (
        b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970",  # a clock at 0
        b"From a@b Fri Jan  1 00:00:00 2100",  # the future
        b"From a@b not a date at all",
        b"From a@b Tue Feb 31 10:00:00 2024",
        b"From ",
    ):
        m = parse_message(line + b"\n" + UNDATED)
        assert m.dated_by == "Received", line
        assert parse_message(line + b"\n" + UNDATED.split(b"\n", 2)[2]).date is None


def test_a_control_character_in_a_display_name_does_not_lose_the_address() -> None:
    """'From: raw<ESC>[31m <ann@x.example>': the header parser read no mailbox in a
    phrase holding a control character (an escape sequence, a bell, a C1 CSI), so the
    message had no sender: it was skipped as 'internal or own' (or 'with no address'),
    never logged for Ann. The controls are dropped; the address and name are read."""
    for name in (b"raw\x1b[31m", b"\xff\xfe\x1b[31m", b"Bell\x07", "C1\u009b2J".encode()):
        m = parse_message(b"From: " + name + b" <Ann@X.example>\nTo: Bo <bo@y.example>\n\nx")
        assert m.sender == "ann@x.example", name
        assert m.to == ("bo@y.example",)
        assert m.sender_name is not None and m.sender_name.isprintable()


def test_a_message_over_the_limit_is_parsed_from_its_header_bytes_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Of a message over MAX_MESSAGE only the header is read, but the parser was handed
    all of it: a 200 MB message in a Maildir took 7 s and 2 GB of memory (its 8-bit
    bytes made text four times their size) to read a header of 200 bytes. It is given
    the header alone now, and the key is the same as from IMAP's header."""
    from email.parser import BytesParser

    from tinycrm.mail import message as module

    monkeypatch.setattr(module, "MAX_MESSAGE", 10_000)
    head = b"From: ann@x.example\r\nTo: me@my.example\r\nSubject: big\r\n\r\n"
    big = head + b"\xe9" * 75 + b"\r\n" * 1000 + b"\xe9" * 50_000
    given: list[int] = []
    parse = BytesParser.parsebytes

    def spy(self: BytesParser, data: bytes, headersonly: bool = False) -> Any:
        given.append(len(data))
        return parse(self, data, headersonly)

    monkeypatch.setattr(BytesParser, "parsebytes", spy)
    m = parse_message(big)
    assert given == [len(head)]
    assert (m.sender, m.subject, m.body) == ("ann@x.example", "big", "")
    assert m.key == parse_message(head).key  # IMAP's BODY[HEADER]
    assert parse_message(big.replace(b"\r\n", b"\n")).key == m.key


@pytest.mark.parametrize(
    "header",
    [
        b"=?utf-8?q?a=40x.example?=",  # the address itself encoded
        b"=?utf-8?q?Alice_=3Calice=40x.example=3E?=",  # name and address in one word
        b"=?utf-8?b?YUB4LmV4YW1wbGU=?=",  # base64: a@x.example
        b"a@=?utf-8?q?x.example?=",  # its domain encoded
        b"=?utf-8?q?a?=@x.example",  # its local part encoded
    ],
)
def test_an_address_hidden_in_an_encoded_word_is_no_address(header: bytes) -> None:
    """RFC 2047 §5: an encoded word may not appear in an address. 'From:
    =?utf-8?q?a=40x?=' was read as the sender '"a@x"' (quotes and all, which the store
    then found no contact for: 'without a known contact'), and a word decoding to
    'Alice <alice@x>' as a sender with a space, dropped, so the mail went on as one
    without a From. No address is read from an encoded word, in From or To; a display
    name may be one, and a real address beside such a word is read."""
    m = parse_message(b"From: " + header + b"\nTo: " + header + b", bo@y.example\n\nx")
    assert (m.sender, m.senders, m.to) == (None, (), ("bo@y.example",))
    if header.startswith(b"=?") and header.endswith(b"?="):  # a word a name can be
        named = parse_message(b"From: " + header + b" <ann@x.example>\n\nx")
        assert named.sender == "ann@x.example"
    quoted = parse_message(b'From: "=?utf-8?q?a=40x?=" <ann@x.example>\n\nx')
    assert quoted.sender == "ann@x.example"
    plain = parse_message(b"From: =?utf-8?q?J=C3=BCrgen?= <jurgen@x.example>\n\nx")
    assert (plain.sender, plain.sender_name) == ("jurgen@x.example", "Jürgen")
    quoted_local = parse_message(b'From: =?utf-8?q?J=C3=BCrgen?= <"jurgen"@x.example>\n\nx')
    assert quoted_local.sender == "jurgen@x.example"  # as without the encoded name


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><meta charset=utf-8><body><p>Hello Ann</p></body></html>",
        "<html><head><meta charset=utf-8><p>Hello Ann</p>",
        "<head><link rel=stylesheet href=x.css>Hello Ann",
        "<head><style>p {}</style><body>Hello Ann",
    ],
)
def test_an_html_head_left_open_does_not_hide_the_text(html: str) -> None:
    """A mail program's HTML with no </head> (a <body> or the text right after its
    <meta>) was read as all head: the activity had no text at all. As a browser does,
    the body, a block or text closes the head; a script, style or title still holds
    what is inside it."""
    assert html_to_text(html) == "Hello Ann"
    assert html_to_text("<head><title>Subject</title></head><p>x") == "x"
    assert html_to_text("<head><script>if (a < b) {}</script><p>x") == "x"


def test_a_name_written_as_a_comment_after_the_address_is_its_name() -> None:
    """'From: ann@acme.example (Ann Lee)', the older way of naming a sender (cron, some
    list servers and scripts still write it), gave no name: --create-contacts named the
    lead by its address and the activity showed none. The comment is the name when the
    address has no other."""
    m = parse_message(
        b"From: ann@acme.example (Ann Lee)\nTo: Bo <bo@x.example> (team), cy@x.example (Cy)\n\nx"
    )
    assert (m.sender, m.sender_name) == ("ann@acme.example", "Ann Lee")
    assert m.names == {"ann@acme.example": "Ann Lee", "bo@x.example": "Bo", "cy@x.example": "Cy"}


def test_a_domain_written_with_its_final_dot_is_the_same_address() -> None:
    """'ann@acme.example.' (a fully qualified domain: some relays and scripts write
    it) is ann@acme.example, but was kept with its dot, so the message found no
    contact ('without a known contact') and --create-contacts added Ann again."""
    m = parse_message(b"From: Ann <ann@Acme.Example.>\nTo: bo@x.example., cy@[10.0.0.1]\n\nx")
    assert (m.sender, m.to) == ("ann@acme.example", ("bo@x.example", "cy@[10.0.0.1]"))
    named = parse_message(b"From: =?utf-8?q?Ann?= <ann@acme.example.>\n\nx")
    assert named.sender == "ann@acme.example"


@pytest.mark.parametrize(
    ("header", "address", "name"),
    [
        (b"Ann Lee ann@x.example", "ann@x.example", "Ann Lee"),
        (b"Ann Lee  Ann@X.example (work)", "ann@x.example", "Ann Lee"),
        (b'"Lee, Ann" ann@x.example', "ann@x.example", "Lee, Ann"),
        (b"=?utf-8?q?J=C3=BCrgen?= jurgen@x.example", "jurgen@x.example", "Jürgen"),
        (b"Ann Lee\x1b[31m ann@x.example", "ann@x.example", "Ann Lee"),
    ],
)
def test_an_address_written_without_brackets_after_a_name_is_read(
    header: bytes, address: str, name: str
) -> None:
    """'From: Ann Lee ann@x.example' (no angle brackets, as some broken mailers write)
    gave no sender: the parser read 'Ann Lee ann' as the local part, which no address
    has, so the message was skipped 'with no From address'. Where a mailbox holds
    exactly one address-looking word outside encoded words, quotes and comments, that
    word is its address and the rest its name."""
    m = parse_message(b"From: " + header + b"\nTo: Bo Roe bo@y.example, cy@z.example\n\nx")
    assert (m.sender, m.sender_name) == (address, name)
    assert m.to == ("bo@y.example", "cy@z.example")
    assert m.names.get("bo@y.example") == "Bo Roe"


@pytest.mark.parametrize(
    "header",
    [
        b"Ann Lee ann@x.example bo@y.example",  # two: which is the sender cannot be told
        b"Ann =?utf-8?q?ann=40x.example?=",  # the only one is in an encoded word
        b"=?utf-8?q?a=40x.example?= Ann",
        b"Ann a@=?utf-8?q?x.example?=",  # its domain encoded
        b"Ann =?utf-8?q?a?=@x.example",  # its local part encoded
        b"Ann Lee (ann@x.example)",  # in a comment
        b'Ann "ann@x.example"',  # in quotes: a name, not an address
        b'"ann@x.example" bo@y.example',  # one in quotes, one outside: two
    ],
)
def test_no_address_is_guessed_from_an_encoded_word_or_among_several(header: bytes) -> None:
    """Reading a bracketless address is liberal only where one word can be it: none is
    read out of an encoded word (RFC 2047 §5), a comment or a quoted name, nor one of
    two in one mailbox."""
    m = parse_message(b"From: " + header + b"\n\nx")
    assert (m.sender, m.senders) == (None, ())


def test_addresses_separated_by_semicolons_are_each_read() -> None:
    """'To: a@x.example; b@y.example' (Outlook's separator, typed into a script or a
    web form that sends it on) gave the first address alone: Bo was never on the
    message. A semicolon outside quotes, comments and brackets, in a header with no
    group ('Team: a, b;', whose semicolon ends it), separates two mailboxes."""
    m = parse_message(
        b"From: Ann Lee ann@x.example; Cy <cy@z.example>\n"
        b"To: a@x.example; Bo <b@y.example>;\n"
        b'Cc: "Lee; Ann" <a2@x.example>; d@y.example (Dee; Jr)\n'
        b"Bcc: Team: e@x.example, f@y.example;\n\nx"
    )
    assert m.senders == ("ann@x.example", "cy@z.example")
    assert m.to == ("a@x.example", "b@y.example")
    assert m.cc == ("a2@x.example", "d@y.example")
    assert m.names["a2@x.example"] == "Lee; Ann"
    assert m.bcc == ("e@x.example", "f@y.example")


def test_a_semicolon_or_comma_inside_an_encoded_name_separates_nothing() -> None:
    """A mail program encoding 'Müller; Jürgen' as one encoded word (a ';' no encoded
    word in a name may hold, but some write): the header was split at its semicolon,
    the name's start dropped as no mailbox, and the contact made from it was named
    '_J=C3=BCrgen?='. An encoded word is one word: the name is read whole."""
    m = parse_message(
        b"From: =?utf-8?q?M=C3=BCller;_J=C3=BCrgen?= <jm@x.example>\n"
        b"To: =?utf-8?q?Lee,_Ann?= <a@x.example>; b@y.example\n\nx"
    )
    assert m.senders == ("jm@x.example",)
    assert m.names["jm@x.example"] == "Müller; Jürgen"
    assert m.to == ("a@x.example", "b@y.example")
    assert m.names["a@x.example"] == "Lee, Ann"


@pytest.mark.parametrize(
    ("line", "date", "when"),
    [  # Thunderbird and mutt write the From line in local time, with no zone
        (  # California (UTC-8): stored 10:00 local, sent 09:55 local
            "From - Sat Dec 07 10:00:00 2024",
            "Sat, 07 Dec 2024 09:55:00 -0800",
            datetime(2024, 12, 7, 17, 55, tzinfo=UTC),
        ),
        (  # Hawaii (UTC-10): sent 23:50 local, stored 00:05 local the next day
            "From ana@client.example Sun Dec  8 00:05:00 2024",
            "Sat, 07 Dec 2024 23:50:00 -1000",
            datetime(2024, 12, 8, 9, 50, tzinfo=UTC),
        ),
    ],
)
def test_a_from_line_in_local_time_does_not_refuse_the_date_of_mail_west_of_utc(
    line: str, date: str, when: datetime
) -> None:
    """A From line without a zone is in its mail program's local time: read as UTC, an
    mbox saved in America had every Date hours 'after it was received', so each message
    was dated by its From line (hours off) with '(not a date it can have been sent on)'
    in its text. Its zone is unknown, so a Date up to 14 hours later (UTC+14 to UTC) is
    believed; a Date a day later still is not."""
    m = parse_message(f"{line}\nDate: {date}\n".encode() + UNDATED.split(b"\n", 2)[2])
    assert (m.date, m.dated_by) == (when, "Date")
    zoned = line.replace(" 2024", " +0000 2024")  # a zone named: no more than SLACK
    assert parse_message(f"{zoned}\nDate: {date}\n".encode() + UNDATED).dated_by == "From line"


def test_a_from_line_in_local_time_lets_no_date_ahead_of_now_in() -> None:
    from tinycrm.clock import utcnow

    stored = utcnow() - timedelta(minutes=10)
    line = f"From ana@client.example {stored:%a %b %d %H:%M:%S %Y}"
    ahead = utcnow() + timedelta(hours=10)
    m = parse_message(f"{line}\nDate: {format_datetime(ahead)}\n".encode() + UNDATED)
    assert m.dated_by == "From line"
