"""``[contracts]`` and ``[support]`` of the config file.

::

    [contracts]
    renewal_lead_days = 60   # open a renewal deal this many days before a contract ends
    remind_days = 30         # announce a notice deadline or an end this many days ahead
    default_term = "12m"     # a contract added without --term or --end

    [support]
    days = "mon-fri"
    hours = "09:00-17:00"
    timezone = "Europe/Berlin"   # default: the user's (TZ)
    holidays = ["2026-12-25"]
    warn = "1h"                  # a case is about to breach with this much working time left
    response = { urgent = "1h", high = "4h", normal = "8h", low = "2d" }
    resolution = { urgent = "8h", high = "2d", normal = "5d", low = "10d" }
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from tinycrm import business_hours as bh


class _Locator(Protocol):
    """``tinycrm.config``'s locator: an error naming the line of a key."""

    def error(
        self, rule: int | None, key: str | None, message: str, *, within: str | None = None
    ) -> Exception: ...


CONTRACT_KEYS = ("renewal_lead_days", "remind_days", "default_term")
SUPPORT_KEYS = ("days", "hours", "timezone", "holidays", "warn", "response", "resolution")


@dataclass(frozen=True)
class ContractSettings:
    renewal_lead_days: int = 60
    remind_days: int = 30
    default_term: str = "12m"


def parse_contracts(raw: Any, locate: _Locator) -> ContractSettings:
    if not isinstance(raw, dict):
        raise locate.error(None, "contracts", "[contracts] must be a table")
    for key in raw:
        if key not in CONTRACT_KEYS:
            known = ", ".join(CONTRACT_KEYS)
            raise locate.error(
                None, key, f"unknown key contracts.{key} (known: {known})", within="contracts"
            )
    days = {}
    for key, default in (("renewal_lead_days", 60), ("remind_days", 30)):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            raise locate.error(
                None, key, f"contracts.{key} must be a whole number 0-3650", within="contracts"
            )
        days[key] = value
    term = raw.get("default_term", "12m")
    from tinycrm.terms import parse_term

    if not isinstance(term, str):
        raise locate.error(
            None,
            "default_term",
            'contracts.default_term must be a length of time in quotes, such as "12m" '
            f"(not {term!r})",
            within="contracts",
        )
    try:
        parsed = parse_term(term, "contracts.default_term")
    except ValueError as exc:
        raise locate.error(None, "default_term", str(exc), within="contracts") from None
    return ContractSettings(
        renewal_lead_days=days["renewal_lead_days"],
        remind_days=days["remind_days"],
        default_term=parsed.text,
    )


def parse_support(raw: Any, locate: _Locator) -> bh.SupportSettings | None:
    """The ``[support]`` table (None when the file has none: the defaults in the user's
    time zone, decided when they are used)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise locate.error(None, "support", "[support] must be a table")
    for key in raw:
        if key not in SUPPORT_KEYS:
            known = ", ".join(SUPPORT_KEYS)
            raise locate.error(
                None, key, f"unknown key support.{key} (known: {known})", within="support"
            )
    at = ["support", ""]  # the table and key being read: an error names its line

    def text(key: str, default: str) -> str:
        at[:] = ["support", key]
        value = raw.get(key, default)
        if not isinstance(value, str):
            raise locate.error(None, key, f"support.{key} must be text", within="support")
        return value

    try:
        at[:] = ["support", "timezone"]
        zone = _zone(raw.get("timezone"))
        days = bh.parse_days(text("days", "mon-fri"))
        start, end = bh.parse_hours(text("hours", "09:00-17:00"))
        at[:] = ["support", "holidays"]
        holidays = raw.get("holidays", [])
        if not isinstance(holidays, list):
            raise ValueError("support.holidays must be a list of dates")
        free = frozenset(_day(h) for h in holidays)
        hours = bh.BusinessHours(zone=zone, days=days, start=start, end=end, holidays=free)
        day = hours.day_length
        warn = bh.parse_duration(text("warn", "1h"), day)
        targets: dict[str, dict[str, timedelta]] = {}
        for key, defaults in (
            ("response", bh.DEFAULT_RESPONSE),
            ("resolution", bh.DEFAULT_RESOLUTION),
        ):
            at[:] = ["support", key]
            given = raw.get(key, {})
            if not isinstance(given, dict):
                raise ValueError(f"support.{key} must be a table of priority = time")
            at[0] = f"support.{key}"
            for priority in given:
                at[1] = priority
                if priority not in bh.PRIORITIES:
                    raise ValueError(
                        f"support.{key}.{priority}: not a priority ({', '.join(bh.PRIORITIES)})"
                    )
            targets[key] = {}
            for p in bh.PRIORITIES:
                at[1] = p
                targets[key][p] = bh.parse_duration(str(given.get(p, defaults[p])), day)
    except ValueError as exc:
        named = ".".join(at)
        said = str(exc) if str(exc).startswith(f"{named}") else f"{named}: {exc}"
        raise locate.error(None, at[1], said, within=at[0]) from None
    return bh.SupportSettings(
        hours=hours, response=targets["response"], resolution=targets["resolution"], warn=warn
    )


def _zone(name: Any) -> Any:
    from tinycrm import dates

    if name is None:
        return dates.local_tz()
    if not isinstance(name, str):
        raise ValueError("support.timezone must be a time zone name such as Europe/Berlin")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"support.timezone {name!r} is not a known time zone") from None


def _day(value: Any) -> date:
    if isinstance(value, datetime):  # a TOML date and time: never equal to any day
        raise ValueError(
            f"support.holidays: {value.isoformat()} is a date and time, not a day "
            f"(write {value.date().isoformat()})"
        )
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"support.holidays: {value!r} is not a date (YYYY-MM-DD)") from None
