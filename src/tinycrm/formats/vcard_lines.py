"""A vCard file as cards: its lines (:mod:`tinycrm.formats.vcard_decode`) made into
content lines and those into cards (photos and an AGENT's card left out, a card without
its END closed where the next begins), and vobject readied to parse one (a content-line
pattern that cannot backtrack, text values whole). :mod:`tinycrm.formats.vcard` reads
each card's values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from tinycrm.formats import FormatError
from tinycrm.formats.vcard_decode import _DROPPED, PROPERTY_LIMIT, _Cut, _decode, _Run

# The longest card read (photos left out): vobject holds ~40 bytes for each character
# of a card. Longer is refused as the file is read, not after it is held whole.
CARD_LIMIT = 1024 * 1024

_BLANK_LINE = re.compile(r"\n\ufeff*[^\S\n]*(?=\n|\Z)")
_GAP = re.compile(r"\n(?:[\s\ufeff]|\Z)")  # a blank line in a run (a plain line starts with text)
_ESCAPED_COLON = re.compile(r"(?<!\\)((?:\\\\)*)\\:")  # \: after no backslash or \\s


# What may come before the first BEGIN:VCARD (blank lines not counted): a note, a mail's
# lines saved with the cards. More, or a NUL byte (binary data, a sparse file), and the
# file is no vCard file: refused there, not read to its end (a 2 GB file of NULs was).
SNIFF_LIMIT = 64 * 1024


def _sniffed(lines: Iterator[str], name: str) -> Iterator[str]:
    """``lines``, the file refused at the first of those before a BEGIN:VCARD line that
    holds a NUL or takes them past ``SNIFF_LIMIT`` characters that are not white space."""
    before = 0
    for line in lines:
        text = line.lstrip("\ufeff").strip()
        if text[:11].upper() == "BEGIN:VCARD":
            yield line
            yield from lines  # the cards begin: what follows is theirs to read
            return
        if "\x00" in line:
            raise FormatError(
                f"{name}: not a vCard file (it holds NUL bytes where its first card "
                "would be: binary data, or a file of another kind)"
            )
        before += PROPERTY_LIMIT + 1 if text and isinstance(line, _Cut) else len(text)
        if before > SNIFF_LIMIT:
            raise FormatError(
                f"{name}: not a vCard file (no BEGIN:VCARD in its first "
                f"{SNIFF_LIMIT // 1024} KiB of text)"
            )
        yield line


_FOLDS = ("BEGIN:VCARD", "END:VCARD")


class _Logical:
    """One content line as RFC 6350 unfolds it: its first line's number, the file's lines
    that make it (``pieces``, as the file held them, less a card's indent; a piece may be
    a unit of lines, joined by CRLF), the start of its unfolded text (``probe``, enough
    to tell BEGIN:VCARD), its property's name, and the content lines it stands for
    (``lines``: a ``_Run``'s, else 1)."""

    __slots__ = ("fold", "head", "lines", "number", "pieces", "probe", "prop", "size")

    def __init__(self, number: int, line: str, cut: bool) -> None:
        self.number = number
        self.head: str | None = ""  # its name so far, while a fold may go on with it
        if "\n" not in line and type(line) is not _Run:  # one line, most of a file's
            self.pieces = [line]
            self.size = PROPERTY_LIMIT + 1 if cut else len(line)
            self.probe = line[:_PROBE]
            self.fold, self.lines = 0, 1
            self._named(line)
            return
        if isinstance(line, _Run) and _GAP.search(line):  # its blank lines left out
            line = _Run(_BLANK_LINE.sub("", line))
        self.pieces = [line]
        breaks = line.count("\n")
        self.size = PROPERTY_LIMIT + 1 if cut else len(line) - breaks
        self.probe = _unfolded(line) if breaks else line[:_PROBE]
        if isinstance(line, _Run):  # its first line's name: no fold goes on with its last
            self.fold, self.lines = 0, line.lines
            self._named(line.partition("\n")[0])
            self.head = None
        else:
            self.fold = number + 1 if breaks else 0  # the number of its second line
            self.lines = 1
            self._named(line)

    def _named(self, text: str) -> None:
        """The property's name (``prop``: after a group, before a ';' or ':'), ``text``
        (a line or a fold's rest, its own folds too) taken into it while no ';' or ':'
        has ended it."""
        head, end, _ = text.partition(":")
        head, semicolon, _ = head.partition(";")
        if "\n" in head:
            head = _BREAK.sub("", head)
        name = (self.head or "") + head
        self.prop = name.rsplit(".", 1)[-1].strip().upper()
        self.head = None if end or semicolon or len(name) > _NAME_LIMIT else name

    def add(self, number: int, line: str, fold: bool, cut: bool) -> None:
        self.fold = self.fold or number
        self.size += PROPERTY_LIMIT + 1 if cut else len(line) - line.count("\n")
        if fold and self.head is not None:
            self._named(line[1:])
        elif not fold:
            self.head = None  # base64's lines, a soft break's: the value's
        if self.prop not in _DROPPED and not self.cut:  # a photo's: megabytes, left out
            self.pieces.append(line)
        if len(self.probe) < _PROBE:
            self.probe = (self.probe + (_unfolded(line[1:]) if fold else "\n" + line))[:_PROBE]

    def ended(self) -> _Logical:
        """The line, a quoted-printable soft break at its very end taken out: a value
        ends at a blank line or END:VCARD, which the writer's '=' would run into."""
        if self.pieces[-1].endswith("=") and self.quoted_printable:
            self.pieces[-1] = self.pieces[-1][:-1]
        return self

    @property
    def quoted_printable(self) -> bool:
        """Whether the line's parameters say QUOTED-PRINTABLE."""
        return "QUOTED-PRINTABLE" in self.pieces[0].partition(":")[0].upper()

    @property
    def cut(self) -> bool:
        """Whether the line is longer than ``PROPERTY_LIMIT`` (its pieces then cut)."""
        return self.size > PROPERTY_LIMIT

    @property
    def word(self) -> str:
        """BEGIN:VCARD or END:VCARD when the line unfolds to one, else ''."""
        text = self.probe.strip()
        if len(text) > len("BEGIN:VCARD"):  # upper case is never shorter: neither word
            return ""
        upper = text.upper()
        return upper if upper in _FOLDS else ""


_PROBE = 40
_NAME_LIMIT = 256  # a name longer is no property's: not looked for in more folds
_BREAK = re.compile("\n[ \t]")  # a fold's line end and space, in a unit


def _unfolded(text: str) -> str:
    """The first ``_PROBE`` characters of ``text`` (a unit of a line and its folds)
    unfolded, read from as little of it as gives them."""
    size = 4 * _PROBE
    while True:
        part = _BREAK.sub("", text[:size])
        if len(part) >= _PROBE + 2 or size >= len(text):  # past a break the cut may halve
            return part[:_PROBE]
        size *= 8


def _logical_lines(lines: Iterator[str]) -> Iterator[_Logical]:
    """The content lines of a file's lines: a line starting with a space or tab continues
    the one before (a fold), as do the lines of a photo's base64 that hold no ':' and
    the line after a quoted-printable soft break ('=' at the end); a line that reads
    BEGIN:VCARD or END:VCARD alone is one, indented or not; blank lines are passed over.
    A card indented as a whole (its BEGIN line's indent) has that indent taken off."""
    current: _Logical | None = None
    indent = ""  # the BEGIN line's: a card pasted indented, taken off each of its lines
    soft = False  # the line before ended a quoted-printable soft break
    photo = False  # the line is a photo's (left out), its card not indented
    after = 1  # the number of the line after the unit
    for unit in lines:
        number = after
        breaks = unit.count("\n")
        after += breaks + 1
        parts: Iterable[tuple[int, str]] = ((number, unit),)
        dropped = current is not None and current.prop in _DROPPED  # base64 may follow
        if breaks and (indent or soft or _word_first(unit) or (dropped and type(unit) is _Run)):
            # Read line by line: an indented card's lines are no folds, a soft break
            # takes the next line alone, BEGIN:VCARD's folds break its card.
            parts = enumerate(unit.split("\n"), start=number)
        for number, line in parts:
            if (
                photo
                and current is not None
                and current.head is None
                and line[:1] in (" ", "\t")
                and type(line) is str
                and len(line.strip()) > 11
            ):
                # A fold of a photo's base64, most of a file's lines: counted, not kept,
                # as below (a line longer than BEGIN:VCARD's is neither word, nor blank;
                # the photo's name is whole, or it would be a photo's no more).
                current.fold = current.fold or number
                current.size += len(line) - line.count("\n")
                if len(current.probe) < _PROBE:
                    current.probe = (current.probe + _unfolded(line[1:]))[:_PROBE]
                soft = line.endswith("=") and current.quoted_printable
                continue
            cut, run = isinstance(line, _Cut), type(line) is _Run
            line = line.rstrip("\r").lstrip("\ufeff")
            line = _Run(line) if run else line
            upper = line.strip()
            if len(upper) <= len("BEGIN:VCARD"):  # longer is neither word, in any case
                upper = upper.upper()
            if upper == "BEGIN:VCARD":
                indent = line[: len(line) - len(line.lstrip(" \t"))]
            elif indent and line.startswith(indent):
                line = line[len(indent) :]
            if not upper:
                soft = False  # a quoted-printable value ends at a line end without '='
                continue
            fold = line[:1] in (" ", "\t")
            base64 = current is not None and current.prop in _DROPPED and _no_colon(line)
            soft = soft and not _starts_property(line, current)  # a broken '=' ends there
            if current is not None and (fold or base64 or soft) and upper not in _FOLDS:
                current.add(number, line, fold, cut)
            else:
                if current is not None:
                    yield current.ended()
                current = _Logical(number, line, cut)
            photo = not indent and current.prop in _DROPPED
            soft = line.endswith("=") and current.quoted_printable
    if current is not None:
        yield current.ended()


# The properties of vCard 2.1, 3.0 and 4.0: a line after a quoted-printable soft break
# that starts with one (in capitals, as writers spell them, after any group) or with an
# X- name, then ';' or ':', starts a property. A value that ends in '=' (a soft break
# with nothing after it, as broken writers leave it) took it into itself, as vobject
# and khard read it: the email inside the name, and 'BDAY' after '=' the byte 0xBD,
# which made the card Windows-1252. Text a soft break splits ('Note: call') goes on,
# and so does 'PHOTO:attached': the properties left out (a photo's, an agent's) start
# only with parameters, as a 2.1 writer's do ('PHOTO;ENCODING=BASE64;TYPE=JPEG:'), so
# that no text is taken for one and left out with it.
_PROPERTIES = (
    "BEGIN|END|VERSION|PRODID|REV|UID|N|FN|NICKNAME|BDAY|ANNIVERSARY|GENDER|ADR|LABEL|"
    "TEL|EMAIL|MAILER|IMPP|LANG|TZ|GEO|TITLE|ROLE|ORG|MEMBER|RELATED|CATEGORIES|NOTE|"
    "SORT-STRING|URL|CLASS|KIND|XML|SOURCE|NAME|PROFILE|FBURL|CALADRURI|CALURI|"
    "CLIENTPIDMAP|EXPERTISE|HOBBY|INTEREST|ORG-DIRECTORY|BIRTHPLACE|DEATHPLACE|DEATHDATE|"
    "SOCIALPROFILE|X-[A-Za-z0-9-]+"
)
_PROPERTY_START = re.compile(
    rf"(?:[A-Za-z0-9-]+\.)?(?:(?:{_PROPERTIES})[;:]|(?:PHOTO|LOGO|SOUND|KEY|AGENT);)"
)


# The same in lowercase, as some writers spell every name: a line after a soft break
# that starts with one starts a property when the soft-broken property's own name is in
# lowercase (its writer's spelling), else it is text ('email: me' in a note).
_PROPERTY_START_LOWER = re.compile(
    rf"(?:[A-Za-z0-9-]+\.)?(?:(?:{_PROPERTIES.lower().replace('a-za-z', 'a-z')})[;:]"
    r"|(?:photo|logo|sound|key|agent);)"
)


def _starts_property(line: str, current: _Logical | None) -> bool:
    """Whether ``line``, after a quoted-printable soft break in ``current``, starts a
    property (``_PROPERTY_START``, or ``_PROPERTY_START_LOWER`` when ``current``'s
    name is in lowercase) rather than going on with the value."""
    if _PROPERTY_START.match(line):
        return True
    if current is None or not _PROPERTY_START_LOWER.match(line):
        return False
    head = current.pieces[0].partition(":")[0].partition(";")[0]
    return head.rsplit(".", 1)[-1].strip().islower()


def _no_colon(unit: str) -> bool:
    """Whether the first line of ``unit`` holds no ':'."""
    colon = unit.find(":")
    return colon < 0 or -1 < unit.find("\n") < colon


def _word_first(unit: str) -> bool:
    """Whether the first line of ``unit`` reads BEGIN:VCARD or END:VCARD alone."""
    first = unit[: unit.find("\n")].lstrip("\ufeff").strip()
    return len(first) <= len("BEGIN:VCARD") and first.upper() in _FOLDS


def split_cards(
    stream: IO[bytes],
    *,
    name: str,
    dropped: dict[str, int] | None = None,
    read: frozenset[str] | None = None,
    outside: dict[str, int] | None = None,
) -> Iterator[tuple[int, str, str | None]]:
    """(line of BEGIN:VCARD, the card's text without photos, why it cannot be read or
    None) for each card in the file; ``dropped`` counts the cards that held each
    property left out (``PHOTO``, ``KEY``). Every card the file begins is given, so an
    import reads it or rejects it with its reason: none is passed over. A property
    longer than ``PROPERTY_LIMIT`` rejects its card when it is one of ``read`` (None:
    any), else is left out as a photo is; a card longer than ``CARD_LIMIT`` is rejected,
    its text cut there. ``outside`` counts the lines outside any card (``lines``, and
    the number of the ``first``), which nothing reads."""
    card: list[str] | None = None
    left_out: set[str] = set()
    start = 0
    broken: str | None = None  # why the card cannot be read, found while splitting
    seen_any = False
    agent = False  # after a 2.1 AGENT with no value: the agent's own card follows
    nested = 0  # inside an agent's card, left out
    blank = True  # a file of no cards: what an export of no contacts writes
    size = 0  # the characters of the card so far
    for line in _logical_lines(_sniffed(_decode(stream, name), name)):
        blank = False
        word = line.word
        begins = word == "BEGIN:VCARD" or _broken_begin(line)
        if card is not None and (nested or (agent and begins)):
            nested += {"BEGIN:VCARD": 1, "END:VCARD": -1}.get(word, 0)
            agent = False
            continue  # an agent's card inside the card: left out, as a photo is
        if begins:
            if card is not None:  # the card before had no END:VCARD: it ends here
                _count(dropped, left_out)
                yield start, _card_text([*card, "END:VCARD"]), broken
            card, start, agent, broken = [], line.number, False, _broken_begin(line)
            card += [line.pieces[0].strip(), *line.pieces[1:]]
            size = _size(card)
            seen_any = True
            left_out = set()
            continue
        if card is None:
            if outside is not None and line.probe.strip(" \t\x1a"):  # Ctrl-Z: DOS's end
                outside["lines"] = outside.get("lines", 0) + line.lines
                outside.setdefault("first", line.number)
            continue
        if word == "END:VCARD":
            _count(dropped, left_out)
            card.append("END:VCARD")
            yield start, _card_text(card), broken
            card = None
            continue
        first = line.pieces[0].partition("\n")[0]  # its first line (a unit's)
        agent = line.prop == "AGENT" and not first.partition(":")[2].strip()
        if line.prop in _DROPPED or agent or (line.cut and read and line.prop not in read):
            left_out.add(line.prop)
        elif line.cut:
            broken = broken or (
                f"{line.prop} on line {line.number} is longer than {_KIB} KiB "
                "(the rows' report holds the card without it)"
            )
        elif size <= CARD_LIMIT:
            size += _size(line.pieces)
            if size > CARD_LIMIT:
                broken = broken or (
                    f"the card is longer than {_MIB} MiB, photos left out (the rows' report "
                    f"holds its first {_MIB} MiB)"
                )
            else:
                card += line.pieces
    if card is not None:
        _count(dropped, left_out)
        yield start, _card_text([*card, "END:VCARD"]), broken
    if not seen_any and not blank:
        raise FormatError(f"{name} holds no vCard (no BEGIN:VCARD line)")


_KIB, _MIB = PROPERTY_LIMIT // 1024, CARD_LIMIT // (1024 * 1024)


def _size(pieces: list[str]) -> int:
    """The characters of a card's lines, each ended by CRLF (a unit's lines by LF)."""
    if len(pieces) == 1:
        return len(pieces[0]) + 2 + pieces[0].count("\n")
    return sum(len(piece) + 2 + piece.count("\n") for piece in pieces)


def _card_text(pieces: list[str]) -> str:
    """A card's lines (a piece may be a unit's, its lines joined by LF), each ended by
    CRLF."""
    return "\n".join(pieces).replace("\n", "\r\n") + "\r\n"


def _broken_begin(line: _Logical) -> str | None:
    """Why a BEGIN:VCARD line continued by a fold (a line starting with a space or tab
    right after it) begins no card: RFC 6350 unfolds 'BEGIN:VCARD' and ' VERSION:3.0'
    to 'BEGIN:VCARDVERSION:3.0'. None for any other line."""
    if len(line.pieces) < 2 or line.pieces[0].strip().upper() != "BEGIN:VCARD":
        return None
    if line.word:
        return None
    shown = line.probe.strip()
    shown = shown if len(shown) < _PROBE - 1 else shown[: _PROBE - 4] + "…"
    return (
        f"line {line.fold} starts with a space or tab, so it continues BEGIN:VCARD "
        f"(vCard folding), which makes '{shown}': take out the line's first space"
    )


def _count(counts: dict[str, int] | None, names: set[str]) -> None:
    if counts is not None:
        for prop in names:
            counts[prop] = counts.get(prop, 0) + 1


# vobject's pattern for a content line nests a star over optional groups that may match
# nothing, so a line it cannot match (a stray ';' before the ':') backtracks exponentially
# in its parameters: 24 took 27 s, and one such card hung an import. The same grammar
# (name, parameters as ';NAME' then '=VALUE' or ',VALUE' pieces, ':' and the value)
# with possessive quantifiers matches the same lines, or fails, in linear time.
_NAME = r"[a-zA-Z0-9_-]+"
_LINE = re.compile(
    rf"""^((?P<group>{_NAME})\.)?(?P<name>{_NAME})
    (?P<params>;?(?:;{_NAME}(?:[=,](?:"[^"]*"|[^";:,=]*+))*+)*+)
    :(?P<value>.*)$""",
    re.DOTALL | re.VERBOSE,
)


def _vobject() -> Any:
    """vobject, its content-line pattern replaced by the linear one (``_LINE``)."""
    import vobject
    import vobject.base
    import vobject.vcard

    vobject.base.line_re = _LINE
    text = vobject.vcard.VCardTextBehavior
    if not getattr(text, "_tinycrm_commas", False):
        base64 = text.decode

        def decode(cls: Any, line: Any) -> None:
            """A text value whole: vobject keeps what comes before its first comma the
            card did not escape ('NOTE:Met at CES, wants a demo': 'Met at CES'), and
            an escaped colon (Google's 'URL:https\\://…') is a colon."""
            plain = not getattr(line, "encoding_param", None)
            if line.encoded and plain and "BASE64" not in line.singletonparams:
                from vobject.icalendar import stringToTextValues

                value = _ESCAPED_COLON.sub(r"\1:", line.value)
                line.value = ",".join(stringToTextValues(value))
                line.encoded = False
                return
            said = str(getattr(line, "encoding_param", "") or "").upper()
            coded = said in ("B", "BASE64") or "BASE64" in line.singletonparams
            text = line.value if line.encoded and coded and isinstance(line.value, str) else ""
            if text and not _BASE64.fullmatch(re.sub(r"\s+", "", text)):
                raise ValueError(f"{line.name} is not base64, as its ENCODING says")
            base64(line)
            if isinstance(line.value, bytes):  # a text value in base64 (2.1 allows any)
                line.value = _text_of(line.value, (line.params.get("CHARSET") or [""])[0])

        text.decode = classmethod(decode)  # type: ignore[method-assign,assignment]
        text._tinycrm_commas = True  # type: ignore[attr-defined]
    return vobject


# ENCODING=QUOTED-PRINTABLE (or 2.1's bare QUOTED-PRINTABLE) in a property's parameters,
# in any case: vobject decodes it in capitals only.
_QP_PARAM = re.compile(
    r"^([^ \t:\r\n][^:\r\n]*?[;=,])(quoted-printable)(?=[;:,])", re.IGNORECASE | re.MULTILINE
)


def qp_named(text: str) -> str:
    """A card's ``text`` with QUOTED-PRINTABLE in capitals in each property's parameters
    (a writer's 'encoding=quoted-printable'), so vobject decodes the value."""
    return _QP_PARAM.sub(lambda found: found[1] + "QUOTED-PRINTABLE", text)


_CUT_ESCAPE = re.compile(r"=[0-9A-Fa-f]?\Z")  # '=B' at a value's end: an escape cut short
_LAST_ESCAPES = re.compile(r"(?:=[0-9A-Fa-f]{2}){1,3}\Z")
_QP_CHARSET = re.compile(r";CHARSET=\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def qp_mended(text: str) -> tuple[str, list[str]]:
    """A card's ``text`` (``qp_named``'s) with each quoted-printable value cut short in
    a character ('M=C3=B' at its end: a phone's truncated field) read up to that
    character: the cut escape and the escapes of the character it cuts taken out, in a
    value in UTF-8 (its CHARSET's, or none named and the cut escape a UTF-8 character's
    rest). Before, vobject refused the card; the names of the values mended, too."""
    if "=" not in text:
        return text, []
    lines = text.split("\r\n")
    names: list[str] = []
    at = 0
    while at < len(lines):
        head, colon, _ = lines[at].partition(":")
        last = at
        while lines[last].endswith("=") and last + 1 < len(lines):  # soft breaks
            last += 1
        if colon and lines[at][:1] not in (" ", "\t") and "QUOTED-PRINTABLE" in head:
            end = lines[last] if last > at else lines[at]
            mended = _mended_end(end, head)
            if mended is not None:
                lines[last] = mended
                names.append(head.partition(";")[0].rsplit(".", 1)[-1].upper())
        at = last + 1
    return ("\r\n".join(lines), names) if names else (text, [])


def _mended_end(end: str, head: str) -> str | None:
    """The last line of a quoted-printable value (``end``; its property's parameters
    ``head``) without a character cut short at its end, or None when none is."""
    cut = _CUT_ESCAPE.search(end)
    rest = end[: cut.start()] if cut else end
    escapes = _LAST_ESCAPES.search(rest)
    charset = _QP_CHARSET.search(head)
    named = charset[1].lower().replace("_", "-") if charset else None
    continues = cut is not None and cut[0][1:2].upper() in ("8", "9", "A", "B")
    utf8 = named in ("utf-8", "utf8") or (named is None and continues)
    started = _started(bytes.fromhex(escapes[0].replace("=", ""))) if escapes else 0
    if utf8 and started:
        return rest[: len(rest) - 3 * started]
    return rest if cut is not None else None


def _started(data: bytes) -> int:
    """The bytes at the end of ``data`` that start a UTF-8 character not finished."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if 0x80 <= byte <= 0xBF:
            continue  # a continuation: the character starts further back
        if byte < 0xC2 or byte > 0xF4:
            return 0
        need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
        return back if back < need else 0
    return 0


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _text_of(data: bytes, charset: str) -> str:
    """Bytes of a text value as text: in ``charset`` when Python knows it, else UTF-8,
    else Windows-1252 (what a phone that names no charset writes)."""
    for encoding in (charset, "utf-8"):
        try:
            return data.decode(encoding) if encoding else data.decode("utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")
