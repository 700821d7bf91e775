"""Which lines under the records are a count or total, not a record."""

from __future__ import annotations

import pytest

from tinycrm.formats.footer import summary_row


@pytest.mark.parametrize(
    "cells",
    [
        ["Total: 1 contacts"], ["Total: 1 contacts", ""], ["12 rows exported"],
        ["Total", "", "48000"], ["Grand Total", "48,000.00 €"], ["Total rows: 2"],
        ["Records: 12"], ["(3 rows)"], ["Total 3 deals"], ["Sum: 48 000"],
    ],
)  # fmt: skip
def test_counts_and_totals(cells: list[str]) -> None:
    assert summary_row(cells)


@pytest.mark.parametrize(
    "cells",
    [
        ["Total"], ["Total", "total.com"], ["Total SE"], ["Count Basie", ""], ["Row 5 Ltd"],
        ["Sum 41", ""], ["7 Eleven", ""], ["3M", "3m.com"], ["Total: 1 contacts", "ada@x.io"],
        [""], [], ["Total", "1" * 50_000 + "x"],
    ],
)  # fmt: skip
def test_records_that_look_like_one(cells: list[str]) -> None:
    assert not summary_row(cells)
