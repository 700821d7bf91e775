"""What a message says, as :mod:`tinycrm.mail.message` reads it: the text of its body
(the plain-text part, else the HTML part as text, else another text part), the messages
it forwards and a delivery report's status and returned message, shown as a mail client
shows them, and its attachments (name, type and size)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

from tinycrm.mail.fields import header_mailboxes, header_text, raw_header
from tinycrm.mail.headers import ESCAPE_SEQUENCE, POLICY
from tinycrm.mail.html_text import html_to_text
from tinycrm.mail.keys import message_id_of
from tinycrm.mail.part_text import base64_bytes as part_bytes_of_base64
from tinycrm.mail.part_text import part_bytes, part_text
from tinycrm.mail.reports import NOT_BOUNCED, STATUS_TYPES, Bounce, bounces, delivery_status
from tinycrm.safetext import UNSAFE

__all__ = [
    "FORWARD_LINE",
    "HTML_MAX",
    "ORIGINAL_LINE",
    "RETURNED_HEADER_MAX",
    "RETURNED_LINE",
    "Attachment",
    "read_bounces",
    "read_content",
]


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int  # bytes, decoded


def read_content(message: EmailMessage, depth: int = 0) -> tuple[str, tuple[Attachment, ...], str]:
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


DELIVERY_REPORTS = ("delivery-status", "global-delivery-status")  # report-type of a bounce


def read_bounces(message: EmailMessage) -> tuple[Bounce, ...]:
    """Whom a delivery report (``multipart/report; report-type=delivery-status``: the
    message, or one of its parts) says mail was not delivered to: the recipients of its
    status not delivered to (:func:`~tinycrm.mail.reports.bounces`; a status naming
    none, a report of delivery: no one), else each address of the To of the
    message it returns (or of that message's header); none for any other message."""
    try:
        parts = message.get_payload() if message.is_multipart() else None
        for report in (message, *(parts if isinstance(parts, list) else ())):
            if not isinstance(report, EmailMessage) or not _delivery_report(report):
                continue
            children = [p for p in report.get_payload() if isinstance(p, EmailMessage)]
            found = [b for p in children if p.get_content_type() in STATUS_TYPES
                     for b in bounces(p)]  # fmt: skip
            for child in children if not found else ():
                returned = _returned(child)
                if returned is not None:
                    found = [Bounce((a,)) for a, _ in header_mailboxes(returned, "to")]
                    break
            return tuple(b for b in found if b.action not in NOT_BOUNCED)
    except (RecursionError, TypeError, ValueError):
        return ()
    return ()


def returned_id(message: EmailMessage) -> str | None:
    """The Message-ID of the message a delivery report returns (its copy, or that
    copy's header); None for a report without one, or another message."""
    try:
        parts = message.get_payload() if message.is_multipart() else None
        for report in (message, *(parts if isinstance(parts, list) else ())):
            if not isinstance(report, EmailMessage) or not _delivery_report(report):
                continue
            for child in report.get_payload():
                if isinstance(child, EmailMessage) and (copy := _returned(child)) is not None:
                    return message_id_of(header_text(copy, "message-id"))
            return None
    except (RecursionError, TypeError, ValueError):
        return None
    return None


def _delivery_report(part: EmailMessage) -> bool:
    return (
        part.get_content_type() == "multipart/report"
        and part.is_multipart()
        and str(part.get_param("report-type", "")).lower() in DELIVERY_REPORTS
    )


def _returned(part: EmailMessage) -> EmailMessage | None:
    """The message a report's part returns (or its header alone); None for another part."""
    if part.get_content_type() in _FORWARDED:
        return _forwarded_message(part)
    if part.get_content_type() in _HEADERS:
        data = part_bytes(part)[:RETURNED_HEADER_MAX]
        header = BytesParser(policy=POLICY).parsebytes(data, headersonly=True)
        return header if isinstance(header, EmailMessage) else None
    return None


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
            written = raw_header(inner, "date") if name == "Date" else []  # as it came
            value = written[0] if written else header_text(inner, name.lower())
            # what a terminal would act on dropped (the activity drops it; here, so that
            # a line of it alone is left out, and no spaces stay around it)
            value = " ".join(UNSAFE.sub(" ", ESCAPE_SEQUENCE.sub("", value)).split())
            if value:
                lines.append(f"{name}: {value}")
        text = read_content(inner, depth + 1)[0]
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
            subject = header_text(inner, "subject") if isinstance(inner, EmailMessage) else ""
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
