"""The board's writes run the hooks too: a refusing pre-write hook keeps the card where it
was and says why; a failing post-write hook is a warning, and the move stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app


def _hook(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("#!/bin/sh\ncat > /dev/null\n" + body)
    (folder / name).chmod(0o755)


def _said(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_pre_write_hook_refuses_a_move_on_the_board(
    tui_store, seeded, isolated_user_dirs: Path
) -> None:
    hooks = isolated_user_dirs / "config" / "tinycrm" / "hooks"
    _hook(hooks, "pre-write", "printf 'no moves on Fridays \\033[2J'\nexit 1\n")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+right")
        await settle(pilot)
        assert any("no moves on Fridays \\x1b[2J" in said for said in _said(app)), _said(app)
    assert get_deal(tui_store, seeded["renewal"]).stage == "Lead-in"


async def test_a_failing_post_write_hook_is_a_warning_on_the_board(
    tui_store, seeded, isolated_user_dirs: Path
) -> None:
    hooks = isolated_user_dirs / "config" / "tinycrm" / "hooks"
    _hook(hooks, "post-write", "echo 'chat server down'\nexit 1\n")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+right")
        await settle(pilot)
        assert any("chat server down" in said for said in _said(app)), _said(app)
    assert get_deal(tui_store, seeded["renewal"]).stage == "Qualified"
