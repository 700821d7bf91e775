"""Helpers every command shares: the lazily opened CRM, errors, option parsing.

Commands reach the database through the public API (``crm(ctx)`` is a
``tinycrm.api.Crm``) and raise ``tinycrm.errors`` for what the user typed wrong.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from tinycrm.api import Crm
    from tinycrm.api.database import UpgradeNotice

MAX_INT = 2**63 - 1
"""The largest whole number SQLite's INTEGER and PostgreSQL's BIGINT hold: no id, count
or number of days a user types may go past it (the store narrows further where a column
is smaller)."""


def whole(value: Any) -> Any:
    """``parser=whole``: a whole-number option or argument as people type it. Click
    reads an int with Python's int(), which takes ``1_0`` (Python's grouping) for ten
    and other scripts' digits (``５``); refused here as amounts and quantities refuse them
    (``money.no_underscore``: the same line).
    Its range: ``callback=whole_number(…)``."""
    if not isinstance(value, str):
        return value
    from tinycrm import money
    from tinycrm.safetext import display, quoted

    try:
        money.no_underscore(value.strip(), "number")
    except ValueError as exc:
        raise typer.BadParameter(display(str(exc))) from None
    digits = value.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):  # int() reads '５' and '٣' too
        raise typer.BadParameter(f"{display(quoted(value))} is not a whole number")
    return int(value)


def record_id(value: Any) -> Any:
    """``parser=record_id``: a record's id as tinycrm prints it (``Added task #2``), ``2``
    or ``#2``, as a REF takes it; read by :func:`whole`, which names what was typed."""
    if isinstance(value, str) and value.strip().startswith("#"):
        try:
            return whole(value.strip()[1:])
        except typer.BadParameter:
            return whole(value)
    return whole(value)


def whole_number(low: int | None = 0, high: int = MAX_INT) -> Callable[[Any], Any]:
    """A Typer callback that keeps an int option or argument within ``low``..``high``,
    so a value past 64 bits or a negative count is a usage error (one line, exit 2)
    before it reaches the database, never an OverflowError from the driver."""

    def check(value: Any) -> Any:
        for number in value if isinstance(value, list | tuple) else [value]:
            if number is None:
                continue
            if low is not None and number < low:
                raise typer.BadParameter(f"{number} is too small (at least {low})")
            if number > high:
                raise typer.BadParameter(f"{number} is too large (at most {high})")
        return value

    return check


def whole_number_or_empty(
    low: int | None = 0, high: int = MAX_INT, *, percent: bool = False
) -> Callable[[Any], Any]:
    """A Typer callback for a whole-number option read as text, so that an empty value
    (``--size ""``: clear it, on an edit) is kept: anything else must be a whole number
    within ``low``..``high`` (a usage error, as :func:`whole_number` says it), written as
    people write counts (``1000``, ``1,000``, ``1.000``, ``1 000``, ``1.2k``: see
    :func:`tinycrm.money.parse_count`) and, for a ``percent`` option, with or without a
    trailing ``%`` (``50%``), any size (the store refuses one past 0-100 in its words,
    past 64 bits too). Read the value with :func:`number_or_none`."""
    within = whole_number(low, high)

    def check(value: Any) -> Any:
        if value is None or not value.strip():
            return value
        number = _whole(value, percent=percent)
        if number is None:
            from tinycrm.safetext import display, quoted

            raise typer.BadParameter(f"{display(quoted(value))} is not a whole number")
        if not percent:  # a percentage past 64 bits is refused as 101 is: 'between 0 and 100'
            within(number)
        return value

    return check


def _whole(value: str, *, percent: bool = True) -> int | None:
    """The whole number ``value`` writes (``-5``, ``1,000``, ``50%`` when ``percent``);
    None when it is not one."""
    from tinycrm import money

    text = value.strip()
    if percent:
        text = text.removesuffix("%").rstrip()
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in ("-", "+") else text
    if not body or body[:1] in ("-", "+"):
        return None
    try:
        return sign * money.parse_count(body)
    except ValueError:
        return None


def number_or_none(value: str | None) -> int | None:
    """The whole number an option checked by :func:`whole_number_or_empty` holds; None
    for an empty one (or none given)."""
    if value is None or not value.strip():
        return None
    number = _whole(value)
    assert number is not None  # the option's callback checked it
    return number


def limit_option(help: str, **kwargs: Any) -> Any:
    """``--limit N``: a positive count of rows."""
    return typer.Option(help=help, metavar="N", parser=whole, callback=whole_number(1), **kwargs)


TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag", "-t", help="Tag (repeat for several).", rich_help_panel="Tags and fields"
    ),
]
UntagOpt = Annotated[
    list[str] | None,
    typer.Option("--untag", help="Remove a tag (repeatable).", rich_help_panel="Tags and fields"),
]
FieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        "-f",
        help="Custom field KEY=VALUE (repeatable; KEY= removes it).",
        metavar="KEY=VALUE",
        rich_help_panel="Tags and fields",
    ),
]
UnsetFieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--unset-field",
        help="Remove a custom field (repeatable).",
        rich_help_panel="Tags and fields",
    ),
]
FieldFilterOpt = Annotated[
    str | None,
    typer.Option(
        "--field",
        "-f",
        help="Only records whose custom field KEY is set (KEY) or equals VALUE (KEY=VALUE).",
        metavar="KEY[=VALUE]",
    ),
]


@dataclass
class State:
    """What the root callback hands to every command."""

    db: str | None = None
    _crm: Crm | None = field(default=None, repr=False)

    def crm(self) -> Crm:
        """Open the database on first use (creating or upgrading it), once."""
        if self._crm is None:
            from tinycrm.api import open_crm
            from tinycrm.api.database import locate
            from tinycrm.config import load_config_lenient

            if locate(self.db).in_memory:  # a command's writes would go with its process
                fail(
                    "sqlite:// is a database in memory, gone when this command ends: "
                    "name a file (--db PATH or TINYCRM_DB)",
                    2,
                )
            # The config file is read here, at the edge, once; a broken one refuses
            # only the writes that need it (rules, score thresholds), with its error.
            self._crm = open_crm(self.db, config=load_config_lenient(), on_upgrade=tell_upgrade)
            collector_on()
        return self._crm

    def close(self) -> None:
        """Release the database, if it was opened."""
        if self._crm is not None:
            self._crm.close()
            self._crm = None


def tell_upgrade(notice: UpgradeNotice) -> None:
    """Say on stderr that an existing database is being upgraded, before the work (which
    can take minutes on a big one: the search index may be rebuilt), and how long it
    took when that was more than a second. stdout stays the command's own. The first
    line comes before the copy of an SQLite database is made ("keeping a copy"), the
    second once it is there ("is kept at")."""
    from tinycrm import safetext

    if notice.seconds is None:
        keeping = f"; keeping a copy of the old one at {notice.backup}" if notice.backup else ""
        text = (
            f"Upgrading the database (schema {notice.before} → {notice.after}), which can "
            f"take a while{keeping}"
        )
    elif notice.seconds >= 1:
        kept = f"; a copy of the old one is kept at {notice.backup}" if notice.backup else ""
        text = f"Database upgraded to schema {notice.after} in {_duration(notice.seconds)}{kept}."
    else:
        return
    sys.stderr.write(safetext.display(text) + "\n")
    sys.stderr.flush()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def collector_on() -> None:
    """Turn the cyclic garbage collector back on: ``tinycrm.entry`` turns it off while the
    command line and the store load. What they built stays to the end of the command, so
    it is frozen first, for no collection to walk it again. Done once the store is open,
    before a command does its own work; nothing when the collector is on (a test, a
    script calling the command line)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def file_path(value: str) -> Path:
    """A FILE option's or argument's value (``--out``, ``--errors``, ``db restore FILE``)
    as a path. An empty one (``--out "$OUT"`` with OUT unset) is refused, not read as
    the current folder."""
    if not value.strip():
        raise typer.BadParameter("the file name is empty (a variable not set?): name a file")
    return Path(value)


def state(ctx: typer.Context) -> State:
    """The root's ``State`` (made here when a test calls a command without the root)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def crm(ctx: typer.Context) -> Crm:
    """The CRM this command line opened (``--db``, ``$TINYCRM_DB`` or the user's own)."""
    return state(ctx).crm()


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, then exit with ``code``. Messages quote what the user typed
    or what is stored: controls and bidi overrides in it are shown escaped."""
    from tinycrm import safetext
    from tinycrm.cli.output import err_console

    text = safetext.display(" ".join(message.split()))
    # A terminal that hung up (EIO) or a closed stderr: nowhere to say it, and the status
    # is still the command's (130 after a hang-up, not 1 for the failed write)
    with suppress(OSError, ValueError):
        if sys.stderr.isatty():
            err_console().print(f"[bold red]Error:[/bold red] {_escape(text)}")
        else:
            sys.stderr.write(f"Error: {text}\n")
    raise typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def parse_fields(values: list[str] | None) -> dict[str, str]:
    """``["plan=pro", "seats=5"]`` → ``{"plan": "pro", "seats": "5"}``."""
    from tinycrm import safetext
    from tinycrm.errors import Invalid

    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"custom field {safetext.quoted(item)} must look like KEY=VALUE")
        out[key.strip()] = value
    return out


def parse_field_filter(value: str | None) -> tuple[str, str | None] | None:
    if value is None:
        return None
    key, sep, rest = value.partition("=")
    return key.strip(), (rest if sep else None)


def parse_when(value: str | None, *, end_of_day: bool = False) -> datetime | None:
    """A WHEN the user typed, as aware UTC (``Invalid`` when it cannot be read)."""
    if value is None:
        return None
    from tinycrm import dates
    from tinycrm.errors import Invalid

    try:
        return dates.parse_when(value, end_of_day=end_of_day)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    from tinycrm import dates
    from tinycrm.errors import Invalid

    try:
        return dates.parse_date(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


def nothing_to_change(ctx: typer.Context, *given: object, editor: bool = False) -> None:
    """Refuse an edit given no option to change (it would say it updated what it did not
    touch), as a usage error naming its --help; ``given``: what the options hold;
    ``editor``: the command has --editor, which the refusal names too."""

    def told(value: object) -> bool:
        if value is None or value is False:
            return False
        return bool(value) if isinstance(value, dict | list | tuple) else True

    if not any(told(value) for value in given):
        other = ", or --editor" if editor else ""
        fail(
            f"nothing to change: give an option to change{other} (see {ctx.command_path} --help)", 2
        )


def given(**options: Any) -> dict[str, Any]:
    """The edit options the user actually passed (None means "not given")."""
    return {k: v for k, v in options.items() if v is not None}


def edited(ctx: typer.Context, written_before: int, what: str) -> str:
    """What to say of an edit of ``what`` (``product #1 Plan``): ``Updated …``, or
    ``Nothing changed: …`` when the edit saved no event (every value given was the
    record's already); ``written_before``: ``Crm.events_written`` before the edit."""
    if crm(ctx).events_written > written_before:
        return f"Updated {what}"
    return f"Nothing changed: {what}"


def counted(rows: Iterable[Any], seen: list[int]) -> Iterator[Any]:
    """``rows`` as they come, their number kept in ``seen[0]`` (a streamed list's)."""
    for row in rows:
        seen[0] += 1
        yield row


def tell_tags_not_carried(ctx: typer.Context, tags: list[str] | None, entity: str) -> None:
    """After an empty list by ``--tag``: a tag no ``entity`` record carries (a typo, as
    often as not) said on stderr, with the nearest one in use; the list stays as it was."""
    if not tags:
        return
    import warnings

    from tinycrm.errors import TinyCrmWarning
    from tinycrm.safetext import quoted

    for name, near in crm(ctx).tags.not_carried(tags, entity=entity):
        hint = f" (did you mean {quoted(near)}?)" if near else ""
        warnings.warn(
            f"no {entity} carries the tag {quoted(name)}{hint}", TinyCrmWarning, stacklevel=2
        )


def tell_still_named(what: str, named: list[str], change: str) -> None:
    """After a removal: the saved segments and scoring rules that test ``what`` still
    (they match nothing now), one line on stderr, as ``tag rm`` says it."""
    if not named:
        return
    from tinycrm import safetext

    sys.stderr.write(
        safetext.display(
            f"Note: still testing {what}: {', '.join(named)} (change them with {change})"
        )
        + "\n"
    )


def nearest_sort(key: str, keys: tuple[str, ...], descending: bool) -> str:
    """`` (did you mean amount?)`` for a ``--sort`` key mistyped (``amout``), with its
    ``-`` kept; nothing when no key is near."""
    import difflib

    near = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    return f" (did you mean {'-' if descending else ''}{near[0]}?)" if near else ""
