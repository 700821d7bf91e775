"""tinycrm.mail.sources: Maildir folders, mbox files and .eml files on disk."""

from __future__ import annotations

import mailbox
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.mail.message import parse_message
from tinycrm.mail.sources import MailSourceError, Skipped, read_messages


def _mail(n: int, body: str = "hello") -> bytes:
    return (
        f"From: a{n}@x.example\nTo: me@my.example\nSubject: number {n}\n"
        f"Message-ID: <m{n}@x.example>\n\n{body}\n"
    ).encode()


def test_maildir_mbox_and_eml(tmp_path: Path) -> None:
    (tmp_path / "Mail").mkdir()
    box = mailbox.Maildir(tmp_path / "Mail" / "INBOX", create=True)
    for n in (1, 2):
        box.add(_mail(n))
    mbox = mailbox.mbox(tmp_path / "Mail" / "sent.mbox", create=True)
    mbox.add(_mail(3, body="From the start, a line mbox must escape"))
    mbox.add(_mail(4))
    mbox.flush()
    mbox.close()
    (tmp_path / "one.eml").write_bytes(_mail(5))
    found = list(read_messages([tmp_path / "Mail", tmp_path / "one.eml"]))
    subjects = sorted(parse_message(raw).subject for _, raw in found)
    assert subjects == [f"number {n}" for n in range(1, 6)]
    by_subject = {parse_message(raw).subject: parse_message(raw) for _, raw in found}
    assert by_subject["number 3"].body == "From the start, a line mbox must escape"
    assert all(where for where, _ in found)


def test_what_is_not_mail_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(MailSourceError, match="no such file or folder"):
        list(read_messages([tmp_path / "missing"]))
    (tmp_path / "empty").mkdir()
    with pytest.raises(MailSourceError, match=r"no Maildir, mbox, \.eml or \.emlx file"):
        list(read_messages([tmp_path / "empty"]))
    picture = tmp_path / "photo.eml"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(MailSourceError, match="not a mail message"):
        list(read_messages([picture]))


def test_a_maildir_a_mail_program_changes_while_it_is_read(tmp_path: Path) -> None:
    """A live Maildir: after the listing, the mail program deletes one message (or moves
    it to another folder) and marks another as read (new/ to cur/ with its flags). The
    gone one is left out, as IMAP leaves out one expunged meanwhile; the moved one read."""
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    keys = [box.add(_mail(n)) for n in (1, 2, 3)]
    messages = read_messages([tmp_path / "INBOX"])
    first = next(messages)
    new = tmp_path / "INBOX" / "new"
    by_key = {name.name.split(":")[0]: name for name in new.iterdir()}
    gone, moved = (k for k in keys if k not in first[0])  # the two not read yet, in order
    by_key[gone].unlink()
    by_key[moved].rename(tmp_path / "INBOX" / "cur" / f"{moved}:2,S")
    read = [first, *messages]
    number = {key: f"number {n}" for n, key in enumerate(keys, start=1)}
    assert sorted(parse_message(raw).subject for _, raw in read) == sorted(
        number[key] for key in keys if key != gone
    )


def test_an_mbox_message_keeps_its_from_line_and_so_its_date(tmp_path: Path) -> None:
    """An mbox message without a Date header is dated by its ``From `` separator line
    (read as it was stored), not by the time of the import."""
    (tmp_path / "old.mbox").write_bytes(
        b"From ana@client.example Tue Jan  2 10:00:00 2024\n"
        b"From: ana@client.example\nTo: me@my.example\nSubject: undated\n\nHi\n"
        b">From here on\n\n"
        b"From bo@x.example Wed Jan  3 11:30:00 2024\n" + _mail(2)
    )
    found = [parse_message(raw) for _, raw in read_messages([tmp_path / "old.mbox"])]
    assert [(m.date, m.dated_by) for m in found] == [
        (datetime(2024, 1, 2, 10, tzinfo=UTC), "From line"),
        (datetime(2024, 1, 3, 11, 30, tzinfo=UTC), "From line"),
    ]
    assert found[0].body == "Hi\nFrom here on"


def test_a_junk_file_in_a_maildir_is_skipped_a_nul_in_a_message_is_not(tmp_path: Path) -> None:
    from tinycrm.mail.sources import NOT_MAIL, Skipped

    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(_mail(1, body="binary \x00 part"))
    box.add(b"Received: from x\nFrom: a\x00b@x.example\nSubject: number 2\n\nspam holds NULs\n")
    box.add(b"Notes of the meeting\nTime: 10:00\n")  # text, no message: no header first
    (tmp_path / "INBOX" / "cur" / "1700000000.junk:2,S").write_bytes(b"\x7fELF\x02\x01\x00" * 99)
    found = [data for _, data in read_messages([tmp_path / "INBOX"])]
    assert found.count(Skipped(NOT_MAIL)) == 2
    assert sorted(parse_message(d).subject for d in found if isinstance(d, bytes)) == [
        "number 1",
        "number 2",
    ]


def test_a_maildir_message_over_the_limit_is_read_for_its_header_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Maildir file over 50 MB was read into memory whole (a 4 GB one: 4 GB) to log
    its header alone. Now only its start is read, and it has the key the whole file
    gives (IMAP's, which fetches its header alone)."""
    from tinycrm.mail import message
    from tinycrm.mail.sources import Head

    monkeypatch.setattr(message, "MAX_MESSAGE", 8000)  # 50 MB, made small for the test
    monkeypatch.setattr(message, "HEAD_MAX", 4000)  # and the header read of it at most
    whole = (
        b"From: ana@client.example\nTo: me@my.example\nSubject: scan\n"
        b"Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n" + b"%PDF" * 30_000
    )
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(whole)
    ((_, head),) = read_messages([tmp_path / "INBOX"])
    assert isinstance(head, Head) and len(head) < len(whole) / 2
    read = parse_message(head, header_only=True)
    assert (read.subject, read.key) == ("scan", parse_message(whole).key)


def test_an_mbox_message_over_the_limit_is_read_for_its_header_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An mbox's message over 50 MB was read into memory whole (twice: the >From
    unquoting copied it) to log its header alone. Now only its start is read, as of a
    Maildir's, with the key the whole message gives; the messages around it are read."""
    import tracemalloc

    from tinycrm.mail import message
    from tinycrm.mail.sources import Head

    monkeypatch.setattr(message, "MAX_MESSAGE", 1024 * 1024)  # 50 MB, made small
    monkeypatch.setattr(message, "HEAD_MAX", 64 * 1024)  # and the header read of it
    big = (
        b"From: ana@client.example\nTo: me@my.example\nSubject: scan\n"
        b"Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n"
        + b"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9M\n"
        * 160_000
    )  # 6 MB of base64 lines
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path, create=True)
    for raw in (_mail(1), big, _mail(2)):
        box.add(raw)
    box.flush()
    box.close()

    tracemalloc.start()
    try:
        read = list(read_messages([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # the 6 MB message was read whole, and copied
    assert [where.rsplit("#", 1)[1] for where, _ in read] == ["1", "2", "3"]
    head = read[1][1]
    assert isinstance(head, Head) and len(head) <= 2 * message.HEAD_MAX
    parsed = parse_message(head, header_only=True)
    assert (parsed.subject, parsed.key) == ("scan", parse_message(big).key)
    assert [parse_message(bytes(data)).subject for _, data in (read[0], read[2])] == [
        "number 1",
        "number 2",
    ]


def test_an_mbox_message_of_one_huge_line_is_not_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's mailbox finds an mbox's messages line by line: a message of one line of
    hundreds of MB (a base64 attachment without line breaks, a broken export) was held
    whole in memory to be passed over, though only its header is read. The messages
    are found in pieces of the file now; the one line costs no more than a piece."""
    import tracemalloc

    from tinycrm.mail import message

    monkeypatch.setattr(message, "MAX_MESSAGE", 1024 * 1024)  # 50 MB, made small
    monkeypatch.setattr(message, "HEAD_MAX", 64 * 1024)
    big = b"From: ana@client.example\nTo: me@my.example\nSubject: scan\n\n" + b"A" * 6_000_000
    path = tmp_path / "archive.mbox"
    path.write_bytes(
        b"From a@x Tue Jan  2 10:00:00 2024\n" + _mail(1) + b"\n"
        b"From a@x Tue Jan  2 10:00:00 2024\n" + big + b"\n\n"
        b"From a@x Tue Jan  2 10:00:00 2024\n" + _mail(2)
    )
    tracemalloc.start()
    try:
        read = list(read_messages([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # the 6 MB line was held whole
    subjects = [parse_message(bytes(d), header_only=len(d) < 1e6).subject for _, d in read]
    assert subjects == ["number 1", "scan", "number 2"]


DATED = b" Tue Jan  2 10:00:00 2024"  # a From_ line's date: what makes it one


@pytest.mark.parametrize(
    "data",
    [
        b"From a\nx\n\nFrom b\ny\n",
        b"From a\nx\nFrom b\ny",  # no blank line before the next, none at the end
        b"From a\n\n\n\nFrom b\n\n",
        b"From a\r\nx\r\n\r\nFrom b\r\ny\r\n",
        b"From a\nFrom b\nFrom c\n",
        b"From a\nxFrom b\n>From c\n\nFrom d\n",
        b"From a\n" + b"z" * 70 + b"\n\nFrom b\n" + b"\n" * 3,
    ],
)
def test_an_mbox_is_split_where_python_s_mailbox_splits_it(tmp_path: Path, data: bytes) -> None:
    """At its From_ lines (each given a date here: see the test below for a line of
    text starting with 'From ', where Python's mailbox splits and tinycrm does not)."""
    from tinycrm.mail import sources

    for sender in (b"a", b"b", b"c", b"d"):
        data = data.replace(b"From " + sender + b"\n", b"From " + sender + DATED + b"\n")
        data = data.replace(b"From " + sender + b"\r\n", b"From " + sender + DATED + b"\r\n")
    path = tmp_path / "m.mbox"
    path.write_bytes(data)
    box = mailbox.mbox(path, create=False)
    expected = [box.get_bytes(key, from_=True) for key in box.iterkeys()]
    box.close()
    for chunk in (1, 2, 3, 7, 64 * 1024):
        with path.open("rb") as handle:
            spans = sources._mbox_spans(handle, chunk)
        assert [data[start:stop] for start, stop in spans] == expected, chunk


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"From a" + DATED, b"\n", b"\r\n", b"x", b">From ", b"F"])))
def test_any_mbox_is_split_where_python_s_mailbox_splits_it(parts: list[bytes]) -> None:
    import io

    from tinycrm.mail import sources

    data = b"From a" + DATED + b"\n" + b"".join(parts)
    box = mailbox.mbox.__new__(mailbox.mbox)
    box._file = io.BytesIO(data)  # type: ignore[attr-defined]
    box._generate_toc()  # type: ignore[attr-defined]
    expected = [box._toc[key] for key in sorted(box._toc)]  # type: ignore[attr-defined]
    for chunk in (1, 3, 6, 64):
        assert sources._mbox_spans(io.BytesIO(data), chunk) == expected, chunk


def test_an_empty_or_broken_mbox_in_a_folder_costs_no_other_message(tmp_path: Path) -> None:
    """A mail program's empty mailbox (Trash.mbox of 0 bytes) in a folder refused the
    whole import ('Trash.mbox: not a mail message'), and so did a .mbox there that is
    no mail, a link to nothing or over 50 MB without a From line: none of the folder's
    other messages was logged. An empty mbox holds no message (named on its own too);
    the others are skipped and told, as a folder's .eml is."""
    from tinycrm.mail.sources import NO_FILE, NOT_MAIL, Skipped

    folder = tmp_path / "Mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(_mail(1))
    (folder / "Trash.mbox").write_bytes(b"")
    (folder / "photo.mbox").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "moved.mbx").symlink_to(tmp_path / "gone")
    os.mkfifo(folder / "pipe.mbox")  # no file: its size of 0 is no empty mailbox
    found = dict(read_messages([folder]))
    assert found == {
        str(folder / "a.eml"): _mail(1),
        str(folder / "moved.mbx"): Skipped(NO_FILE),
        str(folder / "pipe.mbox"): Skipped(NO_FILE),
        str(folder / "photo.mbox"): Skipped(NOT_MAIL),
    }
    assert list(read_messages([folder / "Trash.mbox"])) == []
    only = tmp_path / "Empty"
    only.mkdir()
    (only / "Inbox.mbox").write_bytes(b"")
    assert list(read_messages([only])) == []  # a folder of one empty mailbox: no mail


def test_a_file_in_a_folder_that_cannot_be_read_is_skipped_not_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of a folder that cannot be read (permission denied: another user's, a
    mail program's locked store) is skipped and told, the rest read: a file with no
    .eml or .mbox name, looked at to see whether it is an mbox, raised instead, and
    the import of the whole folder stopped ('cannot read')."""
    from tinycrm.mail.sources import CANNOT_READ, Skipped

    folder = tmp_path / "Mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(_mail(1))
    for name in ("Inbox", "locked.eml", "locked.mbox"):
        (folder / name).write_bytes(b"From a@x Tue Jan  2 10:00:00 2024\n" + _mail(2))
    opened, read = Path.open, Path.read_bytes

    def denied(path: Path) -> None:
        if path.name in ("Inbox", "locked.eml", "locked.mbox"):
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "open", lambda self, *a, **k: denied(self) or opened(self, *a, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda self: denied(self) or read(self))
    found = dict(read_messages([folder]))
    assert found == {
        str(folder / "a.eml"): _mail(1),
        **{
            str(folder / n): Skipped(CANNOT_READ, "Permission denied")
            for n in ("Inbox", "locked.eml", "locked.mbox")
        },
    }


def test_a_message_over_the_limit_is_read_for_its_header_alone_from_every_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One size rule for every source: a message over 50 MB was logged from its header
    in a Maildir, an mbox or over IMAP, but as a single .eml it was refused (named on
    its own: the whole import, 'too large for one message') or skipped ('over 50 MB',
    in a folder). Now an .eml over it is read for its header alone, as the others are,
    and has the key they give it."""
    from tinycrm.mail import message
    from tinycrm.mail.sources import Head

    monkeypatch.setattr(message, "MAX_MESSAGE", 8000)  # 50 MB, made small for the test
    monkeypatch.setattr(message, "HEAD_MAX", 4000)
    whole = (
        b"From: ana@client.example\nTo: me@my.example\nSubject: scan\n"
        b"Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n" + b"%PDF" * 30_000 + b"\n"
    )
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "scan.eml").write_bytes(whole)
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(whole)
    mbox = mailbox.mbox(tmp_path / "archive.mbox")
    mbox.add(whole)
    mbox.flush()
    sources = [tmp_path / "saved" / "scan.eml", tmp_path / "saved", tmp_path / "INBOX"]
    found = [data for _, data in read_messages([*sources, tmp_path / "archive.mbox"])]
    assert len(found) == 4
    key = parse_message(whole).key
    for data in found:
        assert isinstance(data, Head) and len(data) < len(whole) / 2
        read = parse_message(data, header_only=True)
        assert (read.subject, read.body, read.key) == ("scan", "", key)


def test_a_line_of_text_starting_with_from_does_not_split_an_mbox_message(
    tmp_path: Path,
) -> None:
    """A message's text line 'From the desk of Ann' (an mbox its writer did not quote
    '>From', as hand-made and some exported ones are not) was read as the start of
    another message: the text was cut there, and the rest counted as a message 'with no
    From address', or logged as one when it held header lines (a forwarded message).
    Only a From_ line with a date (``From sender Tue Jan  2 10:00:00 2024``), or one
    after a blank line and before a header field, starts a message; CRLF or mixed line
    ends alike."""
    first = (
        b"From ann@acme.example Tue Jan  2 10:00:00 2024\r\n"
        b"From: ann@acme.example\r\nSubject: one\r\nMessage-ID: <c1@x>\r\n\r\n"
        b"Hello\r\nFrom here on we talk\r\n\r\nFrom the desk of Ann\r\n\r\n"
        b"From Bo, forwarded:\nFrom: ceo@evil.example\nSubject: phish\n\n"
    )
    second = (
        b"From - Tue Jan 02 11:00:00 +0000 2024\nFrom: bo@acme.example\nSubject: two\n\nBye\n\n"
    )
    third = b"From MAILER-DAEMON\nFrom: cy@acme.example\nSubject: three\n\nx\n"
    path = tmp_path / "hand.mbox"
    path.write_bytes(first + b"\r\n" + second + b"\n" + third)
    read = [parse_message(data) for _, data in read_messages([path])]
    assert [(m.sender, m.subject) for m in read] == [
        ("ann@acme.example", "one"),
        ("bo@acme.example", "two"),
        ("cy@acme.example", "three"),
    ]
    assert read[0].body.splitlines()[1:3] == ["From here on we talk", ""]
    assert "From Bo, forwarded:" in read[0].body and "ceo@evil.example" in read[0].body


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"From the desk of Ann", b"From a", b"From 10:00", b"", b"x", b">From a"]),
        max_size=12,
    ),
    st.sampled_from([b"\n", b"\r\n"]),
)
def test_no_line_of_text_starting_with_from_splits_a_message(
    lines: list[bytes], end: bytes
) -> None:
    """However the text's lines that start with 'From ' (unquoted, no date) fall, an
    mbox of two messages is two, the first one's text whole."""
    import io

    from tinycrm.mail import sources

    one = b"From a" + DATED + end + b"Subject: one" + end + end + end.join(lines) + end
    data = one + end + b"From b" + DATED + end + b"Subject: two" + end + end + b"y" + end
    spans = sources._mbox_spans(io.BytesIO(data), 7)
    assert len(spans) == 2
    assert data[spans[0][0] : spans[0][1]].startswith(one)


@pytest.mark.parametrize("before", [b"\xef\xbb\xbf", b"\n", b"\r\n\r\n", b"\xef\xbb\xbf\n"])
def test_an_mbox_after_a_byte_order_mark_or_blank_lines_is_an_mbox(
    tmp_path: Path, before: bytes
) -> None:
    """An mbox a Windows editor saved with a byte order mark (or one starting with a
    blank line) was not known as one: it was read as one message, every message after
    the first swallowed into its text, and the summary said 'Read 1 message'."""
    data = before + (
        b"From a Tue Jan  2 10:00:00 2024\n" + _mail(1) + b"\n"
        b"From a Tue Jan  2 11:00:00 2024\n" + _mail(2)
    )
    (tmp_path / "Mail").mkdir()
    for path in (tmp_path / "saved.mbox", tmp_path / "Mail" / "Inbox"):
        path.write_bytes(data)
    for where in (tmp_path / "saved.mbox", tmp_path / "Mail"):
        read = [parse_message(raw) for _, raw in read_messages([where])]
        assert [(m.subject, m.body) for m in read] == [("number 1", "hello"), ("number 2", "hello")]


def test_a_from_line_without_a_date_after_a_crlf_blank_line_starts_a_message(
    tmp_path: Path,
) -> None:
    """'From MAILER-DAEMON' alone (no date) starts a message after a blank line and
    before a header field: a blank line ending in CRLF is one too."""
    data = (
        b"From MAILER-DAEMON\nFrom: a@x.example\nSubject: one\n\nx\n\n"
        b"From MAILER-DAEMON\nFrom: b@x.example\nSubject: two\n\ny\n"
    )
    path = tmp_path / "undated.mbox"
    for ends in (data, data.replace(b"\n", b"\r\n")):
        path.write_bytes(ends)
        read = [parse_message(raw) for _, raw in read_messages([path])]
        assert [m.subject for m in read] == ["one", "two"]


@pytest.mark.parametrize("ending", [b"\r", b"\r\n"], ids=["cr", "crlf"])
def test_an_mbox_with_cr_or_crlf_line_endings_is_split_into_its_messages(
    tmp_path: Path, ending: bytes
) -> None:
    """An mbox old Mac Mail exported ends its lines with CR alone: it was read as one
    message (its From_ lines never found), every message after the first swallowed into
    its text. Its line ending is told from the file; a CRLF mbox (a Windows program's)
    is split as well, a quoted ``>From`` undone in both."""
    data = (
        b"From ana@client.example Tue Jan  2 10:00:00 2024\n"
        b"From: ana@client.example\nTo: me@my.example\nSubject: one\n\nHi\n>From here on\n\n"
        b"From bo@x.example Wed Jan  3 11:30:00 2024\n" + _mail(2) + b"\n"
        b"From MAILER-DAEMON\nFrom: c@x.example\nSubject: three\n\nbye\n"
    )
    path = tmp_path / "Old Mac.mbox"
    path.write_bytes(data.replace(b"\n", ending))
    (tmp_path / "Mail").mkdir()
    (tmp_path / "Mail" / "Inbox").write_bytes(data.replace(b"\n", ending))
    for where in (path, tmp_path / "Mail"):
        read = [parse_message(raw) for _, raw in read_messages([where])]
        assert [(m.subject, m.body) for m in read] == [
            ("one", "Hi\nFrom here on"),
            ("number 2", "hello"),
            ("three", "bye"),
        ]
        assert [m.dated_by for m in read[:2]] == ["From line", "From line"]
        assert read[0].date == datetime(2024, 1, 2, 10, tzinfo=UTC)


_PLIST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
    b"<key>flags</key>\n<integer>8590195713</integer>\n</dict>\n</plist>\n"
)


def _emlx(message: bytes, count: int | None = None) -> bytes:
    """An Apple Mail .emlx file: the message's byte count on a line, the message, a plist."""
    return f"{len(message) if count is None else count:<10}\n".encode() + message + _PLIST


def test_apple_mail_emlx_files_are_found_and_read_to_their_byte_count(tmp_path: Path) -> None:
    """``mail import ~/Library/Mail/V10`` found nothing ('no Maildir, mbox or .eml file
    in this folder'): Apple Mail keeps each message in an ``.emlx`` file, folders deep.
    Each is read to the byte count of its first line (the plist after it is no part of
    the message); a ``.partial.emlx`` (Apple Mail downloaded its header, not all its
    parts) is read for its header alone; a broken one is skipped, and told why."""
    from tinycrm.mail.sources import Head, Partial, Skipped

    messages = tmp_path / "V10" / "ACCOUNT" / "INBOX.mbox" / "UUID" / "Data" / "1" / "Messages"
    messages.mkdir(parents=True)
    (messages / "11.emlx").write_bytes(_emlx(_mail(1, body="one\n\nline after a blank")))
    (messages / "12.emlx").write_bytes(_emlx(_mail(2).replace(b"\n", b"\r\n")))
    (messages / "13.partial.emlx").write_bytes(_emlx(_mail(3, body="only part of it")))
    (messages / "14.emlx").write_bytes(b"<?xml version=1.0?>\n" + _mail(4))
    (messages / "15.emlx").write_bytes(_emlx(_mail(5), count=10_000))
    (messages.parent / "Attachments").mkdir()
    (messages.parent / "Attachments" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    found = dict(read_messages([tmp_path / "V10"]))
    assert [Path(where).name for where in found] == [
        "11.emlx", "12.emlx", "13.partial.emlx", "14.emlx", "15.emlx"
    ]  # fmt: skip
    read = {Path(w).name: data for w, data in found.items()}
    first = parse_message(read["11.emlx"])  # type: ignore[arg-type]
    assert (first.subject, first.body) == ("number 1", "one\n\nline after a blank")
    second = parse_message(read["12.emlx"])  # type: ignore[arg-type]
    assert (second.subject, second.body) == ("number 2", "hello")
    partial = read["13.partial.emlx"]
    assert isinstance(partial, Partial) and isinstance(partial, Head)
    assert parse_message(partial, header_only=True).subject == "number 3"
    for name, why in (
        ("14.emlx", "its first line is no byte count"),
        ("15.emlx", "its first line says 10,000 bytes; 221 follow it"),
    ):
        skipped = read[name]
        assert isinstance(skipped, Skipped)
        assert str(skipped) == f"not an Apple Mail message (.emlx) ({why})"
    alone = list(read_messages([messages / "11.emlx"]))
    assert alone == [(str(messages / "11.emlx"), read["11.emlx"])]
    with pytest.raises(MailSourceError, match=r"14\.emlx: not an Apple Mail message \(\.emlx\)"):
        list(read_messages([messages / "14.emlx"]))


def test_apple_mail_s_exported_mailboxes_are_read_from_a_folder_of_them(tmp_path: Path) -> None:
    """Apple Mail's 'Export Mailbox…' writes a folder ``INBOX.mbox`` holding a file named
    ``mbox`` (and a binary ``table_of_contents``): ``mail import Export`` over several of
    them said 'no Maildir, mbox, .eml or .emlx file in this folder'."""
    for n, name in ((1, "INBOX.mbox"), (2, "Sent Messages.mbox")):
        folder = tmp_path / "Export" / name
        folder.mkdir(parents=True)
        (folder / "mbox").write_bytes(b"From a Tue Jan  2 10:00:00 2024\n" + _mail(n))
        (folder / "table_of_contents").write_bytes(b"\x00\x00\x00\x01\xfe\xed" * 10)
    for where in (tmp_path / "Export", tmp_path / "Export" / "INBOX.mbox"):
        read = [raw for _, raw in read_messages([where])]
        assert not any(isinstance(raw, Skipped) for raw in read)
        subjects = [parse_message(raw).subject for raw in read]  # type: ignore[arg-type]
        assert subjects == (["number 1", "number 2"] if where.name == "Export" else ["number 1"])


def test_a_folder_of_emlx_files_that_cannot_be_listed_is_told_not_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mailbox folder deep in Apple Mail's tree that cannot be listed (permission
    denied: another user's) was passed over without a word, its messages never logged
    and the run saying nothing of them. It is skipped and told, the rest read."""
    from tinycrm.mail.sources import CANNOT_READ

    for name in ("INBOX.mbox", "Locked.mbox"):
        messages = tmp_path / "V10" / "ACCOUNT" / name / "Messages"
        messages.mkdir(parents=True)
        raw = _mail(1)
        (messages / "1.emlx").write_bytes(f"{len(raw)}\n".encode() + raw)
    scandir = os.scandir

    def denied(path: Any = ".") -> Any:
        if Path(path).name == "Locked.mbox":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    found = dict(read_messages([tmp_path / "V10"]))
    locked = tmp_path / "V10" / "ACCOUNT" / "Locked.mbox"
    assert found == {
        str(tmp_path / "V10" / "ACCOUNT" / "INBOX.mbox" / "Messages" / "1.emlx"): _mail(1),
        str(locked): Skipped(CANNOT_READ, "Permission denied"),
    }
