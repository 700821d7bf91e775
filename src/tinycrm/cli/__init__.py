"""The tinycrm command line: the root app, global options and the one error handler.

Commands are thin: parse, call the public API (``tinycrm.api``'s ``Crm``), render
with ``output``. Nothing here imports the store, SQLAlchemy or Textual at module
level, and each noun's module is only imported (and turned into a click command)
when that noun is used, so a one-shot command starts in little more than the time
it takes to import the store.
"""

from __future__ import annotations

import errno
import importlib
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
import typer.main
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup

from tinycrm import __version__, interrupts, safetext
from tinycrm.cli import completion, database_log, helptext, pager
from tinycrm.cli.common import State, fail
from tinycrm.cli.metavars import plain_metavars, plain_parameter
from tinycrm.errors import TinyCrmError, TinyCrmWarning

EXIT_REFUSED = 1
EXIT_INTERRUPTED = 130


# name: (module, Typer attribute), in the order --help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "board": ("tinycrm.cli.board", "app"),
    "company": ("tinycrm.cli.companies", "app"),
    "contact": ("tinycrm.cli.contacts", "app"),
    "deal": ("tinycrm.cli.deals", "app"),
    "contract": ("tinycrm.cli.contracts", "app"),
    "product": ("tinycrm.cli.products", "app"),
    "quote": ("tinycrm.cli.quotes", "app"),
    "case": ("tinycrm.cli.cases", "app"),
    "lead": ("tinycrm.cli.leads", "app"),
    "score": ("tinycrm.cli.scoring", "app"),
    "log": ("tinycrm.cli.activities", "log_app"),
    "task": ("tinycrm.cli.activities", "task_app"),
    "activity": ("tinycrm.cli.activities", "activity_app"),
    "pipeline": ("tinycrm.cli.pipelines", "app"),
    "tag": ("tinycrm.cli.tags", "tag_app"),
    "field": ("tinycrm.cli.tags", "field_app"),
    "segment": ("tinycrm.cli.segments", "app"),
    "campaign": ("tinycrm.cli.campaigns", "app"),
    "remind": ("tinycrm.cli.remind", "app"),
    "next": ("tinycrm.cli.next", "app"),
    "rules": ("tinycrm.cli.rules", "app"),
    "sequence": ("tinycrm.cli.sequences", "app"),
    "feed": ("tinycrm.cli.feed", "app"),
    "search": ("tinycrm.cli.search", "app"),
    "report": ("tinycrm.cli.reports", "app"),
    "import": ("tinycrm.cli.imports", "app"),
    "export": ("tinycrm.cli.exports", "app"),
    "db": ("tinycrm.cli.db", "app"),
    "hooks": ("tinycrm.cli.hooks", "app"),
    "webhooks": ("tinycrm.cli.webhooks", "app"),
    "mail": ("tinycrm.cli.mail", "app"),
    "mcp": ("tinycrm.cli.mcp", "app"),
    "demo": ("tinycrm.cli.demo", "app"),
}


# name: what the root's --help says of it, so that listing the commands imports none
# of them (each noun's own help says the same: a test checks that they agree). A
# command missing here is imported for the listing, as before.
SUMMARIES: dict[str, str] = {
    "board": (
        "Open the full-screen board: the pipeline kanban, the live activity feed and every "
        "record, driven from the keyboard (? lists the keys, q quits)."
    ),
    "company": "Companies (accounts).",
    "contact": "Contacts: people, roles and lifecycle.",
    "deal": "Deals (opportunities) through pipeline stages.",
    "contract": "Contracts: what a customer signed after a won deal, its terms and renewals.",
    "product": "Products: the catalogue deals and quotes sell.",
    "quote": "Quotes: a deal's line items frozen into a numbered offer (Q-2026-0001).",
    "case": "Support cases: a customer's problem, its thread, SLA targets and satisfaction.",
    "lead": "Leads: status, BANT qualification and conversion.",
    "score": (
        "Lead scoring: recompute every score (tinycrm score), edit the rules, explain a score."
    ),
    "log": "Record a call, email, meeting or note with a contact, company or deal.",
    "task": "Tasks with due dates.",
    "activity": "List, show, correct or delete logged calls, emails, meetings and notes.",
    "pipeline": "Pipelines and their stages.",
    "tag": "Tags in use on companies, contacts and deals.",
    "field": "Custom fields in use.",
    "segment": "Segments: saved filter expressions for --where and --segment.",
    "campaign": "Campaigns: members, responses, and attributed revenue.",
    "remind": (
        "What is due now: tasks, keep-in-touch, rotting deals, deals closing soon, "
        "contract notice deadlines and ends, quotes about to expire, support cases about to "
        "breach or past their SLA."
    ),
    "next": (
        "What to do now: one queue of due tasks, lapsed keep-in-touch, rotting deals, deals "
        "closing soon and deals with no next step, most pressing first."
    ),
    "rules": "Automation rules from the config file.",
    "sequence": "Sequences: drip follow-ups scheduled as tasks.",
    "feed": "The event log, newest first: every create, change, move, win and loss.",
    "search": (
        "Search everything: names, emails, phones, notes, custom fields, deals and activities "
        "(mail too), ranked, with the match highlighted."
    ),
    "report": (
        "Reports: pipeline, forecast, win rate, sales cycle, funnel, sources, churn, lifetime "
        "value, activity and support cases. Definitions: the README's Reports section."
    ),
    "import": (
        "Bring records in from CSV, JSON or vCard files, restore a dump, list and undo imports."
    ),
    "export": "Write records out as CSV, JSON, JSON lines or vCard, or everything as one dump.",
    "db": "Where the database is; upgrade, normalise, back it up and restore it.",
    "demo": (
        "Build (or reuse) a demo database full of realistic data and open the board on it (on "
        "a terminal; otherwise, or with --no-board, print how to explore it)."
    ),
    "hooks": "Executables that run before (pre-write) and after (post-write) every write.",
    "webhooks": "Every event POSTed, signed, to the webhook endpoints of the config file.",
    "mail": "Mail into the CRM: each message an email activity for every known contact on it.",
    "mcp": (
        "Run a Model Context Protocol server on stdin/stdout for an assistant.\n\n"
        'An MCP client starts it (the README\'s "Assistants (MCP)" section has the snippet); '
        "on a\nterminal there is nothing to see, so it refuses to start there."
    ),
}


COMPLETION_OPTIONS = ("install_completion", "show_completion")


def _drop_completion_options(command: Any) -> None:
    """Take Typer's --install-completion and --show-completion off a group and its
    groups: Typer gives them to every app it builds, and each group is built on its own
    here, but completion is the root's (`tinycrm --install-completion`)."""
    command.params = [p for p in command.params if p.name not in COMPLETION_OPTIONS]
    for sub in getattr(command, "commands", {}).values():
        _drop_completion_options(sub)


class CrmGroup(TyperGroup):
    """The root command: loads sub-commands on demand, and turns the store's
    refusals into one line on stderr and exit 1."""

    _loaded: dict[str, Any] = {}
    _listing = False  # the root's --help is being written: summaries will do

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.load_help_renderer()
        self._listing = True
        try:
            super().format_help(ctx, formatter)  # type: ignore[arg-type]
        finally:
            self._listing = False

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)  # type: ignore[arg-type]
        if self._listing and cmd_name in SUMMARIES and cmd_name not in self._loaded:
            return TyperCommand(cmd_name, help=SUMMARIES[cmd_name])
        if cmd_name not in self._loaded:
            module, attr = COMMANDS[cmd_name]
            command = typer.main.get_command(getattr(importlib.import_module(module), attr))
            command.name = cmd_name
            _drop_completion_options(command)
            plain_metavars(command)
            completion.attach(command, cmd_name)
            helptext.render_lightly(command)
            self._loaded[cmd_name] = command
        return self._loaded[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Typer suggests from the commands already loaded; the root's load on demand,
        # so `tinycrm contcat` is told of contact and contract from the full list.
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            import difflib

            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in exc.message:
                names = ", ".join(repr(m) for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise

    def get_params(self, ctx: typer.Context) -> list[Any]:  # type: ignore[override]
        params = super().get_params(ctx)
        for param in params:
            plain_parameter(param)
            if param.name in completion.SHELL_HELP and getattr(param, "is_flag", False):
                param.callback = completion.shell_callback  # it takes a shell's name too
                setattr(param, "help", completion.SHELL_HELP[param.name])  # noqa: B010
        return params

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        return super().parse_args(ctx, completion.take_shell(ctx, args))  # type: ignore[arg-type]

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:  # `tinycrm --nope`: the root's own options
            one_line_usage_error(exc)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        # Ctrl-C and TERM tell the truth (see tinycrm.interrupts): before the command
        # saves, they interrupt it and nothing is saved; once it has saved, they wait
        # for its summary and then say so.
        try:
            with interrupts.watch(), warnings_on_stderr(), database_log.on_stderr():
                try:
                    result = super().invoke(ctx)
                finally:
                    full = _flush()  # the summary first: closing takes a while
                    _close_store(ctx)  # (SQLite folds its WAL in), still watched
                if full is not None:
                    _output_failed(full)
                _say(interrupts.after_saving_note())
                return result
        except (typer.Exit, typer.Abort):
            raise  # the command's own way out, for the root to take
        except ClickException as exc:
            if interrupts.interrupted_by(exc):
                _interrupted()
            one_line_usage_error(exc)
        except TinyCrmError as exc:
            if interrupts.interrupted_by(exc):
                _interrupted()
            fail(str(exc), EXIT_REFUSED)
        except KeyboardInterrupt:
            _interrupted()
        except BrokenPipeError:
            # `tinycrm contact list | head`: the reader left; that is not an error.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except OSError as exc:
            # `tinycrm … > file` on a full disk: files tinycrm opens itself say so on their
            # own (tinycrm.files, with their name); this is standard output
            if interrupts.interrupted_by(exc):
                _interrupted()
            if exc.filename is not None or exc.errno not in _FULL:
                raise
            _output_failed(exc)
        except Exception as exc:
            # A signal can land anywhere, also inside a library's own bookkeeping, which
            # then fails while it unwinds: that is still the interruption, and nothing
            # was saved (signals are held from the first save on).
            if not interrupts.interrupted_by(exc):
                raise
            _interrupted()


_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO)


def _flush() -> OSError | None:
    """Standard output flushed: the error when the disk is full (what the command printed
    is not all there), None when it is written, or its reader left (`| head`)."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return exc if exc.errno in _FULL else None
    except ValueError:  # closed
        pass
    return None


def _output_failed(exc: OSError) -> NoReturn:
    """Standard output could not be written: one line, which says whether the command's
    changes were saved all the same (a retry would add them again)."""
    saved = " (the command's changes were saved)" if interrupts.saved() else ""
    fail(f"cannot write the output: {exc.strerror or exc}{saved}", EXIT_REFUSED)


def _interrupted() -> NoReturn:
    """The one line an interrupted command ends with, exit 130."""
    if interrupts.saved():  # a command that saves in steps, stopped between them
        fail(
            "interrupted after saving part of its work (tinycrm feed shows what)",
            EXIT_INTERRUPTED,
        )
    fail("interrupted; nothing was saved by the unfinished command", EXIT_INTERRUPTED)


@contextmanager
def warnings_on_stderr() -> Iterator[None]:
    """The store's ``TinyCrmWarning``s (a phone number kept as typed, a likely duplicate)
    as one line each on stderr, ``Warning: …``; the command still succeeds. A line is
    printed once per command (``deal show`` reads a deal in two transactions: an amount
    stored as no number is named once)."""
    shown = warnings.showwarning
    printed: set[str] = set()

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, TinyCrmWarning):
            shown(message, category, *args, **kwargs)
            return
        from tinycrm.safetext import display

        line = f"Warning: {display(' '.join(str(message).split()))}\n"
        if line not in printed:
            printed.add(line)
            sys.stderr.write(line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _close_store(ctx: typer.Context) -> None:
    state = ctx.obj
    if isinstance(state, State):
        state.close()


def _say(note: str | None) -> None:
    """The line that follows a command's summary when a signal waited for it."""
    if note:
        sys.stderr.write(f"{note}\n")
        sys.stderr.flush()


def one_line_usage_error(exc: ClickException) -> NoReturn:
    """Click's usage errors (a bad option value, a missing argument, an unknown option
    or command) as one line on stderr naming the help to read, exit 2: not the usage
    line, a hint and a boxed panel over several lines."""
    if isinstance(exc, NoArgsIsHelpError):  # `tinycrm contact`: its help is the answer
        raise exc
    _own_wording(exc)
    ctx = getattr(exc, "ctx", None) or _parsing(exc)
    ctx = _root_option_placed_late(exc, ctx)
    _option_elsewhere(exc, ctx)
    _another_word(exc, ctx)
    message = _nearest_choice(exc.format_message().replace("Value error, ", ""))  # pydantic's
    if ctx is not None:
        message = f"{message} (see {ctx.command_path} --help)"
    fail(message, exc.exit_code)


def _root_option_placed_late(exc: ClickException, ctx: Any) -> Any:
    """`tinycrm contact list --db x.db` (or `--no-pager`): tinycrm's own options go
    before the command, as git's do; "No such option: --db" alone reads as though
    there were none, so the line says where it goes, and names the help that has it.
    Returns the context whose help to name."""
    from typer._click.exceptions import NoSuchOption

    if not isinstance(exc, NoSuchOption) or ctx is None or ctx.parent is None:
        return ctx
    root = ctx.find_root()
    for param in root.command.params:
        if exc.option_name in param.opts:
            exc.possibilities = []  # click's "Possible options" are the command's
            if param.name not in _ROOT_OPTIONS_FOR_A_COMMAND:  # --version stands alone
                exc.message = (
                    f"{exc.option_name} is tinycrm's own option: tinycrm {exc.option_name}"
                )
                return root
            value = f" {param.metavar}" if param.metavar else ""
            command = ctx.command_path.partition(" ")[2]
            exc.message = (
                f"{exc.option_name} is tinycrm's own option and goes before the command: "
                f"tinycrm {exc.option_name}{value} {command} …"
            )
            return root
    return ctx


_ROOT_OPTIONS_FOR_A_COMMAND = frozenset({"db_", "no_pager"})  # the parameters' names


_ELSEWHERE = {
    ("deal edit", "--stage"): "a deal changes stage with tinycrm deal move REF STAGE",
    ("deal edit", "--pipeline"): (
        "a deal changes pipeline with tinycrm deal move REF STAGE --pipeline NAME"
    ),
    ("deal edit", "--status"): (
        "a deal is closed with tinycrm deal won REF or deal lost REF --reason TEXT, "
        "and opened again with deal reopen REF"
    ),
}
"""Options a person looks for on one command that another command does: named there,
rather than Click's nearest options (`--stage`: "Possible options: --tag")."""


def _option_elsewhere(exc: ClickException, ctx: Any) -> None:
    from typer._click.exceptions import NoSuchOption

    if not isinstance(exc, NoSuchOption) or ctx is None:
        return
    command = ctx.command_path.partition(" ")[2]
    hint = _ELSEWHERE.get((command, exc.option_name))
    named = exc.option_name.startswith("--") and exc.possibilities  # (a misspelt --limit)
    if hint is None and re.fullmatch(r"-[0-9]+", exc.option_name):  # `task done -1`
        arguments = [p for p in ctx.command.params if p.param_type_name == "argument"]
        metavars = {getattr(p, "metavar", None) for p in arguments}
        if metavars & {"ID", "ITEM", "BATCH"}:
            hint = "an id is 1 or more"
        elif "POSITION" in metavars:
            hint = "a position is 1 or more"
        elif arguments and command != "search":
            example = f": tinycrm {command} -- {exc.option_name}" if len(arguments) == 1 else ""
            exc.possibilities = []
            exc.message = (
                f"No such option: {exc.option_name} (a value starting with - goes after "
                f"--{example})"
            )
            return
    if hint is None and command == "search" and not named:
        # (the text looked for read as options: "-minus" is -m…, "-5%" is -5)
        hint = "to search for a text starting with -, put -- before it: tinycrm search -- TEXT"
    if hint is not None:
        exc.possibilities = []
        exc.message = f"No such option: {exc.option_name}: {hint}"


_OTHER_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("delete", "remove", "del", "erase"), ("rm",)),
    **dict.fromkeys(("new", "create"), ("add",)),
    **dict.fromkeys(("view", "get", "info", "display"), ("show",)),
    **dict.fromkeys(("update", "modify", "change", "rename"), ("edit",)),
    **dict.fromkeys(("complete", "finish"), ("done",)),
    "close": ("won", "lost"),  # a deal's; a spelling guess said only 'lost'
    "migrate": ("upgrade",),
    "reorder": ("move",),
}
"""Words other tools use for a command, too far from its name for a spelling guess
(`contact delete`: 'rm'), and the commands tinycrm has for each."""


def _another_word(exc: ClickException, ctx: Any) -> None:
    """ "No such command 'delete'." with the command meant, when the word is another
    tool's for it or the name in capitals (`CONTACT`), or `help` (the option is --help)."""
    found = re.fullmatch(r"(No such command '(.*)'\.)( Did you mean .*)?", str(exc.message))
    if found is None or ctx is None or not hasattr(ctx.command, "list_commands"):
        return
    typed = found[2].casefold()
    if typed == "help":
        meant: tuple[str, ...] = (f"{ctx.command_path} --help",)
    else:
        names = ctx.command.list_commands(ctx)
        meant = (typed,) if typed in names else _OTHER_WORDS.get(typed, ())
        head, dash, word = typed.rpartition("-")
        if not meant and dash and word in _OTHER_WORDS:  # `pipeline stage-rename`: stage-edit
            meant = tuple(f"{head}-{name}" for name in _OTHER_WORDS[word])
        if not meant or not set(meant) <= set(names):
            return
    exc.message = f"{found[1]} Did you mean {' or '.join(map(repr, meant))}?"


def _parsing(exc: BaseException) -> Any:
    """The context of the command whose arguments were being read when ``exc`` was
    raised: click raises "Option '--limit' requires an argument." without one, so the
    help to read is found where it was raised (the innermost ``ctx`` on the way)."""
    from typer._click.core import Context

    found = None
    trace = exc.__traceback__
    while trace is not None:
        ctx = trace.tb_frame.f_locals.get("ctx")
        if isinstance(ctx, Context):
            found = ctx
        trace = trace.tb_next
    return found


# Typer reads option values through pydantic; its wording for a value that is not a
# number ("Input should be a valid integer, unable to parse string as an integer") is
# said our way, naming the value.
_NOT_A_NUMBER = {
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "float_parsing": "is not a number",
    "float_type": "is not a number",
    "decimal_parsing": "is not a number",
}


_NOT_ONE_OF = re.compile(r"(?P<head>.*?(?P<typed>'[^']*') is not one of (?P<choices>'.*'))\.?")


def _nearest_choice(message: str) -> str:
    """``'quater' is not one of 'month', 'quarter'`` (a choice's refusal, Typer's or an
    option's own) with the nearest choice offered: ``; did you mean 'quarter'?``."""
    import difflib

    found = _NOT_ONE_OF.fullmatch(message)
    if found is None:
        return message
    typed = found["typed"][1:-1].casefold()
    choices = re.findall(r"'([^']*)'", found["choices"])
    near = difflib.get_close_matches(typed, choices, n=1, cutoff=0.5)
    return f"{found['head']}; did you mean {near[0]!r}?" if near else message


def _own_wording(exc: ClickException) -> None:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors) or not isinstance(exc, typer.BadParameter):
        return
    try:
        first = errors()[0]
    except (IndexError, TypeError):
        return
    said = _NOT_A_NUMBER.get(first.get("type", ""))
    if said is not None:
        given = first.get("input")
        shown = safetext.quoted(given) if isinstance(given, str) else repr(given)
        exc.message = f"{safetext.display(shown)} {said}"


app = typer.Typer(
    cls=CrmGroup,
    name="tinycrm",
    help="A terminal-first CRM: companies, contacts, deals, activities and tasks.",
    no_args_is_help=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tinycrm {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db_: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: $TINYCRM_DB, else tinycrm.db "
            "in your user data dir).",
            metavar="PATH|URL",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print long lists straight to the terminal (else through $TINYCRM_PAGER, "
            "$PAGER or less -FRX).",
        ),
    ] = False,
) -> None:
    """tinycrm: track companies, contacts, deals and follow-ups from the shell."""
    pager.allow(not no_pager)
    ctx.obj = State(db=db_)
    if ctx.invoked_subcommand is None:
        from tinycrm.cli.board import is_terminal, run_board
        from tinycrm.cli.common import crm

        if not is_terminal():
            typer.echo(ctx.get_help())  # piped or scripted: the help, not a full-screen app
            return
        run_board(crm(ctx))


def _closed_streams() -> None:
    """Python leaves a standard stream the shell closed (``2>&-``) as None, which every
    write and the last flush trip over. A closed stdin or stderr is as /dev/null (input
    ends at once; messages go nowhere, exit codes still tell); a closed stdout is refused
    before anything is done, since what tinycrm prints is what it was asked for."""
    import os

    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (for the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stderr.write(
            "Error: standard output is closed (>&-): nothing was done; "
            ">/dev/null discards what tinycrm prints\n"
        )
        sys.stderr.flush()
        raise SystemExit(1)


def _narrow_encodings() -> None:
    """A stream whose encoding cannot spell every character (a Latin-1 locale, ``LC_ALL=C``
    with Python's UTF-8 mode off, ``PYTHONIOENCODING=ascii``) ended a command with a
    UnicodeEncodeError traceback at the first € or ü, after part of its output. Now a
    terminal shows what it cannot spell as an escape (``\\u20ac``), as stderr always has;
    a pipe or file gets UTF-8, as every file tinycrm writes, so ``> contacts.csv`` loses
    nothing; an encoding named in PYTHONIOENCODING is the user's and kept, with its own
    error handler if it names one, else shown as escapes too."""
    import codecs
    import io
    import os

    asked, _, handler = os.environ.get("PYTHONIOENCODING", "").partition(":")
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper) or not stream.encoding:
            continue
        if codecs.lookup(stream.encoding).name.startswith("utf-"):
            continue
        if stream is sys.stdout and not asked and not stream.isatty():
            stream.reconfigure(encoding="utf-8", errors="strict")
        elif not (asked and handler):
            stream.reconfigure(errors="backslashreplace")


def main() -> None:
    """Console-script entry point: signals are ours from here to the exit."""
    _closed_streams()
    _narrow_encodings()
    interrupts.install()
    try:
        app(prog_name="tinycrm")
    except SystemExit as exc:
        note = interrupts.finish()
        if exc.code in (0, None):  # a failure says so itself
            _say(note)
        # Then leave at once: tearing the interpreter down takes up to a second after a
        # big import, a second in which Python runs no signal handler (Ctrl-C ignored).
        interrupts.exit_now(exc.code)
