"""The first characters of an import's input, past a byte order mark and white space."""

from __future__ import annotations

import codecs
import io

import pytest

from tinycrm.formats.opening import HEAD, opening


class Pipe(io.RawIOBase):
    """A stream that cannot seek and hands out a few bytes at a time, as a pipe does."""

    def __init__(self, data: bytes, step: int = 7001) -> None:
        self._data, self._at, self._step = data, 0, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data[self._at : self._at + min(len(buffer), self._step)]
        buffer[: len(chunk)] = chunk
        self._at += len(chunk)
        return len(chunk)


CASES = [
    b"",
    b"   \n\t",
    b"[]",
    b"name,email\nAda,ada@x.io\n",
    b" \r\n" * 100_000 + b'[{"name": "Ada"}]' + b"x" * 2000,
    codecs.BOM_UTF8 + b"\n" * 70_000 + b"{}",
    codecs.BOM_UTF16_LE + " \n".encode("utf-16-le") * 40_000 + "[1]".encode("utf-16-le"),
    codecs.BOM_UTF16_BE + " ".encode("utf-16-be") * 40_001 + "{}".encode("utf-16-be"),
    codecs.BOM_UTF32_LE + "\t".encode("utf-32-le") * 20_000 + "[".encode("utf-32-le"),
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("seekable", [True, False])
def test_the_head_skips_white_space_and_the_stream_reads_everything(
    data: bytes, seekable: bool
) -> None:
    source = io.BytesIO(data) if seekable else io.BufferedReader(Pipe(data))
    head, stream = opening(source)
    assert stream.read() == data
    bom = next((b for b in (codecs.BOM_UTF32_LE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                            codecs.BOM_UTF16_BE) if data.startswith(b)), b"")  # fmt: skip
    encoding = {3: "utf-8", 2: "utf-16-le" if bom[:1] == b"\xff" else "utf-16-be"}.get(
        len(bom), "utf-32-le" if bom else "utf-8"
    )
    text = data[len(bom) :].decode(encoding)
    content = text.lstrip(" \t\r\n").encode(encoding)
    assert head == bom + content[:HEAD]


def test_a_pipe_of_white_space_is_not_held_in_memory_whole() -> None:
    """Sixty-four MiB of blank lines before the array: what is kept to replay them is
    compressed (the stream replays them all the same)."""
    size = 64 * 1024 * 1024
    pipe = io.BufferedReader(Pipe(b"\n" * size + b"[]", step=1 << 20))
    head, stream = opening(pipe)
    assert head == b"[]"
    assert len(stream.raw._pending) < size // 100  # type: ignore[attr-defined]
    total = 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
    assert total == size + 2
