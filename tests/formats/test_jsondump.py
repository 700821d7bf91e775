"""The JSON file of a full dump, read back: a broken file is one ``FormatError``."""

from __future__ import annotations

import io

import pytest

from tinycrm.formats import FormatError
from tinycrm.formats.jsondump import read_dump


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"in.json is empty"),
        (b"\xff\xfe{}", r"not a UTF-8 JSON file"),
        (b'{"format": "tinycrm-dump", ', r"not valid JSON \(line 1, column 28"),
        (b"[" * 100_000, r"nested too deeply"),
        # past Python's 4,300-digit limit for int(): json raised ValueError, a traceback
        (b'{"version": ' + b"9" * 5000 + b"}", r"in.json holds a number too long to read"),
    ],
    ids=["empty", "utf16", "unclosed", "deep", "long number"],
)
def test_a_broken_dump_is_one_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read_dump(io.BytesIO(data), name="in.json")
