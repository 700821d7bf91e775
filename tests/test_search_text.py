"""search_text: what a search looks for in what the user typed."""

from __future__ import annotations

import sys
import unicodedata

from tinycrm.search_text import _MARKS, WORD


def test_the_table_of_marks_is_unicodes() -> None:
    """WORD runs a word on through every mark (Mn, Mc, Me) the running Python knows of
    Unicode 14, and through nothing else than letters and digits."""
    table = set()
    for span in _MARKS.split():
        low, _, high = span.partition("-")
        table.update(range(int(low, 16), int(high or low, 16) + 1))
    assert all(unicodedata.category(chr(code))[0] == "M" for code in table)
    if unicodedata.unidata_version == "14.0.0":
        marks = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] == "M"}
        assert table == marks
    assert WORD.findall("a\u093fb c_d \u093fe") == ["a\u093fb", "c", "d", "e"]
