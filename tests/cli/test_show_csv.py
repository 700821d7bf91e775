"""``quote show``, ``case show`` and ``deal show`` with ``--csv``: a row per line (quote
line, message, line item), the record's own columns repeated on each, the line's after
them as ``line.*``, ``message.*`` and ``item.*``. They printed the record alone, so a
quote's lines, a case's thread and a deal's items were missing from the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _setup(cli: Callable[..., Any]) -> None:
    for args in (
        ("contact", "add", "Ada", "--email", "ada@example.com"),
        ("deal", "add", "Big", "--contact", "Ada"),
        ("deal", "add", "Empty", "--contact", "Ada"),
        ("product", "add", "Plan", "--price", "100", "--tax", "19"),
        ("product", "add", "=Setup", "--price", "50"),
        ("deal", "item", "add", "Big", "Plan", "--qty", "2"),
        ("deal", "item", "add", "Big", "=Setup"),
        ("quote", "create", "Big"),
        ("case", "add", "Down", "--contact", "Ada", "--body", "It is down"),
        ("case", "reply", "1", "Looking into it"),
        ("case", "add", "Quiet", "--contact", "Ada"),
    ):
        assert cli(*args).exit_code == 0, args


def test_show_csv_has_a_row_per_line_with_the_record_on_each(cli: Callable[..., Any]) -> None:
    _setup(cli)
    quote = _rows(cli("quote", "show", "1", "--csv").stdout)
    assert [(r["number"], r["line.position"], r["line.name"], r["line.net"]) for r in quote] == [
        ("Q-2026-0001", "1", "Plan", "200"),
        ("Q-2026-0001", "2", "'=Setup", "50"),  # escaped, as every CSV cell is
    ]
    assert {r["total"] for r in quote} == {"288"}
    case = _rows(cli("case", "show", "1", "--csv").stdout)
    assert [(r["subject"], r["message.kind"], r["message.body"]) for r in case] == [
        ("Down", "customer", "It is down"),
        ("Down", "reply", "Looking into it"),
    ]
    deal = _rows(cli("deal", "show", "Big", "--csv").stdout)
    assert [(r["title"], r["item.product"], r["item.quantity"]) for r in deal] == [
        ("Big", "Plan", "2"),
        ("Big", "'=Setup", "1"),
    ]


def test_a_record_without_lines_is_one_row_with_the_line_columns_empty(
    cli: Callable[..., Any],
) -> None:
    _setup(cli)
    for args, prefix in (
        (("case", "show", "2", "--csv"), "message."),
        (("deal", "show", "Empty", "--csv"), "item."),
    ):
        (row,) = _rows(cli(*args).stdout)
        lines = {k: v for k, v in row.items() if k.startswith(prefix)}
        assert lines and set(lines.values()) == {""}, args
