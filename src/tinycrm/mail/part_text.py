"""The text of one MIME text part as its sender wrote it, whatever its header says.

Its bytes: a base64 body is read whole when its writer encoded it in padded pieces
(the standard library stopped at the first ``=`` and dropped the rest), a text after it
(a list's footer) is kept as text, and a body labelled base64 that is plain text is
read as the text it is. Its charset: the one the part names, else (none, US-ASCII, one
no codec knows) UTF-8, with any byte that is no UTF-8 read as Windows-1252, so that a
Windows-1252 line pasted into UTF-8 text is read as both were written. A charset that
lies is told by its bytes: bytes that are no text in it are read in its usual superset
(GB2312's GB18030, Shift_JIS's Windows-932, EUC-KR's Windows-949, Latin-1's
Windows-1252), else as UTF-8, else byte by byte as above; a Latin-1 or Windows-1252 body
that is well-formed UTF-8 beyond ASCII is UTF-8 (web forms label their UTF-8 so; Latin-1
text is UTF-8 only by a coincidence no writer makes). Nothing is replaced by U+FFFD but
the five bytes Windows-1252 gives no character.
"""

from __future__ import annotations

import binascii
import codecs
import re
from email.message import EmailMessage

from tinycrm.mail.headers import BYTE_AS_CP1252 as _BYTE_AS_CP1252
from tinycrm.mail.headers import text_charset

__all__ = ["base64_bytes", "part_bytes", "part_text"]

# a legacy charset's name -> the superset its writers' programs really used
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso8859_1": "cp1252",
    "iso8859_9": "cp1254",
    "tis_620": "cp874",
    "iso8859_11": "cp874",
}
_UNLABELLED = frozenset({"ascii", "utf_8"})  # read as UTF-8 with Windows-1252 bytes
_WESTERN = frozenset({"iso8859_1", "cp1252", "iso8859_15"})  # UTF-8 told by its bytes


def _codec(charset: str | None) -> str | None:
    """The codec's own name of a charset a text can be in; None for none or unknown."""
    if charset is None or not text_charset(charset):
        return None
    return codecs.lookup(charset).name.replace("-", "_")


def part_text(part: EmailMessage) -> str:
    """A text part's content as text (see the module's docstring); never raises. An
    HTML part that names no charset (or US-ASCII) and is no UTF-8 is read in the one
    its ``<meta>`` names, as a browser reads it."""
    raw, charset = part_bytes(part), part.get_content_charset()
    if part.get_content_subtype() == "html" and _codec(charset) in (None, "ascii"):
        meta = _META_CHARSET.search(raw[:META_WITHIN])
        named = meta.group(1).decode("ascii") if meta is not None else None
        if named is not None and _codec(named) not in (None, "ascii", "utf_8"):
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                charset = named
    return decode_text(raw, charset)


META_WITHIN = 4096  # bytes of an HTML part looked through for its <meta> charset
_META_CHARSET = re.compile(rb"(?i)<meta\b[^>]*?\bcharset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})")


def decode_text(raw: bytes, charset: str | None) -> str:
    """``raw`` read in ``charset`` as the module's docstring says."""
    codec = _codec(charset)
    if codec is None or codec in _UNLABELLED:
        return raw.decode("utf-8", errors=_BYTE_AS_CP1252)
    if codec in _WESTERN and not raw.isascii():
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for tried in dict.fromkeys((codec, _SUPERSETS.get(codec, codec), "utf_8")):
        try:
            return raw.decode(tried)
        except (UnicodeError, LookupError):
            continue
    return raw.decode("utf-8", errors=_BYTE_AS_CP1252)


_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_PIECE = re.compile(r"[^=]+=*")


def part_bytes(part: EmailMessage) -> bytes:
    """A part's content as bytes: decoded from its transfer encoding, a base64 one as
    the module's docstring says."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    # as it came (8-bit bytes as surrogates): get_payload() decodes those in the
    # part's charset, replacing what it cannot read (raising for some codecs)
    payload = getattr(part, "_payload", None) if encoding == "base64" else None
    if not isinstance(payload, str):
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else b""
    return base64_bytes(payload.encode("utf-8", "surrogateescape"))


def base64_bytes(encoded: bytes) -> bytes:
    """The bytes of a base64 body (see :func:`part_bytes`)."""
    lines = encoded.decode("ascii", "surrogateescape").splitlines()
    end = _base64_end(lines)
    joined = "".join(line.strip() for line in lines[:end])
    data = b"".join(_piece(piece) for piece in _PIECE.findall(joined))
    if end == len(lines):
        return data
    blanks = 0
    while blanks < end and not lines[end - 1 - blanks].strip():
        blanks += 1
    text = "\n".join(lines[end:]).encode("utf-8", "surrogateescape")
    return (data.rstrip(b"\r\n") + b"\n" * (1 + blanks) if data else b"") + text


def _base64_end(lines: list[str]) -> int:
    """Where the base64 lines of a body end: at the first line that is no base64, or
    that comes after the body's last line (one shorter than the first, or padded) and
    is no padded piece of its own (four characters' groups): 'Thanks' after it is text."""
    width = 0
    ended = False
    for index, line in enumerate(lines):
        word = line.strip()
        if not word:
            continue
        if _BASE64_LINE.fullmatch(word) is None or (ended and len(word) % 4):
            return index
        width = width or len(word)
        ended = ended or len(word) < width or word.endswith("=")
    return len(lines)


def _piece(piece: str) -> bytes:
    """The bytes of one padded piece of base64 (its padding mended if it is wrong)."""
    core = piece.rstrip("=")
    core = core[: len(core) - 1] if len(core) % 4 == 1 else core  # no byte in 6 bits
    try:
        return binascii.a2b_base64(core + "=" * (-len(core) % 4))
    except binascii.Error:
        return b""
