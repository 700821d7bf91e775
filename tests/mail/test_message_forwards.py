"""tinycrm.mail.message: a forwarded message (``message/rfc822``) is read as a mail
client shows a forward: its From, Date, Subject, To and Cc lines, then its text."""

from __future__ import annotations

from tinycrm.mail.message import parse_message

INNER = (
    b"From: Carol Diaz <carol@z.example>\n"
    b"To: ann@x.example\n"
    b"Cc: =?utf-8?q?J=C3=BCrgen?= <j@z.example>\n"
    b"Subject: =?utf-8?q?The_original_=E2=82=AC?=\n"
    b"Date: Mon, 7 Dec 2026 09:00:00 +0000\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"The original text.\n"
)

FORWARDED_LINES = (
    "---------- Forwarded message ----------\n"
    "From: Carol Diaz <carol@z.example>\n"
    "Date: Mon, 7 Dec 2026 09:00:00 +0000\n"
    "Subject: The original €\n"
    "To: ann@x.example\n"
    "Cc: Jürgen <j@z.example>\n\n"
    "The original text."
)


def test_a_message_that_is_only_a_forwarded_message_has_its_text() -> None:
    raw = (
        b"From: ann@x.example\nTo: bob@y.example\nSubject: Fwd: hello\n"
        b"Message-ID: <fwd-1@x.example>\nMIME-Version: 1.0\n"
        b"Content-Type: message/rfc822\n\n" + INNER
    )
    message = parse_message(raw)
    assert message.body == FORWARDED_LINES


def test_a_forward_as_attachment_without_text_of_its_own_has_the_forwarded_text() -> None:
    raw = (
        b"From: ann@x.example\nTo: bob@y.example\nSubject: Fwd: hello\n"
        b"Message-ID: <fwd-2@x.example>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain; charset=utf-8\n\n\n"
        b"--B\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=orig.eml\n\n"
        + INNER
        + b"--B--\n"
    )
    message = parse_message(raw)
    assert message.body == FORWARDED_LINES
    assert [a.name for a in message.attachments] == ["orig.eml"]  # still listed


def test_a_forward_of_a_forward_shows_both_and_an_html_one_as_text() -> None:
    html_inner = (
        b"From: dave@w.example\nSubject: deepest\nDate: Sun, 6 Dec 2026 08:00:00 +0000\n"
        b"Content-Type: text/html; charset=utf-8\n\n<p>Deep <b>text</b></p>\n"
    )
    middle = (
        b"From: Carol Diaz <carol@z.example>\nSubject: Fwd: deepest\n"
        b"Content-Type: message/rfc822\n\n" + html_inner
    )
    raw = (
        b"From: ann@x.example\nSubject: Fwd: Fwd: deepest\nMessage-ID: <fwd-3@x.example>\n"
        b"Content-Type: message/rfc822\n\n" + middle
    )
    body = parse_message(raw).body
    assert body.count("---------- Forwarded message ----------") == 2
    assert "From: Carol Diaz <carol@z.example>\nSubject: Fwd: deepest" in body
    assert body.endswith(
        "From: dave@w.example\nDate: Sun, 6 Dec 2026 08:00:00 +0000\nSubject: deepest\n\nDeep text"
    )


def test_a_note_with_a_forwarded_message_attached_shows_both() -> None:
    """A note with a message forwarded as an attachment was logged with the note alone:
    the forward's From, Date and Subject lines and its text were lost. The note comes
    first, then the forward as a message that is only a forward shows it."""
    head = b"From: ann@x.example\nSubject: Fwd: hello\n"
    raw = (
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nFYI, see below\n"
        b"--B\nContent-Type: message/rfc822\n\n" + INNER + b"--B--\n"
    )
    message = parse_message(head + b"Message-ID: <fwd-4@x.example>\n" + raw)
    assert message.body == "FYI, see below\n\n" + FORWARDED_LINES
    assert [a.name for a in message.attachments] == ["The original €"]  # still listed
    two = raw.replace(b"--B--\n", b"--B\nContent-Type: message/rfc822\n\n" + INNER + b"--B--\n")
    assert parse_message(head + two).body.count(FORWARDED_LINES) == 2


def test_the_key_of_a_forward_without_message_id_is_the_one_earlier_versions_gave() -> None:
    """text_key (an earlier version's key) hashes the text as that version read it:
    empty; a forward logged by it is not logged again."""
    raw = b"From: ann@x.example\nSubject: Fwd\nContent-Type: message/rfc822\n\n" + INNER
    message = parse_message(raw)
    earlier = parse_message(
        raw.replace(b"message/rfc822", b"text/plain").split(b"\n\n")[0] + b"\n\n"
    )
    assert message.body.startswith("---------- Forwarded")
    assert message.text_key == earlier.text_key


def test_a_digest_of_thousands_of_messages_is_read_as_far_as_an_activity_keeps() -> None:
    from tinycrm.mail.content import HTML_MAX

    part = b"--B\nContent-Type: message/rfc822\n\nSubject: one of many\n\n" + b"x" * 2000 + b"\n"
    raw = (
        b"From: list@x.example\nSubject: digest\nMessage-ID: <d@x.example>\n"
        b'Content-Type: multipart/digest; boundary="B"\n\n' + part * 2000 + b"--B--\n"
    )
    body = parse_message(raw).body
    assert body.startswith("---------- Forwarded message ----------\nSubject: one of many")
    assert HTML_MAX < len(body) < HTML_MAX + 5000


def test_a_forwarded_message_sent_in_base64_is_read_as_the_message_it_is() -> None:
    """Some mail programs encode a forwarded message/rfc822 part in base64 (or
    quoted-printable): its base64 lines were logged as the forward's text."""
    import base64
    import quopri

    for encoding, encoded in (
        (b"base64", base64.encodebytes(INNER)),
        (b"quoted-printable", quopri.encodestring(INNER)),
    ):
        raw = (
            b"From: ann@x.example\nSubject: Fwd\nMessage-ID: <fwd-b64@x.example>\n"
            b'Content-Type: multipart/mixed; boundary="B"\n\n'
            b"--B\nContent-Type: message/rfc822\nContent-Transfer-Encoding: " + encoding
            + b"\n\n" + encoded + b"--B--\n"
        )  # fmt: skip
        message = parse_message(raw)
        assert message.body == FORWARDED_LINES
        assert [a.name for a in message.attachments] == ["The original €"]


def test_a_forwarded_header_of_escape_sequences_alone_is_left_out() -> None:
    """A forward's Subject or Date that held only an escape sequence (or controls) was
    shown as an empty 'Date: ' line once the activity dropped them, and one beside text
    kept the spaces around it."""
    inner = (
        b"From: carol@z.example\nSubject: =?utf-8?q?=1B]8;;http://evil/=1B\\?=  hi \x1b[31m there\n"
        b"Date: \x1b[2J\x07\nCc: \xc2\x85\n\nText\n"
    )
    raw = b"From: ann@x.example\nSubject: Fwd\nContent-Type: message/rfc822\n\n" + inner
    assert parse_message(raw).body == (
        "---------- Forwarded message ----------\nFrom: carol@z.example\nSubject: hi there\n\nText"
    )
