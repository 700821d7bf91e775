"""A vCard file into cards (formats/vcard_lines.py): folds, line ends, limits. Each card
the file begins is read or rejected with a reason, never lost."""

from __future__ import annotations

import io
from typing import Any

from tinycrm.formats.mapping import ROW_ERROR
from tinycrm.formats.vcard import read_vcards, rejected_card


def read(text: str, **options: Any) -> list[tuple[int, dict[str, str], str]]:
    return list(read_vcards(io.BytesIO(text.encode()), name="x.vcf", **options))


def test_a_fold_right_after_begin_rejects_that_card_by_name_and_reads_the_rest() -> None:
    """RFC 6350: a line starting with a space or tab continues the line before it, so
    'BEGIN:VCARD' then ' VERSION:3.0' is 'BEGIN:VCARDVERSION:3.0', which begins no card.
    It was rejected as vobject's 'VCARDVERSION:3.0 component wasn't closed'; now the
    reason says which line and why, and the cards after it are read."""
    text = (
        "BEGIN:VCARD\r\n VERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\n\tFN:Cy\nEND:VCARD\n"
        "BEGIN:VCARD\nFN:Di\nEND:VCARD\n"
    )
    found = read(text)
    assert [(line, values.get("name")) for line, values, _ in found] == [
        (1, None),
        (5, "Bo"),
        (9, None),
        (12, "Di"),
    ]
    for _, values, _ in (found[0], found[2]):
        reason = values[ROW_ERROR]
        assert "starts with a space or tab" in reason and "continues BEGIN:VCARD" in reason
    assert "line 2 " in found[0][1][ROW_ERROR]
    assert "'BEGIN:VCARDVERSION:3.0'" in found[0][1][ROW_ERROR]
    assert "line 10 " in found[2][1][ROW_ERROR]


def test_a_folded_begin_or_end_line_is_unfolded_first() -> None:
    """Folding may split any line, BEGIN:VCARD and END:VCARD too: 'BEGIN:VCA' then ' RD'
    is BEGIN:VCARD. Such a card vanished: no line was BEGIN:VCARD, so its lines were
    passed over, and the import said nothing of it; a folded END took the next card in."""
    text = (
        "BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n"
        "BEGIN:VCA\r\n RD\r\nVERSION:3.0\r\nFN:Bo\r\nEND:VC\r\n ARD\r\n"
        "BEGIN:VCARD\r\nFN:Cy\r\nEND:VCARD\r\n"
    )
    found = read(text)
    assert [(line, values) for line, values, _ in found] == [
        (1, {"name": "Ada"}),
        (4, {"name": "Bo"}),
        (10, {"name": "Cy"}),
    ]


def test_the_report_of_such_a_card_keeps_every_line_and_its_reason() -> None:
    """The rows' report put X-TINYCRM-REJECTED right after BEGIN, so the fold that broke
    the card continued the report's line instead: importing the report read the card
    without it, and a second report dropped the line with the old reason."""
    text = "BEGIN:VCARD\r\n FN:Ada\r\nEMAIL:ada@x.example\r\nEND:VCARD\r\n"
    [(line, values, card)] = read(text)
    report = rejected_card(line, values[ROW_ERROR], card)
    assert " FN:Ada\r\n" in report
    [(_, again, card_again)] = read(report)
    assert again[ROW_ERROR] == values[ROW_ERROR]
    second = rejected_card(1, again[ROW_ERROR], card_again)
    assert " FN:Ada\r\n" in second and second.count("X-TINYCRM-REJECTED") == 1

