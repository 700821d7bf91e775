"""The app's own behaviour across screens: its notifications."""

from __future__ import annotations

from sqlalchemy import text

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.format import MESSAGE_LIMIT


async def test_a_notification_naming_a_huge_title_is_cut(tui_store, seeded) -> None:
    """'Won <title>' for a title of 100,000 characters (an import, another program) was a
    toast covering half the screen; it is cut, with an ellipsis."""
    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE deal SET title = :t WHERE id = :i"),
            {"t": "X" * 100_000, "i": seeded["renewal"]},
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")  # the first card: the renewal
        await settle(pilot)
        (said,) = [str(n.message) for n in app._notifications]
        assert said.startswith("Won XXXX") and said.endswith("…"), said[:80]
        assert len(said) <= MESSAGE_LIMIT
