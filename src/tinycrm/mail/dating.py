"""When a message was sent, as :mod:`tinycrm.mail.message` dates it: its Date header,
else when it was received (IMAP's INTERNALDATE, an mbox ``From `` line's date, the
newest Received header), none of them believed ahead of now or before 1971."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Literal

from tinycrm.mail.fields import raw_header

__all__ = ["EARLIEST", "SLACK", "DatedBy", "dated", "header_date"]

DatedBy = Literal["Date", "INTERNALDATE", "From line", "Received"]


# the year after a month's name ("01 Dec 2026"), when it has three digits or more
_YEAR = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{3,})\b"
)


def header_date(text: str, *, written: str = "") -> datetime | None:
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


def dated(
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
    unzoned = False  # a From line without a zone: its mail program's local time
    if server is None:
        stored, zoned = _from_line_date(message.get_unixfrom() or "")
        server = (stored, "From line") if stored is not None else None
        unzoned = stored is not None and not zoned
    if server is None:
        server = _newest_received(message, now)
    latest = server[0] if server is not None else now  # the latest the Date can be
    if unzoned:  # UTC-12 to UTC+14: up to 14 hours later in UTC, never ahead of now
        latest = min(latest + ZONES, now)
    if date is not None and _possible(date, latest):
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


def _from_line_date(line: str) -> tuple[datetime | None, bool]:
    """The date on an mbox ``From sender date`` line, or None: no line, no date on it,
    or one the message cannot have been stored on (before 1971, or ahead of now); and
    whether the line names its zone. One that names none is taken as UTC, though mail
    programs (Thunderbird, mutt) write their local time there."""
    from tinycrm.clock import utcnow

    text = " ".join(line.split()[2:])  # "From", the sender, then the date
    if not text:
        return None, False
    found = _ASCTIME.search(text)
    zoned = True
    if found is not None:
        zoned = bool(found["zone"] or found["zone2"])
        zone = found["zone"] or found["zone2"] or "+0000"
        text = f"{found['day']} {found['month']} {found['year']} {found['time']} {zone}"
    when = header_date(text)  # else an RFC 5322 date, as some programs write
    if when is None or not _possible(when, utcnow()):
        return None, zoned
    return when, zoned


def _newest_received(message: EmailMessage, now: datetime) -> tuple[datetime, DatedBy] | None:
    """The date of the topmost Received header that gives one it can have been
    received on (not ahead of ``now``: a relay's broken clock, a spammer's header)."""
    for value in raw_header(message, "received")[:RECEIVED_MAX]:
        _head, semicolon, stamp = " ".join(value.split()).rpartition(";")
        when = header_date(stamp.strip()) if semicolon else None
        if when is not None and _possible(when, now):
            return when, "Received"
    return None


EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)  # no mail was sent before (1970: a clock at 0)
ZONES = timedelta(hours=14)  # how far a local time may be ahead of UTC (UTC+14)
SLACK = timedelta(minutes=5)  # how far one clock may run ahead of another's: what a
# typed activity may be ahead of now (the store's FUTURE_SLACK)


def _possible(date: datetime, received: datetime) -> bool:
    """Whether a message received at ``received`` (or now) can have been sent on
    ``date``: not before 1971, not after it was received. A spammer's date in 2100, or a
    broken client's hours ahead, would keep it on top of a timeline until then."""
    return EARLIEST <= date <= received + SLACK
