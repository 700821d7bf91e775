"""The dashboard (``5``): the key numbers and charts, live refresh, the empty state, 80x24."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.cells import cell_len
from textual.content import Content

from tests.tui.conftest import NOW, SIZE, open_screen, seed, wait_for
from tinycrm.api import Crm
from tinycrm.store.activities import add_task
from tinycrm.store.deals import win_deal
from tinycrm.store.engine import open_store
from tinycrm.store.reports import dashboard_numbers
from tinycrm.tui import format as fmt
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.dashboard import TILES, DashboardScreen


def _values(screen: DashboardScreen) -> dict[str, tuple[str, ...]]:
    return {key: screen.tile(key).number.values for key, _ in TILES}


async def test_dashboard_shows_the_key_numbers_and_charts(tui_store, frozen_clock) -> None:
    seed(tui_store)
    numbers = dashboard_numbers(tui_store, now=NOW)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "5", DashboardScreen)
        assert _values(screen) == {
            "pipeline": ("€145.7k", "$2.4k"),
            "forecast": ("€1.8k",),
            "winrate": ("50%",),
            "cycle": ("0.0",),
            "overdue": ("1",),
            "rotting": ("0",),
        }
        # ... which are dashboard_numbers' figures, per currency, never summed across them
        assert numbers.open_pipeline == {"EUR": Decimal("145700"), "USD": Decimal("2400")}
        assert screen.tile("pipeline").number.values == tuple(
            fmt.compact(amount, code) for code, amount in numbers.open_pipeline.items()
        )
        assert numbers.weighted_this_month == {"EUR": Decimal("1850")}
        assert numbers.weighted_next_month == {"EUR": Decimal("1800")}
        assert (numbers.won, numbers.lost, numbers.win_rate) == (1, 1, 50.0)
        assert (numbers.median_cycle_days, numbers.overdue_tasks) == (0.0, 1)
        assert numbers.rotting_deals == 0
        assert screen.views["forecast"].label == "Forecast"
        assert screen.views["forecast"].caption == "weighted, Nov\nDec: €1.8k"
        assert screen.tile("overdue").has_class("-error")
        assert screen.big_digits  # 160x45: room for big digits
        pipeline = screen.query_one("#chart-pipeline").plain()
        assert "Negotiation" in pipeline and "€120k" in pipeline and "$2.4k" in pipeline
        forecast = screen.query_one("#chart-forecast").plain()
        assert "Jan 2027" in forecast and "€72k" in forecast
        assert "1 open deal without an expected close date" in forecast
        activity = screen.query_one("#chart-activity").plain()
        assert "23 Nov" in activity and "this week so far: 1 call" in activity
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_dashboard_follows_writes_from_elsewhere(tui_store, frozen_clock, db_path) -> None:
    seed(tui_store)
    other = open_store(str(db_path), user="teammate")  # another process, as far as SQLite knows
    app = make_app(Crm(tui_store), poll_interval=0.1, clock=frozen_clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_screen(pilot, "5", DashboardScreen)
            assert screen.tile("overdue").number.values == ("1",)
            add_task(other, text="Call back", due=NOW - timedelta(hours=3))
            win_deal(other, "Engines pilot")
            await wait_for(pilot, lambda: _values(screen)["overdue"] == ("2",))
            await wait_for(pilot, lambda: _values(screen)["winrate"] == ("66.7%",))
            assert _values(screen)["pipeline"] == ("€138.5k", "$2.4k")
            assert app.screen is screen
    finally:
        other.close()


async def test_dashboard_of_an_empty_database(tui_store, frozen_clock) -> None:
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "5", DashboardScreen)
        empty = screen.query_one("#dashboard-empty")
        assert empty.display and "tinycrm demo" in str(empty.render())
        assert not screen.query_one("#dashboard-charts").display
        assert _values(screen) == {
            "pipeline": ("—",),
            "forecast": ("—",),
            "winrate": ("—",),
            "cycle": ("—",),
            "overdue": ("0",),
            "rotting": ("0",),
        }
        assert screen.views["winrate"].caption == "no deals closed\nsince Dec 2025"


async def test_dashboard_at_80x24_stacks_tiles_and_charts(tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "5", DashboardScreen)
        assert screen.has_class("-narrow") and not screen.big_digits
        tiles = [screen.tile(key) for key, _ in TILES]
        assert len({tile.region.y for tile in tiles}) == 2  # three tiles a row
        assert all(tile.region.right <= 80 for tile in tiles)
        assert screen.tile("pipeline").number.render().plain == "€145.7k\n$2.4k"
        pipeline = screen.query_one("#chart-pipeline")
        forecast = screen.query_one("#chart-forecast")
        assert forecast.region.y >= pipeline.region.bottom  # one under the other
        assert "Negotiation" in pipeline.plain()


async def test_dashboard_at_120_columns_cuts_no_word(tui_store, frozen_clock) -> None:
    """Between the stacked layout and room to spare, captions and notes wrap rather than
    lose their ends, and the charts side by side are as high as each other."""
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_screen(pilot, "5", DashboardScreen)
        assert screen.has_class("-wide")
        for key, _ in TILES:
            tile = screen.tile(key)
            caption = tile.query_one(".tile-caption")
            text = screen.views[key].caption
            assert caption.size.height >= len(Content(text).wrap(caption.size.width))
            assert cell_len(str(tile.border_title)) + 4 <= tile.region.width
        pipeline = screen.query_one("#chart-pipeline")
        forecast = screen.query_one("#chart-forecast")
        assert pipeline.region.height == forecast.region.height
        assert "bars scale per currency" in " ".join(pipeline.plain().split())
        assert "past close dates count as this month" in " ".join(forecast.plain().split())
        activity = screen.query_one("#chart-activity")
        assert activity.region.bottom <= 35  # above the key bar: no scrolling to see it
