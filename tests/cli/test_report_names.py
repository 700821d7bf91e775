"""Stored names in a report's titles and labels: long, wide, marked up or hostile, they
fit the terminal (cut with …) and show as typed; --json and --csv keep them whole."""

from __future__ import annotations

import csv
import io
import re
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


# Names whose cells Rich and terminals count apart: letters joined by U+200D (Rich: one
# cell for the lot), joined emoji, hearts with U+FE0F, skin tones (tmux 3.3a: 1 and 4
# cells where Rich counts 2), Hangul fillers (Rich: none, terminals: 2), and beside
# them wide, combining and right-to-left text, which every terminal counts as Rich does.
UNSTEADY = [
    "a\u200db\u200dc\u200dd\u200de\u200df",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 fam",
    "\u2764\ufe0f\u2764\ufe0f\u2764\ufe0f love",
    "\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd ok",
    "\u3164\u3164\u3164 blank",
    "\u8ca9\u58f2\u30d1\u30a4\u30d7",
    "E\u0300ve\u030a",
    "\u05e9\u05e8\u05d4 \u05db\u05d4\u05df",
]


def code_point_cells(text: str) -> int:
    """The cells ``text`` takes on a terminal that counts each code point on its own (as
    tmux does U+200D between letters, a Hangul filler, a skin tone)."""
    import unicodedata

    from rich.cells import get_character_cell_size

    return sum(
        2 if char in "\u3164" else 0 if unicodedata.category(char) == "Cf" else
        get_character_cell_size(char)
        for char in text
    )  # fmt: skip


def _ends(lines: list[str], pattern: str) -> set[int]:
    """The cell (code point by code point) where ``pattern``'s first match ends, per line."""
    import re

    found = [(line, re.search(pattern, line)) for line in lines]
    return {code_point_cells(line[: m.end()]) for line, m in found if m}


def test_joined_and_invisible_characters_do_not_move_a_tables_columns(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deal titled 'a\u200db\u200dc…' took one cell to Rich and six to the terminal: its
    amount landed five cells right of the others'; Hangul fillers the other way. A table
    shows what a joiner joined apart (as the board does) and a filler as its escape, so
    every terminal draws each line as wide as it was laid out."""
    for number, title in enumerate(UNSTEADY):
        assert cli("deal", "add", title, "--amount", str(100 + number)).exit_code == 0
    _at(monkeypatch, 150)
    rows = [line for line in cli("deal", "list").stdout.splitlines() if "€10" in line]
    assert len(rows) == len(UNSTEADY)
    assert len(_ends(rows, r"€10\d\.00")) == 1, "\n".join(rows)
    assert "\\u3164" in "".join(rows)


@pytest.mark.parametrize("columns", [40, 100])
def test_joined_and_invisible_characters_do_not_move_a_reports_columns(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    stages = [f"{name}:{10 + n}" for n, name in enumerate(UNSTEADY)]
    assert cli("pipeline", "add", "P", *(f"--stage={s}" for s in stages)).exit_code == 0
    _at(monkeypatch, columns)
    table = cli("report", "pipeline", "--pipeline", "P").stdout
    rows = [line for line in table.splitlines() if "%" in line]
    assert len(rows) == len(UNSTEADY), table
    assert len(_ends(rows, r"\d\d%")) == 1, table
    assert all(code_point_cells(line) <= columns for line in table.splitlines()), table


def test_a_wide_name_cut_ends_at_its_last_character_then_the_ellipsis(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipeline of Japanese characters cut to an odd number of cells read
    '販売パイプ …': the cell a wide character did not fit in was a space before the
    ellipsis, as if a word ended there. The cut ends at the last character that fits,
    and the columns after it stay where they were."""
    from tinycrm.cli.table import crop

    assert crop("販売パイプライン", 8) == "販売パ…"
    assert crop("販売パイプライン", 7) == "販売パ…"
    name = "販売パイプライン日本"
    assert cli("pipeline", "add", name, "--stage", "見込み客の段階:10").exit_code == 0
    assert cli("deal", "add", "X", "--amount", "5", "--pipeline", name).exit_code == 0
    assert cli("deal", "add", "Y", "--amount", "6").exit_code == 0
    _at(monkeypatch, 40)
    table = cli("report", "pipeline").stdout
    assert " …" not in table, table
    rows = [line for line in table.splitlines() if re.search(r"€[56]\.00", line)]
    assert len(rows) == 2 and len(_ends(rows, r"€[56]\.00")) == 1, table
    _at(monkeypatch, 30)
    listed = cli("deal", "list").stdout
    assert " …" not in listed, listed
