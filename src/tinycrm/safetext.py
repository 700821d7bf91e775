"""Text that is safe to show on a terminal, and the characters that are not.

Stored text may hold terminal escape sequences (ESC, CSI, OSC, BEL), other C0 and
C1 controls, DEL, or bidirectional overrides (U+202E turns ``gpj.exe`` into
``exe.jpg``): a database from before input was checked, an old import, or another
program writing to a shared PostgreSQL database. ``display()`` turns each of them
into a visible escape (``\\x1b``, ``\\u202e``), and so the invisible characters and the
tag characters that hide text (``\\U000e0041``), before the text reaches a terminal or an
assistant; the command line, the board, reminders and error messages all call it at
their edges. ``find_unsafe()`` is what the store's validation uses to refuse them on input.

The escapes are Python's own notation, so ``restore()`` reads them back: exactly,
unless the text itself held a backslash followed by ``x``, ``u`` or ``U`` and hex digits
(a backslash is shown as it is, never doubled: ``C:\\temp`` stays ``C:\\temp``).

This module imports only ``re``: the command line and the board use it without the store.
"""

from __future__ import annotations

import re

# Bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069), the marks (U+200E, U+200F, U+061C); and the Unicode line and
# paragraph separators, which some terminals treat as a new line.
BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029"
"""The bidi controls and separators, as the inside of a regular expression's ``[...]``."""
_CONTROLS = "\x00-\x1f\x7f-\x9f"

UNSAFE = re.compile(f"[{_CONTROLS}{BIDI}]")
"""Any character that must not reach a terminal raw (newline and tab included)."""
UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
"""The same, with newline and tab allowed (notes, bodies, multi-line messages)."""

# Characters that take no room and show nothing, where no script needs them: the
# zero-width space, the word joiner and invisible operators, the BOM as a zero-width
# no-break space, the Mongolian vowel separator. "Ac\u200bme" looked like "Acme" (a
# lookalike of a real company) and some terminals gave it a cell, pushing a border out.
# Shown, not refused: they come in with text pasted from web pages and vendors' exports.
# The joiners U+200C and U+200D stay: Persian and emoji need them. Shown too: the format
# controls no text needs, which draw nothing: Unicode's deprecated shaping controls
# (U+206A-U+206F), the interlinear annotation marks (U+FFF9-U+FFFB), shorthand's and
# music's format marks: a mail's subject "Pay\u206anow" read "Paynow". The Hangul fillers
# U+3164 and U+FFA0 (no modern Korean text holds them) show as blank cells: names made
# of them look empty, and Rich counts them as no cells where terminals draw 2 and 1,
# which moved a table's columns.
FILLERS = "\u3164\uffa0"
"""The Hangul fillers: the printable characters ``display()`` shows as escapes."""
INVISIBLE = (
    "\u200b\u2060-\u2064\ufeff\u180e\u206a-\u206f\ufff9-\ufffb"
    f"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a{FILLERS}"
)
"""The invisible characters ``display()`` shows as escapes (stored as they came)."""

# Unicode's tag characters (U+E0000-U+E007F) show nothing: "Acme" followed by an
# instruction spelt in them looked like "Acme" to the user while an assistant reading
# the text read the instruction ("ASCII smuggling"). Shown as their codes, except in
# the one use they have: a subdivision's flag (England's is the black flag, the tags
# "gbeng" and the cancel tag U+E007F), kept whole when it is one (a region's two
# letters and one to four letters or digits, all lower case: no room for a message).
_FLAG = (
    "\U0001f3f4[\U000e0061-\U000e007a]{2}"
    "[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,4}\U000e007f"
)
TAGS = "\U000e0000-\U000e007f"
"""The tag characters, as the inside of a regular expression's ``[...]``."""
# After a tag character: it is a flag's (its black flag at most six tags before, none
# of them the cancel tag, and a whole flag from there). Checked only after a character
# matched: a lookaround at every position made display() fifteen times slower.
NOT_IN_FLAG = (
    "(?!"
    + "|".join(
        f"(?<=(?={_FLAG})\U0001f3f4[\U000e0000-\U000e007e]{{{before}}}[{TAGS}])"
        for before in range(7)
    )
    + ")"
)
"""To put after a ``[...]`` holding ``TAGS``: a tag character of a subdivision's flag
does not match."""
SHOWN = re.compile(f"[{_CONTROLS}{BIDI}{INVISIBLE}{TAGS}]{NOT_IN_FLAG}")
"""What ``display()`` escapes: the unsafe characters, the invisible ones, the tag
characters outside a flag."""
SHOWN_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}{INVISIBLE}{TAGS}]{NOT_IN_FLAG}")
"""The same, with newline and tab allowed."""

_RESTORE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U00(?:0[0-9a-fA-F]|10)[0-9a-fA-F]{4})")


def escaped(char: str) -> str:
    """The visible form of one character: ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def json_escaped(char: str) -> str:
    """One character as JSON escapes it: ``\\u009b``; past U+FFFF, its surrogate pair
    (``\\udb40\\udc41``), as JSON spells it (``\\ue0041`` would be U+E004 and a 1)."""
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _escape(match: re.Match[str]) -> str:
    return escaped(match.group())


def display(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control, DEL, bidi control and invisible character shown as an
    escape.

    ``multiline`` keeps newlines and tabs (notes, bodies); otherwise they are escaped
    too, so one value stays on one line. Text without any of them comes back as it is.
    """
    value = text if isinstance(text, str) else str(text)
    if value.isprintable() and "\u3164" not in value and "\uffa0" not in value:  # FILLERS
        return value  # all else shown is a control, format or unassigned character
    pattern = SHOWN_MULTILINE if multiline else SHOWN
    if pattern.search(value) is None:
        return value
    return pattern.sub(_escape, value)


QUOTED_LIMIT = 60
"""How many characters of a value an error message quotes."""


def quoted(text: object, limit: int = QUOTED_LIMIT) -> str:
    """``text`` quoted (as ``repr`` does) for an error message, cut to its first ``limit``
    characters and an ellipsis: a REF, a tag or an email of 100,000 characters is named,
    not printed whole."""
    value = text if isinstance(text, str) else str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)


def json_shown(value: object, limit: int = QUOTED_LIMIT) -> str:
    """``value`` read from a JSON file, shown for an error message as the file has it
    (``true``, ``null``, ``Infinity``, ``["x"]``, not Python's ``True``, ``None``,
    ``inf``, ``['x']``), on one line, cut as ``quoted`` cuts, its unsafe characters
    escaped; text as ``quoted`` shows it."""
    if isinstance(value, str):
        return quoted(value, limit)
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON's, or a number of more than 4,300 digits
        text = "a number too long to show" if isinstance(value, int) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return display(text)


def restore(shown: str) -> str:
    """The text ``display()`` was given (its escapes read back)."""

    def back(match: re.Match[str]) -> str:
        return chr(int(match.group(1)[1:], 16))

    if "\\" not in shown:
        return shown
    return _RESTORE.sub(back, shown)


def find_unsafe(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The position (1-based) and the character of the first unsafe character, if any."""
    found = (UNSAFE_MULTILINE if multiline else UNSAFE).search(text)
    return None if found is None else (found.start() + 1, found.group())


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored, or None: ``control characters are not allowed
    (\\x1b at position 3)``. NUL is named on its own (PostgreSQL cannot store it)."""
    found = find_unsafe(text, multiline=multiline)
    if found is None:
        return None
    position, char = found
    if "\x00" in text:
        return f"NUL characters are not allowed (\\x00 at position {text.index(chr(0)) + 1})"
    if char <= "\x9f":
        what = "control characters are"
    elif char in "\u2028\u2029":
        what = "line and paragraph separators are"
    else:
        what = "bidirectional controls are"
    return f"{what} not allowed ({escaped(char)} at position {position})"
