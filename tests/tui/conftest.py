"""Fixtures for driving the board: a store on a temp SQLite file, sample data, helpers."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from textual.worker import WorkerCancelled

from tinycrm.store.engine import Store, open_store

if TYPE_CHECKING:
    from tinycrm.tui.screens.forms import FormScreen

T = TypeVar("T")
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
SIZE = (160, 45)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Pilot is asyncio; no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def db_path(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "board.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
def tui_store(db_path: Path) -> Iterator[Store]:
    store = open_store(str(db_path), user="tester")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def frozen_clock(time_machine) -> Callable[[], datetime]:  # type: ignore[no-untyped-def]
    """The one clock (the store's, and every "now" tinycrm reads) set to two hours before
    NOW, ticking, so the data is written a little before NOW; the board's "now" (what its
    badges and relative times are judged by) is NOW itself, fixed."""
    # A timestamp: given a UTC datetime, time-machine would also set TZ=UTC.
    time_machine.move_to((NOW - timedelta(hours=2)).timestamp(), tick=True)
    return lambda: NOW


def seed(store: Store, *, now: datetime = NOW) -> dict[str, int]:
    """A small pipeline: one deal per stage, one won, one lost, a task, a call; its dates
    are placed relative to ``now`` (the board orders cards by close date)."""
    from tinycrm.store.activities import add_task, log_activity
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.deals import add_deal, lose_deal, win_deal

    today = now.date()
    add_company(store, name="Acme GmbH", domain="acme.de", city="Berlin", tags=["enterprise"])
    add_contact(store, name="Jürgen Müller", email="jm@acme.de", company="Acme GmbH", title="CEO")
    add_contact(store, name="Ada Lovelace", email="ada@example.com", company="Engines Ltd")
    ids = {
        "renewal": add_deal(
            store,
            title="Acme renewal",
            contact="jm@acme.de",
            amount="18500",
            close_date=today + timedelta(days=3),
            tags=["enterprise"],
        ).id,
        "pilot": add_deal(
            store,
            title="Engines pilot",
            contact="ada@example.com",
            amount="7200",
            stage="Qualified",
            close_date=today + timedelta(days=27),  # 2026-12-20 at NOW
            owner="sam",
        ).id,
        "support": add_deal(
            store, title="Acme support", company="Acme GmbH", amount="2400", currency="USD",
            stage="Proposal",
        ).id,
        "expansion": add_deal(
            store, title="Big expansion", company="Acme GmbH", amount="120000",
            stage="Negotiation", probability=60,
            close_date=today + timedelta(days=53),  # 2027-01-15 at NOW
        ).id,
        "won": add_deal(store, title="Closed last month", amount="5000").id,
        "lost": add_deal(store, title="Went elsewhere", amount="900").id,
    }  # fmt: skip
    win_deal(store, ids["won"])
    lose_deal(store, ids["lost"], reason="price")
    ids["task"] = add_task(
        store, text="Send the contract", due=now - timedelta(days=1), deal="Acme renewal"
    ).id
    # at ``now``, or at the store's clock when that is earlier (``frozen_clock`` writes two
    # hours before NOW): a call is logged once it has happened
    log_activity(
        store,
        kind="call",
        text="Walked through the proposal",
        deal="Acme renewal",
        at=min(now, datetime.now(UTC)),
    )
    return ids


@pytest.fixture
def seeded(tui_store: Store) -> dict[str, int]:
    return seed(tui_store, now=datetime.now(UTC))


async def settle(pilot: Any, *, rounds: int = 30) -> None:
    """Let messages, workers and their callbacks run until nothing is left to do."""
    app = pilot.app

    def writing() -> bool:  # the writer thread is not one of Textual's workers
        return bool(getattr(app, "writing", False))

    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in app.workers if w.is_running]
        if not busy and not writing():
            await pilot.pause()
            if not [w for w in app.workers if w.is_running] and not writing():
                assert not getattr(app, "errors", []), app.errors
                return
        if busy:
            # Not WorkerManager.wait_for_complete: it raises WorkerCancelled for a worker
            # that an exclusive one replaced, which is the app working as meant.
            outcomes = await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException) and not isinstance(
                    outcome, WorkerCancelled | asyncio.CancelledError
                ):
                    raise outcome
        else:
            await pilot.pause(0.1)
    raise AssertionError("the app did not settle")


async def open_screen(pilot: Any, key: str, screen_type: type[T]) -> T:
    """Press a screen key (``4`` tasks, ``5`` dashboard …) and return the screen it opened."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


async def open_form(pilot: Any, *keys: str, record: tuple[str, int] | None = None) -> FormScreen:
    """Open a form as a person does and return it: on the record ``record`` (``("deal",
    7)``) when given, else where the app is, press ``keys`` (``n`` a new deal, ``e`` edit,
    ``x`` lost …) once the app has settled."""
    from tinycrm.tui.screens.forms import FormScreen

    await settle(pilot)
    if record is not None:
        pilot.app.open_record(*record)
        await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, FormScreen), form
    return form


async def wait_for(pilot: Any, condition: Callable[[], Any], *, timeout: float = 3.0) -> None:
    """Pause until ``condition()`` is true (for what another process does)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
