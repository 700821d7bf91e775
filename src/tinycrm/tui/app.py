"""The full-screen board: ``make_app(crm)`` builds it for ``tinycrm board`` and the tests.

The app wires screens together and owns two services they share:

* ``run_write``: writes go to one writer thread (``tui/writer.py``), one at
  a time and in the order they were asked for, so the interface never waits on
  the database and two quick moves of a card reach it in the order they were
  made. A write that waits (a lock) marks its card and says "saving…"; one that
  fails cancels those queued behind it and every screen reloads; quitting with
  writes pending says so and waits, and a second ``q`` discards them;
* a poll of ``crm.board.change_marker()`` (every second): when another process writes, every
  screen gets ``DataChanged`` and reloads what it shows, in place, without
  taking the focus or touching an open form. The poll also checks that the
  database file is still the one opened: once it was moved or replaced, the
  board stops writing and says so.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tinycrm.api import Crm
from tinycrm.api.models import ChangeMarker, DatabaseGone
from tinycrm.clock import utcnow
from tinycrm.errors import TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.commands import JumpCommands, NavigationCommands
from tinycrm.tui.messages import (
    ActivityOpened,
    DatabaseLost,
    DataChanged,
    RecordOpened,
    WritesPending,
    WritesSaved,
)
from tinycrm.tui.preload import Preload, collector_on
from tinycrm.tui.writer import SAVED, Write, WriteCancelled, Writer, refusal

if TYPE_CHECKING:
    from tinycrm.tui.base import CrmApp
    from tinycrm.tui.screens.record import RecordScreen

T = TypeVar("T")

POLL_SECONDS = 1.0
"""How often the app asks the database whether anything changed (issue: within 2 s)."""
IDLE_SECONDS = 2.0
"""After this long without a key or a click, a full garbage collection is not in the way."""
GC_FULL_EVERY = 1000
"""Collections of the middle generation between automatic full ones (Python's default: 10)."""
PENDING_DELAY = 0.3
"""A write still waiting after this many seconds marks its card "saving…" (no flicker before)."""
DISCARD_WAIT = 5.0
"""Quitting waits at most this long for a write already committing."""
COLLECTOR_BACK_SECONDS = 5.0
"""The cyclic collector is back on this long after the app mounts, at the latest."""


class TinyCrmApp(App[None]):
    """tinycrm's full-screen interface over one open CRM (screens see it as a ``CrmApp``)."""

    CSS_PATH = "tinycrm.tcss"
    TITLE = "tinycrm"
    COMMANDS = App.COMMANDS | {NavigationCommands, JumpCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Ctrl-C as a terminal user means it: stop. It copies text selected with the mouse
        # (as a terminal does), else closes the form or dialog open (a form with something
        # typed in it asks first), else quits as q does. A priority binding: an Input's
        # ctrl+c copied, the screen's copied a selection or did nothing.
        Binding(
            "ctrl+c",
            "interrupt",
            "Quit (in a form or dialog: cancel it; with text selected by mouse: copy it)",
            show=False,
            id="app.interrupt",
            priority=True,
        ),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("1", "show_board", "Board", show=False, id="app.board"),
        Binding("2", "show_contacts", "Contacts", show=False, id="app.contacts"),
        Binding("3", "show_companies", "Companies", show=False, id="app.companies"),
        Binding("4", "show_tasks", "Tasks", show=False, id="app.tasks"),
        Binding("5", "show_dashboard", "Dashboard", show=False, id="app.dashboard"),
        Binding("6", "show_cases", "Cases", show=False, id="app.cases"),
        # A full-screen app reads ctrl+z as a key (the terminal sends no SIGTSTP): suspend
        # as Textual does, the screen given back to the shell until fg. A priority binding,
        # so a form (a modal screen, which app bindings do not reach) suspends too.
        Binding(
            "ctrl+z",
            "suspend_process",
            "Suspend (fg resumes)",
            show=False,
            id="app.suspend",
            priority=True,
        ),
    ]

    def __init__(
        self,
        crm: Crm,
        *,
        poll_interval: float = POLL_SECONDS,
        clock: Callable[[], datetime] | None = None,
        preload: Preload | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.crm = crm
        """The open CRM: every read and write of the board goes through it."""
        self.user_keys = dict(keymap or {})
        self._clashes: set[frozenset[str]] = set()
        self.preload = preload
        self.poll_interval = poll_interval
        self._clock = clock
        self.marker: ChangeMarker | None = None
        crm.board.bound_lock_waits()  # PostgreSQL: a lock is waited for as long as SQLite does
        self.opened = crm.board.file_id()
        """The database file (device, inode) the board writes to, and only to."""
        self.gone: TinyCrmError | None = None
        """Why the board stopped writing (its file was moved or replaced), if it did."""
        self._writer: Writer | None = None
        self._unreported: set[Write] = set()
        self._reported = 0
        self._pending_timer: Timer | None = None
        self.saving = False
        """A write has waited long enough that the screens show it pending."""
        self._quitting = False
        self.discarded: list[Write] = []
        """Writes the user chose to leave unsaved when quitting (told on exit)."""
        self._poll_failed = False
        self._last_input = self._last_collect = 0.0
        self._held_keys: list[events.Key] | None = None
        self._gc_thresholds = gc.get_threshold()
        self.errors: list[BaseException] = []
        """Unexpected errors in workers: shown to the user, kept for the tests."""
        self._raw_controls = fmt.RawControls()

    # ------------------------------------------------------------------ stored text

    def get_line_filters(self) -> list[LineFilter]:
        """Textual's filters, then the net that keeps raw controls off the terminal."""
        return [*super().get_line_filters(), self._raw_controls]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages name records and quote errors, so a
        title like ``[link=…]x[/]`` shows as typed and controls in it show escaped; and
        short: one longer than ``fmt.MESSAGE_LIMIT`` characters is cut with an ellipsis."""
        super().notify(
            fmt.message(message), title=fmt.message(title), severity=severity,
            timeout=timeout, markup=False,
        )  # fmt: skip

    async def action_interrupt(self) -> None:
        """Ctrl-C: copy the text selected with the mouse; else close the form or dialog
        open (as its esc does: a form asks first when something was typed in it); else
        quit, as q does."""
        screen = self.screen
        selected = screen.get_selected_text()
        if selected:
            self.copy_to_clipboard(selected)
            screen.clear_selection()
            self.notify("Copied the selected text (ctrl+c again quits)")
            return
        if isinstance(screen, ModalScreen):
            for _, binding in screen._bindings:
                if binding.key == "escape":
                    await self.run_action(binding.action, screen)
                    return
            screen.dismiss(None)
            return
        await self.action_quit()

    # ------------------------------------------------------------------ screens

    def get_default_screen(self) -> Screen[Any]:
        from tinycrm.tui.screens.board import BoardScreen

        return BoardScreen()

    def on_mount(self) -> None:
        if self.user_keys:
            self._apply_user_keys()
        try:
            self.marker = self.crm.board.change_marker()
        except TinyCrmError:
            self.marker = None
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.check_changes, name="poll")
        # Full garbage collections walk every object: with a big board in memory they
        # paused the interface for 100-300 ms every few key presses. Make them rare
        # while the user types, and run them when the user pauses instead.
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(self._gc_thresholds[0], self._gc_thresholds[1], GC_FULL_EVERY)
        self.set_interval(IDLE_SECONDS, self._collect_when_idle, name="idle-gc")
        # Off since the board's start (Preload.start); the first board turns it back on,
        # and this whatever happens to that first load.
        self.set_timer(COLLECTOR_BACK_SECONDS, collector_on, name="collector-on")
        self.app_resume_signal.subscribe(self, self._repaint_on_resume)

    def _repaint_on_resume(self, _app: object) -> None:
        """Back from ctrl+z (fg): paint the whole screen again. The terminal shows a blank
        screen, and Textual repainted only what changed meanwhile (the board's title)."""
        self.screen.refresh(layout=True)

    def _apply_user_keys(self) -> None:
        from tinycrm.tui.keymap import unknown_ids

        unknown = unknown_ids(self.user_keys)
        if unknown:
            self.notify(
                f"[keys] in the config file: no binding is called {', '.join(unknown)} "
                "(README: Your own keys)",
                severity="warning",
                timeout=10,
            )
        self.set_keymap({k: v for k, v in self.user_keys.items() if k not in unknown})

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """Say once when [keys] gave two bindings of one place the same key."""
        ids = frozenset(b.id or b.action for b in clashed_bindings)
        if ids in self._clashes:
            return
        self._clashes.add(ids)
        self.notify(
            f"[keys] in the config file: {', '.join(sorted(ids))} clash (one key, one place); "
            "the user's key wins",
            severity="warning",
            timeout=10,
        )

    def on_unmount(self) -> None:
        collector_on()
        gc.set_threshold(*self._gc_thresholds)
        if self._writer is not None:
            self._writer.close()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded  # as read, not bubbling back up from a field
            and (form_sees := getattr(self.screen, "key_pressed", None)) is not None
        ):
            form_sees(event.key)  # a form's question (discard what was typed?) taken back
        if (
            isinstance(event, events.Key)
            and self._held_keys is not None
            and not event.is_forwarded
            and not any(
                b.priority and b.action != "interrupt"  # ctrl+c cancels the form on its way
                for b in self._bindings.key_to_bindings.get(event.key, ())
            )
        ):
            self._held_keys.append(event)  # for the form on its way (ctrl+q still quits)
            return
        await super().on_event(event)

    def hold_keys(self) -> None:
        """Keep the keys typed from now on, for a form being loaded (``held_keys``)."""
        self._held_keys = []

    def held_keys(self) -> list[events.Key]:
        """The keys kept since ``hold_keys``, in order; from now on keys act again."""
        held, self._held_keys = self._held_keys or [], None
        return held

    def _collect_when_idle(self) -> None:
        now = time.monotonic()
        if now - self._last_input > IDLE_SECONDS and self._last_input > self._last_collect:
            gc.collect()
            self._last_collect = now

    def now(self) -> datetime:
        """The time badges and relative times are judged by (fixed in snapshot tests)."""
        return self._clock() if self._clock else utcnow()

    def open_record(self, kind: str, record_id: int) -> None:
        """Show the deal, contact or company ``record_id`` over the current screen (a
        support case: on the cases screen; a contract: its contact's or company's view)."""
        if kind == "case":
            self.open_case(record_id)
            return
        if kind == "contract":
            try:
                contract = self.crm.contracts.get(record_id)
            except TinyCrmError as exc:
                self.notify(str(exc), severity="warning")
                return
            if contract.contact_id is not None:
                kind, record_id = "contact", contract.contact_id
            elif contract.company_id is not None:
                kind, record_id = "company", contract.company_id
            else:
                self.notify(f"Contract #{contract.id} {contract.title} has no contact or company.")
                return

        current = self.screen
        if getattr(current, "kind", None) == kind and getattr(current, "record_id", None) == (
            record_id
        ):
            return
        self.push_screen(record_screen(kind, record_id))

    def on_record_opened(self, message: RecordOpened) -> None:
        self.open_record(message.kind, message.record_id)

    def on_activity_opened(self, message: ActivityOpened) -> None:
        from tinycrm.tui.screens.activity_view import ActivityScreen

        self.push_screen(ActivityScreen(message.activity_id))

    def _back_to_board(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_show_board(self) -> None:
        self._back_to_board()

    def _show(self, screen_type: type[Screen[Any]]) -> None:
        if isinstance(self.screen, screen_type):
            return
        self._back_to_board()
        self.push_screen(screen_type())

    def action_show_contacts(self) -> None:
        from tinycrm.tui.screens.lists import ContactsScreen

        self._show(ContactsScreen)

    def action_show_companies(self) -> None:
        from tinycrm.tui.screens.lists import CompaniesScreen

        self._show(CompaniesScreen)

    def action_show_tasks(self) -> None:
        from tinycrm.tui.screens.tasks import TasksScreen

        self._show(TasksScreen)

    def action_show_cases(self) -> None:
        from tinycrm.tui.screens.cases import CasesScreen

        self._show(CasesScreen)

    def open_case(self, case_id: int) -> None:
        """The cases screen, on the case ``case_id``."""
        from tinycrm.tui.screens.cases import CasesScreen

        self.push_screen(CasesScreen(focus_case=case_id))

    def action_show_dashboard(self) -> None:
        from tinycrm.tui.screens.dashboard import DashboardScreen

        self._show(DashboardScreen)

    def action_help(self) -> None:
        from tinycrm.tui.screens.help import HelpScreen

        if isinstance(self.screen, ModalScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a worker: say so and keep running (tinycrm's refusals never get here)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.errors.append(error)
            self.log.error(error)
            self.notify(f"Unexpected error: {error!r}", title="Bug", severity="error")

    def _fatal_error(self) -> None:
        """Textual's crash report, without local variables.

        With thousands of cards in memory, rendering every frame's locals took
        minutes: the app seemed to hang instead of exiting with the traceback.
        """
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    # ------------------------------------------------------------------ live refresh

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def check_changes(self) -> None:
        """Ask the database for its change marker; tell every screen when it moved."""
        if self.gone is not None:
            return
        try:
            self.crm.board.check_file(self.opened)
            marker = self.crm.board.change_marker()
        except DatabaseGone as exc:
            self.call_from_thread(self._database_gone, exc)
            return
        except TinyCrmError as exc:
            if not self._poll_failed:
                self._poll_failed = True
                self.call_from_thread(self.notify, str(exc), title="Database", severity="error")
            return
        self._poll_failed = False
        if marker != self.marker:
            self.call_from_thread(self._changed, marker)

    def _changed(self, marker: ChangeMarker) -> None:
        if marker == self.marker:
            return
        self.marker = marker
        for screen in self.screen_stack:
            screen.post_message(DataChanged(marker))

    # ------------------------------------------------------------------ writes

    def run_write(
        self,
        call: Callable[[], T],
        *,
        done: Callable[[T], Any] | None = None,
        failed: Callable[[TinyCrmError], Any] | None = None,
        shown: bool = False,
        label: str = "a change",
        deal_id: int | None = None,
    ) -> None:
        """Queue a write for the writer thread, after every write asked for before it.

        ``done`` gets the result and ``failed`` the refusal (a ``TinyCrmError``), both on the
        app's thread; without ``failed`` the refusal is shown as a notification.
        When a write fails, the writes queued behind it are cancelled (their
        ``failed`` gets ``WriteCancelled``) and every screen reloads.
        ``shown``: the caller already shows the change (a card moved at the key
        press), so when nobody else wrote meanwhile, no screen needs to reload.
        ``label`` names the change in messages; ``deal_id`` is the card marked
        "saving…" while the write waits.
        """
        write = Write(call, label=label, deal_id=deal_id, done=done, failed=failed, shown=shown)
        if shown:  # the moved card is drawn before the writer takes the GIL for its work
            write.drawn = threading.Event()
            self.call_after_refresh(write.drawn.set)
        self._unreported.add(write)
        self.writer.submit(write)
        if self.saving:  # already waiting: this one waits too, and its card says so
            self._tell_pending(self.pending_writes())
        elif self._pending_timer is None:
            self._pending_timer = self.set_timer(PENDING_DELAY, self._show_pending)

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            self._writer = Writer(
                self.crm,
                opened=self.opened,
                report=self._write_finished,
                loop=asyncio.get_running_loop(),
            )
        return self._writer

    def pending_writes(self) -> list[Write]:
        return self._writer.pending() if self._writer is not None else []

    @property
    def writing(self) -> bool:
        """Whether a write has not been reported yet (saved, failed or cancelled)."""
        return bool(self._unreported)

    def _show_pending(self) -> None:
        """A write has waited a while (a lock): mark its card and say "saving…"."""
        self._pending_timer = None
        pending = self.pending_writes()
        if pending and not self.saving:
            self.saving = True
            self._tell_pending(pending)

    def _tell_pending(self, pending: list[Write]) -> None:
        message = WritesPending(len(pending), {w.deal_id for w in pending if w.deal_id})
        for screen in self.screen_stack:
            screen.post_message(message)

    @property
    def writes_reported(self) -> int:
        """How many writes have been reported (saved, failed or cancelled) so far: a board
        read while one was waiting may predate it (``BoardScreen._apply``)."""
        return self._reported

    def _write_finished(self, write: Write) -> None:
        self._unreported.discard(write)
        self._reported += 1
        if write.state == SAVED:
            if write.done is not None:
                write.done(write.result)
            for warning in write.warnings:  # a post-write hook that failed, say
                from tinycrm.safetext import display

                self.notify(display(warning), title="Saved, but", severity="warning")
        else:
            assert write.error is not None
            self._report_failure(write, write.error)
            for later in write.behind:
                self._report_failure(later, later.error or WriteCancelled(later.label))
            if write.behind:
                count = len(write.behind)
                self.notify(
                    f"{_changes(count)} queued after it {'was' if count == 1 else 'were'} "
                    "not saved either",
                    title="Not saved",
                    severity="error",
                )
            if isinstance(write.error, DatabaseGone):
                self._database_gone(write.error)
        if (
            write.state == SAVED
            and write.shown
            and write.markers is not None
            and _only_ours(self.marker, *write.markers)
        ):
            self.marker = write.markers[1]  # our own change, already on screen: nothing to reload
        elif write.state == SAVED:
            self.check_changes()
        else:
            self._reload_everything()
        pending = self.pending_writes()
        if self.saving:
            self.saving = bool(pending)
            self._tell_pending(pending)
        if not self._unreported:
            for screen in self.screen_stack:
                screen.post_message(WritesSaved())
        if self._quitting:
            self._quit_when_saved(write.state == SAVED)

    def _report_failure(self, write: Write, error: TinyCrmError) -> None:
        self._unreported.discard(write)
        if write.failed is not None:
            write.failed(error)
        elif not isinstance(error, WriteCancelled):
            self.notify(refusal(write.label, error), title="Not saved", severity="error")

    def _reload_everything(self) -> None:
        """After a failed write: every screen shows what is stored, not what was hoped."""
        marker = self.marker
        if marker is not None:
            for screen in self.screen_stack:
                screen.post_message(DataChanged(marker, force=True))
        self.check_changes()

    def _database_gone(self, error: TinyCrmError) -> None:
        """The file was moved or replaced: stop writing, for good, and say so once."""
        if self.gone is not None:
            return
        self.gone = error
        for write in self.writer.stop(error):
            self._report_failure(write, error)
        self.notify(str(error), title="Database moved", severity="error", timeout=3600)
        for screen in self.screen_stack:
            screen.post_message(DatabaseLost(str(error)))

    # ------------------------------------------------------------------ quitting

    async def action_quit(self) -> None:
        """Quit; with changes still being saved, say so first and quit once they are.

        A second ``q`` while they wait discards them (and says which, on exit). With
        something typed in a form, the form asks first (the key again quits).
        """
        from tinycrm.tui.screens.forms import FormScreen

        keys = [  # those that reach a form: priority ones (ctrl+q)
            binding
            for _, binding in self._bindings
            if binding.action == "quit" and binding.priority
        ]
        for screen in reversed(self.screen_stack):
            # a form holding typed text the user was not asked about (ctrl+q reaches a
            # form, and quitting lost what was typed without a word): it asks
            if isinstance(screen, FormScreen) and screen.ask_first("quit", keys):
                return
        pending = self.pending_writes()
        if not pending:
            self.exit()
            return
        if not self._quitting:
            self._quitting = True
            count = len(pending)
            verb = "is" if count == 1 else "are"
            self.notify(
                f"{_changes(count)} {verb} still being saved… quitting when done; "
                "press q again to discard",
                title="Saving",
                severity="warning",
                timeout=30,
            )
            return
        self.discarded = self.writer.discard(timeout=DISCARD_WAIT)
        self.exit()

    def _quit_when_saved(self, saved: bool) -> None:
        if not saved:
            self._quitting = False  # stay: the user sees what was not saved
            return
        if not self.pending_writes():
            self.exit()

    def discard_pending(self) -> list[Write]:
        """Cancel what is still waiting to be saved (the process is being interrupted)."""
        if self._writer is None:
            return []
        self.discarded += self._writer.discard(timeout=DISCARD_WAIT)
        return self.discarded


def record_screen(kind: str, record_id: int) -> RecordScreen:
    """The screen that shows a record of ``kind``."""
    from tinycrm.tui.screens.contact_company_records import CompanyScreen, ContactScreen
    from tinycrm.tui.screens.deal_record import DealScreen

    screen_type = {"deal": DealScreen, "contact": ContactScreen, "company": CompanyScreen}[kind]
    return screen_type(record_id)


def _changes(count: int) -> str:
    return "1 change" if count == 1 else f"{count:,} changes"


def _only_ours(seen: ChangeMarker | None, before: ChangeMarker, after: ChangeMarker) -> bool:
    """Whether the database moved from what the app had seen by exactly one event: ours."""
    return (
        seen == before
        and after.last_event_id == before.last_event_id + 1
        and after.recent_events in (before.recent_events, before.recent_events + 1)
    )


def make_app(
    crm: Crm,
    *,
    poll_interval: float = POLL_SECONDS,
    clock: Callable[[], datetime] | None = None,
    preload: Preload | None = None,
    keymap: Mapping[str, str] | None = None,
) -> TinyCrmApp:
    """The board over ``crm`` (``tinycrm.open(…)``; the caller closes it).

    ``clock`` fixes "now" (snapshots); ``poll_interval`` is the live-refresh period in
    seconds (0 turns it off); ``preload`` is the board's first load, already under way;
    ``keymap`` is the user's own keys, by binding id (the config file's ``[keys]``).
    """
    return TinyCrmApp(crm, poll_interval=poll_interval, clock=clock, preload=preload, keymap=keymap)


if TYPE_CHECKING:

    def _screens_see(app: TinyCrmApp) -> CrmApp:
        return app  # mypy: the app is everything its screens take it for (tui/base.py)
