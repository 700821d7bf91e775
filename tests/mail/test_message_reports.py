"""tinycrm.mail.message: a delivery report (a bounce) is read as a mail client shows
one: its own text, the delivery status in words, then the message it returns (its
From, Date, Subject, To and Cc lines and its text), as a forward is shown."""

from __future__ import annotations

from tinycrm.mail.message import parse_message

RETURNED = (
    b"From: Me <me@my.example>\n"
    b"To: gone@client.example\n"
    b"Subject: The proposal\n"
    b"Date: Fri, 4 Dec 2026 08:58:00 +0000\n"
    b"Content-Type: text/plain\n\n"
    b"Here is the proposal we spoke of.\n"
)

STATUS = (
    b"Reporting-MTA: dns; mx.my.example\n"
    b"Arrival-Date: Fri, 4 Dec 2026 08:59:00 +0000\n\n"
    b"Final-Recipient: rfc822; gone@client.example\n"
    b"Action: failed\n"
    b"Status: 5.1.1\n"
    b"Remote-MTA: dns; mx.client.example\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <gone@client.example>:\n"
    b" Recipient address rejected: User unknown\n"
)


def _bounce(copy: bytes, kind: bytes = b"message/rfc822", status: bytes = STATUS) -> bytes:
    return (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.my.example>\n"
        b"To: me@my.example\nSubject: Undelivered Mail Returned to Sender\n"
        b"Message-ID: <bounce-2@mx.my.example>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        b"--B\nContent-Type: message/delivery-status\n\n" + status
        + b"--B\nContent-Type: " + kind + b"\n\n" + copy + b"--B--\n"
    )  # fmt: skip


STATUS_LINES = (
    "---------- Delivery status ----------\n"
    "Reported by: mx.my.example\n\n"
    "Recipient: gone@client.example\n"
    "Action: failed\n"
    "Status: 5.1.1 (permanent failure: bad destination mailbox address)\n"
    "Remote server: mx.client.example\n"
    "Diagnostic: 550 5.1.1 <gone@client.example>: Recipient address rejected: User unknown"
)


def test_a_bounce_shows_its_delivery_status_and_the_message_it_returns() -> None:
    """A bounce's copy of the message it returns, and its delivery status, were left
    out: the activity said that a message was not delivered, not which, nor why."""
    message = parse_message(_bounce(RETURNED))
    assert message.body == (
        "Your message could not be delivered.\n\n" + STATUS_LINES + "\n\n"
        "---------- Returned message ----------\n"
        "From: Me <me@my.example>\n"
        "Date: Fri, 4 Dec 2026 08:58:00 +0000\n"
        "Subject: The proposal\n"
        "To: gone@client.example\n\n"
        "Here is the proposal we spoke of."
    )
    assert message.automated == "delivery report"


def test_a_bounce_that_returns_headers_alone_shows_them() -> None:
    headers = RETURNED.split(b"\n\n")[0] + b"\n"
    body = parse_message(_bounce(headers, b"text/rfc822-headers")).body
    assert body.endswith(
        "---------- Returned message ----------\n"
        "From: Me <me@my.example>\n"
        "Date: Fri, 4 Dec 2026 08:58:00 +0000\n"
        "Subject: The proposal\n"
        "To: gone@client.example"
    )
    assert "Content-Type" not in body


def test_a_delay_warning_and_a_bounce_without_text_of_its_own_are_read() -> None:
    delayed = STATUS.replace(b"Action: failed\nStatus: 5.1.1", b"Action: delayed\nStatus: 4.4.1")
    raw = _bounce(RETURNED, status=delayed).replace(
        b"--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n", b""
    )
    body = parse_message(raw).body
    assert body.startswith("---------- Delivery status ----------\n")
    assert "Status: 4.4.1 (temporary failure: no answer from host)" in body
    assert body.endswith("Here is the proposal we spoke of.")


def test_a_delivery_status_that_says_nothing_readable_adds_no_empty_section() -> None:
    import base64

    encoded = _bounce(RETURNED, status=base64.encodebytes(STATUS)).replace(
        b"message/delivery-status\n",
        b"message/delivery-status\nContent-Transfer-Encoding: base64\n",
    )
    body = parse_message(encoded).body
    assert "Delivery status" not in body
    assert body.startswith("Your message could not be delivered.\n\n---------- Returned message")


def test_a_status_field_of_escape_sequences_alone_is_left_out() -> None:
    status = STATUS.replace(b"Remote-MTA: dns; mx.client.example", b"Remote-MTA: \x1b]0;x\x07")
    body = parse_message(_bounce(RETURNED, status=status.replace(b"failed", b"fai\x1b[1mled"))).body
    assert "Remote server" not in body
    assert "Action: failed\n" in body


def test_a_returned_header_is_read_as_far_as_a_real_one_goes() -> None:
    """Each line shown of a returned header went through all its lines: one of
    500,000 lines took 4 s to read; now its first RETURNED_HEADER_MAX bytes (1.3 s)."""
    from tinycrm.mail.content import RETURNED_HEADER_MAX

    lines = b"X-Filler: 1\n" * (RETURNED_HEADER_MAX // 12 + 1)
    raw = _bounce(
        RETURNED.split(b"\n\n")[0] + b"\n" + lines + b"Cc: late@x.example\n", b"text/rfc822-headers"
    )
    body = parse_message(raw).body
    assert body.endswith("Subject: The proposal\nTo: gone@client.example")  # no Cc: past it


def test_a_bounce_without_text_of_its_own_is_not_its_returned_header_as_text() -> None:
    """A report with no text part of its own had its text/rfc822-headers part read as
    its text: every raw header line of the returned message (Received, DKIM…)."""
    headers = (
        b"Received: from a by b; Fri, 4 Dec 2026 08:58:00 +0000\n" + RETURNED.split(b"\n\n")[0]
    )
    raw = _bounce(headers + b"\n", b"text/rfc822-headers").replace(
        b"--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n", b""
    )
    body = parse_message(raw).body
    assert body.startswith(STATUS_LINES + "\n\n---------- Returned message ----------\n")
    assert "Received" not in body


def test_a_message_news_part_is_still_read_as_the_text_of_a_message_without_one() -> None:
    raw = (
        b"From: a@b.example\nSubject: n\nContent-Type: multipart/mixed; boundary=B\n\n"
        b"--B\nContent-Type: message/news\n\nFrom: c@d.example\nSubject: post\n\nThe post.\n--B--\n"
    )
    assert parse_message(raw).body == "The post."


def test_a_status_code_says_what_it_means_when_it_means_more_than_its_class() -> None:
    from tinycrm.mail.reports import _status

    assert _status("2.0.0") == "2.0.0 (delivered)"
    assert _status("5.0.0") == "5.0.0 (permanent failure)"
    assert _status("4.2.2") == "4.2.2 (temporary failure: mailbox full)"
    assert _status("9.9.9 odd") == "9.9.9 odd"


def test_a_bounce_says_whom_mail_was_not_delivered_to() -> None:
    """Who a bounce is about: each recipient of its delivery status that was not
    delivered to (its final address, then its original one), else the returned
    message's To; none for a report of delivery or for other mail."""
    from tinycrm.mail.message import Bounce

    assert parse_message(_bounce(RETURNED)).bounced == (
        Bounce(
            ("gone@client.example",),
            "failed",
            "5.1.1 (permanent failure: bad destination mailbox address)",
        ),
    )
    original = STATUS.replace(
        b"Final-Recipient: rfc822; gone@client.example\n",
        b"Final-Recipient: rfc822;<Gone@Mx.Client.Example>\n"
        b"Original-Recipient: rfc822; Ann@client.example\n",
    )
    assert parse_message(_bounce(RETURNED, status=original)).bounced[0].addresses == (
        "gone@mx.client.example",
        "ann@client.example",
    )
    bare = STATUS.split(b"\n\n")[0] + b"\n\nAction: failed\nStatus: 5.2.2\n"
    assert parse_message(_bounce(RETURNED, status=bare)).bounced == (
        Bounce(("gone@client.example",)),
    )
    delivered = STATUS.replace(b"Action: failed", b"Action: delivered").replace(b"5.1.1", b"2.0.0")
    assert parse_message(_bounce(RETURNED, status=delivered)).bounced == ()
    assert parse_message(RETURNED).bounced == ()


def test_a_delivery_status_in_utf8_is_read_as_text_the_store_takes() -> None:
    """A server's answer in UTF-8 (a German server's 'Empfänger unbekannt', as RFC
    6533's reports may be) was kept as undecodable bytes: the store refused the
    activity, and the whole import with it, now that a bounce is logged."""
    status = STATUS.replace(b"User unknown", "Empfänger unbekannt".encode())
    message = parse_message(_bounce(RETURNED, status=status))
    assert "Diagnostic: 550 5.1.1 <gone@client.example>: Recipient address rejected:" in (
        message.body
    )
    assert "Empfänger unbekannt" in message.body
    latin = STATUS.replace(b"User unknown", "Empfänger unbekannt".encode("cp1252"))
    assert "Empfänger unbekannt" in parse_message(_bounce(RETURNED, status=latin)).body
