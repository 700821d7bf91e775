"""``tinycrm.search_chars`` is the table ``search_text.numbers_and_formats`` works out over
every code point (~0.2 s, which every command paid at import when it was worked out there).

    python -m tests.test_search_chars --update   # write it again (a newer Python's Unicode)
"""

from __future__ import annotations

import sys
from pathlib import Path

from tinycrm import search_chars
from tinycrm.search_text import numbers_and_formats

PATH = Path(search_chars.__file__)
HEAD = '''"""What search reads as a number, a letter or nothing among the characters Unicode does
not decompose: the numbers of category No (❶ as 1, a fraction as a space), the Latin
letters in black circles and squares (🅐 as a), the format characters (a zero-width
space as nothing). Written by ``python -m tests.test_search_chars --update`` from
``search_text.numbers_and_formats`` (Unicode {version}); kept as a table so that no
command works it out over every code point at import. Do not edit by hand."""

_PAIRS = """
'''

TAIL = '''
"""
# code point (hex)=what search reads: nothing after "=" for nothing, "_" for a space
NUMBERS_AND_FORMATS: dict[str, str] = {
    chr(int(code, 16)): " " if read == "_" else read
    for code, _, read in (pair.partition("=") for pair in _PAIRS.split())
}
'''


def written() -> str:
    """The module's text, from ``numbers_and_formats`` (code points in hex: no invisible or
    right-to-left character in the source)."""
    import unicodedata

    pairs = [
        f"{ord(char):X}={'_' if read == ' ' else read}"
        for char, read in sorted(numbers_and_formats().items())
    ]
    rows = [""]
    for pair in pairs:  # lines of at most 96 characters
        if rows[-1] and len(rows[-1]) + 1 + len(pair) > 96:
            rows.append("")
        rows[-1] = f"{rows[-1]} {pair}" if rows[-1] else pair
    return HEAD.format(version=unicodedata.unidata_version) + "\n".join(rows) + TAIL


def test_the_table_is_what_numbers_and_formats_works_out() -> None:
    assert numbers_and_formats() == search_chars.NUMBERS_AND_FORMATS, (
        "write it again: python -m tests.test_search_chars --update"
    )
    assert PATH.read_text(encoding="utf-8") == written()


def test_the_table_holds_what_search_reads() -> None:
    table = search_chars.NUMBERS_AND_FORMATS
    assert table["❶"] == "1" and table["🅐"] == "a" and table["\u200b"] == ""


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=PATH.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(written())
    os.replace(tmp, PATH)
    os.chmod(PATH, 0o644)
