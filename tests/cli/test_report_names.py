"""Stored names in a report's titles and labels: long, wide, marked up or hostile, they
fit the terminal (cut with …) and show as typed; --json and --csv keep them whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

LONG = "E" * 300
SPACED = ("Enterprise " * 27).strip()


def _at(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    from tinycrm.cli import output

    monkeypatch.setattr(output, "_console", None)
    monkeypatch.setenv("COLUMNS", str(columns))


@pytest.fixture
def long_pipelines(cli: Callable[..., Any]) -> None:
    for name in (LONG, SPACED):
        assert cli("pipeline", "add", name).exit_code == 0
        assert cli("deal", "add", "X", "--amount", "100", "--pipeline", name).exit_code == 0
    assert cli("deal", "add", "Y", "--amount", "100", "--owner", "O" * 300).exit_code == 0


@pytest.mark.parametrize("columns", [40, 80])
def test_a_long_pipeline_name_is_cut_to_the_terminal(
    cli: Callable[..., Any], long_pipelines: None, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """`report funnel` printed a 300-character pipeline name whole, as the title of its
    table: eight lines of E at 40 columns before the chart. A title and a heading fit the
    terminal now, the stored name cut with …; the report's own words are kept."""
    _at(monkeypatch, columns)
    for args in (
        ["funnel"],
        ["funnel", "--pipeline", LONG],
        ["pipeline", "--pipeline", SPACED],
        ["activity", "--owner", "O" * 300],
        ["cycle", "--pipeline", LONG, "--owner", "O" * 300],
    ):
        result = cli("report", *args)
        assert result.exit_code == 0, (args, result.stderr)
        lines = result.stdout.splitlines()
        assert all(len(line) <= columns for line in lines), (args, result.stdout)
        for piece in ("EEEEEEEEEE", "Enterprise Enterprise", "OOOOOOOOOO"):
            # a name is on one line of the heading and one of the table's title, at most
            held = [line for line in lines if piece in line]
            assert len(held) <= 2, (args, result.stdout)
            assert all(line.endswith("…") for line in held), (args, result.stdout)
    funnel = cli("report", "funnel").stdout
    assert "Funnel of the 3 deals created · all time" in funnel, funnel
    assert "EEEEEEE…" in funnel and "Enterprise Enterprise" in funnel, funnel


def test_json_and_csv_keep_a_long_name_whole(
    cli: Callable[..., Any], long_pipelines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, 40)
    data = cli("report", "funnel", "--pipeline", LONG, "--json").json()
    assert data["scope"]["pipeline"] == LONG
    assert {row["pipeline"] for row in data["rows"]} == {LONG}
    rows = csv.DictReader(io.StringIO(cli("report", "funnel", "--csv").stdout))
    assert {LONG, SPACED} <= {row["pipeline"] for row in rows}


def test_markup_in_a_pipeline_name_shows_as_typed(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The funnel's table is titled with its pipeline's name, which Rich read as markup:
    '[bold red]Deals[/] x' showed as a bold red 'Deals x', and '[link=…]' would have sent
    a hyperlink to the terminal. It shows as typed now."""
    name = "[bold red]Deals[/] x [link=http://e.vil]y[/link]"
    assert cli("pipeline", "add", name).exit_code == 0
    assert cli("deal", "add", "X", "--amount", "5", "--pipeline", name).exit_code == 0
    _at(monkeypatch, 120)
    for args in (["funnel"], ["funnel", "--pipeline", name], ["pipeline", "--pipeline", name]):
        assert name in cli("report", *args).stdout, args
