"""``crm.board``: what the full-screen board reads and how it writes, through the API.

Run on SQLite and PostgreSQL (the ``crm`` fixture wraps the ``store`` fixture).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import tinycrm
from tinycrm.api import Crm
from tinycrm.api import models as api_models
from tinycrm.api.models import Board, DatabaseGone, InvalidFilter


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def _columns(board: Board) -> dict[str, list[str]]:
    return {column.name: [card.title for card in column.cards] for column in board.columns}


def test_load_gives_the_kanban_with_columns_cards_and_totals(crm: Crm) -> None:
    crm.deals.add("Acme renewal", amount=Decimal("18500"), currency="EUR", tags=["vip"])
    crm.deals.add("Engines pilot", amount="7200", currency="EUR", stage="Qualified")
    lost = crm.deals.add("Went elsewhere", amount="900")
    crm.deals.lose(lost.id, reason="price")

    board = crm.board.load()
    assert isinstance(board, Board)
    columns = _columns(board)
    assert columns["Lead-in"] == ["Acme renewal"]
    assert columns["Qualified"] == ["Engines pilot"]
    assert "Lost" not in columns
    assert board.deals_total == 3
    lead = next(c for c in board.columns if c.name == "Lead-in")
    assert [(t.currency, t.total) for t in lead.totals] == [("EUR", Decimal("18500"))]

    assert _columns(crm.board.load(closed=True))["Lost"] == ["Went elsewhere"]
    narrowed = crm.board.load(where="#vip")
    assert sum(len(c.cards) for c in narrowed.columns) == 1


def test_load_judges_badges_by_now(crm: Crm) -> None:
    soon = crm.deals.add("Closing", close="2026-12-10")
    later = datetime(2026, 12, 9, 12, tzinfo=UTC)
    early = datetime(2026, 10, 1, 12, tzinfo=UTC)

    def card(now: datetime) -> bool:
        cards = [c for col in crm.board.load(now=now).columns for c in col.cards]
        return next(c for c in cards if c.id == soon.id).closing_soon

    assert card(later) is True
    assert card(early) is False


def test_a_bad_filter_is_invalid_filter_with_the_position(crm: Crm) -> None:
    with pytest.raises(InvalidFilter) as caught:
        crm.board.load(where="amount >")
    assert isinstance(caught.value, tinycrm.TinyCrmError)
    assert caught.value.position is not None


def test_check_filter_reads_a_filter_without_the_database(crm: Crm) -> None:
    assert crm.board.check_filter("  #vip @sam  ") == "#vip @sam"
    assert crm.board.check_filter("   ") is None
    with pytest.raises(InvalidFilter) as caught:
        crm.board.check_filter("amount >")
    assert caught.value.position is not None
    with pytest.raises(InvalidFilter):
        crm.board.check_filter("#vip", max_length=3)


def test_feed_and_change_marker_follow_writes(crm: Crm) -> None:
    before = crm.board.change_marker()
    deal = crm.deals.add("Acme renewal")
    after = crm.board.change_marker()
    assert after != before
    assert after.last_event_id > before.last_event_id

    crm.deals.move(deal.id, "Qualified")
    entries = crm.board.feed(limit=10)
    assert [e.action for e in entries[:2]] == ["moved", "created"]
    assert entries[0].record_kind == "deal" and entries[0].record_id == deal.id
    newer = crm.board.feed(after_id=entries[1].id)
    assert [e.id for e in newer] == [entries[0].id]
    assert crm.board.change_marker() == crm.board.change_marker()  # reads do not move it


def test_complete_offers_the_first_name_starting_with_the_prefix(crm: Crm) -> None:
    crm.contacts.add("Jürgen Müller")
    crm.companies.add("Acme GmbH")
    assert crm.board.complete("contact", "jür") == "Jürgen Müller"
    assert crm.board.complete("company", "AC") == "Acme GmbH"
    assert crm.board.complete("company", "zz") is None


def test_writes_inside_board_write_are_one_transaction(crm: Crm) -> None:
    deal = crm.deals.add("Acme renewal")
    opened = crm.board.file_id()
    with pytest.raises(tinycrm.NotFound), crm.board.write(opened=opened):
        crm.deals.move(deal.id, "Qualified")
        crm.deals.win("no such deal")  # refused: the move above is rolled back with it
    assert crm.deals.get(deal.id).stage == "Lead-in"

    with crm.board.write(opened=opened):
        crm.deals.move(deal.id, "Qualified")
        crm.deals.win(deal.id)
    assert crm.deals.get(deal.id).status == "won"


def test_board_writes_only_into_the_file_it_opened(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        deal = crm.deals.add("Acme renewal")
        opened = crm.board.file_id()
        assert opened == (os.stat(path).st_dev, os.stat(path).st_ino)
        crm.board.check_file(opened)  # still the same file

        path.rename(tmp_path / "moved.db")
        with pytest.raises(DatabaseGone, match="renamed or deleted"):
            crm.board.check_file(opened)
        ran = []
        with pytest.raises(DatabaseGone), crm.board.write(opened=opened):
            ran.append(crm.deals.win(deal.id))
        assert ran == []  # refused before any write was tried


def test_bound_lock_waits_is_harmless_twice(crm: Crm) -> None:
    crm.board.bound_lock_waits()
    crm.board.bound_lock_waits(1000)
    crm.deals.add("Still writes")
    assert [d.title for d in crm.deals.list()] == ["Still writes"]


def test_as_of_now_for_tasks_next_and_reports(crm: Crm) -> None:
    crm.deals.add("Acme renewal", amount="100", currency="EUR", close="2026-12-20")
    crm.tasks.add("Call back", due=datetime(2026, 12, 10, 9, tzinfo=UTC))
    before, after = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 11, tzinfo=UTC)

    assert crm.tasks.list("overdue", now=before) == []
    assert [t.subject for t in crm.tasks.list("overdue", now=after)] == ["Call back"]
    assert "Call back" in [a.title for a in crm.next(now=after)]

    assert crm.reports.dashboard(now=before).overdue_tasks == 0
    numbers = crm.reports.dashboard(now=after)
    assert (numbers.as_of, numbers.overdue_tasks, numbers.open_deals) == (after, 1, 1)
    assert crm.reports.pipeline(now=after).total.deals == 1
    december = [r for r in crm.reports.forecast(now=before).rows if r.deals]
    assert [(r.start, r.deals) for r in december] == [(date(2026, 12, 1), 1)]
    week = crm.reports.activity(by="week", now=after + timedelta(days=1))
    assert week.rows and week.rows[-1].tasks_overdue == 1


def test_the_models_module_names_what_the_board_reads() -> None:
    from pydantic import BaseModel

    for name in ("Board", "BoardCard", "ChangeMarker", "FeedEntry", "RecordHit", "NextAction"):
        assert issubclass(getattr(api_models, name), BaseModel), name
        assert name in api_models.__all__
    for name in ("DatabaseGone", "InvalidFilter"):
        assert issubclass(getattr(api_models, name), tinycrm.TinyCrmError), name


def test_cards_reads_a_column_a_page_at_a_time(crm: Crm) -> None:
    today = date.today()
    for i in range(5):
        crm.deals.add(f"Deal {i}", close=today + timedelta(days=i))
    column = crm.board.load(per_column=2).columns[0]
    assert (column.count, [c.title for c in column.cards]) == (5, ["Deal 0", "Deal 1"])
    page = crm.board.cards(column.key, after=column.cards[-1], limit=2)
    assert isinstance(page, api_models.CardPage)
    assert ([c.title for c in page.cards], page.offset, page.count) == (["Deal 2", "Deal 3"], 2, 5)
    page = crm.board.cards(column.key, before=page.cards[0], limit=1)
    assert ([c.title for c in page.cards], page.offset) == (["Deal 1"], 1)
    page = crm.board.cards(column.key, offset=4)
    assert ([c.title for c in page.cards], page.offset) == (["Deal 4"], 4)
