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


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"format": "tinycrm-dump", "tables": {"contact": [\n'
            b'{"id": 7, "email": "ada@x.io", "name": "Ada", "email": "eve@x.io"}]}}',
            r"^in.json: the key \"email\" twice in one object \(id 7\): which value is meant "
            r"cannot be known; keep one$",
        ),
        (
            b'{"format": "tinycrm-dump", "format": "other", "tables": {}}',
            r"^in.json: the key \"format\" twice in one object: which value",
        ),
    ],
    ids=["row", "head"],
)
def test_a_key_given_twice_in_a_dump_is_refused_naming_it(data: bytes, message: str) -> None:
    """A hand-edited dump with a key twice in one row: json kept the last value and the
    first was dropped without a word (a row restored with another email than the one
    first written). It is refused, naming the key and the row's id."""
    with pytest.raises(FormatError, match=message):
        read_dump(io.BytesIO(data), name="in.json")
