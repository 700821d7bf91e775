"""The text of a logged mail's activity (:mod:`tinycrm.store.mail_log`): its subject
cut to what the store takes, and its body, the message's From, To, Cc, Bcc, Reply-To,
a Date not believed and its attachments above its plain text, every line of it safe to
show on a terminal (escape sequences dropped whole, other controls made spaces)."""

from __future__ import annotations

from datetime import UTC, datetime

from tinycrm import safetext
from tinycrm.mail.dating import header_date
from tinycrm.mail.headers import ESCAPE_SEQUENCE
from tinycrm.mail.message import MailMessage

__all__ = [
    "BODY_MAX",
    "SUBJECT_MAX",
    "clean",
    "dated_by_its_date",
    "is_mail_body",
    "mail_body",
    "same_mail_text",
    "sent_on",
    "subject",
]

SUBJECT_MAX = 300  # characters of a subject or a name: what the store takes (validate.name)
BODY_MAX = 100_000  # characters of a message's text kept in the activity
ATTACHMENTS_SHOWN = 100  # attachments listed one a line; the rest are counted
# Unicode's line and paragraph separators: line breaks in a mail's text, as a mail
# program shows them (the store refuses them raw, as a terminal may act on them)
_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n"})
_HEAD_LINES = ("From: ", "To: ", "Cc: ", "Bcc: ", "Reply-To: ", "Subject: ", "Date: ", "Attachment")


def dated_by_its_date(body: str | None) -> bool:
    """Whether a logged mail's activity was dated by the message's Date header: its
    header lines (above the first blank line) hold no ``Date:`` note (see
    :func:`mail_body`); one edited since, without them, cannot be told."""
    head = (body or "").split("\n\n", 1)[0].split("\n")
    return head[0].startswith(_HEAD_LINES) and not any(line.startswith("Date: ") for line in head)


_NOT_BELIEVED = " (not a date it can have been sent on; "


def sent_on(occurred_at: datetime | None, body: str | None) -> datetime | None:
    """The Date of the message a logged mail's activity holds, believed or not: when it
    happened, when it was dated by it, else the date of the Date line its body keeps
    (see :func:`mail_body`); None without one (no Date, one edited since)."""
    if dated_by_its_date(body):
        if occurred_at is None:
            return None
        return occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    if not is_mail_body(body):
        return None
    for line in (body or "").split("\n\n", 1)[0].split("\n"):
        if line.startswith("Date: ") and _NOT_BELIEVED in line:
            return header_date(line.removeprefix("Date: ").rpartition(_NOT_BELIEVED)[0])
    return None


def is_mail_body(body: str | None) -> bool:
    """Whether an activity's body is a logged mail's as :func:`mail_body` wrote it (its
    first line a From, To… line), not one a user wrote over."""
    return (body or "").startswith(_HEAD_LINES)


def same_mail_text(body: str | None, other: str) -> bool:
    """Whether two logged mails' bodies are alike but for their ``Date:`` lines (which
    say how each copy of a message without a Date was dated: when received, when logged)."""

    def undated(text: str) -> tuple[list[str], str]:
        head, _blank, rest = text.partition("\n\n")
        return [line for line in head.split("\n") if not line.startswith("Date: ")], rest

    return undated(body or "") == undated(other)


def clean(text: str, limit: int) -> str:
    """One line of text safe to store: escape sequences dropped whole, other controls
    and bidi overrides made spaces."""
    return " ".join(safetext.UNSAFE.sub(" ", ESCAPE_SEQUENCE.sub("", text)).split())[:limit]


def subject(text: str) -> str:
    """A subject as the activity's: one line, cut with "…" at :data:`SUBJECT_MAX`
    characters (:func:`mail_body` keeps a longer one whole)."""
    line = clean(text, SUBJECT_MAX + 1)
    return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1] + "…"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def mail_body(message: MailMessage) -> str:
    """The activity's body: From, To, Cc, Bcc (a subject too long for the activity's) and
    attachments above the message's text."""

    def who(address: str) -> str:
        name = clean(message.names.get(address, ""), SUBJECT_MAX)
        if any(c in name for c in ',;:<>@()[]"\\'):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{address}>" if name else address

    lines = []
    if message.authors():
        lines.append(f"From: {', '.join(who(a) for a in message.authors())}")
    if message.to:
        lines.append(f"To: {', '.join(who(a) for a in message.to)}")
    if message.cc:
        lines.append(f"Cc: {', '.join(who(a) for a in message.cc)}")
    if message.bcc:
        lines.append(f"Bcc: {', '.join(who(a) for a in message.bcc)}")
    if set(message.reply_to) - set(message.authors()):
        lines.append(f"Reply-To: {', '.join(who(a) for a in message.reply_to)}")
    for bounce in message.bounced[:ATTACHMENTS_SHOWN]:  # a bounce: for whom, what became
        said = "; ".join(clean(s, SUBJECT_MAX) for s in (bounce.action, bounce.status) if s)
        lines.append(f"Bounced: {bounce.addresses[0]}" + (f" ({said})" if said else ""))
    whole = clean(message.subject, BODY_MAX)
    if len(whole) > SUBJECT_MAX:  # the activity's subject is cut: here it is whole
        lines.append(f"Subject: {whole}")
    if message.dated_by != "Date" and message.date_header:  # kept, though not believed
        dated = "dated when logged" if message.date is None else "dated when it was received"
        lines.append(f"Date: {clean(message.date_header, SUBJECT_MAX)}{_NOT_BELIEVED}{dated})")
    elif message.date is None:
        lines.append("Date: none on the message; dated when logged")
    for attachment in message.attachments[:ATTACHMENTS_SHOWN]:
        lines.append(
            f"Attachment: {clean(attachment.name, SUBJECT_MAX)} "
            f"({clean(attachment.content_type, 100)}, {_size(attachment.size)})"
        )
    if len(message.attachments) > ATTACHMENTS_SHOWN:
        rest = message.attachments[ATTACHMENTS_SHOWN:]
        lines.append(f"Attachments: {len(rest)} more ({_size(sum(a.size for a in rest))})")
    # cut before it is cleaned (40 MB of text took 7 s), with room for what cleaning drops
    text = message.body[: 2 * BODY_MAX + 1].replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_SEPARATORS)
    text = safetext.UNSAFE_MULTILINE.sub("", ESCAPE_SEQUENCE.sub("", text))  # the store refuses
    if len(text) > BODY_MAX or len(message.body) > 2 * BODY_MAX:
        text = text[:BODY_MAX] + "\n[…]"
    return "\n".join(lines) + ("\n\n" + text if text.strip() else "")
