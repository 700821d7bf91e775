"""One mail message as plain data: what tinycrm logs of it.

:func:`parse_message` reads the bytes of an RFC 5322 message (from IMAP, a Maildir, an
mbox or an ``.eml`` file) with the standard library's ``email`` package and its modern
policy: encoded-word subjects and names are decoded, quoted-printable and base64 bodies
too, in the charset the part names (Windows-1252 and other legacy ones included; bytes
that do not decode are replaced, never a crash); raw 8-bit headers are read as UTF-8,
else Windows-1252. The body is the ``text/plain`` part, else (or when that one is
blank) the HTML part as text, then the text of each message it forwards; attachments
are listed by name, type and size, not kept.

A message is dated by its Date header; without one (or with one that does not parse,
or a date it cannot have been sent on: before 1971, or after it was received, by more
than a few minutes' skew of clocks), by when it was received: the IMAP server's
INTERNALDATE when the caller has it, else the date on the mbox ``From `` line the
message starts with (an mbox's separator, kept by :mod:`tinycrm.mail.sources`: when it
was stored), else the newest (topmost) Received header; none of these ahead of now
(then the message was received now, at the latest). ``dated_by`` says which; None when
nothing dates it.

A message is known by its Message-ID (a hash of it when it is too long for a database
index); one without (some scripts and old clients send none) by a hash of the message as
it came: its From, To, Cc, Date and Subject header lines and its text (``raw-sha256:…``),
so that the same message read twice, from two folders or from IMAP and a file, is logged
once, and two messages that differ in any of these (two alerts with one subject and no
date) are two. How it is stored (CRLF or LF, spaces at line ends, an mbox's From_ line
and status headers, the Received headers of its delivery) changes no key, and neither
does how this module reads it (a later version reading its text or attachments
otherwise). Of a message over :data:`MAX_MESSAGE` only the header is read, from a file as
from IMAP (which fetches no more), so its key is the same from either. The keys earlier
versions gave such a message are kept beside it (``text_key``, ``old_key``): a message
logged under one is not logged again.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Literal

from tinycrm.mail.headers import (
    ADDRESSES_MAX,
    ESCAPE_SEQUENCE,
    POLICY,
    eight_bit,
    readable,
    written_addresses,
)
from tinycrm.mail.html_text import html_to_text
from tinycrm.mail.part_text import base64_bytes as part_bytes_of_base64
from tinycrm.mail.part_text import part_bytes, part_text
from tinycrm.mail.reports import STATUS_TYPES, delivery_status
from tinycrm.safetext import UNSAFE

__all__ = ["Attachment", "MailMessage", "parse_message"]

Direction = Literal["in", "out"]
DatedBy = Literal["Date", "INTERNALDATE", "From line", "Received"]

KEY_MAX = 500  # characters of a Message-ID kept as its key (4 bytes each fit an index)
MAX_MESSAGE = 50 * 1024 * 1024
"""Bytes of a message (with CRLF line ends, as IMAP's RFC822.SIZE counts them) above
which only its header is read: ``mail sync`` fetches no more of it, and a Maildir's or
an mbox's is read the same way, so that it has one key and one activity from either."""
HEAD_MAX = 1024 * 1024  # bytes of the header of a message over MAX_MESSAGE read at most


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int  # bytes, decoded


@dataclass(frozen=True, slots=True)
class MailMessage:
    """What tinycrm keeps of a message. Addresses are lowercased; ``date`` is aware UTC.
    ``sender`` is From's first address; ``senders`` all of them (RFC 5322 lets From name
    several authors); ``reply_to`` the Reply-To addresses."""

    key: str  # the Message-ID without <>, or "raw-sha256:…" of the message as it came
    # (see the module's docstring), or "sha256:…" of a Message-ID over KEY_MAX characters
    message_id: str | None
    subject: str
    date: datetime | None
    sender: str | None
    sender_name: str | None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    # Bcc: the sender's copy keeps it (a Sent folder's); a received copy has none
    bcc: tuple[str, ...] = ()
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    automated: str | None = None  # why it is list or machine mail (List-Id, a bounce, …)
    names: dict[str, str] = field(default_factory=dict)  # address -> display name
    dated_by: DatedBy | None = None  # where ``date`` comes from (None: no date at all)
    date_header: str = ""  # the Date header as it came ("" when there is none)
    # without a Message-ID: the keys earlier versions gave it (None with a Message-ID):
    # a hash of what this parser reads of it (sender, date, subject, To, Cc, text and
    # attachments; another parser read some messages otherwise), and before that a hash
    # of its sender, date and subject only (which two messages could share)
    old_key: str | None = None
    text_key: str | None = None
    # without a Message-ID, holding a NUL or a bare CR: its key of it as stored (which
    # Dovecot gives otherwise), which earlier versions gave it (see _raw_key)
    stored_key: str | None = None
    senders: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()

    def authors(self) -> tuple[str, ...]:
        """Every address of From (``sender`` first), once each."""
        return tuple(dict.fromkeys(a for a in (self.sender, *self.senders) if a))

    def addresses(self, *, bcc: bool = False) -> tuple[str, ...]:
        """Everyone on the message: From, To and Cc (and Bcc, when ``bcc``: for the
        user's own sent mail), in that order, once each."""
        seen: dict[str, None] = {}
        for address in (*self.authors(), *self.to, *self.cc, *(self.bcc if bcc else ())):
            if address:
                seen.setdefault(address, None)
        return tuple(seen)

    def direction(self, own_addresses: Iterable[str]) -> Direction:
        """``out`` when the user sent it (From names one of their addresses), else ``in``."""
        own = {a.strip().lower() for a in own_addresses}
        return "out" if any(a in own for a in self.authors()) else "in"

    def counterparts(
        self, own_addresses: Iterable[str] = (), own_domains: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """The addresses on the message that are neither the user's nor internal."""
        own = {a.strip().lower() for a in own_addresses}
        domains = {d.strip().lower().lstrip("@") for d in own_domains}
        return tuple(
            a for a in self.addresses() if a not in own and a.rpartition("@")[2] not in domains
        )


def parse_message(
    data: bytes, *, received: datetime | None = None, header_only: bool = False
) -> MailMessage:
    """Read one message. Never raises on a malformed one: what cannot be read is left
    empty (a subject without a header is ``""``, no date is None). ``received`` is when
    the server received it (IMAP's INTERNALDATE; naive is UTC): the date of a message
    without a Date header, before its Received headers. Of a message over
    :data:`MAX_MESSAGE` only the header is read (no text, no attachments), as IMAP
    gives it; ``header_only``: ``data`` is the start of such a message, read for its
    header (``mail.sources`` reads no more of a file over the limit)."""
    # a byte order mark (an .eml a Windows tool saved) or blank lines before the
    # header: the parser read the header as text, no sender, no subject
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    whole = not header_only and _wire_size(data) <= MAX_MESSAGE
    if not whole:  # its header alone, as IMAP's BODY[HEADER] (all of it made text: GBs)
        data = data[: _header_end(data)]
    try:
        message = BytesParser(policy=POLICY).parsebytes(data, headersonly=not whole)
    except RecursionError:  # multiparts nested thousands deep: the header is read
        message = BytesParser(policy=POLICY).parsebytes(data, headersonly=True)
        whole = False
    assert isinstance(message, EmailMessage)
    subject = " ".join(_header(message, "subject").split())
    date_header = " ".join(_header(message, "date").split())
    written = _raw(message, "date")  # as it came: the policy makes its text anew (0001: 2001)
    date = _date(date_header, written=written[0] if written else "")
    if written and date is None:  # kept in the activity, as it came
        date_header = " ".join(written[0].replace("\x00", "").split()) or date_header
    when, dated_by = _dated(message, date, received)
    senders = _addresses(message, "from")
    sender = senders[0][0] if senders else None
    to, cc, bcc, reply_to = (_addresses(message, n) for n in ("to", "cc", "bcc", "reply-to"))
    names = {a: n for a, n in (*reply_to, *senders, *to, *cc, *bcc) if n}
    message_id = _message_id(_header(message, "message-id"))
    key = _id_key(message_id) if message_id else None
    body, attachments, own_text = _content(message) if whole else ("", (), "")
    old_key = text_key = stored_key = None
    if key is None:
        old_key = _hash_key(sender, date, subject, _header(message, "date"))
        said = (
            old_key,
            ",".join(a for a, _ in to),
            ",".join(a for a, _ in cc),
            own_text,  # as earlier versions read it: without the text of a forward
            *(f"{a.name}\t{a.content_type}\t{a.size}" for a in attachments),
        )
        text_key = _digest(*said)
        key, stored_key = _raw_key(message, data if whole else b"")
    return MailMessage(
        key=key,
        message_id=message_id,
        subject=subject,
        date=when,
        sender=sender,
        sender_name=senders[0][1] or None if senders else None,
        to=tuple(a for a, _ in to),
        cc=tuple(a for a, _ in cc),
        bcc=tuple(a for a, _ in bcc),
        body=body,
        attachments=attachments,
        in_reply_to=_message_id(_header(message, "in-reply-to")),
        references=tuple(
            ref for ref in (_message_id(r) for r in _header(message, "references").split()) if ref
        ),
        automated=_automated(message, sender),
        names=names,
        dated_by=dated_by,
        date_header=date_header,
        old_key=old_key,
        text_key=text_key,
        stored_key=stored_key,
        senders=tuple(dict.fromkeys(a for a, _ in senders)),
        reply_to=tuple(dict.fromkeys(a for a, _ in reply_to)),
    )


def _header_end(data: bytes) -> int:
    """Where the header of a message ends: after its first empty line (LF or CRLF), or
    after :data:`HEAD_MAX` bytes when it has none sooner (a file of one huge line)."""
    ends = [at + len(blank) for blank in (b"\n\n", b"\n\r\n") if (at := data.find(blank)) >= 0]
    return min((*ends, HEAD_MAX))


def _wire_size(data: bytes) -> int:
    """The size of a message as IMAP counts it (RFC822.SIZE): each line end a CRLF."""
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def _content(message: EmailMessage, depth: int = 0) -> tuple[str, tuple[Attachment, ...], str]:
    """The body's text (the message's own, then the messages it forwards: see
    :func:`_forwarded`), the attachments and the message's own text; none of either
    for parts nested too deep for the standard library to walk."""
    try:
        message = _split(message)
        body_part = _body_part(message)
        body = _body(body_part) if body_part is not None else ""
        if not body and body_part is not None and body_part.get_content_subtype() == "plain":
            html = _body_part(message, ("html",))  # a blank text part beside the HTML one
            if html is not None:
                body_part, body = html, _body(html)
        if body_part is None and (other := _other_text(message)) is not None:
            body_part, body = other, _body(other)
        attachments = tuple(_attachments(message, body_part))
        text = "\n\n".join(t for t in (body, _forwarded(message, depth)) if t)
        return text, attachments, body
    except RecursionError:
        return "", (), ""


def _other_text(part: EmailMessage) -> EmailMessage | None:
    """The first text part of another kind than plain or HTML (a calendar invitation
    sent as ``text/calendar`` alone, ``text/enriched``, ``text/markdown``) that is no
    attachment and not in a forwarded message: the text of a message that has neither."""
    if part.get_content_type() in _FORWARDED | STATUS_TYPES | _HEADERS:
        return None  # a forward, a returned message or its header, a delivery status
    payload = part.get_payload() if part.is_multipart() else None
    if isinstance(payload, list):
        for child in payload:
            if isinstance(child, EmailMessage) and (found := _other_text(child)) is not None:
                return found
        return None
    if part.get_content_maintype() != "text" or part.get_content_disposition() == "attachment":
        return None
    return None if part.get_filename() else part


FORWARDS_DEEP = 8  # forwards of forwards read, at most (a loop of them is hundreds deep)
FORWARD_LINE = "---------- Forwarded message ----------"
RETURNED_LINE = "---------- Returned message ----------"  # a bounce's copy
ORIGINAL_LINE = "---------- Original message ----------"  # another report's (a receipt's)
_HEADERS = frozenset({"text/rfc822-headers", "message/global-headers"})  # a copy's header
RETURNED_HEADER_MAX = 256 * 1024  # bytes of it read (each header asked for goes through
# all its lines: 500,000 lines took 3 s)
_FORWARD_HEADERS = ("From", "Date", "Subject", "To", "Cc")


def _forwarded(message: EmailMessage, depth: int) -> str:
    """The text of the messages a message forwards (it is a ``message/rfc822``, or
    holds one: forwarded as an attachment, beside a note or alone), as a mail client
    shows a forward: a line saying so, its From, Date, Subject, To and Cc lines, a
    blank line and its text (a forward's in turn, to :data:`FORWARDS_DEEP`). A
    delivery report's status is shown in words, and the message it returns (or the
    header of it) as a forward is, under a line saying it is returned."""
    if depth >= FORWARDS_DEEP:
        return ""
    texts, size = [], 0
    for label, inner in _forwards(message):
        if isinstance(inner, str):  # a delivery status, in words
            if not inner:
                continue
            texts.append(inner)
            size += len(inner)
            continue
        lines = [label]
        for name in _FORWARD_HEADERS:
            written = _raw(inner, "date") if name == "Date" else []  # as it came
            value = written[0] if written else _header(inner, name.lower())
            # what a terminal would act on dropped (the activity drops it; here, so that
            # a line of it alone is left out, and no spaces stay around it)
            value = " ".join(UNSAFE.sub(" ", ESCAPE_SEQUENCE.sub("", value)).split())
            if value:
                lines.append(f"{name}: {value}")
        text = _content(inner, depth + 1)[0]
        texts.append("\n".join(lines) + ("\n\n" + text if text else ""))
        size += len(texts[-1])
        if size > HTML_MAX:  # a digest of thousands: more than an activity keeps
            break
    return "\n\n".join(texts)


def _forwarded_message(part: EmailMessage) -> EmailMessage | None:
    """The message a ``message/rfc822`` part holds; one its sender encoded in base64 or
    quoted-printable (which RFC 2046 does not allow, some programs do) decoded first:
    the standard library reads the encoded lines as a message without a header."""
    inner = part.get_payload(0) if part.is_multipart() else None
    if not isinstance(inner, EmailMessage):
        return None
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding == "base64" and not inner.keys() and isinstance(inner.get_payload(), str):
        data = part_bytes_of_base64(str(inner.get_payload()).encode("ascii", "surrogateescape"))
    elif encoding == "quoted-printable":  # its header lines may be read, '=3D' and all
        import quopri

        try:
            data = quopri.decodestring(inner.as_bytes())
        except Exception:  # a part the standard library cannot write back
            return inner
    else:
        return inner
    message = BytesParser(policy=POLICY).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def _forwards(
    part: EmailMessage, label: str = FORWARD_LINE
) -> Iterator[tuple[str, EmailMessage | str]]:
    """The messages ``part`` forwards, each with the line it is shown under: itself a
    ``message/rfc822``'s, else those of its parts (not those a forwarded message
    forwards: they are its text's); in a delivery report, its status in words and the
    message it returns (or that message's header alone)."""
    kind = part.get_content_type()
    if label != FORWARD_LINE and kind in STATUS_TYPES:
        yield label, delivery_status(part)
        return
    if label != FORWARD_LINE and kind in _HEADERS:
        data = part_bytes(part)[:RETURNED_HEADER_MAX]
        header = BytesParser(policy=POLICY).parsebytes(data, headersonly=True)
        assert isinstance(header, EmailMessage)
        header.set_payload("")
        yield label, header
        return
    payload = part.get_payload() if part.is_multipart() else None
    if not isinstance(payload, list):
        return
    if kind in _FORWARDED:
        inner = _forwarded_message(part)
        if inner is not None:
            yield label, inner
        return
    if kind == "multipart/report":
        delivery = part.get_param("report-type") in ("delivery-status", "global-delivery-status")
        label = RETURNED_LINE if delivery else ORIGINAL_LINE
    for child in payload:
        if isinstance(child, EmailMessage):
            yield from _forwards(child, label)


_DELIMITER = re.compile(r"^--([^\s]{1,70})[ \t]*$", re.MULTILINE)


def _delimits(boundary: str, rest: str) -> bool:
    """Whether ``--boundary`` comes again in ``rest`` (another part, or the end): a
    line of text such as ``--Bob`` is no boundary."""
    again = re.compile(rf"^--{re.escape(boundary)}(?:--)?[ \t]*$", re.MULTILINE)
    return again.search(rest) is not None


def _split(message: EmailMessage) -> EmailMessage:
    """``message`` with each multipart the standard library could not split (no
    boundary parameter, or one its parts do not use: its content is left as one text),
    the message itself or one of its parts, read again (see :func:`_resplit`)."""
    if _unsplit(message):
        return _resplit(message)
    for part in list(message.walk()):
        parts = part.get_payload() if part.is_multipart() else None
        if isinstance(parts, list):
            for index, child in enumerate(parts):
                if isinstance(child, EmailMessage) and _unsplit(child):
                    parts[index] = _resplit(child)
    return message


def _unsplit(part: EmailMessage) -> bool:
    return part.get_content_maintype() == "multipart" and not part.is_multipart()


def _resplit(part: EmailMessage) -> EmailMessage:
    """A multipart's content read again: by the boundary its first delimiter line
    (``--X``) gives (when one comes again: ``--X--`` at the end, or another part), else
    as one plain text."""
    data = part.get_payload(decode=True)  # its bytes (8-bit ones as they came)
    if not isinstance(data, bytes):
        return part
    text = data.decode("ascii", "surrogateescape")
    found = _DELIMITER.search(text)
    if (
        found is not None
        and found.group(1) != part.get_boundary()
        and _delimits(found.group(1), text[found.end() :])
    ):
        head = (
            f'Content-Type: multipart/{part.get_content_subtype()}; boundary="{found.group(1)}"\n\n'
        )
    else:
        head = "Content-Type: text/plain\n\n"
    content = BytesParser(policy=POLICY).parsebytes(head.encode() + data)
    assert isinstance(content, EmailMessage)
    return content


def _raw(message: EmailMessage, name: str) -> list[str]:
    """A header's values as they came, undecoded: for one the modern policy cannot
    parse (its parser raises on some malformed values, ``Message-ID: <`` among them,
    again at every ``get``)."""
    return [readable(key, value) for key, value in message.raw_items() if key.lower() == name]


def _header(message: EmailMessage, name: str) -> str:
    """A header as decoded text ("" when missing or unreadable)."""
    try:
        value = message.get(name)
    except Exception:  # a header the modern policy cannot parse: its raw text
        raw = _raw(message, name)
        value = raw[0] if raw else None
    if value is None:
        return ""
    return str(value).replace("\r", "").replace("\n", " ").replace("\x00", "")


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(lowercased address, display name) of every mailbox in a header, but one
    decoded from an encoded word (see :func:`~tinycrm.mail.headers.written_addresses`).
    A comment after an address without a display name is its name (see
    :func:`_commented`). A header given many times is read as one long one is: up to
    ADDRESSES_MAX characters of its values (40,000 To lines took 10 s and 460 MB)."""
    found: list[tuple[str, str]] = []
    raws = _raw(message, name)
    kept, size = 0, 0  # the values read: as many as one header holds (ADDRESSES_MAX)
    while kept < len(raws) and (kept == 0 or size + len(raws[kept]) <= ADDRESSES_MAX):
        size += len(raws[kept])
        kept += 1
    raws = raws[:kept]
    try:
        values: list[Any] = [
            message.policy.header_fetch_parse(key, value)
            for key, value in itertools.islice(
                ((k, v) for k, v in message.raw_items() if k.lower() == name), kept
            )
        ]
    except Exception:  # the modern policy cannot parse one: the classic parser reads all
        values = raws
    for index, value in enumerate(values):
        written = written_addresses(raws[index]) if index < len(raws) else None
        try:
            mailboxes = [(a.addr_spec, a.display_name) for a in value.addresses]
            if any("@" not in addr for addr, _ in mailboxes) and index < len(raws):
                # one it read without a domain: a phrase it could not read ('raw[31m'
                # left of an escape sequence) took the address with it
                raise ValueError
        except Exception:  # the registry could not read it: the classic parser can
            text = raws[index] if index < len(raws) else str(value)
            try:
                mailboxes = [(addr, display) for display, addr in getaddresses([text])]
            except RecursionError:  # groups in groups thousands deep (':::…'): none read
                mailboxes = []
        if index < len(raws) and "(" in raws[index] and not all(d for _, d in mailboxes):
            mailboxes = _commented(mailboxes, raws[index])
        for address, display in mailboxes:
            # no address holds a control or a bidi override: a NUL (which PostgreSQL
            # refuses) or an escape sequence after it is junk around the address
            clean = "".join(c for c in address if c.isprintable()).strip().strip("<>").lower()
            if written is not None and clean.replace('"', "") not in written:
                continue  # decoded from an encoded word, which no address may be
            clean = clean.removesuffix(".")  # a domain's final dot: the same domain
            if "@" in clean and " " not in clean:
                found.append((clean, " ".join(eight_bit(str(display)).split())))
    return found


def _commented(mailboxes: list[tuple[str, str]], raw: str) -> list[tuple[str, str]]:
    """``mailboxes`` with the comment after an address without a display name as its
    name: ``ann@acme.example (Ann Lee)``, the older way of naming one (the classic
    parser reads it so; the modern one leaves it out). An encoded one is passed over."""
    comments = {
        address.lower(): name
        for name, address in getaddresses([raw])
        if name and "=?" not in name and address
    }
    return [(a, d or comments.get(a.lower(), "")) for a, d in mailboxes]


# the year after a month's name ("01 Dec 2026"), when it has three digits or more
_YEAR = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{3,})\b"
)


def _date(text: str, *, written: str = "") -> datetime | None:
    """The date of an RFC 5322 date; None when it has none. ``written``: the header as it
    came, when ``text`` is the email package's rendering of it (its year made four digits)."""
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    year = _YEAR.search(written or text)
    if year is not None and len(year[1]) >= 4 and int(year[1]) < 1000:
        return None  # the year 0001 (read as 2001 by two-digit years' rule): no date
    if year is not None and len(year[1]) == 3 and when.year == int(year[1]):
        try:  # RFC 5322's obsolete three-digit year: 126 is 2026
            when = when.replace(year=int(year[1]) + 1900)
        except ValueError:  # 29 February of a year that has none
            return None
    if when.tzinfo is None:  # RFC 5322's -0000: "no information": taken as UTC
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _dated(
    message: EmailMessage, date: datetime | None, received: datetime | None
) -> tuple[datetime | None, DatedBy | None]:
    """The message's date and where it comes from: its Date header, else ``received``
    (the server's INTERNALDATE), else its mbox ``From `` line's, else the newest
    Received header that gives one (the topmost: each server adds its own above the
    others'). None of these is believed ahead of now, and the Date not after when the
    message was received (see :func:`_possible`): a message cannot have been sent
    after it arrived."""
    from tinycrm.clock import utcnow

    now = utcnow()
    server: tuple[datetime, DatedBy] | None = None
    if received is not None:
        aware = received if received.tzinfo is not None else received.replace(tzinfo=UTC)
        with suppress(OverflowError, ValueError):
            when = aware.astimezone(UTC)
            server = (when, "INTERNALDATE") if _possible(when, now) else None
    if server is None:
        stored = _from_line_date(message.get_unixfrom() or "")
        server = (stored, "From line") if stored is not None else None
    if server is None:
        server = _newest_received(message, now)
    if date is not None and _possible(date, server[0] if server is not None else now):
        return date, "Date"
    return server if server is not None else (None, None)


RECEIVED_MAX = 50  # Received headers looked at (a loop of servers adds hundreds)

# the date on an mbox From_ line: asctime (``Tue Jan  2 10:00:00 2024``), with a zone
# before or after the year (Gmail's export: ``Tue Jan 02 10:00:00 +0000 2024``)
_ASCTIME = re.compile(
    r"\b[A-Za-z]{3},?\s+(?P<month>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?:(?P<zone>[+-]\d{4})\s+)?(?P<year>\d{4})"
    r"(?:\s+(?P<zone2>[+-]\d{4}))?\b"
)


def _from_line_date(line: str) -> datetime | None:
    """The date on an mbox ``From sender date`` line (UTC unless it names a zone, as
    mail programs write it), or None: no line, no date on it, or one the message cannot
    have been stored on (before 1971, or ahead of now)."""
    from tinycrm.clock import utcnow

    text = " ".join(line.split()[2:])  # "From", the sender, then the date
    if not text:
        return None
    found = _ASCTIME.search(text)
    if found is not None:
        zone = found["zone"] or found["zone2"] or "+0000"
        text = f"{found['day']} {found['month']} {found['year']} {found['time']} {zone}"
    when = _date(text)  # else an RFC 5322 date, as some programs write
    if when is None or not _possible(when, utcnow()):
        return None
    return when


def _newest_received(message: EmailMessage, now: datetime) -> tuple[datetime, DatedBy] | None:
    """The date of the topmost Received header that gives one it can have been
    received on (not ahead of ``now``: a relay's broken clock, a spammer's header)."""
    for value in _raw(message, "received")[:RECEIVED_MAX]:
        _head, semicolon, stamp = " ".join(value.split()).rpartition(";")
        when = _date(stamp.strip()) if semicolon else None
        if when is not None and _possible(when, now):
            return when, "Received"
    return None


EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)  # no mail was sent before (1970: a clock at 0)
SLACK = timedelta(minutes=5)  # how far one clock may run ahead of another's: what a
# typed activity may be ahead of now (the store's FUTURE_SLACK)


def _possible(date: datetime, received: datetime) -> bool:
    """Whether a message received at ``received`` (or now) can have been sent on
    ``date``: not before 1971, not after it was received. A spammer's date in 2100, or a
    broken client's hours ahead, would keep it on top of a timeline until then."""
    return EARLIEST <= date <= received + SLACK


def _message_id(text: str) -> str | None:
    """The id inside ``<…>`` (or a bare one); None for one that is not an id (an
    unclosed ``<``, spaces): many messages would share such a key."""
    clean = text.strip()
    if clean.startswith("<"):
        if ">" not in clean:
            return None
        clean = clean[1 : clean.index(">")]
    clean = clean.strip()
    return clean or None if " " not in clean else None


def _id_key(message_id: str) -> str:
    """The key of a message with this Message-ID: the id itself, or a hash of one too
    long for a database index (PostgreSQL's rows hold 2,704 bytes; RFC 5322 sets no
    limit below a header line's 998 characters) or holding a character no id may (a
    control or a format character such as a bidi override, which exports would carry
    to a terminal)."""
    if len(message_id) <= KEY_MAX and message_id.isprintable():
        return message_id
    return f"sha256:{hashlib.sha256(message_id.encode()).hexdigest()[:32]}"


def _hash_key(sender: str | None, date: datetime | None, subject: str, raw_date: str) -> str:
    stamp = date.isoformat() if date is not None else raw_date
    return _digest(sender or "", stamp, subject)


RAW_KEY = "raw-sha256:"  # the key of a message without Message-ID (see _raw_key)
_KEY_HEADERS = ("from", "to", "cc", "date", "subject")


def _raw_key(message: EmailMessage, data: bytes) -> tuple[str, str | None]:
    """The key of a message without Message-ID: a hash of its From, To, Cc, Date and
    Subject header lines as they came (their spaces and line folds made one space) and
    of its text as it came (LF line ends, no spaces at their ends, no blank lines at its
    end; ``data`` is the whole message, or b"" for its header alone), so that no change
    in how the message is read changes it. Its NUL bytes are hashed as 0x80 and a bare
    CR as a line end, as Dovecot gives them over IMAP, so that a file and IMAP give one
    key; the key earlier versions gave such a message, of it as stored, comes second
    (None for one without NULs or bare CRs, which both give alike)."""
    values = [
        " ".join(" ".join(str(value).split()) for value in _raw_values(message, name))
        for name in _KEY_HEADERS
    ]
    ends = [at + len(blank) for blank in (b"\n\n", b"\n\r\n") if (at := data.find(blank)) >= 0]
    lines_of_text = data[min(ends) :].split(b"\n") if ends else []
    text = b"\n".join([line.rstrip(b" \t\r") for line in lines_of_text])  # a regex: 2x slower
    stored = _raw_hash(values, text)
    if b"\r" not in text and b"\0" not in text and not any("\0" in v for v in values):
        return stored, None
    served = [v.replace("\0", "\udc80") for v in values]  # 0x80, as the parser keeps it
    lines_of_text = text.replace(b"\0", b"\x80").replace(b"\r", b"\n").split(b"\n")
    return _raw_hash(served, b"\n".join([line.rstrip(b" \t\r") for line in lines_of_text])), stored


def _raw_hash(values: list[str], text: bytes) -> str:
    lines = [f"{name}: {value}" for name, value in zip(_KEY_HEADERS, values, strict=True)]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass"))
    digest.update(b"\n\n" + text.rstrip(b"\n"))
    return f"{RAW_KEY}{digest.hexdigest()[:32]}"


def _raw_values(message: EmailMessage, name: str) -> list[str]:
    return [value for key, value in message.raw_items() if key.lower() == name]


def _digest(*parts: str) -> str:
    """A key made of ``parts``: "sha256:" and 32 hex digits."""
    joined = "\n".join(parts).encode("utf-8", "surrogatepass")
    return f"sha256:{hashlib.sha256(joined).hexdigest()[:32]}"


def _body_part(
    message: EmailMessage, preference: tuple[str, ...] = ("plain", "html")
) -> EmailMessage | None:
    try:
        part = message.get_body(preferencelist=preference)
    except Exception:
        return None
    return part if isinstance(part, EmailMessage) else None


HTML_MAX = 1_000_000  # characters of an HTML body made into text (~1 s; the activity
# keeps 100,000 characters of text, and 20 MB of HTML took 28 s)


def _body(part: EmailMessage) -> str:
    text = part_text(part)
    if part.get_content_subtype() == "html":
        if len(text) > HTML_MAX:
            return html_to_text(text[:HTML_MAX]) + "\n[…]"
        return html_to_text(text)
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


_FORWARDED = frozenset({"message/rfc822", "message/global"})  # a message in a message


def _sizes(parts: list[EmailMessage]) -> dict[int, int]:
    """The decoded size of each of ``parts`` (a message's walk, parents first) by its
    ``id``: a part's content, a multipart's or an attached message's the sum of its
    parts', each part decoded once (a message forwarded in a message, hundreds deep, is
    not read again at every level)."""
    sizes: dict[int, int] = {}
    for part in reversed(parts):  # children before their parents
        size = 0
        if part.is_multipart():
            inner = part.get_payload()
            size = sum(sizes.get(id(p), 0) for p in inner) if isinstance(inner, list) else 0
        else:
            with suppress(Exception):  # a body in a charset no codec reads: no size
                payload = part.get_payload(decode=True)
                size = len(payload) if isinstance(payload, bytes) else 0
        sizes[id(part)] = size
    return sizes


def _attachments(message: EmailMessage, body: EmailMessage | None) -> list[Attachment]:
    """The attachments: every part but the body and the parts of the message's text,
    and a message attached (forwarded as an attachment, named by its file name, else
    its subject) with, after it, the attachments it holds."""
    found = []
    parts = list(message.walk())
    sizes = _sizes(parts)
    for part in parts:
        name: str | None
        if part is not message and part.get_content_type() in _FORWARDED:
            inner = _forwarded_message(part)
            subject = _header(inner, "subject") if isinstance(inner, EmailMessage) else ""
            name = part.get_filename() or subject or "(forwarded message)"
        elif part is body or part.is_multipart():
            continue
        else:
            name = part.get_filename()
            disposition = part.get_content_disposition()
            if disposition != "attachment" and name is None and part is not message:
                continue  # an alternative body or an inline part of the message itself
        found.append(
            Attachment(
                name=" ".join(str(name or "(unnamed)").split()),
                content_type=part.get_content_type(),
                size=sizes[id(part)],
            )
        )
    return found


_DAEMONS = ("mailer-daemon@", "postmaster@")


def _automated(message: EmailMessage, sender: str | None) -> str | None:
    """Why a message is list or machine mail (None for a person's mail)."""
    if _header(message, "list-id") or _header(message, "list-unsubscribe"):
        return "mailing list"
    auto = _header(message, "auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"auto-submitted ({auto.split(';')[0]})"
    precedence = _header(message, "precedence").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"precedence {precedence}"
    if message.get_content_type() == "multipart/report" or (
        sender is not None and sender.startswith(_DAEMONS)
    ):
        return "delivery report"
    return None
