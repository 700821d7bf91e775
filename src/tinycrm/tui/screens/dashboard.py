"""The dashboard (``5``): the key numbers as tiles, and charts of the open pipeline by
stage, the weighted forecast by month and the activity per week.

The numbers come from ``crm.reports`` (``dashboard`` and the pipeline, forecast and
activity reports), loaded together in a worker thread. On ``DataChanged``
(and once a minute, since "overdue" and "this month" move with the clock) the screen
loads them again and updates its widgets in place. Money stays per currency: a tile has
a line per currency, and a bar is scaled against the largest amount of its own currency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from rich.console import Group
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.renderables.digits import Digits
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from tinycrm.api.models import ActivityReport, DashboardNumbers, ForecastReport, PipelineReport
from tinycrm.charts import bar, money_tops
from tinycrm.errors import TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.text import fit

NONE = "—"
"""What a tile shows when there is nothing to compute from (no closed deals: no win rate)."""
ACTIVITY_ROWS = 12
"""The least height of the activity chart, borders included."""
WIDE = 110
"""From this many columns up, the tiles are one row and the charts side by side."""
TINY = 60
"""Under this many columns, two tiles a row: three left each 9 cells at 40 columns."""
RETIME_SECONDS = 60.0
"""Overdue tasks, rotting deals and "this month" change with the clock alone."""
BAR_ROWS = 6
"""Height of the activity chart's bars, in rows."""
CURRENCY_STYLES = ("$primary", "$accent", "$success", "$warning", "$secondary")
MUTED = "$foreground-muted"
_RISE = " ▁▂▃▄▅▆▇█"

TILES = (
    ("pipeline", "Pipeline"),
    ("forecast", "Forecast"),
    ("winrate", "Win rate"),
    ("cycle", "Median cycle"),
    ("overdue", "Overdue"),
    ("rotting", "Rotting"),
)

EMPTY_TEXT = """[b]Nothing to chart yet.[/b]

No open deals, no deals closed in the last 12 months
and no activity in the last 12 weeks.

Press [b]1[/b] for the board and [b]n[/b] to add a deal,
or explore sample data in a separate database:

    [b]tinycrm demo[/b]"""


# --------------------------------------------------------------------------- what is shown


@dataclass(frozen=True)
class DashboardData:
    """Everything the dashboard shows, read in one go by the worker."""

    numbers: DashboardNumbers
    pipeline: PipelineReport
    forecast: ForecastReport
    activity: ActivityReport

    @property
    def currency_styles(self) -> dict[str, str]:
        """One colour per currency for every chart."""
        return currency_styles(
            [r.value for r in self.pipeline.rows] + [r.weighted for r in self.forecast.rows]
        )

    @property
    def empty(self) -> bool:
        """Nothing to chart: no deals open or recently closed, no tasks due, no activity."""
        n = self.numbers
        return not (
            n.open_deals
            or n.won
            or n.lost
            or n.overdue_tasks
            or any(r.logged or r.tasks_done or r.tasks_overdue for r in self.activity.rows)
        )


@dataclass(frozen=True)
class TileView:
    """One key number: its label, its value (a line per currency), a caption, a tone."""

    label: str
    values: tuple[str, ...]
    caption: str
    tone: str | None = None  # "error" or "warning": a number that wants attention


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _month(day: date, today: date) -> str:
    """``Nov`` this year, ``Jan 2027`` otherwise."""
    name = day.strftime("%b")
    return name if day.year == today.year else f"{name} {day.year}"


def money_values(amounts: dict[str, Decimal]) -> tuple[str, ...]:
    """One short amount per currency (``€145.7k``), or ``—`` when there is none."""
    return tuple(fmt.compact(a, c) for c, a in amounts.items()) or (NONE,)


def percent(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:.0f}%" if value == round(value) else f"{value:.1f}%"


def days(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def tile_views(numbers: DashboardNumbers) -> dict[str, TileView]:
    """The six tiles of ``numbers``, by key (see ``TILES``)."""
    today = fmt.local_day(numbers.as_of)
    since = _month(numbers.since, today)
    this_month = _month(numbers.this_month.start, today)
    next_month = _month(numbers.next_month.start, today)
    closed = numbers.won + numbers.lost
    return {
        "pipeline": TileView(
            "Pipeline",
            money_values(numbers.open_pipeline),
            _count(numbers.open_deals, "open deal") if numbers.open_deals else "no open deals",
        ),
        "forecast": TileView(
            "Forecast",
            money_values(numbers.weighted_this_month),
            f"weighted, {this_month}\n"
            f"{next_month}: " + " · ".join(money_values(numbers.weighted_next_month)),
        ),
        "winrate": TileView(
            "Win rate",
            (percent(numbers.win_rate),),
            (f"{numbers.won:,} won · {numbers.lost:,} lost" if closed else "no deals closed")
            + f"\nsince {since}",
        ),
        "cycle": TileView(
            "Median cycle",
            (days(numbers.median_cycle_days),),
            ("days, creation to won" if numbers.median_cycle_days is not None else "no deals won")
            + f"\nsince {since}",
        ),
        "overdue": TileView(
            "Overdue",
            (f"{numbers.overdue_tasks:,}",),
            "open tasks past their due time",
            "error" if numbers.overdue_tasks else None,
        ),
        "rotting": TileView(
            "Rotting",
            (f"{numbers.rotting_deals:,}",),
            "open deals with no activity for too long",
            "warning" if numbers.rotting_deals else None,
        ),
    }


# --------------------------------------------------------------------------- charts as text


@dataclass(frozen=True)
class BarRow:
    """A row of a horizontal bar chart: a bar per currency of ``amounts``."""

    label: str
    amounts: dict[str, Decimal]
    note: str = ""
    style: str = ""
    heading: bool = False


def currency_styles(rows: Sequence[dict[str, Decimal]]) -> dict[str, str]:
    """A colour per currency of ``rows`` (by code, so every chart gives EUR the same)."""
    codes = sorted({code for amounts in rows for code in amounts})
    return {c: CURRENCY_STYLES[i % len(CURRENCY_STYLES)] for i, c in enumerate(codes)}


def legend(styles: dict[str, str], rows: Sequence[dict[str, Decimal]]) -> Content:
    """``■ EUR  ■ USD  bars scale per currency``, for more than one currency in ``rows``:
    a bar compares amounts of its own currency only."""
    shown = {code for amounts in rows for code in amounts}
    if len(shown) < 2:
        return Content("")
    parts = [Content.styled(f"■ {c}  ", s) for c, s in styles.items() if c in shown]
    return Content(" ").join(
        [Content(""), *parts, Content.styled("bars scale per currency", MUTED)]
    )


def wrapped(line: Content, width: int) -> list[Content]:
    """A note under a chart in lines of ``width`` cells, each indented one cell (as ``line``
    is): on a narrow panel it wraps between words rather than losing its end."""
    if not line.plain.strip():
        return [line] if line.plain else []
    body = line[1:] if line.plain.startswith(" ") else line
    return [Content(" ") + part for part in body.wrap(max(1, width - 1))]


def bar_lines(rows: Sequence[BarRow], width: int, styles: dict[str, str]) -> list[Content]:
    """``rows`` as lines of ``width`` cells: label, bar, amount and note; a line per currency,
    its bar in the currency's colour of ``styles``.

    The bars are left out when there is no room for them (a narrow terminal)."""
    tops = money_tops([r.amounts for r in rows])
    cells: list[tuple[str, str, str | None, Decimal | None, str, str]] = []
    code: str | None  # a currency, or None on a heading or empty row (the second loop)
    amount: Decimal | None
    for row in rows:
        if row.heading or not row.amounts:
            cells.append((row.label, row.style, None, None, "" if row.heading else NONE, row.note))
            continue
        for i, (code, amount) in enumerate(row.amounts.items()):
            label, note = (row.label, row.note) if i == 0 else ("", "")
            cells.append((label, row.style, code, amount, fmt.compact(amount, code), note))
    value_w = max((cell_len(c[4]) for c in cells), default=0)
    note_w = max((cell_len(c[5]) for c in cells), default=0)
    longest = max((cell_len(c[0]) for c in cells if c[4]), default=0)  # not a heading's
    # The labels whole while a bar keeps 6 cells; where they cannot be, no bars, and the
    # labels get the room: cut to 8 cells, 'Stage 1' to 'Stage 49' all read 'Stage…'.
    label_w = longest
    bar_w = width - label_w - value_w - note_w - 8
    if bar_w < 6:
        bar_w = 0
        label_w = min(longest, max(8, width - value_w - note_w - 6))
    lines = []
    for label, style, code, amount, shown, note in cells:
        parts = [Content(" "), Content.styled(fit(label, label_w).ljust(label_w), style)]
        if bar_w:
            drawn = bar(amount, tops.get(code or ""), bar_w) if code else ""
            parts += [Content("  "), Content.styled(drawn.ljust(bar_w), styles.get(code or "", ""))]
        parts += [
            Content("  "),
            Content.styled(shown.rjust(value_w), MUTED if shown == NONE else ""),
            Content("  "),
            Content.styled(note, MUTED),
        ]
        lines.append(Content("").join(parts).truncate(width))
    return lines


def column_lines(
    values: Sequence[int], labels: Sequence[str], width: int, height: int = BAR_ROWS
) -> list[Content]:
    """``values`` as vertical bars ``height`` rows high, each with its count above it and
    its label under the axis; the last bar (the current period) stands out.

    Counts are left out when one does not fit its bar with a space beside it (they ran
    into each other: "182526"), and labels that do not fit are the first and the last,
    at the ends of the axis."""
    n = len(values)
    if not n or width < n:
        return []
    slot = width // n
    col = max(1, min(slot - 2, 8)) if slot > 2 else 1
    pad = (width - slot * n) // 2
    top = max(values)
    counted = all(cell_len(str(value)) < slot for value in values)
    eighths = [max(1, round(v / top * height * 8)) if v and top else 0 for v in values]
    lines = []
    for level in range(height + 1, 0, -1):  # the count row above the tallest bar, then bars
        parts = [Content(" " * pad)]
        for i, (value, filled) in enumerate(zip(values, eighths, strict=True)):
            style = "$accent" if i == n - 1 else "$primary"
            rows = math.ceil(filled / 8)
            if level == rows + 1 and value and counted:
                parts.append(Content.styled(str(value).center(slot), MUTED))
            else:
                block = _RISE[min(8, max(0, filled - (level - 1) * 8))] * col
                parts.append(Content.styled(block.center(slot), style))
        lines.append(Content("").join(parts))
    lines.append(Content.styled(" " * pad + "─" * (slot * n), MUTED))
    if all(cell_len(label) < slot for label in labels):
        shown = "".join(label.center(slot) for label in labels)
    else:
        first, last = labels[0], labels[-1]
        gap = slot * n - cell_len(first) - cell_len(last)
        shown = f"{first}{' ' * gap}{last}" if gap > 0 and n > 1 else ""
    lines.append(Content.styled(" " * pad + shown, MUTED))
    return lines


# --------------------------------------------------------------------------- widgets


class BigNumber(Widget):
    """A tile's value, a line per currency: in big digits when the screen has room for
    them (``big_digits``) and they fit the tile's width, else in bold."""

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.values: tuple[str, ...] = ()

    def show(self, values: tuple[str, ...]) -> None:
        if values != self.values:
            self.values = values
            self.refresh(layout=True)

    def big(self, width: int) -> bool:
        return (
            getattr(self.screen, "big_digits", False)
            and bool(self.values)
            and all(Digits.get_width(_digits(v)) <= width for v in self.values)
        )

    def render(self) -> Any:
        if self.big(self.content_size.width):
            return Group(*(Digits(_digits(v), style="bold") for v in self.values))
        return Content.styled("\n".join(self.values), "bold")

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.values) * (3 if self.big(width) else 1)


def _digits(value: str) -> str:
    """Big digits draw ``-`` as a dash; ``—`` would be a small mark on the bottom row."""
    return "-" if value == NONE else value


class Tile(Vertical):
    """One key number in a bordered box: the label as its title, the value, a caption."""

    def __init__(self, key: str, label: str) -> None:
        super().__init__(id=f"tile-{key}", classes="tile")
        self.border_title = label

    def compose(self) -> ComposeResult:
        yield BigNumber(classes="tile-value")
        yield Static("", classes="tile-caption", markup=False)

    @property
    def number(self) -> BigNumber:
        return self.query_one(BigNumber)

    def show(self, view: TileView) -> None:
        self.border_title = view.label
        self.number.show(view.values)
        self.query_one(".tile-caption", Static).update(view.caption)
        self.set_class(view.tone == "error", "-error")
        self.set_class(view.tone == "warning", "-warning")


class Chart(Widget):
    """A chart in a bordered panel: ``lines(width)`` draws it, height follows the data."""

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="chart")
        self.border_title = title
        self.data: DashboardData | None = None

    paired = False
    """Side by side (a wide screen), the paired charts are as high as the higher one."""

    def show(self, data: DashboardData) -> None:
        self.data = data
        self.refresh(layout=True)

    def lines(self, width: int, height: int | None = None) -> list[Content]:
        """The chart in ``width`` cells; ``height``: the rows it has, when it fills a space."""
        raise NotImplementedError

    def render(self) -> Content:
        return Content("\n").join(self.lines(*self.content_size))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.paired and self.screen.has_class("-wide"):  # both get this width
            return max(1, *(len(chart.lines(width)) for chart in paired_charts(self.screen)))
        return max(1, len(self.lines(width)))

    def plain(self) -> str:
        """What the chart shows, as plain text (for the tests)."""
        return "\n".join(line.plain for line in self.lines(*self.content_size))


def paired_charts(screen: Screen[Any]) -> list[Chart]:
    return [chart for chart in screen.query(Chart) if chart.paired]


class PipelineChart(Chart):
    """The value of the open deals in each stage of every pipeline."""

    paired = True

    def lines(self, width: int, height: int | None = None) -> list[Content]:
        if self.data is None:
            return []
        report = self.data.pipeline
        several = len({r.pipeline for r in report.rows}) > 1
        rows: list[BarRow] = []
        pipeline = None
        for line in report.rows:
            if several and line.pipeline != pipeline:
                rows.append(BarRow(line.pipeline, {}, style="bold", heading=True))
                pipeline = line.pipeline
            rows.append(
                BarRow(
                    f"  {line.stage}" if several else line.stage,
                    line.value,
                    _count(line.deals, "deal") if line.deals else "",
                    "" if line.deals else MUTED,
                )
            )
        out = bar_lines(rows, width, self.data.currency_styles)
        if not report.total.deals:
            out.append(Content.styled(" no open deals", MUTED))
        weighted = " · ".join(money_values(report.total.weighted))
        out.append(Content(""))
        out += wrapped(Content.styled(f" weighted (× probability): {weighted}", MUTED), width)
        out += wrapped(legend(self.data.currency_styles, [r.value for r in report.rows]), width)
        return out


class ForecastChart(Chart):
    """The weighted value of the open deals by the month they are expected to close."""

    paired = True

    def lines(self, width: int, height: int | None = None) -> list[Content]:
        if self.data is None:
            return []
        report = self.data.forecast
        today = fmt.local_day(self.data.numbers.as_of)
        rows = [
            BarRow(
                _month(line.start, today),
                line.weighted,
                _count(line.deals, "deal") if line.deals else "",
                "bold" if i == 0 else "",
            )
            for i, line in enumerate(report.rows)
        ]
        out = bar_lines(rows, width, self.data.currency_styles)
        out.append(Content(""))
        how = " past close dates count as this month"
        out += wrapped(Content.styled(how, MUTED), width)
        if report.undated_deals:
            undated = _count(report.undated_deals, "open deal")
            note = f" {undated} without an expected close date"
            out += wrapped(Content.styled(note, MUTED), width)
        amounts = [r.weighted for r in report.rows]
        out += wrapped(legend(self.data.currency_styles, amounts), width)
        return out


class ActivityChart(Chart):
    """Activities logged and tasks done, per week, for the last twelve weeks."""

    def lines(self, width: int, height: int | None = None) -> list[Content]:
        if self.data is None:
            return []
        rows = self.data.activity.rows
        slot = width // max(1, len(rows))
        today = fmt.local_day(self.data.numbers.as_of)
        labels = [
            fmt.short_date(r.start, today) if slot >= 8 else r.period.rpartition("-")[2]
            for r in rows
        ]
        bars = max(BAR_ROWS, height - 4) if height else BAR_ROWS  # 4: count, axis, labels, sum
        out = column_lines([r.logged + r.tasks_done for r in rows], labels, width, bars)
        this_week = rows[-1] if rows else None
        if this_week is not None:
            counts = (
                _count(this_week.calls, "call"),
                _count(this_week.emails, "email"),
                _count(this_week.meetings, "meeting"),
                _count(this_week.notes, "note"),
                _count(this_week.tasks_done, "task") + " done",
            )
            summary = " this week so far: " + " · ".join(counts)
            out += wrapped(Content.styled(summary, MUTED), width)
        return out


# --------------------------------------------------------------------------- the screen


class DashboardScreen(CrmScreen[None]):
    """Key numbers and charts over the whole database, kept up to date."""

    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (TINY, "-narrow"), (WIDE, "-wide")]
    """Under ``TINY`` columns two tiles a row, then three, from ``WIDE`` six (the stylesheet)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="dashboard.back"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dashboard-screen")
        self.data: DashboardData | None = None
        self.views: dict[str, TileView] = {}
        self.big_digits = False
        """Whether the tiles show big digits: only when everything fits on one screen."""

    def compose(self) -> ComposeResult:
        yield Static(" Dashboard", id="dashboard-title")
        with VerticalScroll(id="dashboard-body"):
            with Grid(id="tiles"):
                for key, label in TILES:
                    yield Tile(key, label)
            empty = Static(EMPTY_TEXT, id="dashboard-empty")
            empty.display = False
            yield empty
            with Horizontal(id="dashboard-charts"):
                yield PipelineChart("Pipeline by stage · open deals now", id="chart-pipeline")
                yield ForecastChart("Weighted forecast by month", id="chart-forecast")
            yield ActivityChart("Activity per week · logged and tasks done", id="chart-activity")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#dashboard-body").focus()
        self.reload()
        self.set_interval(RETIME_SECONDS, self.reload, name="dashboard-retime")

    def tile(self, key: str) -> Tile:
        return self.query_one(f"#tile-{key}", Tile)

    def reload(self) -> None:
        """Load the numbers again (in a worker); what is on screen stays until they arrive."""
        self._load()

    @work(thread=True, exclusive=True, group="dashboard-load", exit_on_error=False)
    def _load(self) -> None:
        reports = self.crm.reports
        now = self.crm_app.now()
        try:
            data = DashboardData(
                numbers=reports.dashboard(now=now),
                pipeline=reports.pipeline(now=now),
                forecast=reports.forecast(by="month", now=now),
                activity=reports.activity(by="week", now=now),
            )
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not get_current_worker().is_cancelled:  # a newer load is under way
            self.app.call_from_thread(self._apply, data)

    def _apply(self, data: DashboardData) -> None:
        if self not in self.app.screen_stack:
            return
        self.data = data
        self.views = tile_views(data.numbers)
        self.big_digits = self._fits_big_digits()
        for key, view in self.views.items():
            self.tile(key).show(view)
        empty = data.empty
        self.query_one("#dashboard-empty").display = empty
        self.query_one("#dashboard-charts").display = not empty
        self.query_one(ActivityChart).display = not empty
        for chart in self.query(Chart):
            chart.show(data)
        self._update_title()

    def _fits_big_digits(self) -> bool:
        """Big digits when the charts are side by side and everything still fits."""
        if self.data is None or not self.views or not self.has_class("-wide"):
            return False
        # The widths the grid and the side-by-side charts give (borders, padding, gutters).
        tile_width = max(1, (self.size.width - 2 - 5) // 6 - 4)
        chart_width = max(1, (self.size.width - 2 - 1) // 2 - 4)
        tiles = 2 + max(
            3 * len(v.values) + len(Content(v.caption).wrap(tile_width))
            for v in self.views.values()
        )
        charts = 0
        if not self.data.empty:
            for chart in paired_charts(self):
                chart.data = self.data
            pair = max(len(chart.lines(chart_width)) for chart in paired_charts(self))
            charts = 2 + pair + ACTIVITY_ROWS
        return 2 + tiles + charts <= self.size.height

    def _update_title(self) -> None:
        title = self.query_one("#dashboard-title", Static)
        left = Content.styled(" Dashboard", "bold")
        if self.data is not None:
            left += Content.styled("   all pipelines", MUTED)
        right = Content("")
        if self.data is not None:
            right = Content.styled(f"as of {fmt.local(self.data.numbers.as_of)} ", MUTED)
        width = title.size.width
        if self.data is not None and left.cell_length + 2 + right.cell_length > width:
            left = Content.styled(" Dashboard", "bold")  # "all pipelines" whole or not at all
        if left.cell_length + 2 + right.cell_length > width:
            right = Content("")  # then the time it is as of
        room = max(1, width - right.cell_length)
        title.update(left.truncate(room, ellipsis=True, pad=True) + right, layout=False)

    def on_resize(self) -> None:
        self._update_title()
        self.big_digits = self._fits_big_digits()
        # Big digits or not, charts side by side or not: the size decides.
        for widget in [*self.query(BigNumber), *self.query(Chart)]:
            widget.refresh(layout=True)

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
