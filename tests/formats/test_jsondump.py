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


def test_a_dump_bigger_than_memory_takes_is_refused_before_it_is_read(tmp_path) -> None:
    """import all holds a dump in memory, about six times its size (an 84 MB dump of
    100,000 contacts peaked at 507 MiB): a dump of gigabytes was read until the machine
    ran out. Now one past what the memory available takes is refused in one line before
    a byte is read, from a file (its size) or a pipe (read no further than the limit)."""
    path = tmp_path / "all.json"
    path.write_bytes(b'{"format": "tinycrm-dump", "tables": {}}' + b" " * 2_000)
    with path.open("rb") as handle:
        with pytest.raises(FormatError) as refused:
            read_dump(handle, name="all.json", limit=1_000)
        assert handle.tell() == 0
    assert str(refused.value) == (
        "all.json is 2,040 bytes, more than the 1,000 bytes import all can hold in the memory "
        "available (a dump takes about 6 times its size); restore it on a machine with more"
    )
    with pytest.raises(FormatError, match=r"^- is more than the 1,000 bytes import all"):
        read_dump(io.BytesIO(path.read_bytes()), name="-", limit=1_000)
    assert read_dump(io.BytesIO(b'{"tables": {}}'), name="-", limit=1_000) == {"tables": {}}
