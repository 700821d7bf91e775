"""What screens and widgets know of the app, typed: ``CrmApp``, ``CrmScreen``, ``CrmModalScreen``.

Textual types ``self.app`` as any ``App``; tinycrm's screens need more of it (the
open ``Crm``, the clock, the one writer, record routing). ``CrmApp`` is that
part of ``TinyCrmApp``, written down as a protocol, so every use is checked and
the app module (which imports the screens) is never imported back by them.
``tinycrm.tui.app`` checks that ``TinyCrmApp`` is a ``CrmApp``.

A screen subclasses ``CrmScreen`` (or ``CrmModalScreen``) and reaches the app
through ``self.crm_app`` and the database through ``self.crm`` (the public API).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

from textual.command import Provider
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import events

    from tinycrm.api import Crm
    from tinycrm.errors import TinyCrmError
    from tinycrm.tui.preload import Preload

ResultT = TypeVar("ResultT")
T = TypeVar("T")


@runtime_checkable
class CrmApp(Protocol):
    """The services ``TinyCrmApp`` gives its screens, widgets and command providers."""

    @property
    def crm(self) -> Crm:
        """The open CRM the board shows (the public API: ``crm.deals.move(…)``)."""

    @property
    def preload(self) -> Preload | None:
        """The board's first load, started before Textual (``tinycrm board``), or None."""

    @property
    def gone(self) -> TinyCrmError | None:
        """Why the board stopped writing (its database file was moved), if it did."""

    @property
    def saving(self) -> bool:
        """A write has waited long enough that the screens show it pending."""

    @property
    def writing(self) -> bool:
        """A write has not been reported yet (saved, failed or cancelled)."""

    @property
    def writes_reported(self) -> int:
        """How many writes have been reported (saved, failed or cancelled) so far."""

    def now(self) -> datetime:
        """The time badges and relative times are judged by."""
        ...

    def open_record(self, kind: str, record_id: int) -> None:
        """Show the deal, contact or company ``record_id`` over the current screen."""

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
        """Queue a write for the one writer thread (see ``TinyCrmApp.run_write``)."""

    def hold_keys(self) -> None:
        """Keep the keys typed from now on, for a form being loaded (``held_keys``)."""

    def held_keys(self) -> list[events.Key]:
        """The keys kept since ``hold_keys``, in order; from now on keys act again."""
        ...

    def action_show_board(self) -> None: ...
    def action_show_contacts(self) -> None: ...
    def action_show_companies(self) -> None: ...
    def action_show_tasks(self) -> None: ...
    def action_show_dashboard(self) -> None: ...
    def action_show_cases(self) -> None: ...
    def open_case(self, case_id: int) -> None: ...
    def action_help(self) -> None: ...


def crm_app_of(node: DOMNode | Provider) -> CrmApp:
    """The tinycrm app ``node`` runs in, typed (for widgets and command providers)."""
    return cast("CrmApp", node.app)


class CrmScreen(Screen[ResultT]):
    """A full screen of the board."""

    @property
    def crm_app(self) -> CrmApp:
        return cast("CrmApp", self.app)

    @property
    def crm(self) -> Crm:
        return self.crm_app.crm

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen that failed unexpectedly (a bug, a value another
        program stored that nothing reads) is told to the app, which says so: Textual
        tells only the worker's own node, and the screen showed 'Loading…' for ever."""
        if event.state == WorkerState.ERROR and event.worker.node is self:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))


class CrmModalScreen(CrmScreen[ResultT], ModalScreen[ResultT]):
    """A screen over another (a form)."""
