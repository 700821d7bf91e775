"""The user's own keys ([keys] in the config file) drive the board, by binding id."""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app
from tinycrm.tui.keymap import binding_ids, unknown_ids

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_binding_has_an_id_listed_in_the_readme() -> None:
    ids = binding_ids()
    assert {"board.won", "app.quit", "rows.down", "dashboard.back", "tasks.switch"} <= set(ids)
    missing = [i for i in ids if not re.search(rf"`{re.escape(i)}`", README)]
    assert missing == [], f"binding ids missing from README.md: {missing}"


def test_unknown_ids() -> None:
    assert unknown_ids({"board.won": "W", "board.wn": "W"}) == ["board.wn"]


async def test_a_remapped_key_replaces_the_default(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0, keymap={"board.won": "W", "nope.nothing": "z"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications]
        assert any("no binding is called nope.nothing" in m for m in warnings)
        await pilot.press("right", "w")  # w no longer marks won
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).status == "open"
        await pilot.press("W")
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).status == "won"
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.sections["Board"]["Won"] == ["W"]
