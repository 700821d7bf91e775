"""A vCard as export builds it: properties with their groups, parameters and values, as
vobject's ``vCard()`` holds them (so the reader, :func:`tinycrm.formats.vcard.card_values`,
reads one as it reads a parsed card), written as vobject writes one, at a fraction of
its cost: vobject's objects set a dozen attributes each through ``__setattr__``, and its
``serialize`` encodes every value, then decodes it again; 10,000 contacts took 10 s.

Written as vobject 0.9 writes a vCard 3.0: VERSION, PRODID and UID first, then the other
properties by name, each name's in the order added; parameters by name, a value holding
``,;:`` in double quotes; text escaped (``\\\\``, ``\\;``, ``\\,``, ``\\n``); N and ADR
by their components, a component's list joined by ``,``; ORG's units by ``;``,
CATEGORIES by ``,``; GEO as it is; lines of 75 characters or more folded at 75 bytes,
a character never split.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from tinycrm.formats import FormatError

_FIRST = ("version", "prodid", "uid")
_NAME_ORDER = ("family", "given", "additional", "prefix", "suffix")
_ADDRESS_ORDER = ("box", "extended", "street", "city", "region", "code", "country")


class Line:
    """One property: ``name`` (upper case), ``group``, ``params`` (a name -> values),
    ``value`` (text; a ``Name``, an ``Address``, or a list for ORG and CATEGORIES)."""

    __slots__ = ("encoded", "group", "name", "params", "singletonparams", "value")

    def __init__(self, name: str, group: str | None) -> None:
        self.name = name.upper()
        self.group = group
        self.params: dict[str, list[str]] = {}
        self.value: Any = ""
        self.singletonparams: list[str] = []
        self.encoded = False

    def text(self) -> str:
        """The content line, unfolded."""
        head = f"{self.group}.{self.name}" if self.group is not None else self.name
        params = "".join(
            f";{key}=" + ",".join(_param(p) for p in self.params[key])
            for key in sorted(self.params)
        )
        return f"{head}{params}:{self._value()}"

    def _value(self) -> str:
        value = self.value
        if self.name == "N":
            return _fields(value, _NAME_ORDER)
        if self.name == "ADR":
            return _fields(value, _ADDRESS_ORDER)
        if self.name == "ORG":
            return ";".join(_escaped(v) for v in value)
        if self.name == "CATEGORIES":
            return ",".join(_escaped(v) for v in value)
        if self.name == "GEO" or self.encoded:
            return str(value)
        return _escaped(value)


class Card:
    """A vCard's properties, by name in the order added (vobject's ``contents``)."""

    def __init__(self) -> None:
        self.contents: dict[str, list[Line]] = {}

    def add(self, name: str, group: str | None = None) -> Line:
        line = Line(name, group)
        self.contents.setdefault(name.lower(), []).append(line)
        return line

    def getChildren(self) -> list[Line]:
        return [line for lines in self.contents.values() for line in lines]

    def serialize(self) -> str:
        out = StringIO()
        _fold(out, "BEGIN:VCARD")
        first = [k for k in _FIRST if k in self.contents]
        for key in first + sorted(k for k in self.contents if k not in first):
            for line in self.contents[key]:
                _fold(out, line.text())
        _fold(out, "END:VCARD")
        return out.getvalue()


def _escaped(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fields(value: Any, order: tuple[str, ...]) -> str:
    parts = []
    for attr in order:
        part = getattr(value, attr)
        parts.append(",".join(_escaped(p) for p in ([part] if isinstance(part, str) else part)))
    return ";".join(parts)


def _param(value: str) -> str:
    if '"' in value:
        raise FormatError(f"a vCard parameter cannot hold a double quote: {value[:60]}")
    return f'"{value}"' if any(c in value for c in ",;:") else value


def _fold(out: StringIO, line: str, width: int = 75) -> None:
    """``line`` and its CRLF, folded as vobject folds: a line under ``width`` characters
    whole, a longer one into pieces of at most ``width`` UTF-8 bytes (a continuation's
    leading space one of them), a character never split."""
    if len(line) < width or len(line.encode()) <= width:
        out.write(line + "\r\n")
        return
    count = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode())
        if count + size > width:
            out.write("\r\n ")
            count = 1
        out.write(char)
        count += size
    out.write("\r\n")
