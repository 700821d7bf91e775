"""The board over thousands of deals while another process writes to its database: the
board answers keys, shows the other process's change on its card and in its feed, and
never says the database is locked (WAL: its reads never wait for that writer)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.tui.conftest import settle, wait_for
from tests.tui.test_escapes import screen_text
from tinycrm.api import Crm
from tinycrm.store.models import Deal, Stage
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen

DEALS = 3000


def _fill(store: Any) -> None:
    """``DEALS`` open deals spread over the stages, in one insert (as an import would)."""
    now = datetime.now(UTC)
    with store.write() as session:
        stages = session.execute(select(Stage.id).order_by(Stage.position)).scalars().all()
        session.connection().execute(
            insert(Deal),
            [
                {
                    "title": f"Bulk {i}",
                    "title_key": f"bulk {i}",
                    "pipeline_id": 1,
                    "stage_id": stages[i % 2],
                    "amount_minor": 100_00,
                    "currency": "EUR",
                    "close_date": date.today() + timedelta(days=i % 90),
                    "status": "open",
                    "owner": "tester",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, DEALS + 1)
            ],
        )


@pytest.mark.slow
async def test_a_big_board_follows_another_process_writing(tui_store) -> None:
    _fill(tui_store)
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0.2)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.board is not None
        before = [column.count for column in board.board.columns]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        writer = subprocess.Popen(  # a real second process, as a script or a colleague
            [sys.executable, "-m", "tinycrm", "--db", str(tui_store.path), "deal", "move",
             "Bulk 2", "Proposal"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        slowest = 0.0
        while writer.poll() is None:  # the board answers keys while the other writes
            started = time.perf_counter()
            await pilot.press("j")
            slowest = max(slowest, time.perf_counter() - started)
        _, err = writer.communicate()
        assert writer.returncode == 0, err
        await wait_for(pilot, lambda: "Bulk 2" in screen_text(app), timeout=20)
        await wait_for(
            pilot,
            lambda: (
                board.board is not None
                and [c.count for c in board.board.columns][2] == before[2] + 1
            ),
            timeout=20,
        )
        await settle(pilot)
        shown = screen_text(app)
        assert "moved" in shown and "Bulk 2" in shown
        said = [str(n.message) for n in app._notifications]
        assert not any("locked" in s or "busy" in s for s in said), said
        assert not app.errors
        assert slowest < 2.0, slowest
