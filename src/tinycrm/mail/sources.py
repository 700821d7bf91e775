"""Where messages come from on disk: Maildir folders, mbox files and single ``.eml`` files.

:func:`read_messages` takes the paths a user names (``tinycrm mail import PATH…``) and
yields each message's raw bytes with a short label of where it was found; None for a
message file found under them that is no file: a link to none (a symlink whose target
was moved or deleted, or a loop of links), a pipe or a device (read, it would be waited
on, or never end), which the import counts as unreadable. A Maildir is a
folder with ``cur``, ``new`` and ``tmp``; a folder that is not one is searched for
Maildirs, mbox and ``.eml`` files one level down, so the parent of several folders (Maildir++
``.Sent``, ``.Archive``) works. An mbox starts with a ``From `` line; anything else is read
as one message. The standard library's ``mailbox`` module reads both formats. A Maildir
may be live: a message its mail program deletes or moves away while it is read is left
out, one it marks as read (moved from ``new`` to ``cur``) is read.
"""

from __future__ import annotations

import mailbox
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from tinycrm.errors import TinyCrmError

__all__ = ["MailSourceError", "read_messages"]

MAX_MESSAGE = 50 * 1024 * 1024  # a single .eml file larger than this is not a message


class MailSourceError(TinyCrmError, ValueError):
    """A path that holds no mail tinycrm can read (one line, for the user)."""


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def read_messages(paths: Iterable[Path]) -> Iterator[tuple[str, bytes | None]]:
    """(where, raw bytes) of every message under ``paths``, in a stable order; (where,
    None) for a message file under them that is no file (see the module's docstring)."""
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


def _read(path: Path, *, top: bool) -> Iterator[tuple[str, bytes | None]]:
    if path.is_dir():
        if _is_maildir(path):
            yield from _maildir(path)
            return
        if not top:
            return
        children = sorted(path.iterdir())
        found = False
        for child in children:
            if child.suffix.lower() == ".eml" and not child.is_dir() and _no_file(child):
                found = True
                yield str(child), None
            elif (
                child.is_dir()
                or child.suffix.lower() in (".eml", ".mbox", ".mbx")
                or (child.is_file() and _is_mbox(child))
            ):
                for item in _read(child, top=False):
                    found = True
                    yield item
        if not found and not any(_is_maildir(c) for c in children if c.is_dir()):
            raise MailSourceError(f"{path}: no Maildir, mbox or .eml file in this folder")
        return
    if not path.is_file():
        raise MailSourceError(f"{path}: not a file or a folder")
    if _is_mbox(path):
        yield from _mbox(path)
        return
    size = path.stat().st_size
    if size > MAX_MESSAGE:
        raise MailSourceError(f"{path}: {size:,} bytes is too large for one message")
    data = path.read_bytes()
    if b"\x00" in data[:4096] or b":" not in data[:4096]:
        raise MailSourceError(f"{path}: not a mail message (no header lines)")
    yield str(path), data


def _maildir(path: Path) -> Iterator[tuple[str, bytes | None]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        data = _maildir_message(box, key)
        if data is not None:
            yield f"{path}:{key}", data if data is not False else None


def _maildir_message(box: mailbox.Maildir, key: str) -> bytes | Literal[False] | None:
    """A message's bytes; None when a mail program deleted it, or moved it to another
    folder, after the listing (IMAP leaves out a message expunged meanwhile too). One
    it renamed (new/ to cur/, flags changed) is found under its new name. False for a
    message file that is no file (a link to none, a pipe, a device)."""
    for _attempt in range(2):
        try:
            where = os.path.join(box._path, box._lookup(key))  # type: ignore[attr-defined]
            if _no_file(where):
                return False
            return box.get_bytes(key)
        except KeyError:  # not in the folder any more
            return None
        except FileNotFoundError:  # renamed between the lookup and the open: look again
            continue
    return None


_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    """The messages of an mbox, with the ``>From `` quoting of body lines undone (mboxrd,
    what mail clients and Python's ``mailbox`` write). Each starts with its ``From ``
    line: its date is when the message was stored, the date of one without a Date
    header (``parse_message`` reads it as IMAP's INTERNALDATE)."""
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            yield f"{path}#{number}", _QUOTED_FROM.sub(rb"\1", box.get_bytes(key, from_=True))
    finally:
        box.close()
