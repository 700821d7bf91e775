"""Reading and writing the files people move data in and out with.

``csvfile`` reads CSV from real tools (encodings, delimiters, line numbers);
``synonyms`` names the fields and the headers real exports give them; ``mapping``
turns a header into tinycrm fields; ``values`` reads the dates,
numbers and flags found in their cells; ``vcard`` reads and writes vCards;
``jsondump`` writes and reads the full JSON dump.

Nothing here touches the database or imports the store: errors are
:class:`FormatError` (a ``ValueError``), which the store and the command line
turn into their own one-line refusals.
"""

from __future__ import annotations

from tinycrm.errors import TinyCrmError


class FormatError(TinyCrmError, ValueError):
    """A file cannot be read as what it claims to be. ``str(err)`` is one line for a user."""


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: control characters, NUL and bidirectional
    overrides written as ``\\x1b``-style escapes (a file name or a header from a hostile file)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)


def json_reason(message: str) -> str:
    """What json's ``message`` says, for a place given before it: its 'Unterminated
    string starting at' (said only where the text ends inside the string) as what the
    user can do about it."""
    if message.startswith("Unterminated string"):
        return "a string starts here and is never closed: is the file cut short?"
    return message
