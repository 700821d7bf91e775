"""Hostile mail read without a crash, in bounded time and memory: broken and nested
headers, any bytes, codecs that are no text encodings, huge headers and bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.mail.html_text import html_to_text
from tinycrm.mail.message import parse_message


def test_broken_headers_leave_fields_empty_not_a_crash() -> None:
    raw = (
        b"From: not an address\nDate: someday\nSubject:\n"
        b"Content-Type: text/plain; charset=x-unknown\n\n\xff\xfe body"
    )
    m = parse_message(raw)
    assert (m.sender, m.date, m.subject, m.message_id) == (None, None, "", None)
    assert m.body.endswith("body")


@pytest.mark.parametrize("message_id", ["<", " <:<", "<.\\@[", "<?@ ["])
def test_a_message_id_the_library_parser_chokes_on_is_no_message_id(message_id: str) -> None:
    """The standard library's parser raises on these (and again on every read of the
    header): the message is still read, known by its hash."""
    raw = (
        f"From: Ana <ana@client.example>\nTo: me@my.example\nSubject: hi\nMessage-ID: {message_id}"
    )
    raw += "\n\nx"
    m = parse_message(raw.encode())
    assert m.message_id is None and m.key.startswith("raw-sha256:")
    assert (m.sender, m.subject, m.body) == ("ana@client.example", "hi", "x")


@pytest.mark.parametrize(
    "header", ["Ana <ana@client.example>, =:<", "Ana <ana@client.example>, , .)>"]
)
def test_an_address_header_the_library_parser_chokes_on_keeps_its_addresses(header: str) -> None:
    raw = f"From: {header}\nTo: me@my.example\nSubject: hi\nMessage-ID: <x@y>\n\nx"
    m = parse_message(raw.encode())
    assert m.sender == "ana@client.example"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    m = parse_message(data)
    assert isinstance(m.body, str) and m.key
    texts = [m.key, m.subject, m.body, m.sender or "", m.sender_name or "", *m.names.values()]
    texts += [a.name for a in m.attachments]
    for text in texts:
        text.encode("utf-8")  # no lone surrogates: what a database can store


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["From", "To", "Cc", "Message-ID", "In-Reply-To", "Date", "Subject"]),
    st.text(alphabet='<>@"(),:;.\\[] ab=?', max_size=12),
)
def test_any_punctuation_in_a_header_parses_without_raising(name: str, value: str) -> None:
    m = parse_message(f"{name}: {value}\nTo: me@my.example\n\nx".encode())
    assert m.key and m.body == "x"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_html_to_text_never_raises_and_drops_tags(html: str) -> None:
    text = html_to_text(f"<div>{html}</div>")
    assert "<div>" not in text


def _nested(depth: int) -> bytes:
    raw = b"From: ana@client.example\nTo: me@my.example\nSubject: deep\nMIME-Version: 1.0\n"
    for level in range(depth):
        raw += f"Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n".encode()
    return raw + b"Content-Type: text/plain\n\nhello\n"


@pytest.mark.parametrize("header", ["From", "To", "Cc", "Content-Type", "Content-Disposition"])
def test_hostile_nesting_is_read_not_a_recursion_error(header: str) -> None:
    """Comments nested thousands deep, or multiparts: the standard library's parsers
    recurse into each level and raised RecursionError, which stopped every import or
    sync at that message for good."""
    comment = "(" * 5000 + ")" * 5000
    raw = f"{header}: x@y.example {comment}\nFrom: ana@client.example\nSubject: hi\n\nbody"
    m = parse_message(raw.encode())
    assert m.subject == "hi" and m.sender == (
        "x@y.example" if header == "From" else "ana@client.example"
    )


def test_multiparts_nested_thousands_deep_are_read_by_their_header() -> None:
    deep = parse_message(_nested(3000))
    assert (deep.sender, deep.subject, deep.body) == ("ana@client.example", "deep", "")
    assert parse_message(_nested(50)).body == "hello"


def test_a_multipart_of_thousands_of_parts_reads_its_content_type_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The standard library's parser asks for the multipart's Content-Type at each of
    its parts, and each time the header registry parsed it again (~0.35 ms): 50,000
    empty parts (300 KB) took 25 s to read, a sync stalled for minutes on a few MB.
    A header is parsed once per value."""
    from email.headerregistry import HeaderRegistry

    calls = 0
    parse = HeaderRegistry.__call__

    def counted(self: HeaderRegistry, name: str, value: str) -> object:
        nonlocal calls
        calls += 1
        return parse(self, name, value)

    monkeypatch.setattr(HeaderRegistry, "__call__", counted)
    parts = b"--X\nContent-Type: text/plain\n\nx\n" * 5_000
    m = parse_message(b"From: a@b.example\nContent-Type: multipart/mixed; boundary=X\n\n" + parts)
    assert m.body == "x"
    assert calls < 200


def test_huge_headers_are_read_in_bounded_time_and_memory() -> None:
    """A 1.6 MB subject of encoded words took the standard library over 3 GB (the
    machine's memory); 800 KB of plain words 38 s. A header is read up to its first
    64 KB (an address list, to its last whole address) or 16 KB (any other); what is read
    is bounded, not timed (a busy machine is no measure)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    words = parse_message(b"From: ana@client.example\nSubject: " + b"=?utf-8?q?ab?= " * 100_000)
    plain = parse_message(b"From: ana@client.example\nSubject: " + b"ab " * 300_000)
    many = ", ".join(f"=?utf-8?q?P_{n}?= <p{n}@client.example>" for n in range(20_000))
    crowd = parse_message(f"From: ana@client.example\nTo: {many}\n\nx".encode())
    received = b"Received: from a by b; Tue, 01 Dec 2026 10:00:00 +0000\n" * 100_000
    hops = parse_message(received + b"From: ana@client.example\n\nx")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 400_000  # KiB
    assert words.subject.startswith("abab") and plain.subject.startswith("ab ab")
    assert len(words.subject) <= 16 * 1024 and len(plain.subject) <= 16 * 1024
    assert 1000 < len(crowd.to) < 20_000
    assert all(a.startswith("p") and a.endswith("@client.example") for a in crowd.to)
    assert hops.date == datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_a_huge_html_body_is_read_in_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 MB of HTML (a message may be 50 MB) took 28 s to turn into text, of which
    the activity keeps the first 100,000 characters. Only HTML_MAX characters of it
    are made into text (not timed: a busy machine took 9 s for the 1 s it takes)."""
    from tinycrm.mail import content

    given: list[int] = []
    monkeypatch.setattr(
        content, "html_to_text", lambda html: given.append(len(html)) or html_to_text(html)
    )
    html = b"<p>word</p>" * 2_000_000
    m = parse_message(b"From: ana@client.example\nContent-Type: text/html\n\n" + html)
    assert given == [content.HTML_MAX]
    assert m.body.startswith("word\n\nword") and m.body.endswith("\n[…]")
    assert 100_000 < len(m.body) < 1_000_000


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "unicode_escape"])
def test_a_charset_that_is_a_python_codec_but_no_text_encoding_is_read_not_a_crash(
    charset: str,
) -> None:
    """``charset=undefined`` is a Python codec that raises UnicodeError (not a decode
    error) on any bytes: the whole import or sync stopped at that message for good."""
    raw = (
        f"From: ana@client.example\nSubject: =?{charset}?q?Gr=C3=BC=C3=9Fe?=\n"
        f"Content-Type: text/plain; charset={charset}\n\nGr\u00fc\u00dfe \xff"
    ).encode("utf-8", "surrogateescape")
    m = parse_message(raw)
    assert m.subject == "Grüße" and m.body.startswith("Grüße")


@pytest.mark.parametrize("charset", ["undefined", "utf_32_le", "x-unknown", "utf-8"])
def test_an_rfc_2231_parameter_in_any_charset_is_read_not_a_crash(charset: str) -> None:
    """``filename*=undefined''…`` (or UTF-32 bytes that are no characters) made the
    standard library's parser raise while it read the part: the whole import or sync
    stopped at that message for good."""
    raw = (
        "From: ana@client.example\nSubject: files\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nSee\n"
        f"--B\nContent-Type: application/pdf; name*={charset}''M%FCller%FF.pdf\n"
        f"Content-Disposition: attachment; filename*0*={charset}''M%FCller; filename*1=.pdf\n"
        "\nxx\n--B--\n"
    )
    m = parse_message(raw.encode())
    assert m.body == "See" and len(m.attachments) == 1
    assert m.attachments[0].name.startswith("M") and m.attachments[0].name.endswith(".pdf")
    m.attachments[0].name.encode("utf-8")


@pytest.mark.parametrize(
    ("content_type", "disposition"),
    [
        ("text/plain; name*", "inline"),
        ("text/plain; charset=utf-8; a*0*", "inline"),
        ("text/plain; charset=utf-8", "attachment; filename*"),
        ("text/plain", "attachment; filename*0*=utf-8''Q%C3%BC; filename*1*"),
    ],
)
def test_a_mime_parameter_named_for_rfc_2231_without_a_value_is_read_not_a_crash(
    content_type: str, disposition: str
) -> None:
    """A parameter whose name ends in '*' and has no '=' after it made the standard
    library's parser raise an IndexError while it read the part: mail import failed
    with a traceback, and mail sync stopped at that message on every run. The
    parameters without a value are left out; the rest are read."""
    for nested in (False, True):
        part = f"Content-Type: {content_type}\nContent-Disposition: {disposition}\n\nhello\n"
        raw = "From: ana@client.example\nTo: me@my.example\nSubject: s\nMIME-Version: 1.0\n"
        if nested:
            raw += f"Content-Type: multipart/mixed; boundary=B\n\n--B\n{part}--B--\n"
        else:
            raw += part
        m = parse_message(raw.encode())
        assert m.sender == "ana@client.example"
        if disposition == "inline":
            assert m.body == "hello"
        elif nested:
            assert [a.content_type for a in m.attachments] == ["text/plain"]
    named = parse_message(raw.encode()).attachments
    assert disposition != "attachment; filename*0*=utf-8''Q%C3%BC; filename*1*" or (
        named[0].name == "Qü"
    )


def test_thousands_of_to_headers_are_read_as_one_long_one_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One To header is read up to ADDRESSES_MAX characters, but a message could repeat
    To as often as it liked: 40,000 To lines (0.8 MB) took 10 s and 460 MB to read,
    and one of 50 MB (under the limit a message is read whole) would have exhausted
    memory and stopped every later sync at it. The values of one address header are
    read together up to the same limit now, their first addresses kept."""
    from email.headerregistry import HeaderRegistry

    from tinycrm.mail.headers import ADDRESSES_MAX

    lines = b"".join(b"To: p%d@x.example\n" % i for i in range(10_000))  # 190 KB
    parsed = 0
    made = HeaderRegistry.__call__

    def count(self: HeaderRegistry, name: str, value: str) -> Any:
        nonlocal parsed
        parsed += name.lower() == "to"
        return made(self, name, value)

    monkeypatch.setattr(HeaderRegistry, "__call__", count)
    m = parse_message(b"From: ann@acme.example\n" + lines + b"Cc: bo@y.example\n\nx")
    assert m.to[:2] == ("p0@x.example", "p1@x.example") and m.cc == ("bo@y.example",)
    assert len(m.to) == parsed < 10_000 and sum(map(len, m.to)) <= ADDRESSES_MAX


@pytest.mark.parametrize(
    "value",
    ["a@" * 32_000, "x " + "@a" * 32_000, "a@b " * 16_000, "a" * 60_000 + " x@y.example"],
)
def test_an_address_header_of_huge_words_is_read_in_one_pass(value: str) -> None:
    """'To: a@a@a@…' (64 KB of at signs, one word): the look for an address written
    without brackets went through the rest of the word from each at sign, 38 s for the
    header (read twice a message); a word of 60,000 letters beside an address, from
    each letter. It is a pass over the header's words now; what is read of it is the
    same."""
    from tinycrm.mail.headers import bracketed

    named = value.replace(" x@y.example", " <x@y.example>")  # a name (however long) before
    assert bracketed(value) == named
    m = parse_message(f"From: ana@client.example\nTo: {value}\n\nx".encode())
    assert m.sender == "ana@client.example"


@pytest.mark.parametrize("filler", [",", ", ", ",a", ";"])
def test_an_address_list_of_thousands_of_empty_mailboxes_is_read_without_them(
    filler: str,
) -> None:
    """'To: ,,,,…' (60,000 commas, or words with no address between them): the
    standard library's header parser takes time that grows with the square of such
    elements, 40 s for one message. An element with no at sign (and no group) holds no
    address: it is left out before the parsers read the list."""
    from tinycrm.mail.headers import bracketed

    value = filler * 20_000 + ", Ann <ann@x.example>," + filler * 20_000
    assert bracketed(value).strip() == "Ann <ann@x.example>"
    m = parse_message(f"From: bo@y.example\nTo: {value}\n\nx".encode())
    assert m.to == ("ann@x.example",)
    group = "undisclosed-recipients:;"
    assert bracketed(group) == group
    assert parse_message(f"From: bo@y.example\nCc: {filler * 20_000}\n\nx".encode()).cc == ()


@pytest.mark.parametrize("header", ["From", "To", "Cc", "Reply-To"])
@pytest.mark.parametrize(
    "value",
    [":" * 3000, "a:" * 1500, ":" * 1500 + " x@y.example"],
    ids=["colons", "groups", "colons-then-an-address"],
)
def test_an_address_header_of_thousands_of_colons_is_read_not_a_recursion_error(
    header: str, value: str
) -> None:
    """'To: ::::…' (a group in a group, thousands deep): the standard library's classic
    address parser, read when the modern one cannot, recursed once a colon and raised
    RecursionError: mail import stopped with a traceback at that message, and a sync
    stopped there at every run, for good."""
    raw = f"{header}: {value}\nFrom: ana@client.example\nSubject: hi\n\nbody"
    m = parse_message(raw.encode())
    assert m.subject == "hi" and m.body == "body"
    if header != "From":
        assert m.sender == "ana@client.example"


@pytest.mark.parametrize(
    "mailbox",
    ['"' * 20_000, "a" + "." * 20_000, '"' * 5_000 + " <ann@x.example>", "a." * 5_000 + "@x"],
    ids=["quotes", "dots", "quotes-then-an-address", "an-address-of-dots"],
)
def test_a_mailbox_of_thousands_of_quotes_or_dots_is_left_out_unread(mailbox: str) -> None:
    """'To: \"\"\"…' (20,000 quotes, or dots): the standard library's parser takes time
    growing with the square of the tokens of one mailbox, 21 s for the message (64 KB:
    minutes, a sync stalled on it). A mailbox holding more of them than any mailer
    writes is left out before the parsers read the list; the rest is read."""
    from tinycrm.mail.headers import QUOTES_MAX, bracketed

    value = f"Bo <bo@y.example>, {mailbox}, cy@z.example"
    assert bracketed(value) == "Bo <bo@y.example>, cy@z.example"
    m = parse_message(f"From: ana@client.example\nTo: {value}\n\nx".encode())
    assert m.to == ("bo@y.example", "cy@z.example")
    name = '"' + 'Lee \\"the boss\\" ' * ((QUOTES_MAX - 2) // 2) + '"'
    many = ", ".join(f"{name} <ann{n}@x.example>" for n in range(40))
    assert bracketed(many) == many  # a long list of names of many quotes is left as it came
    m = parse_message(f"From: a@b.example\nTo: {many}\n\nx".encode())
    assert m.to == tuple(f"ann{n}@x.example" for n in range(40))
