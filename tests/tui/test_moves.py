"""A board move is checked against the stage the board showed, in the write's transaction:
two moves of one deal made at the same moment (two boards, or a board and the shell) from
the same stage do not both pass that check. On SQLite (writers queue) and PostgreSQL
(READ COMMITTED: the deal's row is locked for the check)."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.tui.conftest import seed
from tinycrm.api import Crm
from tinycrm.errors import Conflict
from tinycrm.store.deals import get_deal
from tinycrm.store.engine import open_store
from tinycrm.tui.moves import move_from


def test_two_moves_of_one_deal_at_once_do_not_both_pass_the_check(store: Any) -> None:
    ids = seed(store)
    deal = get_deal(store, ids["renewal"])  # in Lead-in, as both boards show it
    stages = {s.name: s.id for s in Crm(store).pipelines.get("Sales").stages}
    first_moved, second_started = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def board(name: str, target: str) -> None:
        other = open_store(store.url, user=name)
        crm = Crm(other)
        try:
            if name == "second":
                first_moved.wait(10)
                second_started.set()
            with crm.board.write(opened=None):
                moved = move_from(crm, deal.id, deal.stage_id, stages[target], target)
                if name == "first":  # hold the transaction open while the second checks
                    first_moved.set()
                    second_started.wait(10)
                    time.sleep(0.5)
            outcome[name] = moved.stage
        except Exception as exc:  # the outcome is what the test reads
            outcome[name] = exc
        finally:
            other.close()

    threads = [
        threading.Thread(target=board, args=("first", "Qualified")),
        threading.Thread(target=board, args=("second", "Negotiation")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["first"] == "Qualified"
    assert isinstance(outcome["second"], Conflict), outcome
    assert "was moved to Qualified elsewhere" in str(outcome["second"])
    assert get_deal(store, deal.id).stage == "Qualified"


def test_two_wins_of_one_deal_at_once_make_one(store: Any) -> None:
    """Two boards press w on one deal at the same moment: one wins it, the other is told
    it is already won (on PostgreSQL both saw it open: two wins, two events, a renewal
    contract renewed twice)."""
    ids = seed(store)
    first_won, second_started = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def board(name: str) -> None:
        other = open_store(store.url, user=name)
        crm = Crm(other)
        try:
            if name == "second":
                first_won.wait(10)
                second_started.set()
            with crm.board.write(opened=None):
                won = crm.deals.win(ids["renewal"])
                if name == "first":
                    first_won.set()
                    second_started.wait(10)
                    time.sleep(0.5)
            outcome[name] = won.status
        except Exception as exc:  # the outcome is what the test reads
            outcome[name] = exc
        finally:
            other.close()

    threads = [threading.Thread(target=board, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["first"] == "won"
    assert isinstance(outcome["second"], Conflict), outcome
    assert "already won" in str(outcome["second"])
    won = [e for e in Crm(store).deals.show(ids["renewal"]).events if e.action == "won"]
    assert len(won) == 1
