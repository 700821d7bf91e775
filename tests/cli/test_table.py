"""tinycrm.cli.table: list tables on narrow terminals."""

from __future__ import annotations

import re

import pytest

from tinycrm.cli.table import fit


def test_fit_never_narrows_a_figure_column() -> None:
    # a label, an amount (a figure) and a date-like label: 60 cells into 30
    widths = fit([20, 12, 28], [False, False, False], 30, figures=[False, True, False])
    assert widths[1] == 12
    assert widths[0] < 20 and widths[2] < 28


@pytest.mark.parametrize("columns", [40, 30])
def test_a_deal_list_on_a_very_narrow_terminal_keeps_its_amounts_whole(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    db = ["--db", str(demo_database)]
    rows = cli(*db, "deal", "list", "--limit", "5", "--json").json()
    table = cli(*db, "deal", "list", "--limit", "5").stdout
    assert not re.search(r"[€$£][\d,.]*…", table), table  # an amount cut short
    for row in rows:
        assert f"{row['amount']:,.2f}" in table.replace("€", "").replace("£", "").replace("$", "")
