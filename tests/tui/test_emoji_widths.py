"""Joined emoji do not move the board's columns: every line a screen sends is as wide as
the window, however the terminal counts the characters in it.

Rich counts a family (man, ZWJ, woman, ZWJ, girl) as 2 cells, a heart with the emoji
variation selector (U+FE0F) as 2 and a thumbs-up with a skin tone as 2; tmux 3.3a gave
the heart 1 cell and the thumbs-up 4, and a terminal that does not join emoji gives the
family 6. The board shows what these join apart, so each character it sends takes the
cells Rich counted for it, one by one, on every terminal.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rich.cells import get_character_cell_size
from rich.segment import Segment
from textual.color import Color

from tests.hostile import inject
from tests.tui.conftest import SIZE, seed, settle
from tinycrm.api import Crm
from tinycrm.tui import format as fmt
from tinycrm.tui.app import make_app

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
HEART = "\u2764\ufe0f"
THUMB = "\U0001f44d\U0001f3fd"
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"
KEYCAP = "1\ufe0f\u20e3"
JOINED = f" {FAMILY}{HEART}{THUMB} x{RAINBOW}{KEYCAP}a\u200db {FAMILY * 3}"


def code_point_widths(line: str) -> int:
    """The cells ``line`` takes on a terminal that counts each code point on its own."""
    return sum(get_character_cell_size(char) for char in line)


def screen_lines(app: Any) -> list[str]:
    update = app.screen._compositor.render_update(full=True)
    return [
        "".join(segment.text for strip in line for segment in strip if not segment.control)
        for line in update.strips
    ]


def test_steady_shows_joined_emoji_apart() -> None:
    assert fmt.steady(FAMILY) == "\U0001f468\U0001f469\U0001f467"
    assert fmt.steady(HEART) == "\u2764"
    assert fmt.steady(THUMB) == "\U0001f44d"
    assert fmt.steady("Ada 🇩🇪 é") == "Ada 🇩🇪 é"  # flags and accents agree already
    assert fmt.text(f"Acme{FAMILY}\x1b") == "Acme\U0001f468\U0001f469\U0001f467\\x1b"


def test_the_net_keeps_the_width_rich_laid_out() -> None:
    """A joined emoji written past ``fmt.text`` (an input's value) is drawn in the cells
    Rich gave it: its first character, then spaces."""
    net = fmt.RawControls()
    for joined, shown in ((FAMILY, "\U0001f468"), (HEART, "\u2764 "), (THUMB, "\U0001f44d")):
        text = f"|{joined}|"
        (segment,) = net.apply([Segment(text)], Color(0, 0, 0))
        assert segment.text == f"|{shown}|"
        assert code_point_widths(segment.text) == Segment(text).cell_length


async def test_every_screen_is_as_wide_as_the_window_with_joined_emoji(tui_store: Any) -> None:
    ids = seed(tui_store)
    inject(tui_store, JOINED)
    app = make_app(Crm(tui_store), poll_interval=0)
    seen: dict[str, list[str]] = {}

    async def look(name: str, *keys: str, action: str | None = None) -> None:
        if keys:
            await pilot.press(*keys)
        if action:
            await app.run_action(action)
        await settle(pilot)
        seen[name] = screen_lines(app)

    async with app.run_test(size=SIZE) as pilot:
        await look("board")
        await look("board with closed deals", "c")
        await look("edit form", "e")
        await look("board after the form", "escape")
        app.open_record("deal", ids["renewal"])
        await look("deal")
        await look("deal edit form", "e")
        await look("deal again", "escape")
        for screen in ("contacts", "companies", "tasks", "dashboard"):
            await look(screen, action=f"show_{screen}")

    for name, lines in seen.items():
        wrong = [line for line in lines if code_point_widths(line) != SIZE[0]]
        assert not wrong, (name, wrong[:3])
    assert "\U0001f468\U0001f469\U0001f467" in "".join(seen["board"])  # the family, apart


def test_a_stage_name_cut_in_a_wide_character_ends_with_its_ellipsis() -> None:
    """A column header cut "Stage 05 长名字 15%" to "Stage 05 长名 …": the half of 字 left
    as a space before the ellipsis. Now the ellipsis follows the last whole character,
    and the name still takes the cells it was given at most."""
    from textual.content import Content

    from tinycrm.tui.widgets.cards import cut_name

    name = Content.styled("Stage 05 长名字", "bold") + Content(" 15%")
    for width in range(1, 20):
        shown = cut_name(name, width)
        assert shown.cell_length <= width, (width, shown.plain)
        if shown.plain != name.plain:
            assert shown.plain.endswith("…") and not shown.plain.endswith(" …"), shown.plain
    assert cut_name(name, 14).plain == "Stage 05 长名…"
    assert cut_name(name, 100).plain == name.plain


ZALGO = " Z" + "\u0301\u0316\u0347\u0489" * 100 + "algo"
"""A letter under 400 combining marks ("Zalgo" text): they take no cell, and a terminal
that draws them all stacks them up and down over the lines around it."""


def _stacked(line: str) -> int:
    """The most combining marks on one character of ``line``."""
    most = run = 0
    for char in line:
        run = run + 1 if unicodedata.combining(char) or unicodedata.category(char) == "Me" else 0
        most = max(most, run)
    return most


def test_the_net_keeps_a_few_combining_marks_on_a_character() -> None:
    """Accents as languages stack them (Vietnamese's two on a letter) go through; a pile
    of them is cut to three, which take no cell, so the line keeps its width."""
    net = fmt.RawControls()
    for kept in ("Nguye\u0302\u0303n", "e\u0323\u0302", "plain"):
        (segment,) = net.apply([Segment(kept)], Color(0, 0, 0))
        assert segment.text == kept
    (segment,) = net.apply([Segment(f"|{ZALGO}|")], Color(0, 0, 0))
    assert _stacked(segment.text) == 3
    assert segment.text == "| Z\u0301\u0316\u0347algo|"
    assert segment.cell_length == Segment(f"|{ZALGO}|").cell_length


async def test_no_screen_stacks_a_pile_of_combining_marks(tui_store: Any) -> None:
    """Names of 'Zalgo' text (a letter under hundreds of combining marks) were sent whole:
    a terminal drawing them smeared the marks over the cards and lines around. Now no
    character the board sends carries more than three."""
    ids = seed(tui_store)
    inject(tui_store, ZALGO)
    app = make_app(Crm(tui_store), poll_interval=0)
    seen: dict[str, list[str]] = {}

    async def look(name: str, *keys: str) -> None:
        if keys:
            await pilot.press(*keys)
        await settle(pilot)
        seen[name] = screen_lines(app)

    async with app.run_test(size=SIZE) as pilot:
        await look("board")
        await look("edit form", "e")
        await look("board again", "escape")
        app.open_record("deal", ids["renewal"])
        await look("deal")
    for name, lines in seen.items():
        assert "algo" in "".join(lines), name
        piled = [line for line in lines if _stacked(line) > 3]
        assert not piled, (name, piled[:1])
