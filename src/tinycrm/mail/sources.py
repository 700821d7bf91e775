"""Where messages come from on disk: Maildir folders, mbox files, single ``.eml`` files and
Apple Mail's ``.emlx`` files (its byte count on a line, the message, a plist: found
however deep under a folder, as Apple Mail keeps them; see :func:`_emlx`).

:func:`read_messages` takes the paths a user names (``tinycrm mail import PATH…``) and
yields each message's raw bytes with a short label of where it was found; a
:class:`Skipped` (why) for a message file found under them that is not read: one that is
no file (a link to none: a symlink whose target was moved or deleted, or a loop of
links; a pipe or a device, which read would be waited on, or never end), one that is no
mail message (a picture, a program: no header lines), one that cannot be read
(permission denied). A message over 50 MB is read for its header alone (:class:`Head`),
from an ``.eml``, a Maildir or an mbox alike, as IMAP gives it. An empty ``.mbox`` holds
no message. The import names each and logs the rest: one broken
file among thousands of messages refuses none of them. A path named on its own that is
no mail is refused whole (:class:`MailSourceError`). A Maildir is a folder with ``cur``
and ``new`` (and ``tmp``, or not: a copy may keep no empty folder); a folder that is not
one is searched for
Maildirs, mbox and ``.eml`` files one level down, so the parent of several folders (Maildir++
``.Sent``, ``.Archive``) works, and for ``.emlx`` and ``.eml`` files at any depth (not in hidden
folders; a tree without one in :data:`WITHOUT_MAIL_MAX` files and folders, a home
folder, is refused: see :func:`_message_tree`); a folder ``NAME.mbox``
one level down holding a file ``mbox`` (Apple Mail's "Export Mailbox…") is read as one.
An mbox starts with a ``From `` line (after a byte order mark or blank lines, if any);
anything else is read as one message. The standard
library's ``mailbox`` module reads a Maildir; an mbox is split at its From_ lines alone
(a line of text starting with ``From `` is none: see ``_mbox_spans``), in pieces of the
file (``mailbox`` holds each line whole); its lines may end in LF, CRLF or CR alone (an
old Mac mail program's export: told by its first From_ line). A Maildir
may be live: a message its mail program deletes or moves away while it is read is left
out, one it marks as read (moved from ``new`` to ``cur``) is read.
"""

from __future__ import annotations

import mailbox
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tinycrm.errors import TinyCrmError

__all__ = [
    "BROKEN_EMLX",
    "CANNOT_READ",
    "NOT_MAIL",
    "NO_FILE",
    "Head",
    "MailSourceError",
    "Partial",
    "Skipped",
    "read_messages",
]

# why a message file under a folder is not read (what a run counts it under)
NO_FILE = "unreadable on disk (a link to no file, a pipe or a device)"
NOT_MAIL = "not a mail message (no header lines)"
BROKEN_EMLX = "not an Apple Mail message (.emlx)"  # no byte count, or more than it holds
CANNOT_READ = "unreadable on disk (an error reading it)"


class Head(bytes):
    """The start of a message file over ``message.MAX_MESSAGE`` (at most twice
    ``HEAD_MAX``), read for its header alone: ``parse_message(…, header_only=True)``
    reads no more of it, as IMAP gives no more (a 4 GB file was read into memory whole)."""


class Partial(Head):
    """An Apple Mail ``.partial.emlx``: the message as far as Apple Mail downloaded it
    (its header, some of its parts), read for its header alone, as a :class:`Head`."""


class MailSourceError(TinyCrmError, ValueError):
    """A path that holds no mail tinycrm can read (one line, for the user)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message file that is not read: ``reason`` (one of the constants above, what it
    is counted under) and ``detail`` (what the user is told of it, after the reason)."""

    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


def _is_maildir(path: Path) -> bool:
    """Whether a folder is a Maildir: it holds ``cur`` and ``new`` (its ``tmp``, empty
    but while a message is delivered, is gone from a copy that keeps no empty folder:
    git's, a zip's, some backups')."""
    return all((path / sub).is_dir() for sub in ("cur", "new"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return _first_from(handle) is not None


def _first_from(handle: BinaryIO) -> int | None:
    """Where an mbox's first ``From `` line starts: at its start, or after a byte order
    mark or blank lines (a Windows editor saved it); None: the file is no mbox."""
    handle.seek(0)
    head = handle.read(4096)
    rest = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    return len(head) - len(rest) if rest.startswith(b"From ") else None


def read_messages(paths: Iterable[Path]) -> Iterator[tuple[str, bytes | Skipped]]:
    """(where, raw bytes) of every message under ``paths``, in a stable order; (where,
    :class:`Skipped`) for a message file under them that is not read (see the module's
    docstring)."""
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise MailSourceError(f"{path}: no such file or folder")
        yield from _read(path, top=True)


def _no_file(path: Path | str) -> bool:
    """Whether ``path`` is there but is no file: a symlink to nothing (its target gone,
    or a loop of links), a pipe, a device, a socket."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return os.path.lexists(path)


def _read(
    path: Path, *, top: bool, search: _Search | None = None
) -> Iterator[tuple[str, bytes | Skipped]]:
    if path.is_dir():
        if _is_maildir(path):
            yield from _maildir(path)
            return
        if not top:
            if path.suffix.lower() in _MBOX and os.path.lexists(path / "mbox"):
                yield from _mailbox_file(path / "mbox")  # Apple Mail's exported mailbox
            if not path.name.startswith(".") and path.name not in _NO_MAIL_FOLDERS:
                yield from _message_tree(path, search or _Search(path))
            return
        search = _Search(path)
        children = sorted(path.iterdir())
        found = False
        for child in children:
            if child.suffix.lower() == ".eml" and not child.is_dir():
                found = True
                yield str(child), _eml(child)
            elif child.suffix.lower() == ".emlx" and not child.is_dir():
                found = True
                yield str(child), _emlx(child)
            elif child.is_dir():
                for item in _read(child, top=False, search=search):
                    found = True
                    yield item
            elif child.suffix.lower() in _MBOX or (child.is_file() and _may_be_mbox(child)):
                found = True  # a mailbox, if an empty one
                yield from _mailbox_file(child)
        if not found and not any(_is_maildir(c) for c in children if c.is_dir()):
            raise MailSourceError(f"{path}: no Maildir, mbox, .eml or .emlx file in this folder")
        return
    if not path.is_file():
        raise MailSourceError(f"{path}: not a file or a folder")
    if path.suffix.lower() == ".emlx":
        data = _emlx(path)
        if isinstance(data, Skipped):
            raise MailSourceError(f"{path}: {data}")
        yield str(path), data
        return
    if _is_mbox(path):
        yield from _mbox(path)
        return
    if path.stat().st_size == 0 and path.suffix.lower() in _MBOX:
        return  # an empty mailbox: no message
    data = _head(str(path)) or path.read_bytes()
    if _not_mail(data):
        raise MailSourceError(f"{path}: not a mail message (no header lines)")
    yield str(path), data


_MBOX = (".mbox", ".mbx")


def _may_be_mbox(path: Path) -> bool:
    """Whether a file of a folder, whatever its name, is an mbox, or cannot be read to
    tell (then it is skipped and told, not the import stopped)."""
    try:
        return _is_mbox(path)
    except OSError:
        return True


def _mailbox_file(path: Path) -> Iterator[tuple[str, bytes | Skipped]]:
    """The messages of an mbox file found in a folder (an empty one holds none); one
    that is no mbox is read as one message, as an ``.eml`` is: skipped, and told, when
    it is no mail, no file or cannot be read (read for its header alone over 50 MB)."""
    try:
        mbox = not _no_file(path) and _is_mbox(path)
        empty = not _no_file(path) and path.stat().st_size == 0
    except OSError:
        mbox = empty = False  # _eml tells why
    if mbox:
        yield from _mbox(path)
    elif not empty:
        yield str(path), _eml(path)


# a message's first line: a header field's name and its colon (or an mbox's From line)
_FIRST_LINE = re.compile(rb"(?:From |[\x21-\x39\x3b-\x7e]+[ \t]*:)")


def _not_mail(data: bytes) -> bool:
    """Whether ``data`` has no header lines: a picture, a program, an empty file, text
    that is no message. Its first line (after a byte order mark or blank lines, which
    ``parse_message`` passes over) must be a header field: a NUL or other junk further
    on (spam has it) is the parser's to read."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return _FIRST_LINE.match(head) is None


def _eml(path: Path) -> bytes | Skipped:
    """An ``.eml`` file's bytes (its start, :class:`Head`, over 50 MB), or why it is not
    read (see the module's docstring)."""
    if _no_file(path):
        return Skipped(NO_FILE)
    try:
        data = _head(str(path)) or path.read_bytes()
    except OSError as exc:
        return Skipped(CANNOT_READ, exc.strerror or str(exc))
    return Skipped(NOT_MAIL) if _not_mail(data) else data


# an .emlx's first line: the message's size in bytes (Apple Mail pads it with spaces)
_EMLX_COUNT = re.compile(rb"[ \t]*(\d{1,15})[ \t]*\r?\n")


def _emlx(path: Path) -> bytes | Skipped:
    """An Apple Mail ``.emlx`` file's message: the number of bytes its first line gives
    after that line (an XML plist of Apple Mail's follows it); :class:`Partial` for a
    ``.partial.emlx``, :class:`Head` over 50 MB; or why it is not read."""
    from tinycrm.mail import message

    if _no_file(path):
        return Skipped(NO_FILE)
    try:
        with path.open("rb") as handle:
            first = handle.readline(64)
            count = _EMLX_COUNT.fullmatch(first)
            if count is None:
                return Skipped(BROKEN_EMLX, "its first line is no byte count")
            size, held = int(count.group(1)), os.fstat(handle.fileno()).st_size - len(first)
            if size > held:
                said = f"its first line says {size:,} bytes; {held:,} follow it"
                return Skipped(BROKEN_EMLX, said)
            partial = path.name.lower().endswith(".partial.emlx")
            if partial or size > message.MAX_MESSAGE:
                head = handle.read(min(size, 2 * message.HEAD_MAX))
                data: bytes = Partial(head) if partial else Head(head)
            else:
                data = handle.read(size)
    except OSError as exc:
        return Skipped(CANNOT_READ, exc.strerror or str(exc))
    return Skipped(NOT_MAIL) if _not_mail(data) else data


WITHOUT_MAIL_MAX = 20_000
"""Files and folders looked at under a folder named for ``mail import`` without an
``.emlx`` or ``.eml`` among them, at most: then it holds no mail (``mail import ~``
walked the whole home folder) and the import is refused (see :func:`_message_tree`)."""
# folders that hold no mail, not searched: hidden ones (.git, .cache), a program's
# packages, and Apple Mail's Attachments (a folder per attachment, no .emlx)
_NO_MAIL_FOLDERS = frozenset({"node_modules", "__pycache__", "Attachments"})


@dataclass(slots=True)
class _Search:
    """The search of a folder named for ``mail import``: its name, and how many more
    files and folders may be looked at before a message is found."""

    named: Path
    left: int = 0

    def __post_init__(self) -> None:
        self.left = WITHOUT_MAIL_MAX

    def look(self, count: int, under: str) -> None:
        self.left -= count
        if self.left < 0:
            raise MailSourceError(
                f"{self.named}: no mail in the first {WITHOUT_MAIL_MAX:,} files and folders "
                f"under {under}; name the mail folder itself (a Maildir, an mbox file, "
                "a folder of .eml files, Apple Mail's ~/Library/Mail/V10)"
            )


def _message_tree(path: Path, search: _Search) -> Iterator[tuple[str, bytes | Skipped]]:
    """The ``.emlx`` files anywhere under a folder (Apple Mail keeps them folders deep:
    ``V10/ACCOUNT/INBOX.mbox/UUID/Data/1/Messages/12.emlx``), and the ``.eml`` files (an
    export of each mail folder as a folder of them), in a stable order; links
    to folders are not followed (a loop of them never ends), hidden folders and those
    of :data:`_NO_MAIL_FOLDERS` not searched. A folder under it that cannot be listed is
    skipped and told (:data:`CANNOT_READ`), never passed over: one locked folder deep in
    a tree costs none of the others. More than :data:`WITHOUT_MAIL_MAX` files and
    folders looked at since the last message found (none, at first) refuse the import:
    ``path`` is no mail folder (a home folder), its walk would take minutes."""
    denied: list[OSError] = []
    for root, folders, files in os.walk(path, onerror=denied.append):
        while denied:
            error = denied.pop(0)
            yield str(error.filename or root), Skipped(CANNOT_READ, error.strerror or str(error))
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and f not in _NO_MAIL_FOLDERS
        )
        search.look(len(folders), str(path))
        for name in sorted(files):
            suffix = os.path.splitext(name)[1].lower()
            if suffix in (".emlx", ".eml"):
                search.left = WITHOUT_MAIL_MAX
                where = Path(root, name)
                yield str(where), _emlx(where) if suffix == ".emlx" else _eml(where)
            else:
                search.look(1, str(path))
    for error in denied:  # the last folder listed
        yield str(error.filename or path), Skipped(CANNOT_READ, error.strerror or str(error))


def _maildir(path: Path, *, folders: bool = True) -> Iterator[tuple[str, bytes | Skipped]]:
    """A Maildir's messages, then (``folders``) those of the Maildir++ folders in it
    (``.Sent``, ``.Archive.2019``: Dovecot's and Courier's ``~/Maildir`` is the INBOX,
    its other folders Maildirs inside it), in the order of their names."""
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        data = _maildir_message(box, key)
        if data is not None:
            yield f"{path}:{key}", data
    if folders:
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") and child.is_dir() and _is_maildir(child):
                yield from _maildir(child, folders=False)


def _head(path: str) -> Head | None:
    """The start of a message file over the size read whole (see :class:`Head`); None
    for one under it."""
    from tinycrm.mail import message

    if os.stat(path).st_size <= message.MAX_MESSAGE:
        return None
    with open(path, "rb") as handle:
        return Head(handle.read(2 * message.HEAD_MAX))


def _maildir_message(box: mailbox.Maildir, key: str) -> bytes | Skipped | None:
    """A message's bytes; None when a mail program deleted it, or moved it to another
    folder, after the listing (IMAP leaves out a message expunged meanwhile too). One
    it renamed (new/ to cur/, flags changed) is found under its new name. Skipped for a
    message file that is no file (a link to none, a pipe, a device), no mail message or
    cannot be read. Of one over 50 MB, its start (:class:`Head`): its header alone is
    logged, as from IMAP."""
    for _attempt in range(2):
        try:
            where = os.path.join(box._path, box._lookup(key))  # type: ignore[attr-defined]
            if _no_file(where):
                return Skipped(NO_FILE)
            data = _head(where) or box.get_bytes(key)
        except KeyError:  # not in the folder any more
            return None
        except FileNotFoundError:  # renamed between the lookup and the open: look again
            continue
        except OSError as exc:  # permission denied, an I/O error of the disk
            return Skipped(CANNOT_READ, exc.strerror or str(exc))
        return Skipped(NOT_MAIL) if _not_mail(data) else data
    return None


_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    """The messages of an mbox, with the ``>From `` quoting of body lines undone (mboxrd,
    what mail clients and Python's ``mailbox`` write). Each starts with its ``From ``
    line: its date is when the message was stored, the date of one without a Date
    header (``parse_message`` reads it as IMAP's INTERNALDATE). Of one over 50 MB, its
    start (:class:`Head`), as of a Maildir's: its header alone is logged. The messages
    are found in pieces of the file (Python's ``mailbox`` reads line by line, and held a
    line of hundreds of MB whole), at their From_ lines alone (:func:`_mbox_spans`: a
    line of text that starts with ``From `` starts no message)."""
    from tinycrm.mail import message

    with path.open("rb") as handle:
        cr = _line_ending(handle) == b"\r"
        for number, (start, stop) in enumerate(_mbox_spans(handle, MBOX_CHUNK), start=1):
            handle.seek(start)
            if stop - start > message.MAX_MESSAGE:  # its start alone, not gigabytes
                data: bytes = Head(handle.read(min(stop - start, 2 * message.HEAD_MAX)))
            else:
                data = handle.read(stop - start)
            if cr:  # an old Mac's lines: read as any other mbox's
                data = type(data)(data.replace(b"\r", b"\n"))
            unquoted = _QUOTED_FROM.sub(rb"\1", data)
            yield f"{path}#{number}", Head(unquoted) if isinstance(data, Head) else unquoted


MBOX_CHUNK = 64 * 1024  # bytes of an mbox looked through at a time
FROM_LINE_MAX = 1024  # bytes of a From_ line (and the line after it) looked at
# a From_ line: "From", its sender, then a date: a time and a year, in any order
# (asctime's "Tue Jan  2 10:00:00 2024", Gmail's "… +0000 2024", RFC 5322's)
_DATED = re.compile(rb"From [^\s]+[ \t]+(?=.*(?<!\d)\d{1,2}:\d{2})(?=.*(?<!\d)\d{4}(?!\d))")
_UNDATED = re.compile(rb"From [^\s]+[ \t\r]*")  # its sender alone
_HEADER_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")


def _line_ending(handle: BinaryIO) -> bytes:
    """How an mbox's lines end, told by its first From_ line: ``\\r`` alone (an old Mac
    mail program's export), else ``\\n`` (LF, or CRLF: its lines end in LF too)."""
    first = _first_from(handle)
    if first is None:
        return b"\n"
    handle.seek(first)
    line = handle.read(FROM_LINE_MAX + 2)
    end = re.search(rb"\r\n|\r|\n", line)
    return b"\r" if end is not None and end.group() == b"\r" else b"\n"


def _mbox_spans(handle: BinaryIO, chunk: int) -> list[tuple[int, int]]:
    """(start, stop) of each message of an mbox: each starts at its From_ line (see
    :func:`_starts_message`); it stops before the next one, or the end of the file, and
    before the one empty line (``\n``) in front of it. A line of text that starts with
    ``From `` (one its writer did not quote ``>From``) is no From_ line: Python's
    ``mailbox`` splits there, cutting the text and making the rest a message of its
    own."""
    first = _first_from(handle)
    eol = _line_ending(handle)  # CR alone: every "\n" below is a "\r"
    separator = eol + b"From "
    # where a line "From …" starts; after an empty line (LF: its message stops before
    # it); after a blank line, LF or CRLF
    found: list[tuple[int, bool, bool]] = []
    handle.seek(0)
    window, base = b"", 0  # the bytes looked through, and where they start in the file
    while piece := handle.read(chunk):
        keep = min(len(window), len(separator) + 2)  # one across two pieces, its line before
        window, base = window[len(window) - keep :] + piece, base + len(window) - keep
        at = window.find(separator)
        while at >= 0:
            if at + len(separator) > keep:  # not found in the previous window already
                blank = window[at - 1 : at + 1] == eol + eol if at >= 1 else False
                crlf = window[at - 2 : at + 1] == b"\n\r\n" if at >= 2 else False
                found.append((base + at + 1, blank, blank or crlf))
            at = window.find(separator, at + 1)
    lines = [(first, False)] if first is not None else []
    lines += [
        (line, blank)
        for line, blank, after_blank in found
        if (first is None or line > first) and _starts_message(handle, line, after_blank, eol)
    ]
    starts = [line for line, _blank in lines]
    stops = [line - 1 if blank else line for line, blank in lines[1:]]
    if starts:
        end = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, end - 2))
        stops.append(end - 1 if handle.read(2) == eol + eol and end - 2 >= starts[-1] else end)
    return list(zip(starts, stops, strict=True))


def _starts_message(handle: BinaryIO, line: int, blank: bool, eol: bytes = b"\n") -> bool:
    """Whether the line ``From …`` at ``line`` is a From_ line: one with a date after its
    sender, or one of its sender alone after a blank line and before a header field (a
    program that writes no date). ``From the desk of Ann`` is text."""
    handle.seek(line)
    text, _, rest = handle.read(FROM_LINE_MAX).partition(eol)
    if _DATED.match(text):
        return True
    return blank and _UNDATED.fullmatch(text) is not None and _HEADER_FIELD.match(rest) is not None
