"""tinycrm.mail.message: real-world messages into plain data, never a crash."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.mail.html_text import html_to_text
from tinycrm.mail.message import parse_message

PLAIN_QP_1252 = b"""\
From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Mueller.EXAMPLE>
To: me@my.example, "Bo Berg" <bo@x.example>
Cc: <team@my.example>
Subject: =?iso-8859-1?q?R=E9sum=E9?= and =?utf-8?b?8J+Ri+KAiyBoaQ==?=
Date: Tue, 01 Dec 2026 10:00:00 +0100
Message-ID: <abc.123@mueller.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: quoted-printable

Hello =93there=94,=20
the price is =805.

J=FCrgen
"""


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


def test_direction_and_counterparts() -> None:
    m = parse_message(PLAIN_QP_1252)
    assert m.direction(["me@my.example"]) == "in"
    assert m.direction(["Juergen@mueller.example"]) == "out"
    assert m.counterparts(["me@my.example"], ["my.example"]) == (
        "juergen@mueller.example",
        "bo@x.example",
    )
    assert m.addresses()[0] == "juergen@mueller.example"


def _multipart(html: str, *, utf8_body: str, attachment: bytes) -> bytes:
    boundary, inner = "OUTER", "INNER"
    encoded = base64.b64encode(utf8_body.encode()).decode()
    return f"""\
From: Ana <ana@client.example>
To: me@my.example
Subject: Offer
Date: Wed, 2 Dec 2026 08:30:00 -0500
Message-ID: <offer-1@client.example>
In-Reply-To: <q-1@my.example>
References: <start@my.example> <q-1@my.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="{boundary}"

--{boundary}
Content-Type: multipart/alternative; boundary="{inner}"

--{inner}
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{encoded}
--{inner}
Content-Type: text/html; charset=utf-8

{html}
--{inner}--
--{boundary}
Content-Type: application/pdf; name="offer 2026.pdf"
Content-Disposition: attachment; filename="offer 2026.pdf"
Content-Transfer-Encoding: base64

{base64.b64encode(attachment).decode()}
--{boundary}--
""".encode()


def test_plain_part_wins_base64_body_attachments_listed_and_thread_kept() -> None:
    raw = _multipart("<p>HTML</p>", utf8_body="Grüße,\r\nAna\r\n", attachment=b"%PDF" * 100)
    m = parse_message(raw)
    assert m.body == "Grüße,\nAna"
    assert [(a.name, a.content_type, a.size) for a in m.attachments] == [
        ("offer 2026.pdf", "application/pdf", 400)
    ]
    assert m.in_reply_to == "q-1@my.example"
    assert m.references == ("start@my.example", "q-1@my.example")
    assert m.date == datetime(2026, 12, 2, 13, 30, tzinfo=UTC)


HTML_ONLY = b"""\
From: news@shop.example
To: me@my.example
Subject: Your order
Date: Thu, 3 Dec 2026 12:00:00 +0000
Message-ID: <o@shop.example>
List-Id: <orders.shop.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style><title>x</title></head><body>
<h1>Thanks&nbsp;for&nbsp;ordering</h1><p>Item: <b>Widget</b> &amp; more<br>Qty: 2</p>
<ul><li>one</li><li>two</li></ul><script>alert(1)</script></body></html>
"""


def test_html_only_mail_becomes_text_and_list_mail_is_marked() -> None:
    m = parse_message(HTML_ONLY)
    assert m.body == "Thanks for ordering\n\nItem: Widget & more\nQty: 2\n\n- one\n- two"
    assert m.automated == "mailing list"


def test_no_message_id_gives_a_stable_key_from_sender_date_and_subject() -> None:
    raw = PLAIN_QP_1252.replace(b"Message-ID: <abc.123@mueller.example>\n", b"")
    first, again = parse_message(raw), parse_message(raw.replace(b"Hello", b"Hi"))
    assert first.message_id is None
    assert first.key.startswith("sha256:") and first.key == again.key
    other = parse_message(raw.replace(b"Date: Tue, 01 Dec", b"Date: Wed, 02 Dec"))
    assert other.key != first.key


BOUNCE = b"""\
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.my.example>
To: me@my.example
Subject: Undelivered Mail Returned to Sender
Date: Fri, 4 Dec 2026 09:00:00 +0000
Message-ID: <bounce-1@mx.my.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail to gone@client.example could not be delivered.
--B
Content-Type: message/delivery-status

Final-Recipient: rfc822; gone@client.example
Status: 5.1.1
--B--
"""


def test_a_bounce_is_machine_mail() -> None:
    m = parse_message(BOUNCE)
    assert m.automated == "auto-submitted (auto-replied)"
    assert "could not be delivered" in m.body
    no_header = parse_message(BOUNCE.replace(b"Auto-Submitted: auto-replied\n", b""))
    assert no_header.automated == "delivery report"


def test_broken_headers_leave_fields_empty_not_a_crash() -> None:
    raw = (
        b"From: not an address\nDate: someday\nSubject:\n"
        b"Content-Type: text/plain; charset=x-unknown\n\n\xff\xfe body"
    )
    m = parse_message(raw)
    assert (m.sender, m.date, m.subject, m.message_id) == (None, None, "", None)
    assert m.body.endswith("body")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    m = parse_message(data)
    assert isinstance(m.body, str) and m.key


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_html_to_text_never_raises_and_drops_tags(html: str) -> None:
    text = html_to_text(f"<div>{html}</div>")
    assert "<div>" not in text
