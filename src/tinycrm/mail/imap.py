"""Reading mail from an IMAP server (``tinycrm mail sync``), with IMAPClient.

:func:`get_password` runs ``[mail.imap] password_cmd`` (a program and its arguments, no
shell) or asks the system keyring; tinycrm never stores the password. :func:`connect`
opens the connection the config file asks for: TLS from the start (``ssl``, port 993),
``starttls`` (port 143, refused when the server does not offer it) or ``none``;
certificates are always verified, against ``cafile`` when one is given. Every failure a
user can meet (a host that cannot be reached, a certificate that does not verify, a
login refused, a folder that is not there, a password command that fails) is a
:class:`MailSyncError`: one line, naming the host or the folder.

A folder is read with EXAMINE (read-only) and ``BODY.PEEK[]``: syncing never marks mail
as read or changes a flag. :meth:`Account.new_uids` lists the UIDs above a checkpoint
(``UID SEARCH UID n:*`` answers with the last message even when nothing is newer, so
the answer is filtered) and :meth:`Account.fetch` reads them in batches.
"""

from __future__ import annotations

import socket
import ssl
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tinycrm.errors import TinyCrmError

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from tinycrm.config import ImapSettings

__all__ = [
    "Account",
    "Fetched",
    "FolderState",
    "MailSyncError",
    "connect",
    "get_password",
]

TIMEOUT = 30.0  # seconds a connection, or an answer, may take
PASSWORD_TIMEOUT = 60.0  # seconds password_cmd may run (a GPG agent may ask for a PIN)
# bytes of messages one FETCH asks for (and the sync holds at once): a batch of 100
# messages of 40 MB asked for 4 GB in one answer, read into memory whole
FETCH_BYTES = 64 * 1024 * 1024
# what one command's answer may take in all: a server that sends a byte now and then
# (each within TIMEOUT) or untagged responses without end was never stopped, its answer
# held in memory as it grew; past either, the sync ends with one line
ANSWER_TIME = 900.0  # seconds (64 MB at 73 KB/s)
# what connecting may take in all, from the TCP connection through TLS, the greeting,
# STARTTLS and the login's answer: a greeting sent a byte every few seconds held a sync
# for as long as it went on (a slow password check takes seconds, not minutes)
LOGIN_TIME = 120.0  # seconds
ANSWER_BYTES = 2 * FETCH_BYTES  # bytes, each line counted LINE_COST more (its objects)
LINE_COST = 512
MAX_UID = 2**32 - 1  # UIDs and UIDVALIDITY are 32-bit unsigned numbers (RFC 3501)
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
              "INBOX.Sent", "INBOX/Sent", "Gesendet", "Gesendete Elemente", "Envoyés")  # fmt: skip


class MailSyncError(TinyCrmError):
    """A mail sync that cannot go on: one line for the user (nothing of it was logged
    beyond the batches already reported)."""


def _one_line(text: object, limit: int = 200) -> str:
    """Server and program output as one short line (the front end escapes what a
    terminal would act on)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    flat = " ".join(str(text).split())
    return flat[:limit] + ("…" if len(flat) > limit else "")


# --------------------------------------------------------------------------- the password


def get_password(settings: ImapSettings) -> str:
    """The IMAP password: the first line ``password_cmd`` prints, or the keyring's."""
    if settings.password_cmd and settings.keyring:
        raise MailSyncError("mail.imap: set password_cmd or keyring = true, not both")
    if settings.password_cmd:
        return _from_command(settings.password_cmd)
    if settings.keyring:
        return _from_keyring(settings.user)
    raise MailSyncError(
        "mail.imap needs password_cmd (a command that prints the password) or keyring = true; "
        "tinycrm does not store passwords"
    )


def _from_command(words: Sequence[str]) -> str:
    from tinycrm.passwords import PasswordCommandError, run_password_command

    what = f"mail.imap.password_cmd: {_one_line(words[0], 80)}"
    try:
        output = run_password_command(words, timeout=PASSWORD_TIMEOUT)
    except PasswordCommandError as exc:
        raise MailSyncError(f"{what} {exc.reason}") from None
    password = output.decode("utf-8", "surrogateescape").split("\n", 1)[0].rstrip("\r")
    if not password:
        raise MailSyncError(f"{what} printed no password")
    return password


def _from_keyring(user: str) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise MailSyncError(
            "mail.imap.keyring = true needs the keyring package: "
            "pip install 'tinycrm[keyring]' (or use password_cmd)"
        ) from None
    try:
        password = keyring.get_password("tinycrm", user)
    except KeyringError as exc:
        raise MailSyncError(f"the system keyring cannot be read: {_one_line(exc)}") from None
    except Exception as exc:  # a backend's own failure (D-Bus gone, a locked store)
        raise MailSyncError(f"the system keyring failed: {_one_line(exc) or exc!r}") from None
    if not password:
        raise MailSyncError(
            f"no password for {_one_line(user, 80)} in the system keyring (service tinycrm); "
            f"store it with: keyring set tinycrm {_one_line(user, 80)}"
        )
    return password


# --------------------------------------------------------------------------- the connection


def _form(name: str) -> str:
    """A folder name as compared with one typed: NFC, case folded."""
    return unicodedata.normalize("NFC", name).casefold()


def _holds_no_mail(flags: Sequence[bytes]) -> bool:
    """A LIST entry that cannot be selected: a folder of folders (RFC 3501 \\Noselect,
    RFC 5258 \\NonExistent)."""
    return any(f.lower() in (rb"\noselect", rb"\nonexistent") for f in flags)


@dataclass(frozen=True)
class Fetched:
    """One message as the server gave it: its bytes and its INTERNALDATE; ``raw`` None
    for one the server refused to give (a broken message: ``NO [SERVERBUG]``), or, with
    ``gone``, one it no longer has (expunged after it was listed)."""

    raw: bytes | None
    internaldate: datetime | None
    gone: bool = False


@dataclass(frozen=True)
class FolderState:
    """A folder as EXAMINE shows it."""

    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


def _context(settings: ImapSettings) -> ssl.SSLContext:
    if settings.cafile is not None and not settings.cafile.is_file():
        raise MailSyncError(f"mail.imap.cafile: {settings.cafile}: no such file")
    try:
        return ssl.create_default_context(
            cafile=str(settings.cafile) if settings.cafile is not None else None
        )
    except (ssl.SSLError, OSError) as exc:
        raise MailSyncError(
            f"mail.imap.cafile: {settings.cafile}: not a PEM certificate ({_one_line(exc)})"
        ) from None


def _where(settings: ImapSettings) -> str:
    return f"{settings.host}:{settings.effective_port}"


# OpenSSL's verify codes of a certificate no trusted one vouches for (self-signed, or
# signed by a CA not trusted): not those of a wrong host name or an expired certificate
_UNTRUSTED = frozenset({18, 19, 20, 21})


def _network_error(settings: ImapSettings, exc: BaseException) -> MailSyncError:
    where = _where(settings)
    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = " (to trust it, set mail.imap.cafile to its PEM file)"
        if settings.cafile is not None:  # one trusted, but not this one: a renewed certificate
            untrusted = getattr(exc, "verify_code", None) in _UNTRUSTED
            hint = (
                f" (not mail.imap.cafile's {settings.cafile}, nor signed by it)"
                if untrusted
                else ""
            )
        reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc
        return MailSyncError(f"TLS with {where} failed: {_one_line(reason)}{hint}")
    if isinstance(exc, ssl.SSLError):
        hint = ""
        if settings.tls == "ssl" and "WRONG_VERSION" in str(exc).upper():
            hint = ' (the port does not speak TLS: is it a STARTTLS port? tls = "starttls")'
        reason = getattr(exc, "reason", None) or exc
        return MailSyncError(f"TLS with {where} failed: {_one_line(reason)}{hint}")
    if isinstance(exc, socket.gaierror):
        return MailSyncError(f"cannot reach {where}: {_one_line(exc.strerror or exc)}")
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailSyncError(f"cannot reach {where}: no answer within {TIMEOUT:g} s")
    if isinstance(exc, ConnectionRefusedError):
        return MailSyncError(f"cannot reach {where}: connection refused")
    if isinstance(exc, OSError):
        return MailSyncError(f"connection to {where} failed: {_one_line(exc.strerror or exc)}")
    return MailSyncError(f"IMAP server {where}: {_server_said(exc)}")


def _server_said(exc: BaseException) -> str:
    """What imaplib's error means, in words: it tells a server's answer as Python
    bytes (``b'* BYE …'``), a hang-up as ``socket error: EOF`` (or, in the middle of a
    line, as ``socket error: unterminated line:`` and the half line)."""
    import ast
    import re

    text = str(exc.args[0]) if exc.args else str(exc)
    text = re.sub(r"^command: \S+ => ", "", text)  # IMAPClient's prefix
    quoted = re.search(r"(?:^|(?<=: ))b(['\"]).*\1$", text, re.DOTALL)
    if quoted is not None:
        with suppress(ValueError, SyntaxError):
            value = ast.literal_eval(quoted.group(0))
            if isinstance(value, bytes):
                text = text[: quoted.start()] + value.decode("utf-8", "replace")
    if "socket error: EOF" in text or text.strip() in ("", "EOF"):
        return "the server closed the connection"
    if "socket error: unterminated line" in text:  # it hung up with a line half sent
        return "the server closed the connection in the middle of an answer"
    if text.startswith("unexpected response: "):
        return f"it does not speak IMAP (it said: {_one_line(text[21:])})"
    if text.upper().startswith("* BYE"):
        return f"the server ended the connection: {_one_line(text[5:]) or 'BYE'}"
    return _one_line(text)


def connect(settings: ImapSettings, password: str) -> Account:
    """Connect and log in (see the module's docstring); the caller closes the account."""
    from imapclient.exceptions import IMAPClientError

    context = _context(settings) if settings.tls != "none" else None
    limits = _Limits(None)
    client: IMAPClient | None = None
    try:
        try:
            # the greeting, STARTTLS and the login bounded in all (the connection's
            # socket is given to ``limits`` as it is made, before the greeting is read)
            with limits.bound(LOGIN_TIME, "its greeting and login"):
                client = _client(limits)(
                    settings.host,
                    port=settings.effective_port,
                    ssl=settings.tls == "ssl",
                    ssl_context=context,
                    timeout=TIMEOUT,
                )
                _log_in(client, settings, password, context)
        except Exception:
            if limits.tripped is not None:
                where = _where(settings)
                raise MailSyncError(f"IMAP login to {where} stopped: {limits.tripped}") from None
            raise
    except (OSError, IMAPClientError, MailSyncError) as exc:
        if client is None:  # not connected: nothing to close
            if isinstance(exc, MailSyncError):
                raise
            raise _network_error(settings, exc) from None
        account = Account(client, settings, limits)
        if isinstance(exc, MailSyncError):
            account.close(clean=limits.tripped is None)  # refused: the server still talks
            raise
        account.close(clean=False)
        raise _network_error(settings, exc) from None
    except BaseException:
        if client is not None:
            Account(client, settings, limits).close(clean=False)
        raise
    return Account(client, settings, limits)


def _client(limits: _Limits) -> type[IMAPClient]:
    """An IMAPClient whose connection is given to ``limits`` as soon as its socket is
    made, before TLS and the greeting: its reads counted, shut when the time is up."""
    from imapclient import IMAPClient, imap4, tls

    class Plain(imap4.IMAP4WithTimeout):
        def _create_socket(self, timeout: float | None = None) -> socket.socket:
            sock = super()._create_socket(timeout)
            limits.attach(self, sock)
            return sock

    class Tls(tls.IMAP4_TLS):
        def _create_socket(self, timeout: float | None = None) -> socket.socket:
            sock = socket.create_connection((self.host, self.port), timeout or self._timeout)
            limits.attach(self, sock)  # the handshake bounded too
            context = self.ssl_context or tls.create_default_context()
            return context.wrap_socket(sock, server_hostname=self.host)

    class Client(IMAPClient):
        def _create_IMAP4(self) -> Any:  # imaplib reads the greeting as it connects
            timeout = getattr(self._timeout, "connect", None)
            if self.ssl:
                return Tls(self.host, self.port, self.ssl_context, timeout)
            return Plain(self.host, self.port, timeout)

    return Client


def _log_in(
    client: IMAPClient, settings: ImapSettings, password: str, context: ssl.SSLContext | None
) -> None:
    """STARTTLS when the settings ask for it, then LOGIN (SASL PLAIN for a user or
    password beyond ASCII); a refusal is a :class:`MailSyncError`."""
    from imapclient.exceptions import CapabilityError, LoginError

    if settings.tls == "starttls":
        try:
            client.starttls(context)
        except CapabilityError:
            raise MailSyncError(
                f"{_where(settings)} does not offer STARTTLS "
                '(tls = "ssl" on port 993, or "none" on a trusted network)'
            ) from None
    try:
        if (settings.user + password).isascii():
            client.login(settings.user, password)
        else:  # LOGIN takes ASCII only: SASL PLAIN carries UTF-8 (RFC 4616)
            _plain_login(client, settings.user, password)
    except LoginError as exc:
        if "socket error" in str(exc):  # a hang-up, which IMAPClient calls a refused login
            raise MailSyncError(f"IMAP server {_where(settings)}: {_server_said(exc)}") from None
        said = _one_line(str(exc).removeprefix("b'").removesuffix("'"))
        raise MailSyncError(
            f"IMAP login to {_where(settings)} as {_one_line(settings.user, 80)} refused: {said}"
        ) from None


def _plain_login(client: IMAPClient, user: str, password: str) -> None:
    """SASL PLAIN with the password's bytes as password_cmd printed them: UTF-8, or
    another charset's (a Latin-1 password, kept as surrogates, made IMAPClient's
    ``plain_login`` raise UnicodeEncodeError); the server compares bytes."""
    from imapclient.exceptions import IMAPClientError, LoginError

    said = b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8", "surrogateescape")
    try:
        client._command_and_check("authenticate", "PLAIN", lambda _: said, unpack=True)
    except IMAPClientError as exc:
        raise LoginError(str(exc)) from None


def _by_size(uids: list[int], size: dict[int, int], limit: int, head: int) -> Iterator[list[int]]:
    """``uids`` in parts of at most :data:`FETCH_BYTES` (by ``size``; one over ``limit``
    is read for its header, ``head`` bytes at most), one message at least in each."""
    part: list[int] = []
    held = 0
    for uid in uids:
        weight = size.get(uid, 0)
        weight = head if weight > limit else weight
        if part and held + weight > FETCH_BYTES:
            yield part
            part, held = [], 0
        part.append(uid)
        held += weight
    if part:
        yield part


class _Overrun(Exception):
    """An answer past :data:`ANSWER_BYTES`."""


class _Limits:
    """The bounds of one command's answer (:data:`ANSWER_TIME`, :data:`ANSWER_BYTES`),
    kept while :meth:`bound` runs: the connection's reads are counted, and a timer shuts
    its socket when the time is up (a read blocked on it ends). Either leaves the
    connection unusable: ``tripped`` says what went past."""

    def __init__(self, imap: Any) -> None:
        self.imap: Any = None
        self.left: int | None = None  # bytes the answer may still take (None: unbounded)
        self.tripped: str | None = None
        self._expired = threading.Event()
        self._fd = -1  # the connection's socket (the same through TLS and STARTTLS)
        if imap is not None:  # (None: a client without imaplib's, a test's stand-in)
            self.attach(imap, imap.sock)

    def attach(self, imap: Any, sock: socket.socket) -> None:
        """Count ``imap``'s reads from now on, and shut ``sock`` when the time is up
        (now, if it is up already)."""
        self.imap = imap
        self._fd = sock.fileno()
        imap.read = self._counted(imap.read, 0)
        imap.readline = self._counted(imap.readline, LINE_COST)
        if self._expired.is_set():
            self._expire()

    def _counted(self, reader: Any, cost: int) -> Any:
        def read(*args: Any) -> Any:
            data = reader(*args)
            if self.left is not None:
                self.left -= len(data) + cost
                if self.left < 0:
                    self.left = None
                    self.tripped = f"its answer went past {ANSWER_BYTES / 2**20:g} MB"
                    raise _Overrun(self.tripped)
            return data

        return read

    def _expire(self) -> None:
        self._expired.set()
        if self._fd < 0:
            return  # not connected yet: attach shuts it once it is
        # the socket by its descriptor: TLS and STARTTLS take it over from the object
        # that made it, and a read blocked on it, or a handshake, ends
        with suppress(OSError):
            sock = socket.socket(fileno=self._fd)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.detach()  # not closed: its owner closes it

    @contextmanager
    def bound(self, seconds: float | None = None, what: str = "its answer") -> Iterator[None]:
        """Bound what runs within: :data:`ANSWER_TIME` (or ``seconds``, then before the
        connection is attached too) and :data:`ANSWER_BYTES`."""
        if self.imap is None and seconds is None:
            yield
            return
        self.left = ANSWER_BYTES
        limit = ANSWER_TIME if seconds is None else seconds
        timer = threading.Timer(limit, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            self.left = None
            if self._expired.is_set():
                self.tripped = f"{what} went on past {limit:g} s"


class Account:
    """A logged-in IMAP connection. Its methods raise :class:`MailSyncError` only."""

    def __init__(
        self, client: IMAPClient, settings: ImapSettings, limits: _Limits | None = None
    ) -> None:
        self.client = client
        self.settings = settings
        self.where = _where(settings)
        self.limits = limits or _Limits(getattr(client, "_imap", None))

    @property
    def key(self) -> str:
        """What the checkpoints are kept under: ``imap://user@host:port``."""
        return f"imap://{self.settings.user}@{self.where}"

    def close(self, *, clean: bool = True) -> None:
        """LOGOUT, or (``clean`` False: after an error or Ctrl-C, with an answer maybe
        half read) just close the socket, without waiting for the server."""
        if clean and self.limits.tripped is None:
            try:
                self.client.logout()
                return
            except Exception:  # the connection is gone already: nothing to close cleanly
                pass
        with suppress(Exception):
            self.client.shutdown()

    def _call(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        from imapclient.exceptions import IMAPClientError

        try:
            with self.limits.bound():
                return call(*args, **kwargs)
        except (OSError, IMAPClientError, ssl.SSLError, _Overrun) as exc:
            raise self._error(what, exc) from None

    def _error(self, what: str, exc: BaseException) -> MailSyncError:
        if self.limits.tripped is not None:  # the connection was cut, or left mid-answer
            return MailSyncError(f"IMAP {what} on {self.where} stopped: {self.limits.tripped}")
        if isinstance(exc, TimeoutError | socket.timeout):  # reached: silent since
            return MailSyncError(
                f"IMAP {what} on {self.where} failed: no answer within {TIMEOUT:g} s"
            )
        if isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError):
            return _network_error(self.settings, exc)
        return MailSyncError(f"IMAP {what} on {self.where} failed: {_server_said(exc)}")

    def folders(self, wanted: Sequence[str] | None) -> list[str]:
        """The folders to read: ``wanted`` (each must exist), or the Sent folder and INBOX
        (the one flagged ``\\Sent``, else one with a usual name; none is fine)."""
        listed = self._call("LIST", self.client.list_folders)
        names = [name for _flags, _sep, name in listed if isinstance(name, str)]
        if wanted is not None:
            # a name as typed, else in any case and Unicode form (a Mac's folders are
            # named in NFD, what a person types is NFC)
            by_form = {_form(n): n for n in reversed(names)}
            hollow = {
                name: sep.decode("ascii", "replace") if isinstance(sep, bytes) else str(sep or "")
                for flags, sep, name in listed
                if _holds_no_mail(flags)
            }
            found = []
            for folder in wanted:
                name = folder if folder in names else by_form.get(_form(folder))
                if folder.upper() == "INBOX":
                    name = next((n for n in names if n.upper() == "INBOX"), "INBOX")
                if name is None:
                    shown = ", ".join(sorted(names)[:12]) + ("…" if len(names) > 12 else "")
                    raise MailSyncError(
                        f"IMAP folder {_one_line(folder, 80)!r} not found on {self.where} "
                        f"(it has: {_one_line(shown, 300)})"
                    )
                if name in hollow:
                    below = name + hollow[name]
                    inside = sorted(n for n in names if hollow[name] and n.startswith(below))
                    shown = ", ".join(inside[:12]) + ("…" if len(inside) > 12 else "")
                    raise MailSyncError(
                        f"IMAP folder {_one_line(name, 80)!r} on {self.where} holds only other "
                        f"folders, no mail ({_one_line(shown or 'none now', 300)})"
                    )
                if name not in found:
                    found.append(name)
            return found
        chosen = ["INBOX"]
        sent = next((name for flags, _sep, name in listed if rb"\Sent" in flags), None)
        if sent is None:
            lower = {n.lower(): n for n in names}
            sent = next((lower[c.lower()] for c in SENT_NAMES if c.lower() in lower), None)
        if sent is not None and sent not in chosen:
            chosen.insert(0, sent)  # first: a bounce in the INBOX finds the mail it returns
        return chosen

    def examine(self, folder: str) -> FolderState:
        """Select ``folder`` read-only; its UIDVALIDITY, UIDNEXT and message count."""
        info = self._call(f"EXAMINE {folder!r}", self.client.select_folder, folder, readonly=True)
        validity = info.get(b"UIDVALIDITY")
        if not isinstance(validity, int) or not 0 < validity <= MAX_UID:
            raise MailSyncError(
                f"IMAP folder {_one_line(folder, 80)!r} on {self.where} has no valid "
                f"UIDVALIDITY ({_one_line(validity, 40)}): it cannot be read incrementally"
            )
        uidnext = info.get(b"UIDNEXT")
        return FolderState(
            name=folder,
            uidvalidity=validity,
            uidnext=uidnext if isinstance(uidnext, int) else None,
            exists=int(info.get(b"EXISTS") or 0),
        )

    def new_uids(self, after: int) -> list[int]:
        """The UIDs above ``after`` in the examined folder, ascending."""
        uids = self._call("UID SEARCH", self.client.search, ["UID", f"{after + 1}:*"])
        return sorted(u for u in uids if isinstance(u, int) and after < u <= MAX_UID)

    def fetch(self, uids: Sequence[int], batch: int) -> Iterator[tuple[int, list[Fetched]]]:
        """(the batch's last UID, its messages) for ``uids``, ``batch`` at a time, in
        UID order, never marked as read (``BODY.PEEK``), each with its INTERNALDATE
        (when the server received it). A message over ``message.MAX_MESSAGE`` is read
        without its body (its header only); one the server no longer has (expunged
        meanwhile) comes with ``gone`` (and ``raw`` None), so that it is counted. When
        the server refuses a batch (a broken message in it), its messages are asked for
        one by one: one it still refuses comes with ``raw`` None, and the sync goes on
        past it. A batch of large messages is cut into parts of at most
        :data:`FETCH_BYTES` (one message at least), each yielded on its own."""
        from tinycrm.mail import message  # its limit: a file's large message is read alike

        self.client.normalise_times = False  # INTERNALDATE with its zone, not local time
        for start in range(0, len(uids), batch):
            whole = list(uids[start : start + batch])
            sizes, refused = self._fetch_each(whole, ["RFC822.SIZE"])
            size = {u: int(d.get(b"RFC822.SIZE") or 0) for u, d in sizes.items()}
            for chunk in _by_size(whole, size, message.MAX_MESSAGE, 2 * message.HEAD_MAX):
                yield chunk[-1], self._fetch_part(chunk, size, refused & set(chunk))

    def _fetch_part(
        self, chunk: list[int], size: dict[int, int], unreadable: set[int]
    ) -> list[Fetched]:
        """The messages of ``chunk`` (see :meth:`fetch`)."""
        from tinycrm.mail import message

        small = [u for u in chunk if u in size and size[u] <= message.MAX_MESSAGE]
        large = [u for u in chunk if u in size and size[u] > message.MAX_MESSAGE]
        got: dict[int, Any] = {}
        for part, which in (("BODY[]", small), ("BODY[HEADER]", large)):
            if not which:
                continue
            asked = [part.replace("BODY", "BODY.PEEK"), "INTERNALDATE"]
            data, refused = self._fetch_each(which, asked)
            got.update({u: (d.get(part.encode()), d.get(b"INTERNALDATE")) for u, d in data.items()})
            unreadable |= refused
        got.update({u: (None, None) for u in unreadable})
        fetched = []
        for uid in chunk:
            raw, when = got.get(uid, (None, None))
            gone = uid not in unreadable and not isinstance(raw, bytes)
            when = when if isinstance(when, datetime) else None
            fetched.append(Fetched(None if gone else raw, when, gone=gone))
        return fetched

    def _fetch_each(self, uids: list[int], items: list[str]) -> tuple[dict[int, Any], set[int]]:
        """UID FETCH ``items`` of ``uids``; when the server refuses (NO or BAD, the
        connection still up), each message again on its own: (what it gave, the UIDs
        it refused)."""
        from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

        try:
            with self.limits.bound():
                return self.client.fetch(uids, items), set()
        except (OSError, IMAPClientAbortError, ssl.SSLError, _Overrun) as exc:  # it is gone
            raise self._error("UID FETCH", exc) from None
        except IMAPClientError:
            if self.limits.tripped is not None:
                raise self._error("UID FETCH", TimeoutError()) from None
            if len(uids) == 1:
                return {}, set(uids)
        got: dict[int, Any] = {}
        refused: set[int] = set()
        for uid in uids:
            one, no = self._fetch_each([uid], items)
            got.update(one)
            refused |= no
        return got, refused
