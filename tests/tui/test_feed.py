"""The feed beside the board keeps what happened and to which record readable in a narrow
window (80 and 100 columns give it 28): the actor is shown whole, as a shorter form of the
name, or not at all, never cut to a stub; a line cut short ends at a word, not on a
letter or two of one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.tui.conftest import seed, settle
from tests.tui.test_escapes import screen_text
from tinycrm.api import Crm
from tinycrm.store.engine import open_store
from tinycrm.tui.app import make_app
from tinycrm.tui.widgets.feed import actor_shown, summary_lines

ACTOR = "desiree.longname-smith"


def _feed_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The feed's column of the screen: what is right of its border."""
    return [line.split("▏", 1)[1].strip() for line in screen_text(app).splitlines() if "▏" in line]


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_the_feed_shows_the_actor_whole_or_short_or_not_at_all(
    db_path: Path, width: int
) -> None:
    store = open_store(str(db_path), user=ACTOR)
    try:
        seed(store)
        app = make_app(Crm(store), poll_interval=0)
        async with app.run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            lines = _feed_lines(app)
    finally:
        store.close()
    heads = [line for line in lines if re.match(r"(created|logged|won|lost)\b", line)]
    assert heads, lines
    for head in heads:
        assert "…" not in head, head  # not "created  desi…"
        assert head.endswith("just now"), head
    if width >= 150:
        assert any(re.match(r"created +desiree +just now", h) for h in heads), heads
    summaries = [line for line in lines if line not in heads]
    assert not [s for s in summaries if re.search(r"(?<!\S)\S{1,2}…", s)], summaries  # "Acme G…"


def test_actor_shown() -> None:
    assert actor_shown("sam", 10) == "sam"
    assert actor_shown("desiree.longname-smith", 30) == "desiree.longname-smith"
    assert actor_shown("desiree.longname-smith", 10) == "desiree"
    assert actor_shown("ann@example.com", 10) == "ann"
    assert actor_shown("Ann Smith", 5) == "Ann"
    assert actor_shown("desiree.longname-smith", 5) == ""


def test_summary_lines_end_at_words() -> None:
    assert summary_lines("deal Acme support ($2,400.00) with Acme GmbH", 24) == (
        "deal Acme support",
        "($2,400.00) with Acme…",
    )
    assert summary_lines("deal Engines pilot (€7,200.00) with Engines Ltd", 24) == (
        "deal Engines pilot",
        "(€7,200.00) with Engine…",  # most of the word: more use than nothing
    )
    assert summary_lines("short", 24) == ("short", "")


async def test_task_and_activity_corrections_read_without_ids_and_a_deletion_is_not_read(
    tui_store, seeded
) -> None:
    """The feed said "task #5 Send the contract: subject": an id the board shows nowhere;
    and v on a deletion opened a view that said it was deleted elsewhere."""
    from tinycrm.tui.widgets.feed import FeedPanel
    from tinycrm.tui.widgets.keybar import KeyBar
    from tinycrm.tui.widgets.rows import RowList

    crm = Crm(tui_store)
    crm.tasks.done(seeded["task"])
    crm.tasks.edit(seeded["task"], text="Send the contract (signed)")
    crm.tasks.reopen(seeded["task"])
    crm.tasks.remove(seeded["task"])
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        feed = app.screen.query_one(FeedPanel)
        lines = [
            " ".join("".join(t for t, _ in line).strip() for line in row.lines)
            for row in feed.query_one(RowList).rows[:3]
        ]
        assert lines[0].startswith("deleted") and "task for deal Acme renewal: Send" in lines[0]
        assert lines[1].startswith("reopened") and "task: Send the contract (signed)" in lines[1]
        assert lines[2].startswith("updated")
        assert "task Send the contract (signed): subject" in lines[2]
        assert "#" not in " ".join(lines)
        feed.query_one(RowList).focus()
        await pilot.press("home")
        await settle(pilot)
        assert " v Read " not in str(app.screen.query_one(KeyBar).render())  # nothing to read
        await pilot.press("down")  # the reopening: the task was there to read then
        await settle(pilot)
        assert feed.current is not None and feed.current.action == "reopened"
