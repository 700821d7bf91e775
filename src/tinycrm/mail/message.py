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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Literal

from tinycrm.mail.content import Attachment, read_bounces, read_content, returned_id
from tinycrm.mail.dating import DatedBy, dated, header_date
from tinycrm.mail.fields import header_mailboxes, header_text, raw_header
from tinycrm.mail.headers import POLICY
from tinycrm.mail.keys import KEY_MAX, digest, hash_key, id_key, message_id_of, raw_key
from tinycrm.mail.reports import Bounce

__all__ = ["KEY_MAX", "Attachment", "Bounce", "DatedBy", "MailMessage", "parse_message"]

Direction = Literal["in", "out"]

MAX_MESSAGE = 50 * 1024 * 1024
"""Bytes of a message (with CRLF line ends, as IMAP's RFC822.SIZE counts them) above
which only its header is read: ``mail sync`` fetches no more of it, and a Maildir's or
an mbox's is read the same way, so that it has one key and one activity from either."""
HEAD_MAX = 1024 * 1024  # bytes of the header of a message over MAX_MESSAGE read at most


@dataclass(frozen=True, slots=True)
class MailMessage:
    """What tinycrm keeps of a message. Addresses are lowercased; ``date`` is aware UTC.
    ``sender`` is From's first address; ``senders`` all of them (RFC 5322 lets From name
    several authors); ``reply_to`` the Reply-To addresses."""

    key: str  # the Message-ID without <>, or "raw-sha256:…" of the message as it came
    # (see the module's docstring), or "sha256:…" of a Message-ID over KEY_MAX characters,
    # or of its Message-ID and the message as it came when it has no Date
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
    # the Date header's date, believed or not (``date`` is not one ahead of when it was
    # received): what tells two messages of one Message-ID apart, as it came
    sent_on: datetime | None = None
    # without a Message-ID: the keys earlier versions gave it (None with a Message-ID):
    # a hash of what this parser reads of it (sender, date, subject, To, Cc, text and
    # attachments; another parser read some messages otherwise), and before that a hash
    # of its sender, date and subject only (which two messages could share)
    old_key: str | None = None
    text_key: str | None = None
    # without a Message-ID, holding a NUL or a bare CR: its key of it as stored (which
    # Dovecot gives otherwise), which earlier versions gave it (see keys.raw_key)
    stored_key: str | None = None
    senders: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    # with a Message-ID and no Date: the key of its Message-ID alone, which earlier
    # versions logged it under and another message (a list's re-sending) may have
    shared_key: str | None = None
    # a bounce (a delivery report): the recipients it says mail was not delivered to
    bounced: tuple[Bounce, ...] = ()
    returned_id: str | None = None  # a bounce: the Message-ID of the message it returns

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
    subject = " ".join(header_text(message, "subject").split())
    date_header = " ".join(header_text(message, "date").split())
    written = raw_header(message, "date")  # as it came: the policy makes its text anew (0001: 2001)
    date = header_date(date_header, written=written[0] if written else "")
    if written and date is None:  # kept in the activity, as it came
        date_header = " ".join(written[0].replace("\x00", "").split()) or date_header
    when, dated_by = dated(message, date, received)
    senders = header_mailboxes(message, "from")
    sender = senders[0][0] if senders else None
    to, cc, bcc, reply_to = (header_mailboxes(message, n) for n in ("to", "cc", "bcc", "reply-to"))
    names = {a: n for a, n in (*reply_to, *senders, *to, *cc, *bcc) if n}
    message_id = message_id_of(header_text(message, "message-id"))
    key = id_key(message_id) if message_id else None
    body, attachments, own_text = read_content(message) if whole else ("", (), "")
    old_key = text_key = stored_key = shared_key = None
    if key is not None and date is None:  # one Message-ID, no Date: by what it says too
        shared_key, key = key, digest(key, raw_key(message, data if whole else b"")[0])
    if key is None:
        old_key = hash_key(sender, date, subject, header_text(message, "date"))
        said = (
            old_key,
            ",".join(a for a, _ in to),
            ",".join(a for a, _ in cc),
            own_text,  # as earlier versions read it: without the text of a forward
            *(f"{a.name}\t{a.content_type}\t{a.size}" for a in attachments),
        )
        text_key = digest(*said)
        key, stored_key = raw_key(message, data if whole else b"")
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
        in_reply_to=message_id_of(header_text(message, "in-reply-to")),
        references=tuple(
            ref
            for ref in (message_id_of(r) for r in header_text(message, "references").split())
            if ref
        ),
        automated=_automated(message, sender),
        names=names,
        dated_by=dated_by,
        date_header=date_header,
        sent_on=date,
        old_key=old_key,
        text_key=text_key,
        stored_key=stored_key,
        shared_key=shared_key,
        bounced=read_bounces(message) if whole else (),
        returned_id=returned_id(message) if whole else None,
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


_DAEMONS = ("mailer-daemon@", "postmaster@")


def _automated(message: EmailMessage, sender: str | None) -> str | None:
    """Why a message is list or machine mail (None for a person's mail)."""
    if header_text(message, "list-id") or header_text(message, "list-unsubscribe"):
        return "mailing list"
    auto = header_text(message, "auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"auto-submitted ({auto.split(';')[0]})"
    precedence = header_text(message, "precedence").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"precedence {precedence}"
    if message.get_content_type() == "multipart/report" or (
        sender is not None and sender.startswith(_DAEMONS)
    ):
        return "delivery report"
    return None
