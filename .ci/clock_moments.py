"""The moments CI moves the clock to for the date-sensitive tests (``pytest -m dates``).

One a year ahead of today, and one just before each of Europe/Berlin's next two
daylight-saving changes (the suite runs in that zone), so a run crosses the change:
printed one a line, as ISO instants in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def dst_changes(start: datetime, count: int) -> list[datetime]:
    """The next ``count`` instants (UTC, to the hour) at which Berlin's offset changes."""
    found: list[datetime] = []
    moment = start.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(BERLIN).utcoffset()
    while len(found) < count:
        moment += timedelta(hours=1)
        now_offset = moment.astimezone(BERLIN).utcoffset()
        if now_offset != offset:
            found.append(moment)
            offset = now_offset
    return found


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    moments = [now + timedelta(days=366)]
    moments += [change - timedelta(seconds=30) for change in dst_changes(now, 2)]
    for moment in moments:
        print(moment.isoformat())


if __name__ == "__main__":
    main()
