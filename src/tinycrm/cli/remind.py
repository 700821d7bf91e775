"""``tinycrm remind`` (run by cron) and ``tinycrm remind install``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from tinycrm import interrupts
from tinycrm.cli import scheduling
from tinycrm.cli.common import crm, fail, whole, whole_number
from tinycrm.cli.output import TABLE, Output, output_options

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from tinycrm.api import Crm
    from tinycrm.api.models import DueItem

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    help="What is due now: tasks, keep-in-touch, rotting deals, deals closing soon, "
    "contract notice deadlines and ends, quotes about to expire, support cases about to "
    "breach or past their SLA.",
)

EXIT_DUE = 3
EXIT_DELIVERY = 4
EXIT_INTERRUPTED = 130
WEBHOOK_ENV = "TINYCRM_REMIND_WEBHOOK"  # webhook URLs, space-separated: remind install's
BUDGET = 600.0
"""Seconds a run spends delivering, all its mails, webhook parts and their retries
together, whatever smtp.timeout says (it may be an hour): each waits only for what is
left of it, and none starts once it is spent. A run still delivering when its claims go
stale (15 minutes) would have them taken over, and everything told again, by the run
after (was: five minutes for each mail, each webhook's first part unbounded)."""

RECEIVERS = (
    "JSON, or as ntfy, Slack, Mattermost, Rocket.Chat, Discord, Teams take it; the URL "
    "shows which, or ends in #KIND: #json, #ntfy, #slack, #mattermost, #rocketchat, "
    "#discord, #teams"
)
"""The kinds of receiver ``--webhook`` knows (``remind_webhook.KINDS``), for its help."""
NotifyOpt = Annotated[
    bool, typer.Option("--notify", help="Also send a desktop notification (notify-send).")
]
MailOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--mail", help="Also email the list to TO (SMTP from the config file).", metavar="TO"
    ),
]
WebhookOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--webhook",
        help=f"Also POST the list to URL ({RECEIVERS}).",
        metavar="URL",
        envvar=WEBHOOK_ENV,
    ),
]
ClosingDaysOpt = Annotated[
    int | None,
    typer.Option(
        help="Closing soon = within N days, 0-365 (default: config, else 7).",
        metavar="N",
        parser=whole,
        callback=whole_number(0, 365),
    ),
]


def render_mail_body(items: list[DueItem], groups: dict[str, str], width: int | None = None) -> str:
    """The cron mail: grouped (``groups``: their headings, in order), one line per item;
    each line within ``width`` cells when given (a terminal's), else whole."""
    from tinycrm import dates
    from tinycrm.clock import utcnow
    from tinycrm.safetext import display

    now = dates.format_local(utcnow())
    count = len(items)
    lines = [f"tinycrm: {count} thing{'s' if count != 1 else ''} due ({now})"]
    for group, title in groups.items():
        members = [i for i in items if i.group == group]
        if members:
            lines += ["", f"{title} ({len(members)})"]
            # one line each: a line break in a stored name is shown, not obeyed
            lines += [f"  - {display(item.line())}" for item in members]
            if width is not None:
                lines[-len(members) :] = [_fitted(item, width) for item in members]
    if width is not None:
        lines = [_cut(line, width) for line in lines]
    return "\n".join(lines) + "\n"


TITLE_MIN = 12  # cells of a title kept when its line is cut to a terminal's width


def _fitted(item: DueItem, width: int) -> str:
    """``item``'s line within ``width`` cells: its title cut with ``…`` (between words
    where that keeps most of it), so that what is due and when stays whole; on a
    terminal too narrow even for that, the line cut at its end."""
    from tinycrm.safetext import display
    from tinycrm.table_layout import cell_len

    line = f"  - {display(item.line())}"
    if cell_len(line) <= width:
        return line
    title = display(item.title)
    why = display(item.line()[len(item.title) :])  # ": stake, detail"
    room = width - cell_len("  - ") - cell_len(why)
    if room < TITLE_MIN:
        return _cut(line, width)
    return f"  - {_cut(title, room)}{why}"


def _cut(text: str, width: int) -> str:
    """``text`` in ``width`` cells, with ``…`` when cut: between words when that keeps
    at least half of it."""
    from tinycrm.cli.table import crop, word_cut
    from tinycrm.table_layout import cell_len

    if cell_len(text) <= width:
        return text
    end = word_cut(text, width)
    if cell_len(text[:end]) * 2 >= width:
        return text[:end] + "…"
    return crop(text, width)


STDOUT = "stdout"  # the channels a run tells on: stdout, mail:ADDRESS, webhook:HASH, desktop


@dataclass
class _Told:
    """Where a run told its items: each channel that took them (its key, as the store
    records it, and its items), their names for the user, and what failed (one line each)."""

    done: dict[str, list[DueItem]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    record: Callable[[str, list[DueItem]], None] | None = None  # the store, as it goes

    def took(self, channel: str, name: str, items: list[DueItem]) -> None:
        """``channel`` took ``items``: recorded at once (a run killed before it marks its
        items does not tell them there again), or, when the store refuses, at the end."""
        from contextlib import suppress

        from tinycrm.errors import TinyCrmError

        self.done[channel] = [*self.done.get(channel, []), *items]
        if name not in self.names:
            self.names.append(name)
        if self.record is not None:
            # refused: the run's end records it (release), or marks the items (confirm)
            with suppress(TinyCrmError):
                self.record(channel, items)


def _deliver(
    items: list[DueItem],
    *,
    before: dict[tuple[str, datetime], set[str]],
    groups: dict[str, str],
    output: Output,
    notify: bool,
    mail: list[str],
    webhook: list[str],
    told: _Told,
) -> None:
    """Tell ``items``: standard output first (what cron mails, also when a delivery then
    fails), then the mail, the webhooks, the desktop, each only the items it did not have
    in an earlier run (``before``). A channel that fails does not stop the later ones
    (but a list that cannot be printed stops them all); ``told`` gets what went where."""
    import hashlib
    import time
    from urllib.parse import urlsplit

    from tinycrm import delivery
    from tinycrm.cli import remind_webhook

    deadline = time.monotonic() + BUDGET

    def needs(channel: str) -> list[DueItem]:
        return [i for i in items if channel not in before.get((i.key, i.due_at), ())]

    shown = needs(STDOUT)
    _print(shown, "" if output.machine else _text(shown, groups, _terminal_width()), output)
    if shown:
        told.took(STDOUT, "standard output", shown)
    if mail and items:
        _mail(mail, needs, groups, told, deadline)
    for url in dict.fromkeys(webhook) if items else []:
        channel = f"webhook:{hashlib.sha256(url.encode()).hexdigest()[:16]}"
        if not (mine := needs(channel)):
            continue
        # each kind of receiver its payload (Slack's text escaped, Discord's content) and
        # its limit: a big batch goes in parts, each recorded as it goes out
        to = remind_webhook.target(url)
        batches = remind_webhook.parts(mine, lambda some: _text(some, groups), to)
        for number, (part, payload) in enumerate(batches, start=1):
            if time.monotonic() >= deadline:
                # past it, another run may take this one's claims over and send them too
                went = (
                    f"parts 1 to {number - 1} of {len(batches)} went out; the rest wait"
                    if number > 1
                    else "not sent; it waits"
                )
                told.failed.append(
                    f"webhook to {urlsplit(url).hostname}: {went} for the next run ({_spent()})"
                )
                break
            try:
                remind_webhook.post(url, payload, deadline=deadline)
            except delivery.DeliveryError as exc:
                went = f" (parts 1 to {number - 1} of {len(batches)} went out)"
                told.failed.append(str(exc) + (went if number > 1 else ""))
                break
            # the host, not the URL: its path may hold a secret
            told.took(channel, f"the webhook to {urlsplit(url).hostname}", part)
    if notify and (mine := needs("desktop")):
        try:
            delivery.send_desktop(f"tinycrm: {len(mine)} due", _desktop_body(mine))
        except delivery.DeliveryError as exc:
            told.failed.append(str(exc))
        else:
            told.took("desktop", "the desktop notification", mine)


DESKTOP_WIDTH = 100  # cells of a notification's line: a long name is cut, not wrapped


def _desktop_body(items: list[DueItem]) -> str:
    """The notification's body: the first 8 items, one line each, a long name cut so
    that when each is due shows."""
    bullet = len("  - ")
    body = "\n".join(_fitted(item, DESKTOP_WIDTH + bullet)[bullet:] for item in items[:8])
    return body + (f"\n… and {len(items) - 8} more" if len(items) > 8 else "")


def _text(items: list[DueItem], groups: dict[str, str], width: int | None = None) -> str:
    """One text for the terminal, the mail, the webhook: stored names with escape
    sequences or bidi overrides are shown escaped in all of them. ``width``: a
    terminal's, which each line keeps within (elsewhere every line is whole)."""
    from tinycrm.safetext import display

    body = render_mail_body(items, groups, width)
    return display(body, multiline=True) if items else ""


def _terminal_width(stream: TextIO | None = None) -> int | None:
    """The width of ``stream`` (standard output by default) when it is a terminal; None
    for a pipe or a file (cron's mail), where a line is never cut."""
    import shutil

    from tinycrm.cli.output import on_terminal

    return shutil.get_terminal_size().columns if on_terminal(stream or sys.stdout) else None


def _spent() -> str:
    """Why a run left a delivery to the next: its ``BUDGET`` spent."""
    budget = f"{BUDGET / 60:g} minutes" if BUDGET >= 60 else f"{BUDGET:g} s"
    return f"a run delivers for {budget} at most"


def _mail(
    mail: list[str],
    needs: Callable[[str], list[DueItem]],
    groups: dict[str, str],
    told: _Told,
    deadline: float,
) -> None:
    """One mail to the recipients that still need the same items (usually one mail to
    all); a recipient that had them in an earlier run gets none. Each waits only for
    what is left until ``deadline`` (``time.monotonic()``), and none starts past it."""
    import time

    from tinycrm import delivery
    from tinycrm.config import ConfigError, current_config

    wanting: dict[tuple[tuple[str, datetime], ...], tuple[list[DueItem], list[str]]] = {}
    # one address given twice ("ann@x.io", "Ann <ANN@x.io>") is one recipient: the first
    by_address: dict[str, str] = {}
    for to in mail:
        by_address.setdefault(delivery.recipient_address(to).lower(), to)
    for address, to in by_address.items():
        if mine := needs(f"mail:{address}"):
            ids = tuple((i.key, i.due_at) for i in mine)
            wanting.setdefault(ids, (mine, []))[1].append(to)
    if not wanting:
        return
    try:
        config = current_config()
        if not config.smtp:
            raise delivery.DeliveryError(
                f"mail not sent: no [smtp] section in {config.path} (see README: The config file)"
            )
        try:
            settings = delivery.MailSettings.from_config(config.smtp)
        except ValueError as exc:
            raise delivery.DeliveryError(f"mail not sent: {config.path}: {exc}") from exc
    except (ConfigError, delivery.DeliveryError) as exc:
        told.failed.append(str(exc))
        return
    for mine, recipients in wanting.values():
        subject = f"tinycrm: {len(mine)} thing{'s' if len(mine) != 1 else ''} due"
        went = [delivery.recipient_address(to) for to in recipients]
        if (left := deadline - time.monotonic()) <= 0:
            told.failed.append(
                f"mail to {', '.join(went)} not sent: it waits for the next run ({_spent()})"
            )
            continue
        try:
            delivery.send_mail(
                settings, to=recipients, subject=subject, text=_text(mine, groups), within=left
            )
        except delivery.PartlyDelivered as exc:
            told.failed.append(str(exc))
            went = exc.accepted
        except delivery.DeliveryError as exc:
            told.failed.append(str(exc))
            continue
        for address in went:
            told.took(f"mail:{address.lower()}", f"the mail to {address}", mine)


class _ReaderLeft(Exception):
    """Standard output's reader left (``| head``): a ``DeliveryError`` to cron's run."""


def _print(items: list[DueItem], text: str, output: Output) -> None:
    """The list on standard output, written through before anything else is told: a full
    disk or a reader that left is a failed delivery, not items marked as told unseen."""
    from tinycrm import delivery

    try:
        if output.machine:
            output.list(items, [], model="DueItem")
        elif text:
            sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise (_ReaderLeft if isinstance(exc, BrokenPipeError) else delivery.DeliveryError)(
            f"the list could not be written to standard output ({reason}), so nothing was sent"
        ) from None


def _told_again(count: int, told: _Told, *, recorded: bool) -> str:
    """What a run that stopped before marking its items says of them: the next run tells
    them again, only where they did not go out (``recorded``: the store has where they
    did; with ``--all`` it has not, and they go out there again too)."""
    them = "it" if count == 1 else f"all {count}"
    line = f"the next run tells {them} again"
    if told.names and recorded:
        line += f", only where {'it' if count == 1 else 'they'} did not go out; "
        line += f"{' and '.join(told.names)} had {'it' if count == 1 else 'them'}"
    return line


@app.callback()
@output_options
def remind(
    ctx: typer.Context,
    all_: Annotated[
        bool,
        typer.Option(
            "--all", help="Show everything due, announced before or not (records nothing)."
        ),
    ] = False,
    fail_if_due: Annotated[
        bool, typer.Option("--fail-if-due", help="Exit 3 when anything is due (0 otherwise).")
    ] = False,
    notify: NotifyOpt = False,
    mail: MailOpt = None,
    webhook: WebhookOpt = None,
    closing_days: ClosingDaysOpt = None,
    output: Output = TABLE,
) -> None:
    """Tell what is due now, once: each item is announced once per due time.

    Meant for cron: prints nothing when nothing new is due, so cron mails only
    when there is something to do. A failed delivery (mail, webhook,
    notification) exits 4 and leaves the items for the next run.
    """
    if ctx.invoked_subcommand == "install":
        ctx.meta[_CARRIED] = _carried(
            ctx, all_, fail_if_due, output, _Delivery(mail or [], [], notify, closing_days)
        )
    if ctx.invoked_subcommand is not None:
        return
    import uuid

    from tinycrm import delivery
    from tinycrm.clock import utcnow

    from_env = _source(ctx, "webhook") == "ENVIRONMENT"
    _check_delivery(mail or [], webhook or [], webhook_hint=WEBHOOK_ENV if from_env else "")
    opened = crm(ctx)
    reminders = opened.reminders
    if not all_:
        _renew(opened)
    # Cron's usual run reads only what it has not told; --all and --fail-if-due need
    # everything that is due.
    everything = all_ or fail_if_due
    started = utcnow()  # the last run, once this one told what was due
    items = reminders.due(closing_days=closing_days, new_only=not everything, now=started)
    run_id = uuid.uuid4().hex
    tell = items if all_ else reminders.claim(items, run_id=run_id)
    # Where an earlier run that failed elsewhere told them: not there again.
    before = {} if all_ or not tell else reminders.told_on(tell)
    told = _Told(record=None if all_ else reminders.record_told)
    interrupted = False
    try:
        # Ctrl-C or TERM while telling (a mail half sent) gives the claims back: the
        # next run tells again, rather than an item never being told.
        with interrupts.interruptible():
            _deliver(
                tell,
                before=before,
                groups=reminders.groups,
                output=output,
                notify=notify,
                mail=mail or [],
                webhook=webhook or [],
                told=told,
            )
    except _ReaderLeft as exc:
        if all_ and not (mail or webhook or notify):
            # `remind --all | head`: only a list, which records nothing; its reader left,
            # which is no error, and no answer to --fail-if-due either: still 3 when due
            raise typer.Exit(EXIT_DUE if fail_if_due and items else 0) from None
        told.failed.append(str(exc))
    except delivery.DeliveryError as exc:  # the list could not be printed: nothing went out
        told.failed.append(str(exc))
    except KeyboardInterrupt:
        interrupted = True
    if all_ and (interrupted or told.failed):  # it marks nothing: no next run to promise
        said = "interrupted" if interrupted else "; ".join(told.failed)
        fail(
            f"{said} (remind --all records nothing)",
            EXIT_INTERRUPTED if interrupted else EXIT_DELIVERY,
        )
    if interrupted or told.failed:
        again = _told_again(len(tell), told, recorded=not all_)
        if not all_:
            again = _release(opened, run_id, told.done, len(tell)) or again
        if interrupted:
            fail(
                f"interrupted; nothing was saved: nothing was marked as announced ({again})",
                EXIT_INTERRUPTED,
            )
        fail(f"{'; '.join(told.failed)} (nothing was marked as announced: {again})", EXIT_DELIVERY)
    if not all_:
        _confirm(opened, run_id, tell, started)
    if fail_if_due and items:
        raise typer.Exit(EXIT_DUE)


def _renew(opened: Crm) -> None:
    """What the calendar made true first: renewal deals opened, auto-renewing contracts
    rolled forward, lapsed contracts and their customers' churn (each once). A refusal
    (a pre-write hook, the database) is a warning: what is due is told all the same, and
    the next run tries again."""
    from tinycrm.errors import TinyCrmError
    from tinycrm.safetext import display

    try:
        opened.contracts.process_renewals()
    except TinyCrmError as exc:
        said = " ".join(str(exc).split())
        line = display(f"Warning: contracts not renewed: {said}")
        width = _terminal_width(sys.stderr)  # cut as the list's lines are, on a terminal
        sys.stderr.write((line if width is None else _cut(line, width)) + "\n")


def _check_delivery(mail: list[str], webhook: list[str], *, webhook_hint: str = "") -> None:
    """Refuse a webhook URL or a mail recipient that cannot be used, up front: a typo in
    a crontab should fail on the first run, not on the first day something is due.
    (A URL is not repeated: its path may hold a secret.) ``webhook_hint``: where the URLs
    came from, when not from ``--webhook``."""
    from tinycrm import delivery, webhook_post
    from tinycrm.cli import remind_webhook
    from tinycrm.safetext import quoted

    for url in webhook:
        problem = webhook_post.webhook_url_problem(url) or remind_webhook.kind_problem(url)
        if problem:
            raise typer.BadParameter(problem, param_hint=webhook_hint or "--webhook")
    for to in mail:
        try:
            delivery.recipient_address(to)
        except delivery.DeliveryError:
            raise typer.BadParameter(
                f"{quoted(to)} is not one email address", param_hint="--mail"
            ) from None


def _mail_notes() -> None:
    """Say on stderr when scheduled runs could not send the mail: no usable [smtp] in the
    config file, or a password only in an environment variable, which cron and systemd
    start without. (A note, not a refusal: the config file may be written next.)"""
    from tinycrm import delivery
    from tinycrm.config import ConfigError, current_config
    from tinycrm.safetext import display

    cannot = "scheduled runs cannot send the mail"
    try:
        config = current_config()
    except ConfigError as exc:
        note = f"{exc}: {cannot}"
    else:
        try:
            settings = delivery.MailSettings.from_config(config.smtp) if config.smtp else None
        except ValueError as exc:
            note = f"{config.path}: {exc}: {cannot}"
        else:
            if settings is None:
                note = f"{config.path} has no [smtp] section: {cannot}"
            elif settings.password_env is not None and settings.password_command is None:
                note = (
                    f"smtp.password_env names {settings.password_env}, which cron and "
                    "systemd do not set: scheduled runs cannot log in (use "
                    "smtp.password_command)"
                )
            else:
                return
    sys.stderr.write(display(f"Note: {note}") + "\n")


def _ntfy_notes(urls: list[str]) -> None:
    """Say on stderr which URL's host is named like an ntfy server (``ntfy.example.com``)
    but would be sent the JSON: nothing in a self-hosted ntfy's address tells it from a
    script's, and its users read the JSON on their phones. (A note, not a guess acted on:
    the URL is installed as given; ``#ntfy`` or ``#json`` says which.)"""
    from urllib.parse import urlsplit

    from tinycrm.cli import remind_webhook
    from tinycrm.safetext import display

    for url in urls:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        named = host.split(".")[0].lower() == "ntfy"
        if named and not parts.fragment and remind_webhook.target(url).kind == "json":
            note = (
                f"{host} gets the JSON; if it is an ntfy server, end its URL with #ntfy "
                "for the text as the message (#json keeps the JSON and this note away)"
            )
            sys.stderr.write(display(f"Note: {note}") + "\n")


def _confirm(opened: Crm, run_id: str, told: list[DueItem], started: datetime) -> None:
    """Mark what this run told (and that it ran, from ``started``); when that fails, say
    that it was told all the same."""
    from tinycrm.errors import TinyCrmError

    try:
        opened.reminders.confirm(run_id, told, started=started)
    except TinyCrmError as exc:
        minutes = int(opened.reminders.stale_claim.total_seconds() // 60)
        them = "it" if len(told) == 1 else f"all {len(told)}"
        fail(
            f"told, but could not be marked as announced ({exc}): runs after {minutes} "
            f"minutes tell {them} again",
            EXIT_DELIVERY,
        )


def _release(opened: Crm, run_id: str, told: dict[str, list[DueItem]], count: int) -> str | None:
    """Give this run's claims back, with where they went out all the same (``told``).
    When even that fails, they go back by themselves (to be told everywhere again): what
    to say of them then."""
    from tinycrm.errors import TinyCrmError

    try:
        opened.reminders.release(run_id, told=told)
    except TinyCrmError as exc:
        minutes = int(opened.reminders.stale_claim.total_seconds() // 60)
        them = "it" if count == 1 else f"all {count}"
        return (
            f"its claims could not be given back: {exc}; runs after {minutes} minutes tell "
            f"{them} again, everywhere"
        )
    return None


@dataclass
class _Delivery:
    """The options of ``remind`` that ``remind install`` carries into what it installs."""

    mail: list[str]
    webhook: list[str]
    notify: bool
    closing_days: int | None


_CARRIED = "tinycrm.remind.install"  # ctx.meta: the options given before `install`


def _source(ctx: typer.Context, name: str) -> str:
    """Where parameter ``name`` came from: ``COMMANDLINE``, ``ENVIRONMENT``, ``DEFAULT``
    (by name: the enum is the click Typer runs on, which need not be ``click``)."""
    source = ctx.get_parameter_source(name)
    return source.name if source is not None else ""


def _carried(
    ctx: typer.Context, all_: bool, fail_if_due: bool, output: Output, given: _Delivery
) -> _Delivery:
    """What ``remind OPTIONS install`` carries: the delivery options given before
    ``install`` (a webhook named on the command line, not one from the environment);
    ``--all``, ``--fail-if-due`` and an output format are refused, not dropped unsaid."""
    for flag, given_flag in (
        ("--all", all_),
        ("--fail-if-due", fail_if_due),
        (f"--{output.format}", output.machine),
    ):
        if given_flag:
            raise typer.BadParameter(
                "remind install does not carry it into a scheduled run", param_hint=flag
            )
    if _source(ctx, "webhook") == "COMMANDLINE":
        given.webhook = list(ctx.params.get("webhook") or [])
    return given


@app.command("install")
def install(
    ctx: typer.Context,
    apply: scheduling.ApplyOpt = False,
    systemd: scheduling.TimerOpt = False,
    every: scheduling.EveryOpt = 15,
    mail: MailOpt = None,
    webhook: Annotated[
        list[str] | None,
        typer.Option(
            "--webhook",
            help=f"Also POST the list to URL ({RECEIVERS}); it goes into a 0600 file "
            f"({WEBHOOK_ENV}).",
            metavar="URL",
        ),
    ] = None,
    notify: NotifyOpt = False,
    closing_days: ClosingDaysOpt = None,
) -> None:
    """Print the crontab line that runs tinycrm remind (or install it, or a systemd timer).

    The line runs remind with the --mail, --webhook, --notify and --closing-days given
    (before or after install). Webhook URLs, which often hold a secret, go into a 0600
    environment file the line reads, not into the line."""
    from urllib.parse import urlsplit

    from tinycrm import schedule
    from tinycrm.safetext import display

    before = ctx.meta.get(_CARRIED) or _Delivery([], [], False, None)
    to = [*before.mail, *(mail or [])]
    urls = list(dict.fromkeys([*before.webhook, *(webhook or [])]))
    _check_delivery(to, urls)
    if any("'" in url for url in urls):  # the environment file quotes with '
        raise typer.BadParameter(
            "a URL with ' cannot be scheduled: write it as %27", param_hint="--webhook"
        )
    days = closing_days if closing_days is not None else before.closing_days
    args = [word for address in to for word in ("--mail", address)]
    args += ["--notify"] if notify or before.notify else []
    args += ["--closing-days", str(days)] if days is not None else []
    hosts = dict.fromkeys(display(urlsplit(url).hostname or "") for url in urls)
    said = f"the webhook{'s' if len(hosts) > 1 else ''} to {' and '.join(hosts)}"
    if to:
        _mail_notes()
    _ntfy_notes(urls)
    scheduling.install(
        ctx,
        schedule.REMIND,
        apply=apply,
        systemd=systemd,
        every=every,
        args=args,
        secrets={WEBHOOK_ENV: " ".join(urls)} if urls else None,
        said=said,
    )


@app.command("uninstall")
def uninstall() -> None:
    """Remove what 'tinycrm remind install' added: the crontab line, the systemd units, the
    environment file. Other crontab lines are kept as they are."""
    from tinycrm import schedule

    scheduling.uninstall(schedule.REMIND)
