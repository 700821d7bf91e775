"""How :mod:`tinycrm.mail.message` reads a message's header lines: the standard
library's modern policy, made to read what real mail carries (raw 8-bit bytes as UTF-8,
else Windows-1252; encoded words and RFC 2231 parameters in a charset that cannot read
their bytes; headers too long or nested too deep for its parsers; controls and escape
sequences in an address header), and the charsets a text can be in."""

from __future__ import annotations

import codecs
import re
from email.policy import EmailPolicy
from functools import lru_cache
from typing import Any

__all__ = [
    "BYTE_AS_CP1252",
    "ESCAPE_SEQUENCE",
    "POLICY",
    "bracketed",
    "eight_bit",
    "readable",
    "text_charset",
    "written_addresses",
]

_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class _EightBitHeaders(EmailPolicy):
    """The modern policy, reading raw 8-bit header bytes as text: UTF-8 (RFC 6532, what
    most programs send), else Windows-1252 (an old program's). The parser keeps such
    bytes as lone surrogates, which the standard library hands on in display names and
    file names; no database can store them."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if isinstance(value, str):
            return _fetched(self, name, value)
        return self._fetch(name, value)

    def _fetch(self, name: str, value: str) -> Any:
        value = _charsets(readable(name, value))
        try:
            return super().header_fetch_parse(name, value)
        except RecursionError:
            raise  # nesting too deep: parse_message reads the header alone
        except Exception:
            # The parser itself asks for Content-Type while it reads a part: one its
            # header registry raises on (a parameter ``name*`` with no ``=``: an
            # IndexError) made the whole message unreadable. Read without the
            # parameters that have no value, else as its type alone.
            if name.lower() not in _PARAMETER_HEADERS or not isinstance(value, str):
                raise
        head, *parameters = value.split(";")
        try:
            kept = [head, *(p for p in parameters if "=" in p)]
            return super().header_fetch_parse(name, ";".join(kept))
        except Exception:
            return super().header_fetch_parse(name, head)


@lru_cache(maxsize=256)
def _fetched(policy: _EightBitHeaders, name: str, value: str) -> Any:
    """A header parsed once per value: the standard library's parser asks for a
    multipart's Content-Type at each of its parts (50,000 parts took 25 s to read)."""
    return policy._fetch(name, value)


_PARAMETER_HEADERS = frozenset({"content-type", "content-disposition"})
HEADER_MAX = 16 * 1024  # characters of a header read (the standard library's parser
ADDRESSES_MAX = 64 * 1024  # takes time and memory that grow faster than a header does)
_ADDRESS_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})
# quote characters and dots in one mailbox of an address list, at most: a name holds a
# few (escaped quotes in it too), an address a few dots
QUOTES_MAX, DOTS_MAX = 64, 256
COMMENT_DEPTH = 32  # deeper (comments in comments): the parsers recurse into each level


def readable(name: str, value: str) -> str:
    """A raw header value as the parsers can take it: 8-bit bytes read as text (see
    :func:`eight_bit`), one in ISO-2022-JP as it is decoded; one over :data:`HEADER_MAX`
    characters cut at a space (an address list over :data:`ADDRESSES_MAX`, after its
    last whole address); comments nested deeper than :data:`COMMENT_DEPTH` flattened
    (their parentheses dropped)."""
    if not isinstance(value, str):
        return value
    value = _iso_2022_jp(eight_bit(value))
    addresses = name.lower().removeprefix("resent-") in _ADDRESS_HEADERS
    if addresses and _CONTROL.search(value):  # the parser reads no mailbox around one
        value = _CONTROL.sub("", ESCAPE_SEQUENCE.sub("", value))
    limit = ADDRESSES_MAX if addresses else HEADER_MAX
    if len(value) > limit:
        cut = value.rfind("," if addresses else " ", 0, limit)
        value = value[: cut if cut > 0 else limit]
    if addresses:
        value = bracketed(value)
    if value.count("(") > COMMENT_DEPTH and _depth(value) > COMMENT_DEPTH:
        value = value.replace("(", " ").replace(")", " ")
    return value


# ISO-2022-JP's switch to JIS X 0208 (ESC $ B, or ESC $ @ of its 1978 version)
_JIS = re.compile("\x1b\\$[@B]")


def _iso_2022_jp(value: str) -> str:
    """``value`` read as ISO-2022-JP when it is a header in it as it is (7-bit, with
    its escape sequences), as Japanese mail programs long wrote them rather than in
    encoded words; else as it is (its escape sequences are then dropped as any are)."""
    if _JIS.search(value) is None:
        return value
    try:
        return value.encode("ascii").decode("iso2022_jp_2")
    except UnicodeError:  # other text beside it, or no ISO-2022-JP after all
        return value


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not a tab, CR or LF
ESCAPE_SEQUENCE = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing the screen
    "|\x1b[]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\\\|\x9c)?"  # OSC, DCS…: to its end, or the line's
    "|[\x90\x98\x9d-\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x9c)"  # their 8-bit forms, when ended
    "|\x1b[ -/]*[0-~]"  # any other escape
)
"""A terminal escape sequence, whole: dropped from names, subjects and text, as a
terminal would show none of it (dropping its ESC alone left ``[31m`` behind)."""


def _depth(value: str) -> int:
    deepest = depth = 0
    for char in value:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    return deepest


_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(\*[^?\s]*)?\?([qQbB])\?([^?\s]*)\?=")


def written_addresses(value: str) -> set[str] | None:
    """The addresses (lowercased, without quotes) written in a raw address header
    outside its encoded words; None when it has none (every address it gives is
    written). RFC 2047 §5: no encoded word may be, or be part of, an address
    (``=?utf-8?q?a=40x?=`` decodes to ``a@x``, ``a@=?utf-8?q?x?=`` to one too); only a
    display name may be one."""
    if "=?" not in value or _ENCODED_WORD.search(value) is None:
        return None
    from email.utils import getaddresses

    written = _ENCODED_WORD.sub(" ", value)
    # compared without quotes: '"ann"@x' is read as ann@x beside an encoded name
    return {a.strip().lower().replace('"', "") for _name, a in getaddresses([written]) if a}


# a word that looks like an address: no space, quote, bracket, comment or separator in it
_ADDRESS_LIKE = r'[^\s"(),:;<>@\[\]\\]+@[^\s"(),:;<>@\[\]\\]+'
_BARE_ADDRESS = re.compile(rf"(?<!\S){_ADDRESS_LIKE}(?!\S)")
# one in quotes or a comment too; tried from the start of a run of the characters an
# address holds alone (from each of them: 3 s for a word of 20,000)
_ANY_ADDRESS = re.compile(r'(?<![^\s"(),:;<>@\[\]\\])' + _ADDRESS_LIKE)


def bracketed(value: str) -> str:
    """An address header as the parsers can read it, where a broken mailer wrote it
    otherwise: the address of each mailbox written without angle brackets after a name
    (``Ann Lee ann@x.example``) put in them (``Ann Lee <ann@x.example>``), which the
    parsers read as one address ``Ann Lee ann@x.example`` that no mailbox has; and
    mailboxes separated by semicolons (Outlook's ``a@x; b@y``, of which they read the
    first alone) by commas, in a header with no group (``Team: a@x, b@y;``); and
    elements with no at sign (``a@x,,,,…``), which hold no address, left out, and
    those holding runs of tokens no mailer writes (:func:`_runaway`). The
    address is put in brackets only where the mailbox holds exactly one word that looks
    like an address, and it is outside encoded words (RFC 2047 §5: none may be an
    address), quoted strings and comments; a mailbox in brackets, in a group, or
    holding two such words is left as it came."""
    # more commas than at signs: elements that hold no address, on which the standard
    # library's parser spends time growing with their square (60,000 commas: 40 s)
    empty = value.count(",") > value.count("@")
    runaway = _runaway(value)
    if ";" not in value and not empty and not runaway and not _maybe_bare(value):  # a look
        return value
    elements, semicolons = _elements(value)
    changed = [
        _bracketed(e)
        for e in elements
        if ("@" in e or ":" in e or ";" in e) and not (runaway and _runaway(e))
    ]
    return value if changed == elements and not semicolons else ",".join(changed)


def _runaway(value: str) -> bool:
    """Whether an address list (or one of its mailboxes) holds more quote characters or
    dots than :data:`QUOTES_MAX` and :data:`DOTS_MAX`: the standard library's parser
    takes time growing with the square of such tokens in one mailbox (20,000 quotes
    took it 21 s, 64 KB minutes, a sync stalled on the message)."""
    return value.count('"') > QUOTES_MAX or value.count(".") > DOTS_MAX


def _maybe_bare(value: str) -> bool:
    """Whether an address list may hold an address without brackets beside a name: a
    word with an at sign and no bracket next to another word, no comma between (one
    pass over its words: a regular expression went through the rest of a word of
    thousands of at signs from each)."""
    words = value.split()
    for at, word in enumerate(words):
        if "@" not in word or "<" in word or ">" in word:
            continue
        if at > 0 and not words[at - 1].endswith(",") and not word.startswith(","):
            return True
        after = words[at + 1] if at + 1 < len(words) else ","
        if not word.endswith(",") and not after.startswith((",", "(")):
            return True
    return False


def _bracketed(element: str) -> str:
    if "@" not in element or ":" in element or ";" in element:
        return element
    if "<" in element or ">" in element:
        return _quoted_name(element)
    bare = _ENCODED_WORD.sub(lambda word: " " * len(word.group(0)), element)
    if len(_ANY_ADDRESS.findall(bare)) != 1:  # none, or two: which is it cannot be told
        return element
    outside = _masked(bare)  # quoted strings and comments made spaces
    found = _BARE_ADDRESS.search(outside)
    if found is None:  # the one is in quotes or a comment: a name, not an address
        return element
    before, after = element[: found.start()], element[found.end() :]
    if not before.strip() and not _masked(after).strip():
        return element  # the address alone, or with a comment: the parsers read it
    if _masked(after).strip():  # words after it: the name around it, then the address
        return f"{before.rstrip()} {after.strip()} <{found.group(0)}>"
    return f"{before.rstrip()} <{found.group(0)}>{after}"


def _quoted_name(element: str) -> str:
    """A mailbox whose display name holds an address, written without quotes before
    the address in angle brackets (``ann@x.example <phish@y.example>``), with that name
    in quotes: the parsers read the name's address as the mailbox's and left out the
    one in brackets, which is the mailbox (a mail client's, replied to), so that a
    phisher's mail was Ann's. Any other mailbox is left as it came."""
    outside = _masked(_ENCODED_WORD.sub(lambda word: " " * len(word.group(0)), element))
    if outside.count("<") != 1 or outside.count(">") != 1:
        return element
    start, end = outside.index("<"), outside.index(">")
    if end < start or outside[end + 1 :].strip() or "@" not in outside[:start]:
        return element
    name = " ".join(element[:start].split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}" {element[start:].strip()}'


def _masked(text: str) -> str:
    """``text`` with its quoted strings and comments (nested) made spaces, each
    character kept in its place."""
    out, depth, quoted, escaped = [], 0, False, False
    for char in text:
        inside = quoted or depth > 0
        if escaped:
            escaped = False
        elif char == "\\" and inside:
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"' and depth == 0:
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            inside = True
        out.append(" " if inside or char in '"(' else char)
    return "".join(out)


def _elements(value: str) -> tuple[list[str], bool]:
    """An address list split at its commas outside quoted strings, comments, encoded
    words and angle brackets, and at such semicolons when it has no group (no such
    colon); whether it was split at a semicolon."""
    masked = list(_masked(value))
    if "=?" in value:  # an encoded word is one word: a ';' or ',' in it separates nothing
        for word in _ENCODED_WORD.finditer(value):
            masked[word.start() : word.end()] = " " * (word.end() - word.start())
    angle = False
    for at, char in enumerate(masked):
        if char == "<":
            angle = True
        elif char == ">":
            angle = False
        elif angle:
            masked[at] = " "
    top = "".join(masked)
    semicolons = ";" in top and ":" not in top
    elements, start = [], 0
    for at, char in enumerate(top):
        if char == "," or (char == ";" and semicolons):
            elements.append(value[start:at])
            start = at + 1
    elements.append(value[start:])
    return elements, semicolons


_RFC2231 = re.compile(r"(\*=\s*\"?)([^'\"\s;]*)'([^'\"\s;]*)'([^\"\s;]*)")


def _charsets(value: str) -> str:
    """``value`` with each RFC 2047 encoded word whose bytes its charset cannot read (an
    unknown charset, or Latin-1 bytes labelled UTF-8) labelled UTF-8, else Windows-1252
    (else Latin-1), whichever reads them. The standard library leaves such bytes as lone
    surrogates in display names (no database can store them), "\ufffd" in a subject.
    RFC 2231 parameters (``filename*=charset''%XX…``) likewise: a charset such as
    ``undefined`` made the parser itself raise."""
    if not isinstance(value, str):
        return value
    if "=?" in value:
        value = _ENCODED_WORD.sub(_relabel, value)
    if "*" in value and "'" in value:
        value = _RFC2231.sub(_relabel_parameter, value)
    return value


def _relabel_parameter(parameter: re.Match[str]) -> str:
    from urllib.parse import unquote_to_bytes

    start, charset, language, text = parameter.groups()
    data = unquote_to_bytes(text)
    first = _FIRST_PIECE.search(parameter.string[: parameter.start()])
    if first is not None:
        # the first piece of a value continued (``name*0*=…; name*1*=…``): its charset
        # reads the whole value, which may be cut inside a character
        name = re.escape(first.group(1))
        later = re.findall(rf"(?i)\b{name}\*[1-9][0-9]*\*=\s*\"?([^\"\s;]*)", parameter.string)
        data += b"".join(unquote_to_bytes(piece) for piece in later)
    label = _label(charset, data)
    return parameter.group(0) if label == charset else f"{start}{label}'{language}'{text}"


_FIRST_PIECE = re.compile(r"([\w.-]+)\*0$")  # a parameter's name before ``*0*=``


def _label(charset: str, data: bytes) -> str:
    """``charset`` when it is a text charset that reads ``data``; else UTF-8, else
    Windows-1252, whichever does; else Latin-1 (which reads any byte)."""
    for label in (charset, "utf-8", "windows-1252"):
        try:
            if label and text_charset(label):
                data.decode(label)
                return label
        except (LookupError, ValueError):  # ValueError: UnicodeError too
            continue
    return "iso-8859-1"


def _relabel(word: re.Match[str]) -> str:
    import base64
    import binascii
    import quopri

    charset, language, encoding, text = word.groups()
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=True)
    except (binascii.Error, ValueError):
        return word.group(0)  # not decodable at all: the standard library says so
    label = _label(charset, data)
    if label == charset:
        return word.group(0)
    return f"=?{label}{language or ''}?{encoding}?{text}?="


def eight_bit(value: str) -> str:
    """``value`` with the raw 8-bit bytes the parser kept as lone surrogates read as
    UTF-8, each byte that is no UTF-8 as Windows-1252."""
    if not isinstance(value, str) or not _ESCAPED_BYTE.search(value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", errors=BYTE_AS_CP1252)


BYTE_AS_CP1252 = "tinycrm-byte-as-cp1252"
"""The error handler reading text as UTF-8 with each byte that is no UTF-8 read as
Windows-1252 (a word an old program wrote, in text another wrote in UTF-8); the five
bytes Windows-1252 gives no character are U+FFFD."""


def _byte_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start : error.start + 1]
    return bytes(byte).decode("cp1252", errors="replace"), error.start + 1


codecs.register_error(BYTE_AS_CP1252, _byte_as_cp1252)


POLICY = _EightBitHeaders()

_NOT_TEXT = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})


def text_charset(name: str) -> bool:
    """Whether ``name`` is a charset mail text can be in: a Python text codec, not one
    of those that turn bytes into something else (``undefined`` raises on any bytes;
    ``idna``, ``punycode`` and the escape codecs make mojibake)."""
    import codecs

    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a name holding a NUL
        return False
    return info._is_text_encoding and info.name not in _NOT_TEXT  # type: ignore[attr-defined]
