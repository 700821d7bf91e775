"""Real-world messages the mail tests share: encoded-word subjects, quoted-printable
Windows-1252, base64 UTF-8 with an attachment and a thread, HTML-only list mail, a bounce
(``tinycrm.mail.message``'s tests, and the IMAP sync's fixtures on a real Dovecot)."""

from __future__ import annotations

import base64

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


def multipart(html: str, *, utf8_body: str, attachment: bytes) -> bytes:
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
