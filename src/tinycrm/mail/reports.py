"""A delivery report's status (``message/delivery-status``, RFC 3464) in words, as
:mod:`tinycrm.mail.message` shows a bounce: who the message was for, what became of it
(``failed``, ``delayed``…), its status code with what it means (RFC 3463), the
receiving server's answer and which server that was."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

from tinycrm.mail.headers import ESCAPE_SEQUENCE, eight_bit
from tinycrm.safetext import UNSAFE

__all__ = ["NOT_BOUNCED", "STATUS_LINE", "STATUS_TYPES", "Bounce", "bounces", "delivery_status"]

STATUS_LINE = "---------- Delivery status ----------"
STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
RECIPIENTS_SHOWN = 100  # recipients' blocks shown, at most
VALUE_MAX = 1000  # characters of one field shown, at most

# field -> its name in words; the order they are shown in
_MESSAGE_FIELDS = {"reporting-mta": "Reported by"}
_RECIPIENT_FIELDS = {
    "final-recipient": "Recipient",
    "action": "Action",
    "status": "Status",
    "remote-mta": "Remote server",
    "diagnostic-code": "Diagnostic",
    "last-attempt-date": "Last attempt",
    "will-retry-until": "Retrying until",
}
_CLASSES = {"2": "delivered", "4": "temporary failure", "5": "permanent failure"}
_DETAILS = {  # RFC 3463's subject and detail codes a server most often gives
    "1.1": "bad destination mailbox address",
    "1.2": "bad destination system address",
    "1.3": "bad destination mailbox address syntax",
    "1.6": "destination mailbox has moved",
    "1.10": "recipient address has a null MX",
    "2.1": "mailbox disabled, not accepting messages",
    "2.2": "mailbox full",
    "2.3": "message length exceeds administrative limit",
    "3.4": "message too big for system",
    "4.1": "no answer from host",
    "4.2": "bad connection",
    "4.4": "unable to route",
    "4.7": "delivery time expired",
    "5.3": "too many recipients",
    "7.1": "delivery not authorized, message refused",
    "7.26": "multiple authentication checks failed",
}


def delivery_status(part: Message) -> str:
    """The status of a ``message/delivery-status`` part in words: a line saying so,
    the reporting server, then a block for each recipient (a blank line between); ""
    when it gives none of these (one encoded in base64, which RFC 3464 does not allow)."""
    blocks = [_fields(block) for block in _blocks(part)]
    lines = [STATUS_LINE]
    if blocks:
        lines += _shown(blocks[0], _MESSAGE_FIELDS)
    for block in blocks[1 : 1 + RECIPIENTS_SHOWN]:
        shown = _shown(block, _RECIPIENT_FIELDS)
        if shown:
            lines += ["", *shown]
    if len(blocks) > 1 + RECIPIENTS_SHOWN:
        lines += ["", f"({len(blocks) - 1 - RECIPIENTS_SHOWN} more recipients)"]
    return "\n".join(lines) if len(lines) > 1 else ""


@dataclass(frozen=True, slots=True)
class Bounce:
    """One recipient of a delivery report: the addresses the message was for (its
    Final-Recipient, then its Original-Recipient when that is another; lowercased),
    what became of it (``failed``, ``delayed``; "" when not said) and its status code
    in words ("" when not given)."""

    addresses: tuple[str, ...]
    action: str = ""
    status: str = ""


NOT_BOUNCED = frozenset({"delivered", "relayed", "expanded"})  # a success report's actions


def bounces(part: Message) -> list[Bounce]:
    """The recipients of a ``message/delivery-status`` part, up to
    :data:`RECIPIENTS_SHOWN`; those naming no address left out (those delivered to
    too: see :data:`NOT_BOUNCED`)."""
    found = []  # the first block is the message's (Reporting-MTA): one naming a
    # recipient is a recipient's, its sender having left out the message's block
    for block in _blocks(part)[: 1 + RECIPIENTS_SHOWN]:
        fields = _fields(block)
        action = fields.get("action", "").split(" ")[0].lower()
        named = (_address(fields.get(f, "")) for f in ("final-recipient", "original-recipient"))
        addresses = tuple(dict.fromkeys(a for a in named if a))
        if addresses:
            found.append(Bounce(addresses, action, _status(fields.get("status", ""))))
    return found


def _address(value: str) -> str:
    """The address of a recipient field (``rfc822; <Ann@X.example>``): lowercased; ""
    for one that is no address."""
    kind, semicolon, rest = value.partition(";")
    address = (rest if semicolon else kind).strip().strip("<>").strip().lower()
    return address if "@" in address and not any(c.isspace() for c in address) else ""


def _blocks(part: Message) -> list[Message]:
    """The field blocks of a status part: the standard library's, else its text's
    (one it did not split: encoded, or of a type it does not know)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    data = part.get_payload(decode=True)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(payload)
    text = text.replace("\r\n", "\n")
    return [HeaderParser().parsestr(block.strip("\n") + "\n") for block in text.split("\n\n")]


def _fields(block: Message) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in block.raw_items():
        # raw 8-bit bytes (a server's answer in UTF-8, RFC 6533) read as text, as a
        # header's are: kept as lone surrogates, no database stores them
        text = UNSAFE.sub(" ", ESCAPE_SEQUENCE.sub("", eight_bit(str(value))))  # as a forward's
        fields.setdefault(name.lower(), " ".join(text.split())[:VALUE_MAX])
    if "final-recipient" not in fields and "original-recipient" in fields:
        fields["final-recipient"] = fields["original-recipient"]
    return fields


def _shown(fields: dict[str, str], names: dict[str, str]) -> list[str]:
    lines = []
    for field, name in names.items():
        value = fields.get(field, "")
        if field in ("final-recipient", "remote-mta", "reporting-mta", "diagnostic-code"):
            kind, semicolon, rest = value.partition(";")  # "rfc822; ann@x": its type
            value = rest.strip() if semicolon and " " not in kind.strip() else value
        if field == "status":
            value = _status(value)
        if value:
            lines.append(f"{name}: {value}")
    return lines


def _status(code: str) -> str:
    """A status code with what it means: ``5.1.1 (permanent failure: bad destination
    mailbox address)``; one it does not know as it came."""
    first = code.split()[0] if code.split() else ""
    kind, _dot, detail = first.partition(".")
    meaning = _CLASSES.get(kind)
    if meaning is None:
        return code
    said = _DETAILS.get(detail)  # X.0.0, "other or undefined status", says nothing more
    return f"{code} ({meaning}: {said})" if said else f"{code} ({meaning})"
