"""``NO_COLOR`` (https://no-color.org): the board keeps its layout and emphasis but
draws every colour in grey."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app


async def colours_on_screen(app: Any, pilot: Any) -> set[tuple[int, int, int]]:
    """Every foreground and background colour of every cell the screen would draw."""
    await settle(pilot)
    update = app.screen._compositor.render_update(full=True)
    found: set[tuple[int, int, int]] = set()
    for line in update.strips:
        for strip in line:
            for segment in strip:
                style = segment.style
                if style is None:
                    continue
                for colour in (style.color, style.bgcolor):
                    if colour is not None and colour.triplet is not None:
                        found.add(tuple(colour.triplet))
    return found


def _grey(rgb: tuple[int, int, int]) -> bool:
    return max(rgb) - min(rgb) <= 2


@pytest.mark.parametrize("no_color", [False, True])
async def test_no_color_turns_every_screen_grey(
    seeded: dict[str, int], tui_store: Any, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(Crm(tui_store), poll_interval=0)
    seen: set[tuple[int, int, int]] = set()
    async with app.run_test(size=SIZE) as pilot:
        seen |= await colours_on_screen(app, pilot)
        await pilot.press("f")  # the feed
        seen |= await colours_on_screen(app, pilot)
        app.open_record("deal", seeded["won"])
        seen |= await colours_on_screen(app, pilot)
    assert seen
    coloured = {rgb for rgb in seen if not _grey(rgb)}
    if no_color:
        assert coloured == set()
    else:
        assert coloured  # the test would see colour if there were any
