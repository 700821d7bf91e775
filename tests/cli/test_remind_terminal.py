"""tinycrm remind on a terminal: each item one line within its width; into a pipe (cron's
mail) every line whole."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tinycrm.table_layout import cell_len

from .test_terminal_output import on_a_terminal, to_a_pipe

LONG = "Renew the maintenance contract of Müller & Söhne " + "with every annex " * 15


def test_a_long_name_is_cut_to_the_terminal_s_width_and_kept_whole_in_a_pipe(
    tmp_path: Path,
) -> None:
    """A task named with 300 characters wrapped over four lines of an 80-column terminal,
    its due time on the last: now its line is cut with … to the width, the due time kept;
    cron's mail (a pipe) still has the whole name."""
    env = {"TINYCRM_DB": str(tmp_path / "t.db"), "COLUMNS": "60", "TINYCRM_PAGER": ""}
    name = LONG.strip()[:300]
    assert to_a_pipe("task", "add", name, "--due", "-1h", env=env).returncode == 0
    assert to_a_pipe("task", "add", "Call Ada", "--due", "-1h", env=env).returncode == 0
    code, shown, err = on_a_terminal("remind", "--all", env=env)
    assert code == 0, err
    lines = shown.decode().replace("\r\n", "\n").splitlines()
    assert lines and all(cell_len(line) <= 60 for line in lines), lines
    (cut,) = [line for line in lines if line.startswith("  - Renew")]
    assert "…" in cut and cut.endswith(": was due 1 h ago")
    assert "  - Call Ada: was due 1 h ago" in lines
    piped = to_a_pipe("remind", "--all", env=env)
    assert piped.returncode == 0
    assert f"  - {name}: was due 1 h ago\n" in piped.stdout.decode()


def test_a_long_name_in_the_desktop_notification_is_cut_to_one_line_s_worth() -> None:
    """A 300-character name filled the notification bubble with its wrapped lines, the
    other items and when each is due pushed out of sight: each line is now at most
    ``DESKTOP_WIDTH`` characters, its title cut with … and when it is due kept."""
    from datetime import UTC, datetime

    from tinycrm.api.models import DueItem
    from tinycrm.cli import remind

    def item(n: int, title: str) -> DueItem:
        return DueItem(
            key=f"task:{n}", group="overdue", due_at=datetime(2026, 12, 7, tzinfo=UTC),
            title=title, detail="was due 1 h ago", entity="activity", entity_id=n,
        )  # fmt: skip

    body = remind._desktop_body([item(1, LONG.strip()[:300]), item(2, "Call Ada")])
    first, second = body.split("\n")
    assert len(first) <= remind.DESKTOP_WIDTH and "…" in first
    assert first.endswith(": was due 1 h ago") and second == "Call Ada: was due 1 h ago"


def test_the_contracts_not_renewed_warning_is_cut_to_the_terminal_s_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pre-write hook that refused the renewals with a long answer put a warning of
    hundreds of characters on the terminal, wrapped over lines, where every other line
    of remind keeps within the width; now it is cut with … as they are, and into a pipe
    (cron's mail) it stays whole."""
    import io
    import types

    from tinycrm.cli import remind
    from tinycrm.errors import TinyCrmError

    def refuse() -> None:
        raise TinyCrmError("the hook said: " + LONG * 3)

    opened: Any = types.SimpleNamespace(contracts=types.SimpleNamespace(process_renewals=refuse))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "60")
    for stream, whole in ((Terminal(), False), (io.StringIO(), True)):
        monkeypatch.setattr(sys, "stderr", stream)
        remind._renew(opened)
        (line,) = stream.getvalue().splitlines()
        assert line.startswith("Warning: contracts not renewed: the hook said: Renew")
        assert (cell_len(line) <= 60 and line.endswith("…")) != whole, line
