"""tinycrm.mail.message: a text part's bytes read as the sender wrote them, whatever
its charset says: nothing replaced by U+FFFD, nothing made mojibake, nothing dropped."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.mail.message import parse_message


def _message(content_type: str, encoding: str, body: bytes) -> bytes:
    return (
        b"From: ann@x.example\nTo: me@my.example\nSubject: hi\nMessage-ID: <cs@x.example>\n"
        + f"Content-Type: {content_type}\nContent-Transfer-Encoding: {encoding}\n\n".encode()
        + body
        + b"\n"
    )


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        # UTF-8 with a Windows-1252 line pasted in: each read as it was written
        ("text/plain", "résumé\n".encode() + "café €5".encode("cp1252"), "résumé\ncafé €5"),
        ("text/plain; charset=x-unknown-thing", "Grüße\n".encode() + b"na\xefve", "Grüße\nnaïve"),
        # a charset that lies: UTF-8 says the header, Latin-1 the bytes
        ("text/plain; charset=utf-8", "café crème".encode("latin-1"), "café crème"),
        # Latin-1 says the header, UTF-8 the bytes (a web form's mail, often)
        ("text/plain; charset=iso-8859-1", "Grüße, Jürgen €".encode(), "Grüße, Jürgen €"),
        ("text/plain; charset=windows-1252", "Zoë “quoted”".encode(), "Zoë “quoted”"),
        # a legacy charset's bytes beyond its standard: its usual superset's
        ("text/plain; charset=gb2312", "镕基".encode("gb18030"), "镕基"),
        ("text/plain; charset=ks_c_5601-1987", "똠방각하".encode("cp949"), "똠방각하"),
        ("text/plain; charset=shift_jis", "①髙".encode("cp932"), "①髙"),
    ],
)
def test_text_in_a_wrong_or_unknown_charset_is_read_as_written(
    content_type: str, body: bytes, text: str
) -> None:
    assert parse_message(_message(content_type, "8bit", body)).body == text


def test_genuine_latin_1_is_still_latin_1() -> None:
    body = "Ã© is how UTF-8 é looks read as Latin-1".encode("latin-1")
    raw = _message("text/plain; charset=iso-8859-1", "8bit", body)
    assert parse_message(raw).body == "Ã© is how UTF-8 é looks read as Latin-1"


def test_base64_in_padded_pieces_is_read_whole() -> None:
    """Some mailers encode each line (or chunk) on its own, each padded: the standard
    library stopped at the first '=' and dropped the rest."""
    pieces = b"\n".join(base64.b64encode(p) for p in (b"Hello world", b" and more", b" text"))
    raw = _message("text/plain; charset=utf-8", "base64", pieces)
    assert parse_message(raw).body == "Hello world and more text"


def test_text_after_a_base64_body_is_kept() -> None:
    """A list's footer added as plain text after a base64 body."""
    encoded = base64.encodebytes("Grüße aus Köln, see you".encode()).strip()
    raw = _message(
        "text/plain; charset=utf-8", "base64", encoded + b"\n\n-- \nThe list: x@y.example"
    )
    assert parse_message(raw).body == "Grüße aus Köln, see you\n\n--\nThe list: x@y.example"


def test_a_body_labelled_base64_that_is_plain_text_is_kept_as_text() -> None:
    raw = _message("text/plain; charset=utf-8", "base64", b"Hello Ann,\nthe price is 5 EUR.\nBob")
    assert parse_message(raw).body == "Hello Ann,\nthe price is 5 EUR.\nBob"


def test_a_well_formed_base64_body_reads_as_before() -> None:
    encoded = base64.encodebytes(("Line one\n" * 40).encode())
    raw = _message("text/plain; charset=utf-8", "base64", encoded)
    assert parse_message(raw).body == ("Line one\n" * 40).strip()


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300),
    charset=st.sampled_from(["", "; charset=utf-8", "; charset=gb2312", "; charset=utf-16",
                             "; charset=undefined", "; charset=iso-8859-1", "; charset=nope"]),
    encoding=st.sampled_from(["base64", "8bit", "quoted-printable"]),
)  # fmt: skip
def test_any_bytes_in_any_charset_are_read_never_a_crash(
    body: bytes, charset: str, encoding: str
) -> None:
    text = parse_message(_message(f"text/plain{charset}", encoding, body)).body
    assert isinstance(text, str)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)  # no lone surrogates


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1251">',
        '<META http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    ],
)
def test_an_html_part_without_a_charset_is_read_in_the_one_its_meta_names(meta: str) -> None:
    html = f"<html><head>{meta}</head><body><p>Привет, Анна</p></body></html>"
    raw = _message("text/html", "8bit", html.encode("cp1251"))
    assert parse_message(raw).body == "Привет, Анна"


def test_an_html_part_s_charset_header_comes_before_its_meta() -> None:
    html = '<meta charset="windows-1251"><p>Grüße</p>'
    assert (
        parse_message(_message("text/html; charset=utf-8", "8bit", html.encode())).body == "Grüße"
    )


def test_a_message_whose_only_text_is_another_kind_of_text_has_that_text() -> None:
    """A calendar invitation sent as text/calendar alone (no text/plain beside it), or
    text/enriched, or text/markdown: logged with no text at all."""
    ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Quarterly review\nEND:VEVENT\nEND:VCALENDAR"
    raw = _message("text/calendar; method=REQUEST; charset=utf-8", "8bit", ics.encode())
    assert parse_message(raw).body == ics
    attached = (
        b"From: ann@x.example\nSubject: files\nMessage-ID: <att@x.example>\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/csv\nContent-Disposition: attachment; filename=a.csv\n\n"
        b"a,b\n--B--\n"
    )
    assert parse_message(attached).body == ""  # an attachment is no text of the message


@pytest.mark.parametrize("charset", ['"utf\x00-8"', "utf-8\x00", '"\x00"'])
def test_a_charset_holding_a_nul_is_read_as_an_unknown_one_not_a_crash(charset: str) -> None:
    """A charset parameter with a NUL byte in it made the codec lookup raise a
    ValueError ('embedded null character'): parse_message raised, and ``mail import``
    ended in a traceback, logging none of the other messages."""
    raw = _message(f"text/plain; charset={charset}", "8bit", "Grüße, Ann".encode())
    assert parse_message(raw).body == "Grüße, Ann"
    html = _message(f"text/html; charset={charset}", "8bit", b"<p>Hello</p>")
    assert parse_message(html).body == "Hello"


def test_a_header_in_raw_iso_2022_jp_is_read_and_keeps_its_address() -> None:
    """Japanese mail programs long wrote headers in ISO-2022-JP as it is (7-bit, with
    escape sequences), not in encoded words. The subject came in as the escapes' remains
    ('8+@Q$b$j'), and in From the '(' of 'ESC ( B' opened a comment that took the
    address with it: the message was logged for no one."""
    name, subject = "テスト 太郎".encode("iso-2022-jp"), "見積もり".encode("iso-2022-jp")
    m = parse_message(
        b"From: " + name + b" <jp@x.example>\nTo: me@my.example\nSubject: Re: " + subject
        + b"\nDate: Mon, 7 Dec 2026 10:00:00 +0900\n"
        b"Content-Type: text/plain; charset=iso-2022-jp\n\n" + "本文".encode("iso-2022-jp")
    )  # fmt: skip
    assert (m.sender, m.names, m.subject) == (
        "jp@x.example",
        {"jp@x.example": "テスト 太郎"},
        "Re: 見積もり",
    )
    # an escape sequence that is no ISO-2022-JP is still dropped as before
    other = parse_message(b"From: a\x1b(Bb\x1b$Q <a@x.example>\n\nz")
    assert (other.sender, other.names) == ("a@x.example", {"a@x.example": "ab"})
