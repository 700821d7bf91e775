"""Messages and counts for the mail-log tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tinycrm.mail.message import parse_message
from tinycrm.store.models import Activity

OWN = {"own_addresses": ["me@mycompany.example"], "own_domains": ["mycompany.example"]}
"""The user's own addresses and domains, as the config file's mail table gives them."""


def _msg(
    sender: str,
    to: str = "me@mycompany.example",
    *,
    cc: str = "",
    subject: str = "Hello",
    mid: str | None = "<m1@acme.example>",
    extra: str = "",
    date: str = "Tue, 01 Dec 2026 10:00:00 +0000",
    body: str = "Hi there",
) -> Any:
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
    if cc:
        head += f"Cc: {cc}\n"
    if mid:
        head += f"Message-ID: {mid}\n"
    return parse_message((head + extra + "\n" + body + "\n").encode())


def _count(store: Any) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Activity)) or 0)
