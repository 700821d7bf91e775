"""Deliver what ``tinycrm remind`` found: by mail, as a desktop notification, or to a webhook
(``tinycrm.webhook_post``).

Three channels, each a plain function that either succeeds or raises :class:`DeliveryError`
with one line meant for the user (``mail not sent: ...``, ``desktop notification not sent:
...``, ``webhook not sent: ...``, or ``mail perhaps delivered: ...`` and ``webhook perhaps
delivered: ...`` when the mail or the POST went out and no answer came back). Nothing here
reads the store or prints; the CLI decides what a failure means (``remind`` exits non-zero
and leaves the items un-announced).

Mail is configured by the ``[smtp]`` table of the config file, validated by
:meth:`MailSettings.from_config`::

    [smtp]
    host = "smtp.example.com"
    port = 587                          # default: 587 starttls, 465 ssl, 25 none
    security = "starttls"               # starttls | ssl | none
    user = "me@example.com"
    password_command = "pass show smtp" # or: password_env = "TINYCRM_SMTP_PASSWORD"
    from = "Me <me@example.com>"        # default: user

The standard library does the work (smtplib, email, subprocess); those
modules are imported inside the functions so that importing this one stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tinycrm.errors import TinyCrmError

__all__ = [
    "DeliveryError",
    "MailSettings",
    "PartlyDelivered",
    "recipient_address",
    "send_desktop",
    "send_mail",
]

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
URGENCIES = ("low", "normal", "critical")
PASSWORD_COMMAND_TIMEOUT = 30.0
NOTIFY_SEND_TIMEOUT = 10.0
MAX_SMTP_TIMEOUT = 3600  # seconds: the socket's own limit is far above, but finite

_SMTP_KEYS = (
    "host",
    "port",
    "security",
    "user",
    "password_env",
    "password_command",
    "from",
    "timeout",
)


class DeliveryError(TinyCrmError):
    """A message could not be delivered; ``str(error)`` is one line for the user."""


class PartlyDelivered(DeliveryError):
    """A mail the server took for some recipients and refused for others: ``accepted``
    holds the addresses it went to."""

    def __init__(self, message: str, *, accepted: list[str]) -> None:
        super().__init__(message)
        self.accepted = accepted


def _first_line(text: str | bytes | None, limit: int = 200) -> str:
    """The first non-empty line of ``text``, stripped and shortened to ``limit`` characters."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _optional_str(section: Mapping[str, Any], key: str) -> str | None:
    """``section[key]`` as a non-empty string, None when absent; ValueError naming the key."""
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"smtp.{key} must be a non-empty string")
    return value.strip()


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server that sends ``tinycrm remind --mail``.

    ``security`` is ``"starttls"``, ``"ssl"`` (implicit TLS, port 465) or ``"none"``. The
    password is never stored here: it comes from the environment variable named by
    ``password_env`` or from the output of ``password_command`` (see :meth:`password`).
    """

    host: str
    port: int
    security: str
    user: str | None
    password_env: str | None
    password_command: str | None
    sender: str
    timeout: float = 30

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> MailSettings:
        """Validate the ``[smtp]`` table of the config file.

        Raises ValueError with a one-line message naming the offending key, for example
        ``smtp.security must be one of starttls, ssl, none``.
        """
        from email.utils import parseaddr

        if not isinstance(section, Mapping):
            raise ValueError("smtp must be a table")
        for key in section:
            if key not in _SMTP_KEYS:
                raise ValueError(f"smtp.{key} is not a known key (known: {', '.join(_SMTP_KEYS)})")

        host = _optional_str(section, "host")
        if host is None:
            raise ValueError("smtp.host is required")
        if any(ch.isspace() for ch in host):
            raise ValueError("smtp.host must be a host name without spaces")

        security = section.get("security", "starttls")
        if not isinstance(security, str) or security.strip().lower() not in SECURITY_MODES:
            raise ValueError(f"smtp.security must be one of {', '.join(SECURITY_MODES)}")
        security = security.strip().lower()

        port = section.get("port", DEFAULT_PORTS[security])
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValueError("smtp.port must be a whole number from 1 to 65535")

        timeout = section.get("timeout", 30)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_SMTP_TIMEOUT  # (nan compares false)
        ):
            raise ValueError(
                f"smtp.timeout must be a positive number of seconds, at most {MAX_SMTP_TIMEOUT}"
            )

        user = _optional_str(section, "user")
        password_env = _optional_str(section, "password_env")
        if password_env is not None and (
            "=" in password_env or any(ch.isspace() for ch in password_env)
        ):
            raise ValueError("smtp.password_env must be the name of an environment variable")
        password_command = _optional_str(section, "password_command")
        if user is not None and password_env is None and password_command is None:
            raise ValueError(
                "smtp.password_env or smtp.password_command is required with smtp.user"
            )
        if user is None and (password_env is not None or password_command is not None):
            key = "password_env" if password_env is not None else "password_command"
            raise ValueError(f"smtp.{key} needs smtp.user (the login name)")

        sender = _optional_str(section, "from")
        if sender is None:
            if user is None:
                raise ValueError("smtp.from is required when smtp.user is not set")
            if "@" not in parseaddr(user)[1]:
                raise ValueError("smtp.from is required: smtp.user is not an email address")
            sender = user
        if "\n" in sender or "\r" in sender or "@" not in parseaddr(sender)[1]:
            raise ValueError("smtp.from must be an email address to send from")

        return cls(
            host=host,
            port=port,
            security=security,
            user=user,
            password_env=password_env,
            password_command=password_command,
            sender=sender,
            timeout=float(timeout),
        )

    def password(self, timeout: float = PASSWORD_COMMAND_TIMEOUT) -> str | None:
        """The SMTP password: the ``password_env`` variable first, then ``password_command``.

        None when no password is configured. The command runs through the shell with a
        ``timeout`` (30 s), and the first line it prints is the password; a failure raises
        DeliveryError with its exit status (and its stderr's first line), never its output.
        """
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is not None:
                return value
        if self.password_command is None:
            if self.password_env is not None:
                raise DeliveryError(
                    f"mail not sent: environment variable {self.password_env} "
                    "(smtp.password_env) is not set"
                )
            return None

        from tinycrm.passwords import PasswordCommandError, run_password_command

        try:
            output = run_password_command(self.password_command, timeout=timeout)
        except PasswordCommandError as exc:
            raise DeliveryError(f"mail not sent: smtp.password_command {exc.reason}") from None
        # the first line, as for mail.imap.password_cmd: `pass` keeps more lines under it
        password = output.decode("utf-8", "surrogateescape").split("\n", 1)[0].rstrip("\r")
        if not password:
            raise DeliveryError("mail not sent: smtp.password_command printed no password")
        return password


def _build_message(
    settings: MailSettings, to: Sequence[str], subject: str, text: str, html: str | None
) -> Any:
    """An ``EmailMessage`` with UTF-8 quoted-printable parts, a Date and a Message-ID."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid, parseaddr

    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    # The sender's domain, not socket.getfqdn(), which can stall on a DNS lookup.
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "tinycrm.invalid"
    message["Message-ID"] = make_msgid(idstring="tinycrm", domain=domain)
    # Quoted-printable rather than 8bit: safe through servers without 8BITMIME.
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def _tls_detail(exc: Any) -> str:
    """A readable reason for an ``ssl.SSLError``."""
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {exc.verify_message or exc.reason}"
    if exc.reason == "WRONG_VERSION_NUMBER":
        return "the server does not speak TLS on this port"
    return str(exc.reason or _first_line(str(exc)))


def _smtp_reply(code: int, reply: bytes | str) -> str:
    """``"535 Authentication credentials invalid"`` from an SMTP error's code and text."""
    line = _first_line(reply)
    return f"{code} {line}" if line else str(code)


def _login(client: Any, user: str, password: str) -> None:
    """Log in; a non-ASCII user or password goes as UTF-8 through AUTH PLAIN (RFC 4616).

    smtplib encodes credentials as ASCII, so ``login()`` cannot send "pässword".
    """
    import base64
    import smtplib

    if user.isascii() and password.isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    if "PLAIN" not in client.esmtp_features["auth"].upper().split():
        raise smtplib.SMTPException("a non-ASCII password needs AUTH PLAIN, which is not offered")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


MAX_ADDRESS = 254  # characters in an address a mail server takes (RFC 5321's path, less <>)


def recipient_address(recipient: str) -> str:
    """The address of one recipient (``ann@example.com`` or ``Ann <ann@example.com>``).

    smtplib sends to the first address it finds in what it is given: a list in one
    value ("a@x, b@y") would reach its first address only, under a To header naming
    both, and "not an address" would go to "not"; those raise DeliveryError instead, and
    so does one holding a line break or another control or bidi control, in the name
    too: nothing the To header could carry into a mail program, nor an address past
    254 characters (``remind --mail`` checks here before it tells anything)."""
    from email.utils import getaddresses

    from tinycrm.safetext import UNSAFE, quoted

    found = getaddresses([recipient]) if UNSAFE.search(recipient.strip()) is None else []
    address = found[0][1] if len(found) == 1 else ""
    local, _, domain = address.rpartition("@")
    if (
        not local
        or not domain
        or len(address) > MAX_ADDRESS  # no server takes it (RFC 5321)
        or any(ch.isspace() or not ch.isprintable() for ch in address)
    ):
        raise DeliveryError(f"mail not sent: {quoted(recipient)} is not one email address")
    return address


def _hang_up(client: Any) -> None:
    """QUIT and close, whatever the server answers: the mail was accepted (or refused)
    before it. (``with smtplib.SMTP(...)`` raises when QUIT is not answered 221: a mail
    accepted was reported as not sent, and a refusal hidden behind that answer.)"""
    import smtplib

    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def send_mail(
    settings: MailSettings,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    within: float | None = None,
) -> None:
    """Send one mail (plain text, optionally with an HTML alternative) through SMTP.

    Connects with STARTTLS, implicit TLS or in the clear as ``settings.security`` says,
    verifies the server's certificate, logs in when a user is set, and raises
    DeliveryError (``mail not sent: ...``) for every failure: the password, DNS, a refused
    or timed-out connection, TLS, login, a refused sender or recipient (``mail perhaps
    delivered: ...`` once the server has the whole mail: no answer to it, or a connection
    lost then, may still see it delivered). A mail refused for
    some recipients but accepted for others raises PartlyDelivered, naming the refused
    ones (its ``accepted``: the addresses it went to). Each read waits
    ``settings.timeout``, the whole exchange four times that (or ``within`` seconds,
    when that is less). Each
    recipient must be one address (a name before it is fine); nothing is sent otherwise.
    """
    import threading
    import time

    recipients = [address.strip() for address in to if address.strip()]
    if not recipients:
        raise DeliveryError("mail not sent: no recipient given")
    if any("\n" in address or "\r" in address for address in recipients):
        raise DeliveryError("mail not sent: a recipient address contains a line break")
    envelope = [recipient_address(address) for address in recipients]
    began = time.monotonic()
    # the password command's wait is the exchange's too: within ``within`` seconds
    wait = PASSWORD_COMMAND_TIMEOUT if within is None else min(PASSWORD_COMMAND_TIMEOUT, within)
    password = settings.password(wait) if settings.user is not None else None
    message = _build_message(settings, recipients, subject, text, html)

    # The whole exchange gets four times the timeout: the socket's own bounds each read
    # only, and a server that drips its answers (a tarpit) held the run for as long as it
    # dripped. It runs in a daemon thread; one cut off is left to end on its own.
    out = [False]  # the mail's last line went out: past it, the server may deliver it
    taken: list[dict[str, Any]] = []  # the server's answer to the mail: who it refused
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            _smtp_send(settings, password, message, envelope, out, taken)
        except BaseException as exc:  # DeliveryError, or a bug: raised in the caller below
            outcome.append(exc)
        else:
            outcome.append(None)

    limit = 4 * settings.timeout
    if within is not None:  # what the password command left of it
        limit = min(limit, max(within - (time.monotonic() - began), 0.001))
    worker = threading.Thread(target=attempt, name="tinycrm-remind-mail", daemon=True)
    worker.start()
    worker.join(limit)
    if outcome and outcome[0] is not None:
        raise outcome[0]
    where = f"SMTP server {settings.host}:{settings.port}"
    if not taken:  # (taken, the mail was answered: only the goodbye may be missing)
        lead = (
            f"mail perhaps delivered: {where} took it but" if out[0] else f"mail not sent: {where}"
        )
        raise DeliveryError(f"{lead} did not finish within {round(limit, 1):g} s")
    if refused := taken[0]:
        refusals = "; ".join(
            f"{address}: {_smtp_reply(code, reply)}" for address, (code, reply) in refused.items()
        )
        raise PartlyDelivered(
            f"mail not sent to every recipient: {where} refused {refusals}",
            accepted=[address for address in envelope if address not in refused],
        )


def _smtp_send(
    settings: MailSettings,
    password: str | None,
    message: Any,
    envelope: list[str],
    out: list[bool],
    taken: list[dict[str, Any]],
) -> None:
    """Send ``message`` to ``envelope`` (see ``send_mail``); ``out[0]`` is set once its
    last line went out, and ``taken`` gets the server's refusals once it answered it."""
    import smtplib
    import socket
    import ssl

    host, port = settings.host, settings.port
    where = f"SMTP server {host}:{port}"
    step = "connect"
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=settings.timeout)
        try:
            if settings.security == "starttls":
                step = "starttls"
                client.starttls(context=context)
            if settings.user is not None:
                step = "login"
                _login(client, settings.user, password or "")
            step = "send"
            _note_when_out(client, out)
            refused = client.send_message(message, to_addrs=envelope)
            taken.append(refused)
        finally:
            _hang_up(client)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"mail not sent: {where} refused login for {settings.user} "
            f"({_smtp_reply(exc.smtp_code, exc.smtp_error)})"
        ) from None
    except smtplib.SMTPNotSupportedError:
        if step == "starttls":
            detail = 'does not offer STARTTLS (try security = "ssl" or "none")'
        elif step == "login":
            detail = "does not offer login (AUTH)" + (
                " without TLS" if settings.security == "none" else ""
            )
        else:
            detail = "does not support this message (non-ASCII addresses need SMTPUTF8)"
        raise DeliveryError(f"mail not sent: {where} {detail}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refusals = "; ".join(
            f"{address}: {_smtp_reply(code, reply)}"
            for address, (code, reply) in exc.recipients.items()
        )
        raise DeliveryError(f"mail not sent: {where} refused the recipient ({refusals})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"mail not sent: {where} refused the sender {exc.sender} "
            f"({_smtp_reply(exc.smtp_code, exc.smtp_error)})"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"mail not sent: {where} answered {_smtp_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a read that timed out as a disconnection.
        lead = (
            f"mail perhaps delivered: {where} took it but" if out[0] else f"mail not sent: {where}"
        )
        if isinstance(exc.__context__, TimeoutError):
            raise DeliveryError(f"{lead} did not answer within {settings.timeout:g} s") from None
        raise DeliveryError(f"{lead} closed the connection") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"mail not sent: {where}: {_first_line(str(exc))}") from None
    except socket.gaierror:
        raise DeliveryError(f"mail not sent: cannot resolve SMTP server {host}") from None
    except ConnectionRefusedError:
        raise DeliveryError(f"mail not sent: {where} refused the connection") from None
    except TimeoutError:
        lead = (
            f"mail perhaps delivered: {where} took it but" if out[0] else f"mail not sent: {where}"
        )
        raise DeliveryError(f"{lead} did not answer within {settings.timeout:g} s") from None
    except ssl.SSLError as exc:
        detail = _tls_detail(exc)
        if exc.reason == "WRONG_VERSION_NUMBER" and settings.security == "ssl":
            detail += ' (try security = "starttls")'
        raise DeliveryError(f"mail not sent: TLS with {where} failed: {detail}") from None
    except OSError as exc:
        detail = exc.strerror or _first_line(str(exc))
        if out[0]:
            raise DeliveryError(
                f"mail perhaps delivered: {where} took it, then: {detail}"
            ) from None
        raise DeliveryError(f"mail not sent: cannot reach {where}: {detail}") from None


def _note_when_out(client: Any, out: list[bool]) -> None:
    """Set ``out[0]`` once ``client`` has sent a mail's last line (the lone dot): from then
    on the server has the mail, and a missing answer does not mean it was not sent."""
    send = client.send

    def sending(data: Any) -> None:
        send(data)
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            out[0] = True

    client.send = sending


def _session_bus_env() -> dict[str, str]:
    """The environment for notify-send, with the user's session bus found when cron lacks it.

    cron starts jobs without ``DBUS_SESSION_BUS_ADDRESS``, so notify-send cannot reach the
    notification daemon; systemd-based desktops put the bus at ``/run/user/UID/bus``.
    """
    env = dict(os.environ)
    if env.get("DBUS_SESSION_BUS_ADDRESS") or not hasattr(os, "getuid"):
        return env
    runtime_dir = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    bus = os.path.join(runtime_dir, "bus")
    if os.path.exists(bus):
        env.setdefault("XDG_RUNTIME_DIR", runtime_dir)
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={bus}"
    return env


def send_desktop(title: str, body: str, *, urgency: str = "normal") -> None:
    """Show a desktop notification with ``notify-send`` (libnotify).

    ``urgency`` is ``"low"``, ``"normal"`` or ``"critical"``. Raises DeliveryError when
    notify-send is not on PATH, fails (its stderr's first line) or hangs for 10 s.
    """
    import html
    import shutil
    import subprocess

    from tinycrm.safetext import display

    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
    executable = shutil.which("notify-send")
    if executable is None:
        raise DeliveryError(
            "desktop notification not sent: notify-send not found (install libnotify-bin)"
        )
    # The body is read as markup by most notification servers (<b>, <a href>): a stored
    # name is text, so its <, > and & are escaped, and its controls shown escaped.
    shown = html.escape(display(body, multiline=True), quote=False)
    command = [
        executable,
        "--app-name=tinycrm",
        f"--urgency={urgency}",
        "--",
        display(title),
        shown,
    ]
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=NOTIFY_SEND_TIMEOUT,
            env=_session_bus_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DeliveryError(
            f"desktop notification not sent: notify-send did not finish within "
            f"{NOTIFY_SEND_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise DeliveryError(
            f"desktop notification not sent: notify-send could not run: {exc.strerror or exc}"
        ) from None
    if done.returncode != 0:
        detail = _first_line(done.stderr) or f"exit status {done.returncode}"
        raise DeliveryError(f"desktop notification not sent: notify-send failed: {detail}")
