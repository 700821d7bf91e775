"""The board in a small terminal (40 columns, 15 lines; 80 by 24): what a row, a form, the
dashboard and a record's view leave out is whole, and nothing is left without its name."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.cells import cell_len
from rich.style import Style

from tests.tui.conftest import NOW, open_screen, settle
from tests.tui.test_escapes import screen_text
from tinycrm.api import Crm
from tinycrm.store.activities import add_task
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.tasks import TasksScreen
from tinycrm.tui.widgets.text import line


def _text(parts: list[str], right: list[str], width: int, least: int = 0) -> str:
    plain = Style()
    strip = line(
        [(p, plain) for p in parts], width, plain, right=[(r, plain) for r in right], least=least
    )
    return strip.text.rstrip()


def test_a_row_keeps_room_for_its_name_before_what_is_flush_right() -> None:
    """A row's flush-right parts took the room they needed and left its name what was
    over: none, at 40 columns ('☐        2026-11-30 14:00  6 days ago'). Now they are
    left out, the last first and whole (a separator before one with it), until the
    left side has ``least`` cells (or all it needs)."""
    due = ["2026-11-30 14:00", "  6 days ago"]
    assert _text(["☐ ", "Book a call with the CFO"], due, 40, least=16) == (
        " ☐ Book a call with…   2026-11-30 14:00"
    )
    badges = ["breached", " · ", "reply 2 days ago"]
    assert _text(["high    ", "Sync stopped"], badges, 36, least=16) == (
        " high    Sync stopped      breached"
    )
    short = _text(["Short"], due, 40, least=16)  # it needs fewer: all of the right side
    assert short.startswith(" Short ") and short.endswith(" 2026-11-30 14:00  6 days ago")


async def test_every_task_on_the_tasks_screen_shows_its_name_at_40_columns(tui_store) -> None:
    for days in (1, 6):
        add_task(tui_store, text="Book a call with the CFO", due=NOW - timedelta(days=days))
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=(40, 15)) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        await settle(pilot)
        rows = [row for row in screen_text(app).splitlines() if row.startswith(" ☐")]
        assert len(rows) == 2, screen_text(app)
        assert all(row.startswith(" ☐ Book a call") for row in rows), rows


async def test_a_record_view_under_70_columns_shows_the_timeline_under_its_details(
    tui_store, seeded
) -> None:
    """At 40 columns a deal's view gave its timeline 24 cells beside the details: each row
    its kind and time and no subject ('call        3 days ago'), and its linked records
    their kinds and no names ('contact'). Now under 70 columns the timeline is under the
    details, both the whole width; from 70 up they are side by side, as before."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        rows = [row.rstrip(" ▁▂▃▄▅▆▇█") for row in screen_text(app).splitlines()]
        assert " contact  Jürgen Müller" in rows, rows
        assert any(row.startswith(" call    Walked through") for row in rows), rows
        assert any(row.startswith(" status ") for row in rows), rows  # not the stage alone
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "▕ Timeline" in screen_text(app)


def test_activity_counts_too_wide_for_their_bars_are_left_out_not_run_together() -> None:
    """At 40 columns twelve weeks have two cells a bar: the counts above the bars ran into
    each other ('182526' for 18, 25 and 26) and each week's label was '…'. Now counts that
    do not fit their bars with a space between are left out (the line under the chart says
    this week's), and labels that do not fit are the first and the last, at the ends."""
    from tinycrm.tui.screens.dashboard import column_lines

    values = [16, 14, 18, 25, 26, 33, 45, 43, 56, 73, 107, 76]
    labels = [f"W{week}" for week in range(38, 50)]
    lines = [line.plain for line in column_lines(values, labels, 28)]
    assert not any(char.isdigit() for text in lines[:-1] for char in text), lines
    assert lines[-1].split() == ["W38", "W49"], lines
    wide = [line.plain for line in column_lines(values, labels, 120)]
    assert wide[0].split() == ["107"] and wide[-1].split() == labels  # room: as before


def test_a_stage_name_gets_the_room_the_bars_leave() -> None:
    """At 40 columns the pipeline chart had no room for bars, and still cut its stage names
    to 8 cells ('Qualifi…', 'Negotia…'), the rest of the line empty."""
    from tinycrm.tui.screens.dashboard import BarRow, bar_lines

    rows = [
        BarRow("Qualified", {"EUR": Decimal("771500")}, "17 deals"),
        BarRow("Negotiation", {"EUR": Decimal("742000")}, "9 deals"),
    ]
    lines = [line.plain for line in bar_lines(rows, 33, {"EUR": "red"})]
    assert [text.split()[0] for text in lines] == ["Qualified", "Negotiation"], lines


async def test_the_dashboard_at_40_columns_names_every_tile_and_its_title_reads(
    tui_store, frozen_clock
) -> None:
    """At 40 columns three tiles a row cut their names ('Pipe…', 'Forec…', 'Medi…') and
    broke their captions mid-word ('creatio' / 'n to'), and the title read 'Dashboard
    all…as of 2026-11-23 11:30'. Now under 60 columns two tiles a row, and the title
    leaves out what does not fit whole."""
    from tests.tui.conftest import seed
    from tinycrm.tui.screens.dashboard import TILES, DashboardScreen

    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    async with app.run_test(size=(40, 15)) as pilot:
        screen = await open_screen(pilot, "5", DashboardScreen)
        await settle(pilot)
        for key, _ in TILES:
            tile = screen.tile(key)
            assert cell_len(str(tile.border_title)) + 4 <= tile.region.width, (key, tile.region)
        title = screen_text(app).splitlines()[0]
        assert "…" not in title and "as of" in title, title


async def test_a_form_under_60_columns_puts_each_label_above_its_field(tui_store) -> None:
    """At 40 columns a form gave its labels 18 of the 32 cells inside it and its fields 14:
    a deal's title showed 'I access tie' of 'Bluebonnet Health – API access tier', the
    placeholder 'name or emai'. Now under 60 columns each label is above its field, and the
    field has the form's whole width; the buttons stay on screen."""
    from tinycrm.tui.screens.forms import FormScreen

    crm = Crm(tui_store)
    crm.deals.add("Bluebonnet Health – API access tier", amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        for key in ("n", "e"):
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            title = form.query_one("#field-title")
            label = form.query(".form-label").first()
            assert title.region.width >= 30 and label.region.y < title.region.y, title.region
            for button in ("#form-save", "#form-cancel"):
                region = form.query_one(button).region
                assert region.height and form.region.contains_region(region), button
            await pilot.press("escape")
            await settle(pilot)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:  # from 60 columns: beside, as before
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        title = app.screen.query_one("#field-title")
        assert app.screen.query(".form-label").first().region.y == title.region.y


async def test_the_activity_view_at_40_columns_keeps_its_labels_whole(tui_store, seeded) -> None:
    """At 40 columns reading an activity cut its labels, not its values: 'Wh…', 'De…', and
    'Co…' twice, for the contact and the company. Now the labels are whole and the values
    are cut."""
    from tinycrm.tui.screens.activity_view import ActivityScreen

    crm = Crm(tui_store)
    note = crm.activities.log("note", "Acme renewal", "Pricing call", body="Terms")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(note.id))
        await settle(pilot)
        rows = [row.strip(" │▁▂▃▄▅▆▇█") for row in screen_text(app).splitlines()]
        start = next(i for i, row in enumerate(rows) if row.startswith("W"))
        labels = [row.split()[0] for row in rows[start : start + 5]]
        assert labels == ["When", "By", "Deal", "Contact", "Company"], rows


def test_a_name_of_one_long_word_after_a_mark_is_cut_not_left_out() -> None:
    """The tasks screen's Next up showed '  2          closing · no next step' for a deal
    whose title began with a word longer than the row's room (a stored escape sequence
    shown escaped, '\\x1b]0;…', or one long compound): a part after the first is cut
    between words, and left out when not even its first word fits, so the row kept its
    rank and lost its name. Now, until the row's text has ``least`` cells, such a part is
    cut anywhere, as the first is; past them a part is still left out whole."""
    title = "Renewal\x1b]0;pwned\x07\x1b[2J (Acme)"
    shown = _text([" 2  ", title], ["closing", " · ", "no next step"], 60, least=16)
    assert shown.startswith("  2  Renewal\\x1b]0;pwned\\x07\\x1b"), shown
    word = "Rahmenvertragsverlängerungsverhandlung"
    assert _text(["☐ ", word], ["2026-11-30 14:00"], 40, least=16).startswith(" ☐ Rahmenver")
    assert _text(["☐ ", "Call", f"  {word}"], [], 30, least=4) == " ☐ Call"  # past least


def test_stage_names_are_not_cut_to_the_same_words() -> None:
    """A pipeline of many stages ('Stage 0' … 'Stage 49') under another pipeline's heading,
    at 40 columns, showed every row as '  Stage…' beside a bar of a few cells: the labels
    were cut to 8 cells while the bars kept theirs. Now a label gets the cells it needs
    while a bar keeps 6; where it cannot, the bars go and the labels are whole."""
    from tinycrm.tui.screens.dashboard import BarRow, bar_lines

    rows = [BarRow(f"  Stage {i}", {"EUR": Decimal(100 * (i % 3))}, "1 deal") for i in range(12)]
    labels = [" ".join(line.plain.split()[:2]) for line in bar_lines(rows, 33, {"EUR": "red"})]
    assert labels == [f"Stage {i}" for i in range(12)], labels
    long = [
        BarRow("A pipeline named at length, " * 5, {}, heading=True),  # a heading: no bar
        BarRow("Verbal commitment received", {"EUR": Decimal(5)}, "1 deal"),
    ]
    line = bar_lines([*long, *rows[:2]], 72, {"EUR": "red"})[1]
    assert "Verbal commitment received" in line.plain and "█" in line.plain, line.plain


async def test_the_pipeline_picker_fits_a_40_column_terminal(tui_store) -> None:
    """At 40 columns the pipeline picker (p) was 50 columns wide: its right border and the
    ends of the pipelines' names off the screen. Now it is at most the screen's width."""
    from tinycrm.tui.screens.pickers import PickScreen

    crm = Crm(tui_store)
    crm.pipelines.add("Partnerships and resellers across Europe")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        box = app.screen.query_one("#pick").region
        assert box.right <= 40, box


async def test_the_activity_view_says_when_whole_or_leaves_how_long_ago_out(
    tui_store, seeded
) -> None:
    """At 40 columns reading an activity said 'When  2026-12-06 20:43  (8 mi': how long
    ago was cut mid-word. Now it is whole or left out ('2026-12-06 20:43  …')."""
    from tinycrm.tui.screens.activity_view import ActivityScreen

    crm = Crm(tui_store)
    note = crm.activities.log("note", "Acme renewal", "Pricing call", body="Terms")
    later = note.created_at + timedelta(days=3)  # "(3 days ago)"
    app = make_app(crm, poll_interval=0, clock=lambda: later)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(note.id))
        await settle(pilot)
        rows = [row.strip(" │▁▂▃▄▅▆▇█") for row in screen_text(app).splitlines()]
        (when,) = [row for row in rows if row.startswith("When")]
        assert when.endswith(("  …", "(3 days ago)")), when  # not "(3 d"


async def test_the_pipeline_picker_shows_its_choices_in_a_short_window(tui_store) -> None:
    """In a window of 8 lines (a tmux pane; or one made smaller with the picker open) the
    pipeline picker showed its title and no pipeline: its padding and the list's border
    took the lines, and down and enter picked one unseen. Now under 15 lines the picker
    drops them, and both pipelines show."""
    from tinycrm.tui.screens.pickers import PickScreen

    crm = Crm(tui_store)
    crm.pipelines.add("Hiring")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.resize_terminal(30, 8)
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        shown = screen_text(app)
        assert "Sales" in shown.split("\n", 1)[1] and "Hiring" in shown, shown


async def test_the_keys_screen_shows_keys_in_a_short_window(tui_store) -> None:
    """In 8 lines the keys screen (?) showed its title and one line of keys (a heading):
    its padding, title gap and hint took the rest. Now under 15 lines it drops them and
    shows four lines of keys to scroll through."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.resize_terminal(30, 8)
        await settle(pilot)
        assert app.screen.query_one("#help-body").region.height >= 4, screen_text(app)


async def test_a_form_title_keeps_the_record_name_in_a_short_narrow_window(tui_store) -> None:
    """At 40 columns and under 15 lines a form's title has one line: it wrapped after
    'Edit deal ·' and the deal's name, a long word, was on the line cut off: which deal
    was being edited was not said. Now the title stays on its line and the name is cut
    with an ellipsis where the line ends; in a taller window, where the title has two
    lines, a name longer than both ends with an ellipsis too (it was cut off unmarked)."""
    crm = Crm(tui_store)
    crm.deals.add("Acme-renewal-for-the-big-Berlin-office-and-Hamburg", amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        shown = next(row for row in screen_text(app).splitlines() if "Edit deal" in row)
        assert "Edit deal · Acme-renewal-for" in shown and "…" in shown, shown
    crm.deals.add("Acme renewal for the Berlin office and the Hamburg office " * 3, amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:  # two lines: the second cut with …
        await settle(pilot)
        await pilot.press("j", "e")
        await settle(pilot)
        rows = screen_text(app).splitlines()
        at = next(i for i, row in enumerate(rows) if "Edit deal" in row)
        assert "Edit deal · Acme renewal" in rows[at] and "…" in rows[at + 1], rows[at : at + 2]
