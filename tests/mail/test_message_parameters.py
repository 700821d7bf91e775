"""tinycrm.mail.message: attachment names and header text as their sender wrote them."""

from __future__ import annotations

import pytest

from tinycrm.mail.message import parse_message


def _attached(disposition: bytes) -> bytes:
    return (
        b"From: a@x.example\nSubject: s\nMessage-ID: <p@x.example>\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nhi\n"
        b"--B\nContent-Type: application/pdf\nContent-Disposition: " + disposition + b"\n\n"
        b"AAAA\n--B--\n"
    )


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        # RFC 2231 continuations split inside a UTF-8 character: read as one value
        (b"attachment; filename*0*=utf-8''caf%C3; filename*1*=%A9%20cr%C3; filename*2*=%A8me.pdf",
         "café crème.pdf"),
        (b"attachment; filename*0*=utf-8''Gr%C3%BC; filename*1*=%C3%9Fe.pdf", "Grüße.pdf"),
    ],
)  # fmt: skip
def test_an_rfc_2231_name_in_pieces_is_read_whole(disposition: bytes, name: str) -> None:
    assert [a.name for a in parse_message(_attached(disposition)).attachments] == [name]


def test_a_header_of_utf_8_with_a_windows_1252_word_is_read_as_each_was_written() -> None:
    raw = b"From: a@x.example\nSubject: Caf\xc3\xa9 and cr\xe8me\nMessage-ID: <h@x.example>\n\nhi\n"
    assert parse_message(raw).subject == "Café and crème"
