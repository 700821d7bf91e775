"""A message's header fields as :mod:`tinycrm.mail.message` reads them: a header's
values as they came, as decoded text, and as the mailboxes (address and display name)
an address header names."""

from __future__ import annotations

import itertools
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from tinycrm.mail.headers import ADDRESSES_MAX, eight_bit, readable, written_addresses

__all__ = ["header_mailboxes", "header_text", "raw_header"]


def raw_header(message: EmailMessage, name: str) -> list[str]:
    """A header's values as they came, undecoded: for one the modern policy cannot
    parse (its parser raises on some malformed values, ``Message-ID: <`` among them,
    again at every ``get``)."""
    return [readable(key, value) for key, value in message.raw_items() if key.lower() == name]


def header_text(message: EmailMessage, name: str) -> str:
    """A header as decoded text ("" when missing or unreadable)."""
    try:
        value = message.get(name)
    except Exception:  # a header the modern policy cannot parse: its raw text
        raw = raw_header(message, name)
        value = raw[0] if raw else None
    if value is None:
        return ""
    return str(value).replace("\r", "").replace("\n", " ").replace("\x00", "")


def header_mailboxes(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(lowercased address, display name) of every mailbox in a header, but one
    decoded from an encoded word (see :func:`~tinycrm.mail.headers.written_addresses`).
    A comment after an address without a display name is its name (see
    :func:`_commented`). A header given many times is read as one long one is: up to
    ADDRESSES_MAX characters of its values (40,000 To lines took 10 s and 460 MB)."""
    found: list[tuple[str, str]] = []
    raws = raw_header(message, name)
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
