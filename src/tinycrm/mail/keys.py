"""The key a message is known by, as :mod:`tinycrm.mail.message` gives it: its
Message-ID (a hash of one too long or unsafe to be a key), else a hash of its header lines
and text as they came (``raw-sha256:…``), and the keys earlier versions gave it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage

__all__ = ["KEY_MAX", "RAW_KEY", "digest", "hash_key", "id_key", "message_id_of", "raw_key"]

KEY_MAX = 500  # characters of a Message-ID kept as its key (4 bytes each fit an index)


def message_id_of(text: str) -> str | None:
    """The id inside ``<…>`` (or a bare one); None for one that is not an id (an
    unclosed ``<``, spaces): many messages would share such a key."""
    clean = text.strip()
    if clean.startswith("<"):
        if ">" not in clean:
            return None
        clean = clean[1 : clean.index(">")]
    clean = clean.strip()
    return clean or None if " " not in clean else None


def id_key(message_id: str) -> str:
    """The key of a message with this Message-ID: the id itself, or a hash of one too
    long for a database index (PostgreSQL's rows hold 2,704 bytes; RFC 5322 sets no
    limit below a header line's 998 characters) or holding a character no id may (a
    control or a format character such as a bidi override, which exports would carry
    to a terminal)."""
    if len(message_id) <= KEY_MAX and message_id.isprintable():
        return message_id
    return f"sha256:{hashlib.sha256(message_id.encode()).hexdigest()[:32]}"


def hash_key(sender: str | None, date: datetime | None, subject: str, raw_date: str) -> str:
    stamp = date.isoformat() if date is not None else raw_date
    return digest(sender or "", stamp, subject)


RAW_KEY = "raw-sha256:"  # the key of a message without Message-ID (see :func:`raw_key`)
_KEY_HEADERS = ("from", "to", "cc", "date", "subject")


def raw_key(message: EmailMessage, data: bytes) -> tuple[str, str | None]:
    """The key of a message without Message-ID: a hash of its From, To, Cc, Date and
    Subject header lines as they came (their spaces and line folds made one space) and
    of its text as it came (LF line ends, no spaces at their ends, no blank lines at its
    end; ``data`` is the whole message, or b"" for its header alone), so that no change
    in how the message is read changes it. Its NUL bytes are hashed as 0x80 and a bare
    CR as a line end, as Dovecot gives them over IMAP, so that a file and IMAP give one
    key; the key earlier versions gave such a message, of it as stored, comes second
    (None for one without NULs or bare CRs, which both give alike)."""
    values = [
        " ".join(" ".join(str(value).split()) for value in _raw_values(message, name))
        for name in _KEY_HEADERS
    ]
    ends = [at + len(blank) for blank in (b"\n\n", b"\n\r\n") if (at := data.find(blank)) >= 0]
    lines_of_text = data[min(ends) :].split(b"\n") if ends else []
    text = b"\n".join([line.rstrip(b" \t\r") for line in lines_of_text])  # a regex: 2x slower
    stored = _raw_hash(values, text)
    if b"\r" not in text and b"\0" not in text and not any("\0" in v for v in values):
        return stored, None
    served = [v.replace("\0", "\udc80") for v in values]  # 0x80, as the parser keeps it
    lines_of_text = text.replace(b"\0", b"\x80").replace(b"\r", b"\n").split(b"\n")
    return _raw_hash(served, b"\n".join([line.rstrip(b" \t\r") for line in lines_of_text])), stored


def _raw_hash(values: list[str], text: bytes) -> str:
    lines = [f"{name}: {value}" for name, value in zip(_KEY_HEADERS, values, strict=True)]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass"))
    digest.update(b"\n\n" + text.rstrip(b"\n"))
    return f"{RAW_KEY}{digest.hexdigest()[:32]}"


def _raw_values(message: EmailMessage, name: str) -> list[str]:
    return [value for key, value in message.raw_items() if key.lower() == name]


def digest(*parts: str) -> str:
    """A key made of ``parts``: "sha256:" and 32 hex digits."""
    joined = "\n".join(parts).encode("utf-8", "surrogatepass")
    return f"sha256:{hashlib.sha256(joined).hexdigest()[:32]}"
